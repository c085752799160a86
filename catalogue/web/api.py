"""The JSON API: an object's catalogue record (and gzip for every /api/ answer)."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, request

from ..iiif.documents import compressed
from ..services import services
from ..services.catalogue import Gone, NotFound
from .http import VARY, accepts_gzip, gzip_etag, json_response, not_modified, urls
from .visitor import offered

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/objects/<object_id>")
def object_record(object_id: str) -> Response:
    """The record as stored (Vitrine's JSON format), with links to its manifest, its page and the
    media this requester may get (the access policy decides; a 3D model in copyright is not offered).

    A withdrawn object is 410 Gone, as its page and manifest are. A client that has this version
    (If-None-Match, If-Modified-Since) gets a 304 before the record is read.
    """
    catalogue = services().catalogue
    try:
        version = catalogue.object_version(object_id)
        early = not_modified(f'"{object_id}-{version[0]}"', version[1])
        if early:
            return early
        obj = catalogue.object(object_id)
    except Gone:
        abort(410, f"object {object_id!r} was withdrawn from this catalogue")
    except NotFound:
        abort(404, f"no object {object_id[:200]!r}")
    base = urls()
    record = obj.to_dict()
    record["links"] = {
        "page": base.object_page(obj.id),
        "manifest": base.manifest(obj.id) if obj.media else None,
        "media": offered(obj, base),
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
