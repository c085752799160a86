"""Searching the public catalogue: the one door web/ and the CLI search through.

The backend (SEARCH_BACKEND) indexes public objects only, so a draft or a withdrawn object is
never a hit; which engine answers is no business of the routes. What a visitor is offered of the
answer is decided here: facets that narrow something (``facets.informative``) and the published
exhibitions the words match.
"""
from __future__ import annotations

from dataclasses import replace

from ..model import Exhibition, today
from ..search import SearchBackend, SearchRequest, SearchResult
from ..search.exhibitions import matching, vocabulary
from ..search.facets import FACETS, FacetValue, informative
from ..search.parser import parse
from ..search.query import words
from ..store import Derived, Store

NARROWER = 20_000  # narrower subjects a subject filter matches besides itself (Tate's "places": 6,691)


class UnknownFacet(LookupError):
    """A facet name no facet answers to (the API answers 404)."""


class Searching:
    def __init__(self, backend: SearchBackend, store: Store | None = None, facets: tuple[str, ...] = tuple(FACETS)):
        self.backend = backend
        self.store = store
        self.facets = facets  # the facets offered, in order (the FACETS setting, facets.offered)
        # the published exhibitions with their words, made again at midnight too (a scheduled one opens);
        # today is looked up at each call, so the one clock the catalogue reads is this module's today
        self._exhibitions = None if store is None else Derived(
            store, lambda: [(e, vocabulary(e)) for e in store.exhibitions() if e.published], also=lambda: today())

    def search(self, request: SearchRequest) -> SearchResult:
        """Hits, the facets worth offering, the exhibitions the words match and the next page's cursor;
        RequestError, CursorError or SearchTimeout."""
        if request.facets is None:  # count only what the catalogue offers
            request = replace(request, facets=self.facets)
        result = self.backend.search(self._with_narrower(request))
        result.facets = informative(self._offered(result.facets), result.total, request.filters)
        if request.q.strip() and not request.cursor and not request.offset:  # the first page only
            result.exhibitions = matching(self._published(), words(parse(request.q)), request.lang)
        return result

    def facet_values(self, request: SearchRequest, name: str, prefix: str = "", size: int = 50
                     ) -> tuple[list[FacetValue], bool]:
        """Every value of facet ``name`` for this search (beyond the few a page lists) whose label has a
        word starting with ``prefix``: the ``size`` most frequent, and whether more match."""
        if name not in self.facets:
            raise UnknownFacet(name)
        return self.backend.facet_values(self._with_narrower(request), name, prefix, size)

    def _with_narrower(self, request: SearchRequest) -> SearchRequest:
        """``request`` with each subject's narrower subjects, all the way down (at most NARROWER each):
        a work about a cat is a work about animals."""
        if self.store is None or not request.filters.get("subject"):
            return request
        below = {uri: found for uri in dict.fromkeys(request.filters["subject"])
                 if (found := self.store.descendants(uri, NARROWER))}
        return replace(request, narrower={"subject": below}) if below else request

    def overview(self, lang: str) -> SearchResult:
        """The whole catalogue's facet counts (what kinds of work it holds), with one hit."""
        result = self.backend.search(SearchRequest(lang=lang, size=1, facets=self.facets))
        result.facets = self._offered(result.facets)
        return result

    def _offered(self, counted: dict[str, list[FacetValue]]) -> dict[str, list[FacetValue]]:
        return {name: counted[name] for name in self.facets if name in counted}

    def _published(self) -> list[tuple[Exhibition, frozenset[str]]]:
        """The published exhibitions and their words, read again only when the store has changed."""
        return [] if self._exhibitions is None else self._exhibitions.get()
