"""The JSON API: an object's catalogue record (and gzip for every /api/ answer)."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, request

from ..iiif.documents import compressed
from ..model import is_id
from ..services import services
from .http import VARY, accepts_gzip, gzip_etag, json_response, not_modified, urls

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/objects/<object_id>")
def object_record(object_id: str):
    """The record as stored (Vitrine's JSON format), with links to its manifest and page.

    An id that is not valid names nothing, whatever the store holds (a newline in it broke the ETag).
    A client that has this version (If-None-Match, If-Modified-Since) gets a 304 before the record is read.
    """
    store = services().store
    version = store.object_version(object_id) if is_id(object_id) else None
    if version is None:
        abort(404, f"no object {object_id[:200]!r}")
    etag = f'"{object_id}-{version[0]}"'
    early = not_modified(etag, version[1])
    if early:
        return early
    obj = store.get_object(object_id)
    if obj is None:
        abort(404, f"no object {object_id[:200]!r}")
    base = urls()
    record = obj.to_dict()
    record["links"] = {
        "page": base.object_page(obj.id),
        "manifest": base.manifest(obj.id) if obj.media else None,
        "media": {m.id: base.image_service(m.id) + "/info.json" if m.is_image else base.media(m.id) for m in obj.media},
    }
    body = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
    return json_response(body, f'"{obj.id}-{obj.version}"', modified=obj.updated)


@bp.after_app_request
def _compressed(response: Response) -> Response:
    """Every /api/ JSON answer gzipped for a client that takes it (search included); the ETag names the encoding."""
    if not request.path.startswith("/api/") or response.mimetype != "application/json":
        return response
    response.vary.update(VARY)
    if response.status_code != 200 or response.is_streamed or "Content-Encoding" in response.headers \
            or not accepts_gzip(request.headers.get("Accept-Encoding")):
        return response
    zipped = compressed(response.get_data())
    if zipped is not None:
        response.set_data(zipped)
        response.headers["Content-Encoding"] = "gzip"
        if "ETag" in response.headers:
            response.headers["ETag"] = gzip_etag(response.headers["ETag"])
    return response
