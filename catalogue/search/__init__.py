"""Full-text search: the one interface the rest of Vitrine uses, and the backends behind it.

``open_search(config, store)`` gives the backend the ``SEARCH_BACKEND`` setting
names (``whoosh`` unless set otherwise). Callers see only ``SearchBackend`` and
the engine-neutral types: the request, the result, Vitrine's own query tree
(query.py) and the facets (facets.py). A second backend is a module with a
class that has ``from_config(config, store)`` and one entry in ``BACKENDS``.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from .budget import SearchTimeout
from .facets import FACETS, FacetValue
from .request import (
    LANGUAGES,
    SORTS,
    Bar,
    CursorError,
    ExhibitionHit,
    Hit,
    RequestError,
    SearchRequest,
    SearchResult,
)

if TYPE_CHECKING:
    from ..store import Change

BACKENDS = {
    "whoosh": "catalogue.search.whoosh:WhooshSearch",
    "null": "catalogue.search.null:NullSearch",
}
"""Every search backend by the name ``SEARCH_BACKEND`` gives it: ``module:class``."""
DEFAULT_BACKEND = "whoosh"
DEFAULTS = {"SEARCH_BACKEND": DEFAULT_BACKEND}  # the setting, beside the table it names (README: Configuration)


class SearchBackend(Protocol):
    """What web/, the CLI and the keeper ask of search, whatever engine answers."""

    def search(self, request: SearchRequest) -> SearchResult:
        """Answer a visitor's search; RequestError or CursorError for a bad request, SearchTimeout past the deadline."""

    def facet_values(self, request: SearchRequest, name: str, prefix: str, size: int
                     ) -> tuple[list[FacetValue], bool]:
        """Values of facet ``name`` for ``request``'s search whose label has a word starting with
        ``prefix``, most frequent first, at most ``size``; and whether more match. RequestError as search."""

    def apply(self, changes: list[Change] | None = None, progress: Callable[[int], None] | None = None) -> None:
        """Follow the store's change log from where the index stands (the store's commit hook); never raises."""

    def pending(self) -> int:
        """How many objects changed in the store since the index last caught up."""

    def count(self) -> int:
        """Objects in the index."""

    def rebuild(self, progress: Callable[[int], None] | None = None, procs: int = 1) -> int:
        """Index every object of the store afresh (searches go on meanwhile); returns how many."""

    def clean(self) -> int:
        """Remove what killed writers left behind; returns how many pieces."""

    def close(self) -> None:
        """Let go of open files."""


class UnknownBackend(ValueError):
    """A ``SEARCH_BACKEND`` no module answers to."""


def open_search(config: Mapping, store) -> SearchBackend:
    """The search backend ``config["SEARCH_BACKEND"]`` names, over ``store``; opens no file yet."""
    name = str(config.get("SEARCH_BACKEND") or DEFAULT_BACKEND)
    where = BACKENDS.get(name)
    if where is None:
        raise UnknownBackend(f"SEARCH_BACKEND {name!r} is not a search backend; known: {', '.join(BACKENDS)}")
    module, cls = where.split(":")
    return getattr(importlib.import_module(module), cls).from_config(config, store)


__all__ = [
    "BACKENDS",
    "Bar",
    "ExhibitionHit",
    "FACETS",
    "LANGUAGES",
    "SORTS",
    "CursorError",
    "FacetValue",
    "Hit",
    "RequestError",
    "SearchBackend",
    "SearchRequest",
    "SearchResult",
    "SearchTimeout",
    "UnknownBackend",
    "open_search",
]
