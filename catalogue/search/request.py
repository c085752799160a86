"""What a visitor asks of a search and what any backend answers: engine-neutral types."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import facets
from .budget import Limits
from .facets import FacetValue

LANGUAGES = ("nl", "fr", "de", "en")
"""The languages whose text is searched stemmed (and the valid ``lang`` values)."""
SORTS = ("relevance", "date", "-date", "title", "accession", "acquired")
MAX_SIZE = 100
MAX_OFFSET = 10_000_000  # hits a page may pass over: past every catalogue Vitrine is meant for
YEARS = (-10000, 3000)
_LIMITS = Limits()


class RequestError(ValueError):
    """A search request that cannot be answered as asked (the API answers 400)."""


class CursorError(ValueError):
    """A cursor that was not made by this search (the API answers 400)."""


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
    facets: tuple[str, ...] | None = None  # the facets to count: None every one; () none, hits only (related works)
    offset: int = 0  # hits passed over (after the cursor, if any): page N of a listing is offset (N-1) x size
    # what a filter's value matches besides itself, the search service's (a subject's narrower subjects, from
    # the thesaurus): facet → value → those values; a selected value counts the works of them all
    narrower: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def check(self, limits: Limits = _LIMITS) -> None:
        """RequestError for what no backend could answer: too long, unknown language, sort or facet."""
        if len(self.q) > limits.query_chars:
            raise RequestError(
                f"q must be at most {limits.query_chars} characters long, not {len(self.q)}"
            )
        if self.lang not in LANGUAGES:
            raise RequestError(f"lang must be one of {', '.join(LANGUAGES)}, not {self.lang!r}")
        if self.sort not in SORTS:
            raise RequestError(f"sort must be one of {', '.join(SORTS)}, not {self.sort!r}")
        if not 1 <= self.size <= MAX_SIZE:
            raise RequestError(f"size must be between 1 and {MAX_SIZE}")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise RequestError(f"offset must be between 0 and {MAX_OFFSET}")
        for name, year in (("from", self.start), ("to", self.end)):
            if year is not None and not YEARS[0] <= year <= YEARS[1]:
                raise RequestError(f"{name} must be a year between {YEARS[0]} and {YEARS[1]}")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise RequestError("from must not be after to")
        try:
            facets.check(self.filters)
        except facets.FilterError as exc:
            raise RequestError(str(exc)) from None
        unknown = [name for name in self.facets or () if name not in facets.FACETS]
        if unknown:
            raise RequestError(f"no facet {unknown[0]!r} to count; facets are {', '.join(facets.FACETS)}")


@dataclass
class Hit:
    """One work found, with what a results page shows of it (all stored in the index)."""

    id: str
    label: str
    snippet: str  # HTML: escaped text around the match, the matched words in <mark>; "" when only the title matched
    type: str
    image: tuple | None  # first image: media id, width, height (and a loan's thumbnail URL at its lender)
    copyright: bool
    rights: str | None = None  # the rights URI, for the access policy (thumbnails)
    media: bool = False  # whether it has media (and so a manifest)
    creators: list[str] = field(default_factory=list)  # its makers' names, as the record gives them
    date: str | None = None  # its display date ("c. 1850")


@dataclass
class Bar:
    """One bar of the timeline: works whose years overlap [start, end] (``span`` years: 100, 10 or 1)."""

    start: int
    end: int
    count: int

    @property
    def span(self) -> int:
        return self.end - self.start + 1


@dataclass
class ExhibitionHit:
    """A published exhibition the words match, in the reader's language."""

    slug: str
    title: str
    summary: str


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None
    next: str | None
    timeline: list[Bar] = field(default_factory=list)  # per decade, or per year within a range of <= 20 years
    exhibitions: list[ExhibitionHit] = field(default_factory=list)  # filled by services/searching.py
