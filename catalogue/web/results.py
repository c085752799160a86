"""A search as a page shows it: facets with counts and toggle links, removable filters, hits, paging.

The whole state lives in the URL's query string, so every view of a search
can be shared and bookmarked; the search page and the institution and
collection pages all render through this one module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import request, url_for
from flask_babel import gettext as _

from ..search import FACETS, SearchRequest, SearchResult
from . import asking
from .views import language

PAGE_SIZE = 20


def facet_titles() -> dict[str, str]:
    """Each facet's title in the visitor's language (the titles are declared with the facets)."""
    return {name: _(facet.title) for name, facet in FACETS.items()}


def sort_labels() -> dict[str, str]:
    return {"relevance": _("Relevance"), "date": _("Oldest first"), "-date": _("Newest first"), "title": _("Title")}


@dataclass
class FacetLink:
    value: str
    label: str
    count: int
    selected: bool
    url: str


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
class Results:
    asked: SearchRequest
    result: SearchResult
    hits: list[dict]
    facets: list[Facet]
    active: list[Active]
    page: int
    pages: int
    next_url: str | None
    first_url: str | None
    clear_url: str | None
    suggestion_url: str | None
    hidden: list[tuple[str, str]] = field(default_factory=list)  # state the search form carries along
    sorts: dict[str, str] = field(default_factory=dict)
    sort: str = "relevance"
    timeline: list[TimelineBar] = field(default_factory=list)  # templates/_timeline.html


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

    def link(pairs: list[tuple[str, str]]) -> str:
        return f"{base}?{urlencode(pairs)}" if pairs else base

    def without(*remove: tuple[str, str | None]) -> str:
        return link([(k, v) for k, v in state if not any(k == n and (w is None or v == w) for n, w in remove)])

    titles = facet_titles()
    facets, active = [], []
    for name, values in result.facets.items():
        if name in fixed or not values:
            continue
        chosen = set(asked.filters.get(name, []))
        links = []
        for v in values:
            selected = v.value in chosen
            url = without((name, v.value)) if selected else link(state + [(name, v.value)])
            links.append(FacetLink(v.value, v.label, v.count, selected, url))
            if selected:
                active.append(Active(titles[name], v.label, url))
        facets.append(Facet(name, titles[name], links))
    if asked.start is not None or asked.end is not None:
        span = f"{'' if asked.start is None else asked.start}–{'' if asked.end is None else asked.end}"
        active.append(Active(_("Years"), span, without(("from", None), ("to", None))))
    if asked.q:
        active.insert(0, Active(_("Words"), asked.q, without(("q", None))))

    page = asking.page_param() if asked.cursor else 1
    pages = max(1, -(-result.total // asked.size))
    filters_only = [(k, v) for k, v in state if k in FACETS or k in ("from", "to")]
    return Results(
        asked=asked,
        result=result,
        hits=asking.hit_views(result),
        facets=facets,
        active=active,
        page=page,
        pages=pages,
        next_url=link(state + [("cursor", result.next), ("p", str(page + 1))]) if result.next else None,
        first_url=link(state) if asked.cursor else None,
        clear_url=without(*[(k, None) for k, _v in filters_only]) if filters_only else None,
        suggestion_url=link([(k, v) for k, v in state if k != "q"] + [("q", result.suggestion)])
        if result.suggestion else None,
        hidden=[(k, v) for k, v in state if k in FACETS or k in ("lang", "size")],
        sorts={k: v for k, v in sort_labels().items() if asked.q or k != "relevance"},
        sort="title" if asked.sort == "relevance" and not asked.q else asked.sort,  # what the engine did
        timeline=[TimelineBar(b.start, b.end, b.span, b.count,
                              link([(k, v) for k, v in state if k not in ("from", "to")]
                                   + [("from", str(b.start)), ("to", str(b.end))])) for b in result.timeline],
    )
