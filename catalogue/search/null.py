"""A search backend that finds nothing and keeps nothing: for a catalogue run without search."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from .budget import Limits
from .request import SearchRequest, SearchResult


class NullSearch:
    """Answers every (valid) search with no hits; every change is taken and forgotten."""

    def __init__(self, settings: Mapping | None = None):
        self.limits = Limits.from_settings(settings)

    @classmethod
    def from_config(cls, config: Mapping, store) -> NullSearch:
        return cls(config)

    def search(self, request: SearchRequest) -> SearchResult:
        request.check(self.limits)
        return SearchResult(total=0, hits=[], facets={}, suggestion=None, next=None)

    def facet_values(self, request: SearchRequest, name: str, prefix: str, size: int) -> tuple[list, bool]:
        request.check(self.limits)
        return [], False

    def apply(self, changes=None, progress: Callable[[int], None] | None = None) -> None:
        return None

    def pending(self) -> int:
        return 0

    def count(self) -> int:
        return 0

    def rebuild(self, progress: Callable[[int], None] | None = None, procs: int = 1) -> int:
        return 0

    def clean(self) -> int:
        return 0

    def close(self) -> None:
        return None
