"""One search over the index's arrays: match, filter, count facets, sort, page, and build the hits."""
from __future__ import annotations

import re

import numpy as np

from ...model import pick
from .. import query
from ..budget import Budget, Limits
from ..facets import FACETS, FacetValue, Names
from ..folding import fold
from ..parser import parse
from ..request import Bar, CursorError, Hit, SearchRequest, SearchResult
from . import counting, paging, snippets, spelling
from .arrays import View
from .evaluate import Evaluator, Match, Scoring


def run(view: View, request: SearchRequest, names: Names, limits: Limits) -> SearchResult:
    """Answer ``request`` over one generation of the index, within ``limits``.

    RequestError for a query too big to answer, SearchTimeout when the time is spent.
    """
    budget = limits.start()
    filters = _filters(request)
    sort = "browse" if request.sort == "relevance" and not request.q.strip() else request.sort
    sig = paging.signature(request.q, request.lang, sorted(filters.items()), request.start, request.end, sort)
    after, replay = paging.decode(request.cursor, sig) if request.cursor else (None, None)

    tree = parse(request.q)
    query.check_size(tree, limits)
    scoring = Scoring(view, replay if sort == "relevance" else None)
    match, base, selected = _matched(view, request, tree, scoring, budget, filters)
    hits_mask = np.logical_and.reduce([base, *selected.values()])

    counted = {}
    for name in FACETS if request.facets is None else request.facets:
        facet = FACETS[name]
        others = [m for other, m in selected.items() if other != name]
        within = np.logical_and.reduce([base, *others]) if name in selected else hits_mask
        counted[name] = facet.describe(_count(view, request, name, within, filters.get(name, [])), request.lang, names)

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
    return SearchResult(total, hits, counted, suggestion, following, _timeline(view, hits_mask, request))


def facet_values(view: View, request: SearchRequest, name: str, prefix: str, size: int, names: Names,
                 limits: Limits) -> tuple[list[FacetValue], bool]:
    """Values of facet ``name`` for ``request``'s search (counted under every filter but its own) whose
    label has a word starting with ``prefix``, the most frequent ``size`` of them; and whether more match."""
    budget = limits.start()
    filters = _filters(request)
    tree = parse(request.q)
    query.check_size(tree, limits)
    _match, base, selected = _matched(view, request, tree, Scoring(view), budget, filters)
    within = np.logical_and.reduce([base, *[m for other, m in selected.items() if other != name]])
    facet = FACETS[name]
    values = facet.describe(_count(view, request, name, within, filters.get(name, []), shown=None), request.lang, names)
    wanted = fold(prefix).split()
    if wanted:
        values = [v for v in values if _starts_words(fold(v.label), wanted)]
    return values[:size], len(values) > size


def _starts_words(label: str, wanted: list[str]) -> bool:
    """Whether each of ``wanted`` begins a word of ``label`` (both folded)."""
    words = re.split(r"[^0-9a-z]+", label)
    return all(any(w.startswith(p) for w in words) for p in wanted)


def _filters(request: SearchRequest) -> dict[str, list[str]]:
    return {name: list(dict.fromkeys(values)) for name, values in request.filters.items() if values}


def _matched(view: View, request: SearchRequest, tree, scoring: Scoring, budget: Budget,
             filters: dict[str, list[str]]) -> tuple[Match, np.ndarray, dict[str, np.ndarray]]:
    """The words' match, the documents it and the years allow, and each facet filter's documents."""
    try:
        match = Evaluator(view, request.lang, scoring, budget).run(tree)
    except ValueError as exc:
        raise CursorError(str(exc)) from None
    base = match.mask
    if request.start is not None or request.end is not None:
        base = base & counting.years(view, request.start, request.end)
    return match, base, {name: counting.mask(view, name, _and_below(request, name, values))
                         for name, values in filters.items()}


def _and_below(request: SearchRequest, name: str, values: list[str]) -> list[str]:
    """``values`` and those the search service found under them (a subject's narrower subjects)."""
    below = request.narrower.get(name, {})
    return [*values, *(u for v in values for u in below.get(v, ()))]


def _count(view: View, request: SearchRequest, name: str, within: np.ndarray, selected: list[str],
           shown: int | None = counting.SHOWN) -> list[tuple[str, int]]:
    """Facet ``name``'s (value, count) pairs, a selected value with narrower ones counting theirs too."""
    pairs = counting.count(view, name, within, selected, shown)
    below = request.narrower.get(name)
    if not below:
        return pairs
    return [(v, int((within & counting.mask(view, name, [v, *below[v]])).sum()) if v in below else n)
            for v, n in pairs]


YEARS_SHOWN = 20  # a year range this long or shorter gets a bar per year, a longer one per decade
MAX_BARS = 60  # more decades than this (Roman coins and today's photographs) are drawn per century


def _timeline(view: View, hits: np.ndarray, request: SearchRequest) -> list[Bar]:
    """Works per decade (per year when the asked range spans YEARS_SHOWN years or fewer; per century when
    the decades would be more than MAX_BARS, too many to read or to tab through)."""
    start, end = request.start, request.end
    span = 1 if start is not None and end is not None and end - start < YEARS_SHOWN else 10
    bars = counting.timeline(view, hits, span, start, end)
    if len(bars) > MAX_BARS:
        span = 100
        bars = counting.timeline(view, hits, span, start, end)
    return [Bar(first, first + span - 1, count) for first, count in bars]


def _suggestion(view: View, request: SearchRequest, words: list[str], found: int, budget: Budget) -> str | None:
    """A corrected query, offered when this one finds little and the correction finds more."""
    if not words or found > spelling.FEW:
        return None
    corrected = spelling.suggest(view, words, request.q, budget, request.lang)
    if corrected is None:
        return None
    more = int(Evaluator(view, request.lang, Scoring(view), budget).run(parse(corrected)).mask.sum())
    return corrected if more > found else None


def _hit(stored: dict, words: list[str], lang: str) -> Hit:
    data = stored["hit"]
    return Hit(
        id=stored["id"],
        label=pick(data["label"], lang),
        snippet=snippets.snippet(data["parts"], words, lang),
        type=data["type"],
        image=tuple(data["image"]) if data["image"] else None,
        copyright=data["copyright"],
        rights=data["rights"],
        media=data["media"],
        creators=data["creators"],
        date=data["date"],
    )
