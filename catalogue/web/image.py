"""The Image API over HTTP: a WSGI fast path for tiles and info.json, a Flask blueprint for the rest.

At thousands of tiles a second on two cores, Flask's routing and response
objects cost more than the tile itself, so :class:`TileFiles` sits in front of
the Flask app (same process): a request for a tile that is on disk is an open,
an fstat and a sendfile, and info.json is built without Flask's routing. Every
other request (renders, errors, tiles not cut yet, visitors with a session that
may carry a curator's rights) goes through the blueprint below, which answers
with the same functions.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable

from flask import Blueprint, Response, redirect
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES, http_date, parse_date, parse_etags
from werkzeug.routing import BaseConverter
from werkzeug.wsgi import FileWrapper

from ..access import ANONYMOUS, Requester
from ..iiif.documents import GZIP_MIN, compressed
from ..iiif.errors import ImageError
from ..iiif.image import CONTEXT, CONTEXT_V2, PROFILE_URI, PROFILE_URI_V2, ImageService, Served, image_service
from ..urls import Urls
from .http import accepts_gzip, client_has, gzip_etag, prefers_json, urls, urls_for
from .visitor import requester

PREFIX = "/iiif/image/"
MAX_AGE = 30 * 24 * 3600  # tiles change only when their image does; ETags catch that
INFO_MAX_AGE = 3600
PROFILE_LINK = f'<{PROFILE_URI}>;rel="profile"'
LD_JSON = f'application/ld+json;profile="{CONTEXT}"'
# Matched whole (fullmatch: "$" would let a trailing newline through) and in ASCII digits (\d is any Unicode digit).
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")  # model.ID_PATTERN
_TILE_REGION = re.compile(r"full|[0-9]+,[0-9]+,[0-9]+,[0-9]+")
_TILE_SIZE = re.compile(r"max|[0-9]+,[0-9]+")

bp = Blueprint("image", __name__, url_prefix="/iiif/image")
# Image API 2.1 for older clients: the same images, limits and rights, at /iiif/image2/{id}.
bp2 = Blueprint("image2", __name__, url_prefix="/iiif/image2")


class AnyPath(BaseConverter):
    """The rest of a URL, whatever it holds: empty segments and newlines too (``path`` matches neither),
    so that no URL under the Image API falls through to the site's JSON 404."""

    regex = r"[\s\S]*"
    part_isolating = False


def init_app(app) -> None:
    """Serve the Image API: the blueprint, with the fast path in front of the whole app."""
    app.url_map.converters["any_path"] = AnyPath
    app.register_blueprint(bp)
    app.register_blueprint(bp2)
    app.wsgi_app = TileFiles(app.wsgi_app, app)


