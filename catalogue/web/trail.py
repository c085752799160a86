"""The results list a visitor came from, carried to the object page: previous, next, back.

A hit's link names its list (``ctx``: the results page's own path and query) and its place in it
(``at``, 1 = the first hit); the object page asks the same search again for the works around that
place. Only a Vitrine results page is a list: any other ``ctx`` is ignored, so it is no way to
send a visitor elsewhere.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from flask import current_app, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from ..search import CursorError, RequestError, SearchTimeout
from ..services import services
from .asking import asked, page_param, size_param
from .results import LISTS, PAGE_SIZE
from .views import language


@dataclass
class Trail:
    position: int
    total: int
    previous: str | None
    next: str | None
    back: str


def result_link(hit: dict, position: int) -> str:
    """The object page of the hit at ``position`` (1 = first) of the results page being drawn, with
    the way back to it: a Jinja global for the hit links."""
    at = (page_param() - 1) * size_param(PAGE_SIZE) + position
    return url_for("pages.object_page", object_id=hit["id"], ctx=request.full_path.rstrip("?"), at=at)


def trail(object_id: str) -> Trail | None:
    """Where this object page stands in the list its ``ctx`` and ``at`` name; None without one, or when
    the list no longer has this work at that place."""
    ctx, at = request.args.get("ctx", ""), request.args.get("at", "")
    if not at.isascii() or not at.isdigit() or len(at) > 6:
        return None
    found = _search_of(ctx)
    if found is None:
        return None
    offset = (_page_of(ctx) - 1) * found.size if found.cursor else 0  # hits before the page the cursor starts
    try:
        around = services().discovery.neighbours(found, int(at), offset)
    except (RequestError, CursorError, SearchTimeout):  # a list that cannot be asked again is no list
        return None
    if around is None or around.current.id != object_id:
        return None

    def link(hit, position: int) -> str | None:
        return url_for("pages.object_page", object_id=hit.id, ctx=ctx, at=position) if hit else None

    return Trail(around.position, around.total, link(around.previous, around.position - 1),
                 link(around.next, around.position + 1), ctx)


def _page_of(ctx: str) -> int:
    """The page number (``p``) a results page's query names; 1 when it names none or nonsense."""
    value = dict(parse_qsl(urlsplit(ctx).query)).get("p", "1")
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) < 7 and int(value) else 1


def _search_of(ctx: str):
    """The search a results page's path and query ask for, or None when it is not a results page."""
    if not ctx.startswith("/") or ctx.startswith("//") or "\\" in ctx or len(ctx) > 2000:
        return None
    parts = urlsplit(ctx)
    try:
        endpoint, values = current_app.url_map.bind("localhost").match(parts.path, method="GET")
        fixed = LISTS[endpoint](values)
        args = MultiDict(parse_qsl(parts.query))
        return asked(language(), PAGE_SIZE, fixed, args)
    except (HTTPException, KeyError):
        return None
