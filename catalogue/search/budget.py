"""What one search may cost: a budget in query size, in words looked up, and in time.

A query is refused (400) before any work when it is too big to answer: too
long, too many terms, too many wildcards. What only shows while answering is
bounded as it goes: the wildcards of one query stand for a limited number of
words in all (the rest are left out), and a deadline is checked in every loop
that looks words up; past it the search stops (503), so no request keeps a
worker busy after its client has given up.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULTS = {
    # Longest query, in characters, as the visitor typed it.
    "SEARCH_MAX_QUERY_CHARS": 500,
    # Most terms (words, phrase words, wildcards) in a parsed query.
    "SEARCH_MAX_TERMS": 50,
    # Most wildcard or prefix terms (``relig*``, ``p?casso``) in a query.
    "SEARCH_MAX_WILDCARDS": 8,
    # Most words all the wildcards of one query may stand for together.
    "SEARCH_MAX_EXPANSIONS": 1000,
    # Seconds one search may take before it stops with a 503.
    "SEARCH_SECONDS": 5,
}
MAX_SUGGESTED_WORD = 30  # longer words get no "did you mean": no word that long is a typo of a known one
RETRY_AFTER = 10  # seconds a client is told to wait after a search ran out of time
_CHECK_EVERY = 256  # candidate words scanned between two looks at the clock


class SearchTimeout(Exception):
    """A search that ran out of time (the API answers 503 with Retry-After)."""

    retry_after = RETRY_AFTER


@dataclass(frozen=True)
class Limits:
    """The budgets every search of one index gets, from the settings."""

    query_chars: int = DEFAULTS["SEARCH_MAX_QUERY_CHARS"]
    terms: int = DEFAULTS["SEARCH_MAX_TERMS"]
    wildcards: int = DEFAULTS["SEARCH_MAX_WILDCARDS"]
    expansions: int = DEFAULTS["SEARCH_MAX_EXPANSIONS"]
    seconds: float = DEFAULTS["SEARCH_SECONDS"]

    @classmethod
    def from_settings(cls, settings: Mapping | None) -> Limits:
        """The ``SEARCH_*`` settings of ``settings`` (an app's config), defaults for the rest."""
        def setting(key: str):
            return (settings or {}).get(key, DEFAULTS[key])

        return cls(
            query_chars=int(setting("SEARCH_MAX_QUERY_CHARS")),
            terms=int(setting("SEARCH_MAX_TERMS")),
            wildcards=int(setting("SEARCH_MAX_WILDCARDS")),
            expansions=int(setting("SEARCH_MAX_EXPANSIONS")),
            seconds=float(setting("SEARCH_SECONDS")),
        )

    def start(self) -> Budget:
        """The budget of one search, its clock started now."""
        return Budget(self.seconds, self.expansions)


class Budget:
    """One search's deadline, and how many words its wildcards may stand for."""

    def __init__(self, seconds: float, expansions: int):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.expansions = expansions

    def check(self) -> None:
        """Stop the search (SearchTimeout) once its time is spent."""
        if time.monotonic() >= self.deadline:
            raise SearchTimeout(
                f"the search took longer than its {self.seconds:g} s (SEARCH_SECONDS); "
                "try fewer words or wildcards, or longer prefixes"
            )

    def scan(self, candidates):
        """``candidates`` as they come, looking at the clock as they are scanned."""
        for n, candidate in enumerate(candidates):
            if n % _CHECK_EVERY == 0:
                self.check()
            yield candidate
