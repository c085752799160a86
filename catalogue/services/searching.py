"""Searching the public catalogue: the one door web/ and the CLI search through.

The backend (SEARCH_BACKEND) indexes public objects only, so a draft or a withdrawn object is
never a hit; which engine answers is no business of the routes.
"""
from __future__ import annotations

from ..search import SearchBackend, SearchRequest, SearchResult


class Searching:
    def __init__(self, backend: SearchBackend):
        self.backend = backend

    def search(self, request: SearchRequest) -> SearchResult:
        """Hits, facet counts and the next page's cursor; RequestError, CursorError or SearchTimeout."""
        return self.backend.search(request)

    def overview(self, lang: str) -> SearchResult:
        """The whole catalogue's facet counts (what kinds of work it holds), with one hit."""
        return self.backend.search(SearchRequest(lang=lang, size=1))
