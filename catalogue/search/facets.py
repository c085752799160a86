"""Facets: filtering on their values and counting them, with labels per language.

Values of one facet combine with OR, different facets with AND, and each
facet is counted under every active filter but its own, so a visitor sees what
ticking one more value would give. Counts come from the index's arrays; a
century is counted once for every century an object's years overlap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from babel.support import Translations

from ..model import OBJECT_TYPES, pick
from .arrays import View
from .document import UNKNOWN_YEAR

FACETS = ("institution", "collection", "type", "creator", "subject", "century", "rights", "has3d")
RIGHTS = ("open", "in-copyright")
HAS_3D = ("yes", "no")
UNKNOWN = "unknown"
SHOWN = 20  # values listed per facet (the selected ones always are)

def N_(message: str) -> str:
    """Marks a message for the interface catalogs (catalogue/translations); translated when shown."""
    return message


_LABELS = {
    "type": {"image": N_("Image"), "book": N_("Book"), "3d": N_("3D model"), "audio": N_("Sound"), "video": N_("Video")},
    "rights": {"open": N_("Open"), "in-copyright": N_("In copyright")},
    "has3d": {"yes": N_("With 3D"), "no": N_("Without 3D")},
}
_UNKNOWN_DATE = N_("Date unknown")
_TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


@lru_cache(maxsize=8)
def _catalog(lang: str) -> Translations:
    return Translations.load(str(_TRANSLATIONS), [lang])


def translate(message: str, lang: str) -> str:
    """A fixed label in ``lang``, from the same message catalogs as the rest of the interface."""
    return _catalog(lang).gettext(message)


def fixed_label(name: str, value: str, lang: str) -> str:
    """The label of a value of a fixed facet (type, rights, has3d) in ``lang``."""
    message = _LABELS[name].get(value)
    return translate(message, lang) if message else value


class FilterError(ValueError):
    """A facet or value that cannot be filtered on (the API answers 400)."""


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


def check(filters: dict[str, list[str]]) -> None:
    """Refuse unknown facets and values that can never be valid."""
    for name, values in filters.items():
        if name not in FACETS:
            raise FilterError(f"unknown facet {name!r}; facets are {', '.join(FACETS)}")
        allowed = {"type": OBJECT_TYPES, "rights": RIGHTS, "has3d": HAS_3D}.get(name)
        for value in values:
            if allowed and value not in allowed:
                raise FilterError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
            if name == "century" and value != UNKNOWN:
                if not re.fullmatch(r"-?[0-9]{1,9}", value):  # ASCII digits only, as int() is not
                    raise FilterError(f"century must be a number like 19 or -2, or {UNKNOWN!r}")
                number = int(value)
                if number == 0 or not -101 <= number <= 31:
                    raise FilterError(f"century {value} is out of range")


def _century_index(years: np.ndarray) -> np.ndarray:
    return np.floor_divide(years, 100)


def _century_number(index: int) -> int:
    return index + 1 if index >= 0 else index


def mask(view: View, name: str, values: list[str]) -> np.ndarray:
    """The documents with any of ``values`` in facet ``name``."""
    if name == "type":
        return np.isin(view.type, [OBJECT_TYPES.index(v) for v in values])
    if name == "rights":
        return np.isin(view.copyright, [RIGHTS.index(v) for v in values])
    if name == "has3d":
        return np.isin(view.has3d, [1 - HAS_3D.index(v) for v in values])
    if name == "century":
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
    wanted = np.searchsorted(data.vocab, values)
    wanted = [i for i, v in zip(wanted, values) if i < len(data.vocab) and data.vocab[i] == v]
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


def count(view: View, name: str, within: np.ndarray, selected: list[str]) -> list[tuple[str, int]]:
    """(value, count) pairs to list for facet ``name`` over the documents in ``within``.

    The most frequent values (centuries: all, in time order), and the selected
    ones even at zero.
    """
    if name in ("type", "rights", "has3d"):
        column = {"type": view.type, "rights": view.copyright, "has3d": view.has3d}[name]
        names = {"type": OBJECT_TYPES, "rights": RIGHTS, "has3d": ("no", "yes")}[name]
        found = np.bincount(column[within], minlength=len(names))
        counted = _with_selected([(names[i], int(c)) for i, c in enumerate(found) if c], selected)
    elif name == "century":
        return _with_selected(_count_centuries(view, within), selected)
    else:
        data = view.values[name]
        found = np.bincount(data.values[within[data.docs]], minlength=len(data.vocab))
        top = np.flatnonzero(found)
        if len(top) > SHOWN:
            top = top[np.argpartition(-found[top], SHOWN - 1)[:SHOWN]]
        counted = [(str(data.vocab[i]), int(found[i])) for i in top]
        wanted = np.searchsorted(data.vocab, selected) if selected else []
        counted += [(v, int(found[i]) if i < len(data.vocab) and data.vocab[i] == v else 0)
                    for v, i in zip(selected, wanted)]
    ranked = sorted(dict(counted).items(), key=lambda vc: (-vc[1], vc[0]))
    top_values = {v for v, _ in ranked[:SHOWN]}
    return [(v, c) for v, c in ranked if v in top_values or v in selected]


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


class Labeller:
    """Facet value labels in the reader's language; names from the store's records."""

    def __init__(self, store, lang: str):
        self.store = store
        self.lang = lang

    def labels(self, name: str, values: list[str]) -> dict[str, str]:
        lang = self.lang
        if name == "institution":
            return {i.id: pick(i.label, lang) for i in self.store.institutions() if i.id in values}
        if name == "collection":
            return {c.id: pick(c.label, lang) for c in self.store.collections() if c.id in values}
        if name == "subject":
            return {c.uri: pick(c.label, lang) for c in self.store.concepts(values)}
        if name in ("type", "rights", "has3d"):
            return {value: fixed_label(name, value, lang) for value in _LABELS[name]}
        if name == "century":
            return {v: century_label(v, lang) for v in values}
        return {}

    def facet(self, name: str, values: list[tuple[str, int]]) -> list[FacetValue]:
        labels = self.labels(name, [v for v, _ in values])
        return [FacetValue(v, labels.get(v) or v, c) for v, c in values]


def century_label(value: str, lang: str) -> str:
    """"19th century", "19de eeuw", "XIXe siècle", "19. Jahrhundert"; BC ones too."""
    if value == UNKNOWN:
        return translate(_UNKNOWN_DATE, lang)
    number = int(value)
    n, bc = abs(number), number < 0
    if lang == "fr":
        return f"{_roman(n)}{'er' if n == 1 else 'e'} siècle{' av. J.-C.' if bc else ''}"
    if lang == "de":
        return f"{n}. Jahrhundert{' v. Chr.' if bc else ''}"
    if lang == "nl":
        return f"{n}{'ste' if n in (1, 8) or n >= 20 else 'de'} eeuw{' v.Chr.' if bc else ''}"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} century{' BC' if bc else ''}"


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out