class TileFiles:
    """WSGI middleware: pre-cut tiles and info.json without Flask; anything else goes on to Flask."""

    def __init__(self, wsgi_app: Callable, app):
        self.app = wsgi_app
        self.tile_dir = str(app.config["TILE_DIR"])
        self.config = app.config
        self.session_cookie = app.config["SESSION_COOKIE_NAME"] + "="
        self.services = app.extensions["vitrine"]  # the image service opens on the first info.json

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX) and environ["REQUEST_METHOD"] in ("GET", "HEAD"):
            self.services.images.catch_up()  # this process's first image: no tile a killed writer left withdrawable
            tail = path[len(PREFIX) :]
            parts = tail.split("/")
            if len(parts) == 5 and parts[3:] == ["0", "default.jpg"] and _ID.fullmatch(parts[0]) \
                    and _TILE_REGION.fullmatch(parts[1]) and _TILE_SIZE.fullmatch(parts[2]):
                try:
                    file = open(f"{self.tile_dir}/{tail}", "rb")  # noqa: SIM115  # the response closes it
                except OSError:
                    pass  # not cut (yet): Flask renders it, or cuts the pyramid
                else:
                    return send(environ, start_response, file, "image/jpeg")
            elif len(parts) == 2 and parts[1] == "info.json" and _ID.fullmatch(parts[0]) \
                    and self.session_cookie not in environ.get("HTTP_COOKIE", ""):
                environ["vitrine.media_id"] = parts[0]
                return self._info(environ, start_response)  # proxy headers applied in web/gate.py
        return self.app(environ, start_response)

    def _info(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        images = self.services.images
        images.start_background()  # this process serves: cut in the background from now on
        return send_info(environ, start_response, images, environ["vitrine.media_id"], urls_for(environ, self.config),
                         ANONYMOUS)


def send_info(
    environ: dict, start_response: Callable, images: ImageService | _InfoV2, media_id: str, urls: Urls,
    requester: Requester, detail: str | None = None,
) -> Iterable[bytes]:
    """info.json as a WSGI response: JSON-LD unless plain JSON is asked for, ETag, gzip, profile link
    (CORS: gate.py)."""
    try:
        body = json.dumps(images.info(media_id, urls, requester, detail), ensure_ascii=False).encode()
    except ImageError as exc:
        return _plain(exc.status, exc.message)(environ, start_response)
    json_ld = not prefers_json(environ.get("HTTP_ACCEPT"), LD_JSON)
    etag = f'"{hashlib.sha1(body).hexdigest()[:20]}{"-ld" if json_ld else ""}"'
    gzip = len(body) > GZIP_MIN and accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
    headers = [
        ("Link", PROFILE_LINK),
        ("ETag", gzip_etag(etag) if gzip else etag),
        ("Cache-Control", f"{'public' if requester.anonymous else 'private'}, max-age={INFO_MAX_AGE}"),
        ("Vary", "Accept, Accept-Encoding"),
    ]
    if _not_modified(environ, etag):
        start_response("304 Not Modified", headers)
        return []
    if gzip and (packed := compressed(body)):
        body = packed
        headers.append(("Content-Encoding", "gzip"))
    headers += [("Content-Type", LD_JSON if json_ld else "application/json"), ("Content-Length", str(len(body)))]
    start_response("200 OK", headers)
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def send(environ: dict, start_response: Callable, file, mimetype: str, private: bool = False) -> Iterable[bytes]:
    """An image file as a WSGI response: validators, long caching, 304 when unchanged (CORS: gate.py)."""
    st = os.fstat(file.fileno())
    etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
    headers = [
        ("Link", PROFILE_LINK),
        ("ETag", etag),
        ("Last-Modified", http_date(st.st_mtime)),
        ("Cache-Control", f"private, max-age={INFO_MAX_AGE}" if private else f"public, max-age={MAX_AGE}"),
    ]
    if _not_modified(environ, etag, st.st_mtime):
        file.close()
        start_response("304 Not Modified", headers)
        return []
    headers += [("Content-Type", mimetype), ("Content-Length", str(st.st_size))]
    start_response("200 OK", headers)
    if environ["REQUEST_METHOD"] == "HEAD":
        file.close()
        return []
    return environ.get("wsgi.file_wrapper", FileWrapper)(file, 1 << 16)


def _not_modified(environ: dict, etag: str, mtime: float | None = None) -> bool:
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match is not None:
        return client_has(parse_etags(match), etag)
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since and mtime is not None:
        date = parse_date(since)
        return date is not None and int(mtime) <= date.timestamp()
    return False




@bp.before_app_request
def _serving() -> None:
    image_service().start_background()


# An exhibition detail's own service, whose image is a region of the image: /iiif/image/{id}/detail/{x,y,w,h}.
# Its URLs have more segments than any of the image's (the fast path and nginx leave them to Flask).
DETAIL = "/<media_id>/detail/<detail>"


def _known(media_id: str, detail: str | None) -> None:
    """ImageError(404) unless the image (and the detail) exists."""
    images = image_service()
    image = images.locate(media_id)
    images.view(image, images.access(image, requester()), detail)


@bp.get("/<media_id>")
@bp.get("/<media_id>/")
@bp.get(DETAIL)
@bp.get(f"{DETAIL}/")
def base(media_id: str, detail: str | None = None):
    return _to_info(3, media_id, detail)


def _to_info(version: int, media_id: str, detail: str | None):
    """The base URI redirects to the image information (baseUriRedirect), in 3.0 and 2.1 alike."""
    _known(media_id, detail)
    service = urls().image_service(media_id, version) + (f"/detail/{detail}" if detail else "")
    return redirect(f"{service}/info.json", 303)


@bp.get("/<media_id>/info.json")
@bp.get(f"{DETAIL}/info.json")
def info(media_id: str, detail: str | None = None):
    """Reached by requests the fast path leaves to Flask: those with a session (a curator's rights), and details."""
    images, base, asking = image_service(), urls(), requester()
    return lambda environ, start_response: send_info(environ, start_response, images, media_id, base, asking, detail)


@bp.get("/<media_id>/<region>/<size>/<rotation>/<quality_format>")
@bp.get(f"{DETAIL}/<region>/<size>/<rotation>/<quality_format>")
def image(media_id: str, region: str, size: str, rotation: str, quality_format: str, detail: str | None = None):
    served: Served = image_service().image(media_id, region, size, rotation, quality_format, requester(),
                                           detail=detail)
    return lambda environ, start_response: send(environ, start_response, served.file, served.mimetype, served.private)


@bp.get("/<any_path:rest>")
def not_an_image_url(rest: str):
    raise ImageError(
        404,
        "not an Image API URL: use /iiif/image/{id}/info.json or "
        "/iiif/image/{id}/{region}/{size}/{rotation}/{quality}.{format}",
    )


@bp.errorhandler(ImageError)
def _refused(exc: ImageError):
    return _plain(exc.status, exc.message)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return _plain(exc.code or 500, exc.description or exc.name)


def _plain(status: int, message: str) -> Response:
    """A short plain-text error, as the Image API recommends (CORS, so viewers can read it: gate.py)."""
    text = f"{status} {HTTP_STATUS_CODES.get(status, 'Error')}: {message}\n"
    response = Response(text, status, mimetype="text/plain")
    if status == 503:
        response.headers["Retry-After"] = "2"
    return response


# -- Image API 2.1 ------------------------------------------------------------


class _InfoV2:
    """The image service as send_info sees it, answering with the 2.1 document."""

    def __init__(self, images: ImageService):
        self.images = images

    def info(self, media_id: str, urls: Urls, requester: Requester, detail: str | None = None) -> dict:
        return self.images.info_v2(media_id, urls, requester, detail)


_V2_HEADERS = {
    PROFILE_LINK: f'<{PROFILE_URI_V2}>;rel="profile"',
    LD_JSON: f'application/ld+json;profile="{CONTEXT_V2}"',
}


def _as_v2(app: Callable) -> Callable:
    """A WSGI response of the 3.0 helpers with 2.1's profile link and JSON-LD media type."""
    def v2(environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(status, headers, exc_info=None):
            return start_response(status, [(k, _V2_HEADERS.get(v, v)) for k, v in headers], exc_info)
        return app(environ, start)
    return v2


@bp2.get("/<media_id>")
@bp2.get("/<media_id>/")
@bp2.get(DETAIL)
@bp2.get(f"{DETAIL}/")
def base_v2(media_id: str, detail: str | None = None):
    return _to_info(2, media_id, detail)


@bp2.get("/<media_id>/info.json")
@bp2.get(f"{DETAIL}/info.json")
def info_v2(media_id: str, detail: str | None = None):
    images, base, asking = _InfoV2(image_service()), urls(), requester()
    return _as_v2(lambda environ, start_response:
                  send_info(environ, start_response, images, media_id, base, asking, detail))


@bp2.get("/<media_id>/<region>/<size>/<rotation>/<quality_format>")
@bp2.get(f"{DETAIL}/<region>/<size>/<rotation>/<quality_format>")
def image_v2(media_id: str, region: str, size: str, rotation: str, quality_format: str, detail: str | None = None):
    served: Served = image_service().image(media_id, region, size, rotation, quality_format, requester(), version=2,
                                           detail=detail)
    return _as_v2(lambda environ, start_response:
                  send(environ, start_response, served.file, served.mimetype, served.private))


@bp2.get("/<any_path:rest>")
def not_an_image_v2_url(rest: str):
    raise ImageError(404, "not an Image API 2.1 URL: use /iiif/image2/{id}/info.json or "
                          "/iiif/image2/{id}/{region}/{size}/{rotation}/{quality}.{format}")


bp2.register_error_handler(ImageError, _refused)
bp2.register_error_handler(HTTPException, _http_error)
