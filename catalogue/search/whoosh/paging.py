"""Sort orders and cursors: any page costs what the first one does.

A cursor is the sort key of the last hit shown (its id's hash breaks ties), so
the next page is "the best hits after this key": no offset to skip through, no
duplicates and nothing missed when objects are added between two pages. For
relevance it also carries the term weights the first page scored with.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math

import numpy as np

from ..request import LANGUAGES, CursorError
from .arrays import View
from .document import UNKNOWN_YEAR

MAX_CURSOR = 4096  # characters; a real cursor is a few hundred
_LAST = np.iinfo(np.int32).max
_DAMAGED = "the cursor is not one this search returned (it belongs to another query or is damaged)"


def keys(view: View, sort: str, lang: str, score: np.ndarray) -> list[np.ndarray]:
    """Ascending sort keys, most significant first, ending with the tie-breaker."""
    if sort == "relevance":
        first = [-score]
    elif sort == "date":
        first = [np.where(view.earliest == UNKNOWN_YEAR, _LAST, view.earliest)]
    elif sort == "-date":
        first = [np.where(view.latest == UNKNOWN_YEAR, _LAST, -view.latest)]
    elif sort == "acquired":  # the oldest acquisition first; unknown dates last
        first = [view.acquired.astype(np.int64)]
    elif sort == "accession":  # by accession number; works without one last
        first = [view.accession[:, 0], view.accession[:, 1]]
    elif sort == "browse":  # no words, no order asked: works with images and real titles first, then by title
        title = view.title[:, LANGUAGES.index(lang)]
        first = [view.browse_rank.astype(np.int64), title[:, 0], title[:, 1]]
    else:
        title = view.title[:, LANGUAGES.index(lang)]
        first = [title[:, 0], title[:, 1]]
    return [*first, view.idhash]


def page(mask: np.ndarray, sort_keys: list[np.ndarray], after: list | None, size: int,
         skip: int = 0) -> tuple[np.ndarray, bool]:
    """Docnums of the ``size`` best hits after the cursor key and ``skip`` more, and whether more follow.

    Only the hits whose first key lies between the skipped ones' last and the page's last are sorted
    whole, so a deep page (page 3,000 by its number) costs two partitions more than the first, not a sort.
    """
    found = np.flatnonzero(mask)
    if after is not None:
        _check_key(after, sort_keys)
        greater = np.zeros(len(found), dtype=bool)
        equal = np.ones(len(found), dtype=bool)
        for key, value in zip(sort_keys, after, strict=True):
            column = key[found]
            greater |= equal & (column > value)
            equal &= column == value
        found = found[greater]
    if skip >= len(found):
        return found[:0], False
    more = len(found) > skip + size
    if more or skip:
        first = sort_keys[0][found]
        last = min(skip + size, len(found)) - 1
        bounds = np.partition(first, [skip, last] if skip else last)
        high = bounds[last]
        if skip:
            low = bounds[skip]
            before = int(np.count_nonzero(first < low))  # hits certainly on earlier pages
            found, first, skip = found[first >= low], first[first >= low], skip - before
        found = found[first <= high]
    order = np.lexsort([key[found] for key in reversed(sort_keys)])[skip : skip + size]
    return found[order], more


def signature(*parts) -> str:
    """What a cursor must belong to: the query, language, filters and sort."""
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def encode(sig: str, key: list, scoring: dict | None) -> str:
    data: dict[str, object] = {"s": sig, "k": [v.item() if hasattr(v, "item") else v for v in key]}
    if scoring:
        data["r"] = scoring
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, sig: str) -> tuple[list, dict | None]:
    """The key and scoring a cursor carries; CursorError if it is not this search's.

    A cursor comes back from the client, so every part of it is checked
    before use: its text, its JSON, the types and sizes of what it holds.
    """
    data = _json(cursor)
    if not isinstance(data, dict) or set(data) - {"s", "k", "r"} or data.get("s") != sig:
        raise CursorError(_DAMAGED)
    key, scoring = data.get("k"), data.get("r")
    if not isinstance(key, list) or not all(_number(v) for v in key):
        raise CursorError(_DAMAGED)
    if scoring is not None and not _scoring(scoring):
        raise CursorError(_DAMAGED)
    return key, scoring


def _json(cursor: str):
    """The JSON inside a cursor: base64url of UTF-8, no NaN or Infinity, not too long."""
    if len(cursor) > MAX_CURSOR:
        raise CursorError(f"the cursor is longer than {MAX_CURSOR} characters: {_DAMAGED}")
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, binascii.Error, RecursionError):  # bad base64, UTF-8 or JSON; too deep; too many digits
        raise CursorError(_DAMAGED) from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number a cursor holds")


def _number(value) -> bool:
    """A finite JSON number (not a boolean, not a float too big for one)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _scoring(scoring) -> bool:
    """A relevance cursor's term weights (numbers) and average lengths (positive numbers, by field)."""
    if not isinstance(scoring, dict) or set(scoring) != {"w", "a"}:
        return False
    weights, averages = scoring["w"], scoring["a"]
    return (
        isinstance(weights, list) and all(_number(w) for w in weights)
        and isinstance(averages, dict) and all(_number(a) and a > 0 for a in averages.values())
    )


def _check_key(after: list, sort_keys: list[np.ndarray]) -> None:
    """A cursor's key has one value per sort key, each one the key's type can hold."""
    if len(after) != len(sort_keys) or not all(_fits(v, key.dtype) for v, key in zip(after, sort_keys, strict=True)):
        raise CursorError(_DAMAGED)


def _fits(value, dtype: np.dtype) -> bool:
    if np.issubdtype(dtype, np.integer):
        limits = np.iinfo(dtype)
        return isinstance(value, int) and limits.min <= value <= limits.max
    return abs(value) <= np.finfo(dtype).max
