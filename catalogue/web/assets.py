"""Viewer assets from npm (Mirador, model-viewer), served by Vitrine itself: no CDN at run time.

Only the few files named in ASSETS are reachable, never the node_modules tree.
They are sent gzip-compressed when the browser accepts it (compressed once per
process) and cached for a year: their URL carries the package version.
"""
from __future__ import annotations

import gzip
import json
from functools import cache, lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, url_for

ASSETS = {
    "mirador.js": ("mirador", "dist/mirador.min.js"),
    "model-viewer.js": ("@google/model-viewer", "dist/model-viewer.min.js"),
}
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
    response = Response(body, content_type="text/javascript; charset=utf-8")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response
