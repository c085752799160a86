"""One search: match, filter, count facets, sort, page, and build the hits."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..model import pick
from . import facets, paging, query, snippets, spelling
from .analysis import LANGUAGES
from .arrays import View
from .budget import Budget, Limits
from .facets import FacetValue, Labeller

MAX_SIZE = 100
YEARS = (-10000, 3000)


class RequestError(ValueError):
    """A search request that cannot be answered as asked (the API answers 400)."""


@dataclass
class SearchRequest:
    """What a visitor asks: words, language, facet filters, years, order, and where to go on."""

    q: str = ""
    lang: str = "en"
    filters: dict[str, list[str]] = field(default_factory=dict)
    start: int | None = None  # earliest year of the range
    end: int | None = None  # latest year of the range
    sort: str = "relevance"
    cursor: str | None = None
    size: int = 20

    def check(self, limits: Limits = Limits()) -> None:
        if len(self.q) > limits.query_chars:
            raise RequestError(
                f"q must be at most {limits.query_chars} characters long, not {len(self.q)}"
            )
        if self.lang not in LANGUAGES:
            raise RequestError(f"lang must be one of {', '.join(LANGUAGES)}, not {self.lang!r}")
        if self.sort not in paging.SORTS:
            raise RequestError(f"sort must be one of {', '.join(paging.SORTS)}, not {self.sort!r}")
        if not 1 <= self.size <= MAX_SIZE:
            raise RequestError(f"size must be between 1 and {MAX_SIZE}")
        for name, year in (("from", self.start), ("to", self.end)):
            if year is not None and not YEARS[0] <= year <= YEARS[1]:
                raise RequestError(f"{name} must be a year between {YEARS[0]} and {YEARS[1]}")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise RequestError("from must not be after to")
        try:
            facets.check(self.filters)
        except facets.FilterError as exc:
            raise RequestError(str(exc)) from None


@dataclass
class Hit:
    id: str
    label: str
    snippet: str
    type: str
    image: tuple[str, int | None, int | None] | None  # first image: media id, width, height
    copyright: bool


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None
    next: str | None


def run(view: View, request: SearchRequest, labeller: Labeller, limits: Limits = Limits()) -> SearchResult:
    """Answer ``request`` over one generation of the index, within ``limits``.

    RequestError for a query too big to answer, SearchTimeout when the time is spent.
    """
    budget = limits.start()
    filters = {name: list(dict.fromkeys(values)) for name, values in request.filters.items() if values}
    sort = "title" if request.sort == "relevance" and not request.q.strip() else request.sort
    sig = paging.signature(request.q, request.lang, sorted(filters.items()), request.start, request.end, sort)
    after, replay = paging.decode(request.cursor, sig) if request.cursor else (None, None)

    tree = query.parse(request.q)
    _check_size(tree, limits)
    scoring = query.Scoring(view, replay if sort == "relevance" else None)
    try:
        match = query.Evaluator(view, request.lang, scoring, budget).run(tree)
    except ValueError as exc:
        raise paging.CursorError(str(exc)) from None
    base = match.mask
    if request.start is not None or request.end is not None:
        base = base & facets.years(view, request.start, request.end)
    selected = {name: facets.mask(view, name, values) for name, values in filters.items()}
    hits_mask = np.logical_and.reduce([base, *selected.values()])

    counted = {}
    for name in facets.FACETS:
        others = [m for other, m in selected.items() if other != name]
        within = np.logical_and.reduce([base, *others]) if name in selected else hits_mask
        counted[name] = labeller.facet(name, facets.count(view, name, within, filters.get(name, [])))

    keys = paging.keys(view, sort, request.lang, match.score)
    docs, more = paging.page(hits_mask, keys, after, request.size)
    words = query.words(tree)
    hits = [_hit(view.stored(int(d)), words, request.lang) for d in docs]
    total = int(hits_mask.sum())
    following = None
    if more and len(docs):
        last = [key[docs[-1]] for key in keys]
        following = paging.encode(sig, last, scoring.state() if sort == "relevance" else None)
    suggestion = _suggestion(view, request, words, int(match.mask.sum()), budget)
    return SearchResult(total, hits, counted, suggestion, following)


def _check_size(tree, limits: Limits) -> None:
    """Refuse a query with more terms or wildcards than a search may look up."""
    terms, wildcards = query.size(tree)
    if wildcards > limits.wildcards:
        raise RequestError(f"q may have at most {limits.wildcards} wildcard or prefix terms (like relig*), not {wildcards}")
    if terms > limits.terms:
        raise RequestError(f"q may have at most {limits.terms} terms, not {terms}")


def _suggestion(view: View, request: SearchRequest, words: list[str], found: int, budget: Budget) -> str | None:
    """A corrected query, offered when this one finds little and the correction finds more."""
    if not words or found > spelling.FEW:
        return None
    corrected = spelling.suggest(view, words, request.q, budget)
    if corrected is None:
        return None
    scoring = query.Scoring(view)
    more = int(query.Evaluator(view, request.lang, scoring, budget).run(query.parse(corrected)).mask.sum())
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
