"""Sort orders and cursors: any page costs what the first one does.

A cursor is the sort key of the last hit shown (its id's hash breaks ties), so
the next page is "the best hits after this key": no offset to skip through, no
duplicates and nothing missed when objects are added between two pages. For
relevance it also carries the term weights the first page scored with.
"""
from __future__ import annotations

import base64
import hashlib
import json

import numpy as np

from .analysis import LANGUAGES
from .arrays import View
from .document import UNKNOWN_YEAR

SORTS = ("relevance", "date", "-date", "title")
_LAST = np.iinfo(np.int32).max


class CursorError(ValueError):
    """A cursor that was not made by this search (the API answers 400)."""


def keys(view: View, sort: str, lang: str, score: np.ndarray) -> list[np.ndarray]:
    """Ascending sort keys, most significant first, ending with the tie-breaker."""
    if sort == "relevance":
        first = [-score]
    elif sort == "date":
        first = [np.where(view.earliest == UNKNOWN_YEAR, _LAST, view.earliest)]
    elif sort == "-date":
        first = [np.where(view.latest == UNKNOWN_YEAR, _LAST, -view.latest)]
    else:
        title = view.title[:, LANGUAGES.index(lang)]
        first = [title[:, 0], title[:, 1]]
    return [*first, view.idhash]


def page(mask: np.ndarray, sort_keys: list[np.ndarray], after: list | None, size: int) -> tuple[np.ndarray, bool]:
    """Docnums of the ``size`` best hits after the cursor key, and whether more follow."""
    found = np.flatnonzero(mask)
    if after is not None:
        greater = np.zeros(len(found), dtype=bool)
        equal = np.ones(len(found), dtype=bool)
        for key, value in zip(sort_keys, after):
            column = key[found]
            greater |= equal & (column > value)
            equal &= column == value
        found = found[greater]
    more = len(found) > size
    if more:
        first = sort_keys[0][found]
        cut = np.partition(first, size - 1)[size - 1]
        found = found[first <= cut]
    order = np.lexsort([key[found] for key in reversed(sort_keys)])[:size]
    return found[order], more


def signature(*parts) -> str:
    """What a cursor must belong to: the query, language, filters and sort."""
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def encode(sig: str, key: list, scoring: dict | None) -> str:
    data = {"s": sig, "k": [v.item() if hasattr(v, "item") else v for v in key]}
    if scoring:
        data["r"] = scoring
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, sig: str) -> tuple[list, dict | None]:
    """The key and scoring a cursor carries; CursorError if it is not this search's."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key = data["k"]
        ok = data["s"] == sig and isinstance(key, list) and all(isinstance(v, (int, float)) for v in key)
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise CursorError("the cursor is not one this search returned (it belongs to another query or is damaged)")
    return key, data.get("r")
