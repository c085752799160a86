"""Viewer assets from npm (Mirador, model-viewer; OpenSeadragon with Annotorious and SortableJS for the
curator's editors), served by Vitrine itself: no CDN at run time; and the versioning of Vitrine's own
static files.

Only the few files named in ASSETS are reachable, never the node_modules tree.
They are sent gzip-compressed when the browser accepts it (compressed once per
process) and cached for a year: their URL carries the package version. A link to
/static/ carries a hash of the file's content (``?v=``), so it too is cached for a
year while it names the file as it is.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from functools import cache, lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, url_for

ASSETS = {
    "mirador.js": ("mirador", "dist/mirador.min.js"),
    "model-viewer.js": ("@google/model-viewer", "dist/model-viewer.min.js"),
    # the curator's detail editor: a deep-zoom view with a rectangle drawn on it
    "openseadragon.js": ("openseadragon", "build/openseadragon/openseadragon.min.js"),
    "annotorious.js": ("@recogito/annotorious-openseadragon", "dist/openseadragon-annotorious.min.js"),
    "annotorious.css": ("@recogito/annotorious-openseadragon", "dist/annotorious.min.css"),
    "sortable.js": ("sortablejs", "Sortable.min.js"),  # drag and drop in the exhibition editor
}
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
YEAR = 365 * 24 * 3600

bp = Blueprint("assets", __name__, url_prefix="/assets")


def _node_modules() -> Path:
    """Where `npm ci` installed the viewers: the NODE_MODULES setting (a checkout's own node_modules/)."""
    return Path(current_app.config["NODE_MODULES"])


@cache
def _version(node_modules: Path, package: str) -> str:
    try:
        return str(json.loads((node_modules / package / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "missing"


def asset_url(name: str) -> str:
    """The URL of a viewer asset, versioned by its package (so caches never go stale)."""
    return url_for("assets.asset", name=name, v=_version(_node_modules(), ASSETS[name][0]))


@lru_cache(maxsize=8)
def _compressed(path: Path, mtime: float) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


@bp.get("/<name>")
def asset(name: str):
    if name not in ASSETS:
        abort(404, f"There is no asset {name!r}.")
    package, file = ASSETS[name]
    path = _node_modules() / package / file
    if not path.is_file():
        abort(404, f"{package} is not installed in {_node_modules()}: run `npm ci` with Vitrine's package.json "
                   "there (in a checkout: `bash .ci/install`), or set VITRINE_NODE_MODULES to where it is.")
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    body = _compressed(path, path.stat().st_mtime) if gzipped else path.read_bytes()
    response = Response(body, content_type=CONTENT_TYPES[Path(name).suffix])
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


@lru_cache(maxsize=64)
def _content_version(path: Path, mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _static_version(filename: str) -> str | None:
    """The version of a file of /static/ as it is now (None when there is no such file)."""
    folder = Path(current_app.static_folder or "")
    path = (folder / filename).resolve()
    if folder.resolve() not in path.parents:
        return None
    try:
        return _content_version(path, path.stat().st_mtime)
    except OSError:
        return None


@bp.app_url_defaults
def _versioned_static(endpoint: str, values: dict) -> None:
    """Every url_for('static', ...) names the file's content: a changed file is a new URL."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = _static_version(values["filename"])
        if version:
            values["v"] = version


@bp.after_app_request
def _cached_static(response: Response) -> Response:
    """A static file asked by its current version is cached for a year; any other request revalidates."""
    asked = request.args.get("v")
    if request.endpoint == "static" and asked and response.status_code in (200, 304) \
            and asked == _static_version((request.view_args or {}).get("filename", "")):
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response
