"""HTTP details every IIIF response shares: CORS, media type, ETag and 304s."""
from __future__ import annotations

from datetime import datetime

from flask import Response, current_app, request

from ..iiif.documents import Document
from ..iiif.presentation import MEDIA_TYPE, Urls


def urls() -> Urls:
    """URLs from the configured base URL, else from the request (proxy headers applied)."""
    return Urls(current_app.config.get("BASE_URL") or request.url_root)


def iiif_response(document: Document, media_type: str = MEDIA_TYPE) -> Response:
    """A IIIF document, or 304 when the client's copy (If-None-Match) is current."""
    response = Response(document.body, mimetype=None, content_type=media_type)
    response.headers["ETag"] = document.etag
    response.headers["Cache-Control"] = "public, max-age=300"
    if document.modified:
        response.last_modified = datetime.fromisoformat(document.modified)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Vary"] = "Accept"
    if _client_has(document.etag):
        response.status_code = 304
        response.set_data(b"")
    return response


def _client_has(etag: str) -> bool:
    return request.if_none_match.contains(etag.strip('"')) or request.if_none_match.star_tag


def not_modified(etag: str) -> Response | None:
    """A 304 before any work, when the client already has this version."""
    if _client_has(etag):
        response = Response(status=304)
        response.headers["ETag"] = etag
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
    return None
