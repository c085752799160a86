"""The JSON API: an object's catalogue record, a facet's values (and gzip for every /api/ answer)."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, jsonify, request

from ..catalogs import translate
from ..iiif.documents import compressed
from ..iiif.presentation import has_manifest
from ..search import FACETS, CursorError, RequestError
from ..services import services
from ..services.catalogue import Gone, NotFound
from ..services.searching import UnknownFacet
from .asking import asked, size_param
from .http import VARY, accepts_gzip, gzip_etag, json_response, not_modified, record_etag, urls
from .visitor import access_policy, offered

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
        early = not_modified(record_etag(object_id, version[0]), version[1])
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
        "manifest": base.manifest(obj.id) if has_manifest(access_policy(), obj) else None,
        "media": offered(obj, base),
    }
    body = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
    return json_response(body, record_etag(obj.id, obj.version), modified=obj.updated)


FACET_SIZES = (50, 500)  # values a facet answer lists: by default, and at most


@bp.get("/facets/<name>")
def facet_values(name: str) -> Response:
    """The values of one facet for the current search (its q, lang, filters, from/to, as /api/search
    takes them), beyond the few a page lists, whose label has a word starting with ``prefix``.

    JSON: ``{"facet", "title", "prefix", "values": [{"value", "label", "count", "selected"}], "more"}``,
    the most frequent first (``size`` of them, 50 unless asked, at most 500); counted under every filter
    but the facet's own, as the page's facets are. 404 for an unknown facet, 400 for a bad search.
    """
    searching = services().searching
    size = min(size_param(FACET_SIZES[0]), FACET_SIZES[1])
    search = asked("en", 1)
    search.size = 1  # ``size`` here counts values, not hits
    prefix = request.args.get("prefix", "").strip()[:100]
    try:
        values, more = searching.facet_values(search, name, prefix, size)
    except UnknownFacet:
        abort(404, f"no facet {name[:100]!r}; facets are {', '.join(FACETS)}")
    except (RequestError, CursorError) as exc:
        abort(400, str(exc))
    chosen = set(search.filters.get(name, []))
    body = {
        "facet": name,
        "title": translate(FACETS[name].title, search.lang),
        "prefix": prefix,
        "values": [{**vars(v), "selected": v.value in chosen} for v in values],
        "more": more,
    }
    return jsonify(body)


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
