"""Facets over one index generation's arrays: which documents have a value, and how many per value.

Each facet is counted under every active filter but its own (engine.py), so a
visitor sees what ticking one more value would give. A century is counted once
for every century an object's years overlap.
"""
from __future__ import annotations

import numpy as np

from ...model import OBJECT_TYPES
from ..facets import FACETS, SHOWN, UNKNOWN
from .arrays import View
from .document import RIGHTS, UNKNOWN_YEAR

# the row column of each fixed facet, and its values in the order of their codes there
_FIXED = {"type": ("type", OBJECT_TYPES), "rights": ("rights", RIGHTS),
          "has3d": ("has3d", ("no", "yes")), "hasimage": ("hasimage", ("no", "yes"))}
assert set(_FIXED) == {name for name, f in FACETS.items() if f.kind == "fixed"}


def _century_index(years: np.ndarray) -> np.ndarray:
    return np.floor_divide(years, 100)


def _century_number(index: int) -> int:
    return index + 1 if index >= 0 else index


def mask(view: View, name: str, values: list[str]) -> np.ndarray:
    """The documents with any of ``values`` in facet ``name``."""
    kind = FACETS[name].kind
    if kind == "fixed":
        column, codes = _FIXED[name]
        return np.isin(getattr(view, column), [codes.index(v) for v in values])
    if kind == "century":
        known = view.earliest != UNKNOWN_YEAR
        out = np.zeros(view.size, dtype=bool)
        for value in values:
            if value == UNKNOWN:
                out |= ~known
            else:
                number = int(value)
                start = 100 * (number - 1 if number > 0 else number)
                out |= known & (view.earliest <= start + 99) & (view.latest >= start)
        return out
    data = view.values[name]
    at = np.searchsorted(data.vocab, values)
    wanted = [i for i, v in zip(at, values, strict=True) if i < len(data.vocab) and data.vocab[i] == v]
    out = np.zeros(view.size, dtype=bool)
    if wanted:
        out[data.docs[np.isin(data.values, wanted)]] = True
    return out


def years(view: View, start: int | None, end: int | None) -> np.ndarray:
    """Documents whose years overlap [start, end]; undated ones never do."""
    out = view.earliest != UNKNOWN_YEAR
    if end is not None:
        out &= view.earliest <= end
    if start is not None:
        out &= view.latest >= start
    return out


def count(view: View, name: str, within: np.ndarray, selected: list[str],
          shown: int | None = SHOWN) -> list[tuple[str, int]]:
    """(value, count) pairs to list for facet ``name`` over the documents in ``within``.

    The ``shown`` most frequent values (None: every value found; centuries: all, in time order),
    and the selected ones even at zero.
    """
    kind = FACETS[name].kind
    if kind == "fixed":
        column, names = _FIXED[name]
        found = np.bincount(getattr(view, column)[within], minlength=len(names))
        counted = _with_selected([(names[i], int(c)) for i, c in enumerate(found) if c], selected)
    elif kind == "century":
        return _with_selected(_count_centuries(view, within), selected)
    else:
        data = view.values[name]
        found = np.bincount(data.values[within[data.docs]], minlength=len(data.vocab))
        top = np.flatnonzero(found)
        if shown is not None and len(top) > shown:
            top = top[np.argpartition(-found[top], shown - 1)[:shown]]
        counted = [(str(data.vocab[i]), int(found[i])) for i in top]
        at = np.searchsorted(data.vocab, selected) if selected else np.zeros(0, dtype=np.intp)
        counted += [(v, int(found[i]) if i < len(data.vocab) and data.vocab[i] == v else 0)
                    for v, i in zip(selected, at, strict=True)]
    ranked = sorted(dict(counted).items(), key=lambda vc: (-vc[1], vc[0]))
    top_values = {v for v, _ in (ranked if shown is None else ranked[:shown])}
    return [(v, c) for v, c in ranked if v in top_values or v in selected]


def timeline(view: View, within: np.ndarray, span: int, start: int | None, end: int | None) -> list[tuple[int, int]]:
    """(first year, works) per ``span`` years that the works in ``within`` overlap, each work counted in
    every period its years touch (as the year filter finds it); every period from the first to the last
    (``start`` and ``end`` when given), empty ones at 0."""
    known = within & (view.earliest != UNKNOWN_YEAR)
    if not known.any():
        return []
    first = np.floor_divide(view.earliest[known], span)
    last = np.floor_divide(view.latest[known], span)
    low = start // span if start is not None else int(first.min())
    high = end // span if end is not None else int(last.max())
    first, last = np.clip(first, low, high), np.clip(last, low, high)
    size = high - low + 2
    steps = np.bincount(first - low, minlength=size) - np.bincount(last - low + 1, minlength=size)
    return [((low + offset) * span, int(c)) for offset, c in enumerate(np.cumsum(steps)[:-1])]


def _with_selected(counted: list[tuple[str, int]], selected: list[str]) -> list[tuple[str, int]]:
    present = {v for v, _ in counted}
    return counted + [(v, 0) for v in selected if v not in present]


def _count_centuries(view: View, within: np.ndarray) -> list[tuple[str, int]]:
    known = within & (view.earliest != UNKNOWN_YEAR)
    out = []
    if known.any():
        first = _century_index(view.earliest[known])
        last = _century_index(view.latest[known])
        low = int(first.min())
        span = int(last.max()) - low + 2
        steps = np.bincount(first - low, minlength=span) - np.bincount(last - low + 1, minlength=span)
        for offset, c in enumerate(np.cumsum(steps)[:-1]):
            if c:
                out.append((str(_century_number(low + offset)), int(c)))
    unknown = int((within & (view.earliest == UNKNOWN_YEAR)).sum())
    if unknown:
        out.append((UNKNOWN, unknown))
    return out
