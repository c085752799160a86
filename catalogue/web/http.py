"""HTTP details every IIIF and API JSON response shares: media type, gzip, ETag, Last-Modified and 304s.

CORS is not here: web/gate.py gives it to every response under /iiif/, /api/ and /media/ (and
answers their preflights), the tile fast path included.
"""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, current_app, request
from werkzeug.datastructures import ETags, MIMEAccept
from werkzeug.http import parse_accept_header
from werkzeug.wsgi import get_current_url

from ..iiif import presentation2
from ..iiif.documents import GZIP_MIN, Document, compressed
from ..iiif.presentation import MEDIA_TYPE
from ..urls import Urls

JSON = "application/json"
VARY = ("Accept", "Accept-Encoding")


def urls() -> Urls:
    """This request's URL map: the one place the base URL is worked out (see ``urls_for``)."""
    return urls_for(request.environ, current_app.config)


def urls_for(environ: dict, config) -> Urls:
    """The URL map of a request: the configured BASE_URL, else the request's root as the client
    asked for it (web/gate.py has already applied the proxy headers it trusts).

    Takes the WSGI environ, so the tile fast path (no Flask request) names the same URLs.
    """
    return Urls(config.get("BASE_URL") or get_current_url(environ, root_only=True))


def prefers_json(accept: str | None, ld_type: str) -> bool:
    """Whether a client's Accept prefers plain JSON to JSON-LD (``ld_type``, with its profile).

    No Accept, ``*/*`` or anything else is JSON-LD: that is what a IIIF client is promised.
    """
    if not accept:
        return False
    best = parse_accept_header(accept, MIMEAccept).best_match([ld_type, "application/ld+json", JSON])
    return best == JSON


LD_TYPES = {3: MEDIA_TYPE, 2: presentation2.MEDIA_TYPE}


def presentation_type(accept: str | None, version: int | None = None) -> tuple[int, str]:
    """(Presentation version, media type) a document is sent as; the one place content negotiation decides.

    ``version`` is fixed by an explicit URL (``/iiif/2/...``); otherwise 2.1 only to a client whose
    Accept prefers the 2.1 profile, and 3.0 to everyone else. Plain JSON (the same body) to a client
    that prefers it; no Accept, ``*/*`` or anything else gets the JSON-LD type.
    """
    offered = [LD_TYPES[version]] if version else [MEDIA_TYPE, presentation2.MEDIA_TYPE]
    best = parse_accept_header(accept or "", MIMEAccept).best_match([*offered, "application/ld+json", JSON])
    version = version or (2 if best == presentation2.MEDIA_TYPE else 3)
    return version, JSON if best == JSON else LD_TYPES[version]


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether the client takes gzip (``gzip;q=0`` refuses it; ``*`` accepts it)."""
    return bool(accept_encoding) and parse_accept_header(accept_encoding)["gzip"] > 0


def record_etag(ref: str, version: int) -> str:
    """The ETag of an editable record (an object, an exhibition) at ``version``: ``"<id>-<version>"``.

    The one format: the public record, the editing API's reads and writes, and If-Match all use it.
    """
    return f'"{ref}-{version}"'


def etag_version(tag: str, ref: str) -> int | None:
    """The version a record ETag (without its quotes, plain or gzipped) names for ``ref``; None if
    it names another record or is not one of ours."""
    tag = tag.removesuffix("-gzip")
    named, _, version = tag.rpartition("-")
    return int(version) if named == ref and version.isdigit() and len(version) < 19 else None


def gzip_etag(etag: str) -> str:
    """The ETag of the gzip-compressed representation: a strong tag of its own, not a weakened one."""
    return etag[:-1] + '-gzip"'


def client_has(tags: ETags, etag: str) -> bool:
    """Whether If-None-Match names this representation, plain or gzipped (weak comparison, RFC 9110)."""
    bare = etag.strip('"')
    return tags.star_tag or tags.contains_weak(bare) or tags.contains_weak(bare + "-gzip")


def _fresh(etag: str, modified: str | None) -> bool:
    """If-None-Match decides when sent; otherwise If-Modified-Since, against Last-Modified."""
    if request.if_none_match:
        return client_has(request.if_none_match, etag)
    since, changed = request.if_modified_since, _time(modified)
    return since is not None and changed is not None and changed.replace(microsecond=0) <= since


def _time(iso: str | None) -> datetime | None:
    if not iso:
        return None
    moment = datetime.fromisoformat(iso)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def json_response(
    body: bytes, etag: str, media_type: str = JSON, modified: str | None = None, gzipped: bytes | None = None
) -> Response:
    """A JSON document with its validators: gzipped when accepted and worth it, 304 when the client is current.

    ``gzipped`` is a copy compressed beforehand (a cached document's); otherwise it is compressed here.
    """
    gzip = len(body) > GZIP_MIN and accepts_gzip(request.headers.get("Accept-Encoding"))
    if _fresh(etag, modified):
        return _validated(Response(status=304), etag, modified, gzip)
    response = Response(gzipped or compressed(body) if gzip else body, content_type=media_type)
    if gzip:
        response.headers["Content-Encoding"] = "gzip"
    return _validated(response, etag, modified, gzip)


def iiif_response(document: Document, media_type: str) -> Response:
    """A IIIF document as ``media_type``, from its gzipped copy when the client takes gzip."""
    return json_response(document.body, document.etag, media_type, document.modified, document.gzipped)


def not_modified(etag: str, modified: str | None = None) -> Response | None:
    """A 304 before any work, when the client already has this version (by ETag or by date)."""
    if not _fresh(etag, modified):
        return None
    gzip = request.if_none_match.contains_weak(etag.strip('"') + "-gzip")
    return _validated(Response(status=304), etag, modified, gzip)


def _validated(response: Response, etag: str, modified: str | None, gzip: bool) -> Response:
    response.headers["ETag"] = gzip_etag(etag) if gzip else etag
    response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.update(VARY)
    if modified:
        response.last_modified = _time(modified)
    return response
