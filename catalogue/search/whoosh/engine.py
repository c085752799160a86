"""One search over the index's arrays: match, filter, count facets, sort, page, and build the hits."""
from __future__ import annotations

import numpy as np

from ...model import pick
from .. import query
from ..budget import Budget, Limits
from ..facets import FACETS, Names
from ..parser import parse
from ..request import CursorError, Hit, SearchRequest, SearchResult
from . import counting, paging, snippets, spelling
from .arrays import View
from .evaluate import Evaluator, Scoring


def run(view: View, request: SearchRequest, names: Names, limits: Limits) -> SearchResult:
    """Answer ``request`` over one generation of the index, within ``limits``.

    RequestError for a query too big to answer, SearchTimeout when the time is spent.
    """
    budget = limits.start()
    filters = {name: list(dict.fromkeys(values)) for name, values in request.filters.items() if values}
    sort = "title" if request.sort == "relevance" and not request.q.strip() else request.sort
    sig = paging.signature(request.q, request.lang, sorted(filters.items()), request.start, request.end, sort)
    after, replay = paging.decode(request.cursor, sig) if request.cursor else (None, None)

    tree = parse(request.q)
    query.check_size(tree, limits)
    scoring = Scoring(view, replay if sort == "relevance" else None)
    try:
        match = Evaluator(view, request.lang, scoring, budget).run(tree)
    except ValueError as exc:
        raise CursorError(str(exc)) from None
    base = match.mask
    if request.start is not None or request.end is not None:
        base = base & counting.years(view, request.start, request.end)
    selected = {name: counting.mask(view, name, values) for name, values in filters.items()}
    hits_mask = np.logical_and.reduce([base, *selected.values()])

    counted = {}
    for name, facet in FACETS.items():
        others = [m for other, m in selected.items() if other != name]
        within = np.logical_and.reduce([base, *others]) if name in selected else hits_mask
        counted[name] = facet.describe(counting.count(view, name, within, filters.get(name, [])), request.lang, names)

    keys = paging.keys(view, sort, request.lang, match.score)
    docs, more = paging.page(hits_mask, keys, after, request.size, request.offset)
    words = query.words(tree)
    hits = [_hit(view.stored(int(d)), words, request.lang) for d in docs]
    total = int(hits_mask.sum())
    following = None
    if more and len(docs):
        last = [key[docs[-1]] for key in keys]
        following = paging.encode(sig, last, scoring.state() if sort == "relevance" else None)
    suggestion = _suggestion(view, request, words, int(match.mask.sum()), budget)
    return SearchResult(total, hits, counted, suggestion, following)


def _suggestion(view: View, request: SearchRequest, words: list[str], found: int, budget: Budget) -> str | None:
    """A corrected query, offered when this one finds little and the correction finds more."""
    if not words or found > spelling.FEW:
        return None
    corrected = spelling.suggest(view, words, request.q, budget)
    if corrected is None:
        return None
    more = int(Evaluator(view, request.lang, Scoring(view), budget).run(parse(corrected)).mask.sum())
    return corrected if more > found else None


def _hit(stored: dict, words: list[str], lang: str) -> Hit:
    data = stored["hit"]
    return Hit(
        id=stored["id"],
        label=pick(data["label"], lang),
        snippet=snippets.snippet(data["text"], words, lang),
        type=data["type"],
        image=tuple(data["image"]) if data["image"] else None,
        copyright=data["copyright"],
    )
