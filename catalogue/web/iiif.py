"""IIIF Presentation endpoints: collections and manifests (headers, gzip and 304s: web/http.py; CORS: web/gate.py)."""
from __future__ import annotations

from flask import Blueprint, abort

from ..services import services
from .http import iiif_response, not_modified, urls

bp = Blueprint("iiif", __name__, url_prefix="/iiif")


@bp.get("/collection")
def top_collection():
    return iiif_response(services().documents.top_collection(urls()))


@bp.get("/collection/<institution>")
@bp.get("/collection/<institution>/<int:page>")
def institution_collection(institution: str, page: int | None = None):
    document = services().documents.institution_collection(institution, urls(), page)
    if document is None:
        abort(404, f"no collection {institution!r}" + (f" page {page}" if page else ""))
    return iiif_response(document)


@bp.get("/object/<object_id>/manifest")
def object_manifest(object_id: str):
    documents = services().documents
    base = urls()
    tag = documents.object_etag(object_id, base)
    if tag is None:
        abort(404, f"no object {object_id!r}")
    early = not_modified(*tag)
    if early:
        return early
    document = documents.object_manifest(object_id, base)
    if document is None:
        abort(404, f"object {object_id!r} has no digitised media, so no manifest; its record is at /api/objects/{object_id}")
    return iiif_response(document)


@bp.get("/exhibition/<slug>/<any(manifest, collection):kind>")
def exhibition_document(slug: str, kind: str):
    documents = services().documents
    build = documents.exhibition_manifest if kind == "manifest" else documents.exhibition_collection
    document = build(slug, urls())
    if document is None:
        abort(404, f"no published exhibition {slug!r}")
    return iiif_response(document)
