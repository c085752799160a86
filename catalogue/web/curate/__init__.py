"""The curator side, under /curate: sign-in, the exhibition editor, metadata editing, accounts.

One blueprint, ``curate``; each job is a module of its own that adds its routes to it. Every route
but the login page stands behind :func:`catalogue.web.auth.signed_in`; every answer is private
(no shared cache) and kept out of search engines.
"""
from __future__ import annotations

import importlib

from flask import Blueprint, Response

bp = Blueprint("curate", __name__, url_prefix="/curate")

# The modules that add routes to the blueprint (each ``from . import bp``).
MODULES = ("session", "exhibitions", "detail", "publishing", "account", "audit", "objects", "imports")

for _name in MODULES:
    importlib.import_module(f"{__name__}.{_name}")


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "private, no-store"
    return response
