"""A search as a page shows it: facets with counts and toggle links, removable filters, hits, paging.

The whole state lives in the URL's query string, so every view of a search
can be shared and bookmarked; the search page and the institution and
collection pages all render through this one module. Each link that changes
the state carries a fragment naming where the visitor acted (the facet value,
the results), so focus comes back there on the next page (static/vitrine.js).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import abort, request, url_for
from flask_babel import gettext as _

from ..search import FACETS, SearchRequest, SearchResult
from . import asking
from .views import language

PAGE_SIZE = 20

# The pages that list search results, and the filter each one fixes: the one list of them (the trail
# back from a work, and which pages are listings to search engines).
LISTS: dict[str, Callable[[Mapping[str, Any]], dict[str, list[str]]]] = {
    "search.page": lambda _values: {},
    "pages.institution": lambda values: {"institution": [values["institution_id"]]},
    "pages.collection": lambda values: {"collection": [values["collection_id"]]},
    "pages.creator": lambda values: {"creator": [values["name"]]},
    "pages.subject": lambda values: {"subject": [values["uri"]]},
}
RESULTS = "results"  # the id of the results heading: where paging, sorting and the years form return


def facet_titles() -> dict[str, str]:
    """Each facet's title in the visitor's language (the titles are declared with the facets)."""
    return {name: _(facet.title) for name, facet in FACETS.items()}


def sort_labels() -> dict[str, str]:
    return {"relevance": _("Relevance"), "date": _("Oldest first"), "-date": _("Newest first"), "title": _("Title"),
            "accession": _("Accession number"), "acquired": _("Acquisition date")}


def anchor(facet: str, value: str) -> str:
    """A facet value's element id: stable across pages, whatever characters the value holds."""
    return f"f-{facet}-{hashlib.blake2b(value.encode(), digest_size=5).hexdigest()}"


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The pages a pager offers: the first, the last and ``around`` either side of ``page``; None is a gap."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    numbers: list[int | None] = []
    for n in shown:
        if numbers and n - (numbers[-1] or 0) == 2:
            numbers.append(n - 1)  # an ellipsis would hide just one page: show it
        elif numbers and n - (numbers[-1] or 0) > 2:
            numbers.append(None)
        numbers.append(n)
    return numbers


@dataclass
class FacetLink:
    value: str
    label: str
    count: int
    selected: bool
    url: str
    id: str = ""


@dataclass
class Facet:
    name: str
    title: str
    values: list[FacetLink]


@dataclass
class Active:
    """A filter in force, with the URL that removes it (and only it)."""

    title: str
    label: str
    url: str


@dataclass
class PageLink:
    """One entry of the pager: a page number and its URL; no number is the gap between two."""

    number: int | None
    url: str | None
    current: bool = False


@dataclass
class Results:
    asked: SearchRequest
    result: SearchResult
    hits: list[dict]
    facets: list[Facet]
    active: list[Active]
    page: int
    pages: int
    next_url: str | None
    previous_url: str | None
    numbers: list[PageLink]
    clear_url: str | None
    suggestion_url: str | None
    action: str = ""  # the URL the page's forms send to
    state: str = ""  # the search's query string, without its page: what a facet-values request carries
    hidden: list[tuple[str, str]] = field(default_factory=list)  # state the search form carries along
    sorts: dict[str, str] = field(default_factory=dict)
    sort: str = "relevance"
    timeline: list[TimelineBar] = field(default_factory=list)  # templates/_timeline.html
    filtering: int = 0  # filters in force, besides the words


@dataclass
class TimelineBar:
    """A bar of the timeline (start, end, span, count) and the link that sets its years as from/to."""

    start: int
    end: int
    span: int
    count: int
    url: str


def asked_search(fixed: dict[str, list[str]] | None = None) -> SearchRequest:
    """The search the URL asks for, in the visitor's language (or ``lang``), within ``fixed`` filters."""
    return asking.asked(language(), PAGE_SIZE, fixed)


def results(asked: SearchRequest, result: SearchResult, endpoint: str, fixed: tuple[str, ...] = (),
            **view_args) -> Results:
    """Everything a results template shows, with the links that change one thing of the state."""
    state = [(k, v) for k, v in request.args.items(multi=True) if k not in ("cursor", "p") and v]
    base = url_for(endpoint, **view_args)

    def link(pairs: list[tuple[str, str]], to: str = RESULTS) -> str:
        return f"{base}?{urlencode(pairs)}#{to}" if pairs else f"{base}#{to}"

    def without(*remove: tuple[str, str | None], to: str = RESULTS) -> str:
        kept = [(k, v) for k, v in state if not any(k == n and (w is None or v == w) for n, w in remove)]
        return link(kept, to)

    titles = facet_titles()
    facets, active = [], []
    for name, values in result.facets.items():
        if name in fixed or not values:
            continue
        chosen = set(asked.filters.get(name, []))
        links = []
        for v in values:
            selected, to = v.value in chosen, anchor(name, v.value)
            url = without((name, v.value), to=to) if selected else link(state + [(name, v.value)], to)
            links.append(FacetLink(v.value, v.label, v.count, selected, url, to))
            if selected:
                active.append(Active(titles[name], v.label, without((name, v.value))))
        facets.append(Facet(name, titles[name], links))
    if asked.start is not None or asked.end is not None:
        span = f"{'' if asked.start is None else asked.start}–{'' if asked.end is None else asked.end}"
        active.append(Active(_("Years"), span, without(("from", None), ("to", None))))
    filtering = len(active)
    if asked.q:
        active.insert(0, Active(_("Words"), asked.q, without(("q", None))))

    page = asking.page_param()
    pages = max(1, -(-result.total // asked.size))
    if page > pages and not asked.cursor:
        abort(404, _("There is no page %(page)s of these results: they have %(pages)s.", page=page, pages=pages))

    def page_url(n: int) -> str:
        return link(state + ([("p", str(n))] if n > 1 else []))

    if asked.cursor:  # an older link that pages by cursor: its next page by cursor, the rest by number
        next_url = link(state + [("cursor", result.next), ("p", str(page + 1))]) if result.next else None
    else:
        next_url = page_url(page + 1) if page < pages else None
    filters_only = [(k, v) for k, v in state if k in FACETS or k in ("from", "to")]
    return Results(
        asked=asked,
        result=result,
        hits=asking.hit_views(result),
        facets=facets,
        active=active,
        page=page,
        pages=pages,
        next_url=next_url,
        previous_url=page_url(page - 1) if page > 1 else None,
        numbers=[PageLink(n, page_url(n) if n else None, n == page) for n in page_numbers(page, pages)],
        clear_url=without(*[(k, None) for k, _v in filters_only]) if filters_only else None,
        suggestion_url=link([(k, v) for k, v in state if k != "q"] + [("q", result.suggestion)])
        if result.suggestion else None,
        action=base,
        state=urlencode(state),
        hidden=[(k, v) for k, v in state if k in FACETS or k in ("lang", "size")],
        sorts={k: v for k, v in sort_labels().items() if asked.q or k != "relevance"},
        sort="title" if asked.sort == "relevance" and not asked.q else asked.sort,  # what the engine did
        timeline=[TimelineBar(b.start, b.end, b.span, b.count,
                              link([(k, v) for k, v in state if k not in ("from", "to")]
                                   + [("from", str(b.start)), ("to", str(b.end))])) for b in result.timeline],
        filtering=filtering,
    )
