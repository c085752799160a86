"""IIIF Presentation endpoints: collections and manifests (headers, gzip and 304s: web/http.py; CORS: web/gate.py).

Each document is served in Presentation 3.0, or 2.1 to a client whose Accept asks for the 2.1
profile; ``/iiif/2/...`` serves the 2.1 form to clients that cannot negotiate.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, request

from ..iiif.documents import Document, versioned_etag
from ..services import services
from ..services.catalogue import Gone, NotFound
from .http import iiif_response, not_modified, presentation_type, urls

bp = Blueprint("iiif", __name__, url_prefix="/iiif")


def _send(version: int | None, build: Callable[[], Document | None], missing: str) -> Response:
    """The document ``build`` gives (3.0), in the version the URL or the client's Accept asks for."""
    version, media_type = presentation_type(request.headers.get("Accept"), version)
    document = build()
    if document is None:
        abort(404, missing)
    return iiif_response(services().documents.in_version(document, version, urls()), media_type)


@bp.get("/collection", defaults={"version": None})
@bp.get("/2/collection", defaults={"version": 2})
def top_collection(version: int | None):
    return _send(version, lambda: services().documents.top_collection(urls()), "")


@bp.get("/collection/<institution>", defaults={"version": None})
@bp.get("/collection/<institution>/<int:page>", defaults={"version": None})
@bp.get("/2/collection/<institution>", defaults={"version": 2})
@bp.get("/2/collection/<institution>/<int:page>", defaults={"version": 2})
def institution_collection(institution: str, version: int | None, page: int | None = None):
    return _send(version, lambda: services().documents.institution_collection(institution, urls(), page),
                 f"no collection {institution!r}" + (f" page {page}" if page else ""))


@bp.get("/object/<object_id>/manifest", defaults={"version": None})
@bp.get("/2/object/<object_id>/manifest", defaults={"version": 2})
def object_manifest(object_id: str, version: int | None):
    documents = services().documents
    base = urls()
    tag = documents.object_etag(object_id, base)
    if tag is None:
        try:
            services().catalogue.object_version(object_id)
        except Gone:
            abort(410, f"object {object_id!r} was withdrawn from this catalogue")
        except NotFound:
            pass
        abort(404, f"no object {object_id!r}")
    early = not_modified(versioned_etag(tag[0], presentation_type(request.headers.get("Accept"), version)[0]), tag[1])
    if early:
        return early
    return _send(version, lambda: documents.object_manifest(object_id, base),
                 f"object {object_id!r} has no digitised media, so no manifest; "
                 f"its record is at /api/objects/{object_id}")


@bp.get("/exhibition/<slug>/<any(manifest, collection):kind>", defaults={"version": None})
@bp.get("/2/exhibition/<slug>/<any(manifest, collection):kind>", defaults={"version": 2})
def exhibition_document(slug: str, kind: str, version: int | None):
    documents = services().documents
    build = documents.exhibition_manifest if kind == "manifest" else documents.exhibition_collection
    return _send(version, lambda: build(slug, urls()), f"no published exhibition {slug!r}"
                 + (" with a work everyone may see" if kind == "manifest" else ""))
