"""Blueprint: search, as JSON (``/api/search``) and as a page for people (``/search``)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from flask_babel import gettext as _

from ..iiif.levels import thumbnail_size
from ..search import FACETS, CursorError, Hit, RequestError, SearchRequest, SearchResult
from ..services import services

bp = Blueprint("search", __name__)


def year_param(name: str) -> int | None:
    """A year from the query string; anything else is a 400 that says what was wrong."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        abort(400, _("'%(name)s' must be a year like 1850, not '%(value)s'.", name=name, value=value))


def _size() -> int:
    value = request.args.get("size", "20").strip() or "20"
    try:
        return int(value)
    except ValueError:
        abort(400, f"size must be a whole number, not {value!r}")


def _search() -> tuple[SearchRequest, SearchResult]:
    """The request's search, answered; 400 with the reason for anything malformed."""
    asked = SearchRequest(
        q=request.args.get("q", ""),
        lang=request.args.get("lang", "en") or "en",
        filters={name: [v for v in request.args.getlist(name) if v] for name in FACETS},
        start=year_param("from"),
        end=year_param("to"),
        sort=request.args.get("sort", "relevance") or "relevance",
        cursor=request.args.get("cursor") or None,
        size=_size(),
    )
    try:
        return asked, services().search.search(asked)
    except (RequestError, CursorError) as exc:
        abort(400, str(exc))


def _base() -> str:
    return (current_app.config.get("BASE_URL") or request.url_root).rstrip("/")


def _thumbnail(hit: Hit, base: str) -> str | None:
    if not hit.image:
        return None
    media_id, width, height = hit.image
    max_width = current_app.config["COPYRIGHT_MAX_WIDTH"] if hit.copyright else None
    w = thumbnail_size(width, height, 400, max_width)[0] if width and height else 400
    return f"{base}/iiif/image/{media_id}/full/{w},/0/default.jpg"


def hit_views(result: SearchResult) -> list[dict]:
    base = _base()
    return [
        {
            "id": hit.id,
            "label": hit.label,
            "snippet": hit.snippet,
            "thumbnail": _thumbnail(hit, base),
            "manifest": f"{base}/iiif/object/{hit.id}/manifest",
            "type": hit.type,
        }
        for hit in result.hits
    ]


@bp.get("/api/search")
def api():
    """Search as JSON: hits, facet counts, a suggestion, and the cursor of the next page."""
    _, result = _search()
    return jsonify(
        total=result.total,
        hits=hit_views(result),
        facets={name: [vars(v) for v in values] for name, values in result.facets.items()},
        suggestion=result.suggestion,
        next=result.next,
    )


@bp.get("/search")
def page():
    """The search page: the same search, with a facet sidebar and links that keep the state (web/results.py)."""
    from . import results

    asked = results.asked_search()
    return render_template("search.html", results=results.results(asked, results.answer(asked), "search.page"))
