"""A search asked in a URL's query string, and answered: the parameters, the request, the hits.

Shared by the JSON API, the search page and the institution and collection pages, so each
parameter is parsed, and each hit described, one way.
"""
from __future__ import annotations

import re
from typing import NoReturn

from flask import abort, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..iiif.levels import thumbnail_size
from ..model import MediaFile
from ..search import FACETS, CursorError, Hit, RequestError, SearchRequest, SearchResult, SearchTimeout
from ..services import services
from ..urls import Urls
from .errors import error_response
from .http import urls
from .visitor import access

# ASCII digits only: int() also takes "٣", "５", "+5", " 5" and "5_0", and isdigit() "²" and "①"
_WHOLE = re.compile(r"[0-9]{1,18}")
_YEAR = re.compile(r"-?[0-9]{1,18}")


def year_param(name: str, args: MultiDict | None = None) -> int | None:
    """A year from the query string; anything else is a 400 that says what was wrong."""
    value = (request.args if args is None else args).get(name, "")
    if not value:
        return None
    if not _YEAR.fullmatch(value):
        abort(400, _("'%(name)s' must be a year like 1850, not '%(value)s'.", name=name, value=value))
    return int(value)


def size_param(default: int, args: MultiDict | None = None) -> int:
    """Hits per page from the query string, ``default`` when absent; anything but digits is a 400."""
    value = (request.args if args is None else args).get("size", "")
    if not value:
        return default
    if not _WHOLE.fullmatch(value):
        abort(400, _("'size' must be a whole number, not '%(value)s'.", value=value))
    return int(value)


def page_param(args: MultiDict | None = None) -> int:
    """The page number a results page shows (``p``, carried along with the cursor), 1 when absent."""
    value = (request.args if args is None else args).get("p", "")
    if not value:
        return 1
    if not _WHOLE.fullmatch(value) or int(value) < 1:
        abort(400, f"p must be a page number like 2, not {value!r}")
    return int(value)


def asked(lang: str, size: int, fixed: dict[str, list[str]] | None = None,
          args: MultiDict | None = None) -> SearchRequest:
    """The search the URL (or ``args``, another URL's query) asks for: ``lang`` and ``size`` unless it
    says otherwise, within ``fixed`` filters."""
    if args is None:
        args = request.args
    filters = {name: [v for v in args.getlist(name) if v] for name in FACETS}
    filters.update(fixed or {})
    cursor = args.get("cursor") or None
    size = size_param(size, args)
    return SearchRequest(
        q=args.get("q", "").strip(),
        lang=args.get("lang") or lang,
        filters={name: values for name, values in filters.items() if values},
        start=year_param("from", args),
        end=year_param("to", args),
        sort=args.get("sort") or "relevance",
        cursor=cursor,
        size=size,
        offset=0 if cursor else (page_param(args) - 1) * size,  # a cursor's page number is only its label
    )


def answer(asked: SearchRequest) -> SearchResult:
    """The search answered; 400 with the reason when malformed, 503 when it ran out of time."""
    try:
        return services().searching.search(asked)
    except (RequestError, CursorError) as exc:
        abort(400, str(exc))
    except SearchTimeout as exc:
        _out_of_time(exc)


def _out_of_time(exc: SearchTimeout) -> NoReturn:
    """503 with Retry-After and the reason: as JSON on the API, on a page for people."""
    if request.path.startswith("/api/"):
        response = error_response(503, str(exc))
    else:  # error_response hides the message of a 5xx page; this one is the visitor's to read
        response = make_response(render_template("error.html", status=503, message=str(exc)), 503)
    response.headers["Retry-After"] = str(exc.retry_after)
    abort(response)


def _media(hit: Hit) -> MediaFile | None:
    """The hit's first image as the access policy needs it: a loan's (remote) or one of ours; or,
    for a work without images, a stand-in for its other media (a 3D model, sound, film)."""
    if hit.image:
        media_id, width, height, *lent = hit.image
        return MediaFile(media_id, "" if lent else media_id, "image/jpeg", width, height, url=lent[0] if lent else None)
    return MediaFile(hit.id, hit.id, "application/octet-stream") if hit.media else None


def _thumbnail(hit: Hit, base: Urls) -> str | None:
    media = _media(hit)
    if media is None or not media.is_image or not (seen := access(hit.rights, media)).visible:
        return None
    if media.is_remote:
        return media.url  # the lender's thumbnail, as the index keeps it
    width, height = media.width, media.height
    w = thumbnail_size(width, height, 400, seen.limit)[0] if width and height else 400
    return base.image(media.id, f"{w},")


def _manifest(hit: Hit, base: Urls) -> str | None:
    """A work's manifest link, when it has one: some media that everyone may see (as its manifest's canvases)."""
    media = _media(hit)
    return base.manifest(hit.id) if media is not None and access(hit.rights, media).visible else None


def hit_views(result: SearchResult) -> list[dict]:
    """Each hit as pages and the API show it."""
    base = urls()
    return [
        {
            "id": hit.id,
            "label": hit.label,
            "snippet": hit.snippet,
            "thumbnail": _thumbnail(hit, base),
            "manifest": _manifest(hit, base),
            "type": hit.type,
            "creators": hit.creators,
            "date": hit.date,
        }
        for hit in result.hits
    ]
