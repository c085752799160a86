"""Vitrine: a IIIF collection catalogue for museums, libraries and archives."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .version import __version__

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["__version__", "create_app"]


def create_app(config: dict | None = None) -> Flask:
    """The application factory: ``config`` overrides defaults and the environment.

    It opens nothing: the store, the search index and the image service open on first use
    (``app.extensions["vitrine"]``), and the secret key is made by the first request that needs one.
    Importing the package loads none of the web: a search index's build processes import its parts alone.
    """
    from flask import Flask
    from flask.json.provider import DefaultJSONProvider

    from .config import INSTANCE_DIR, TEMPLATES, configure, ensure_secret_key
    from .services import Services

    class JSONProvider(DefaultJSONProvider):
        sort_keys = False  # JSON keys in the order the API documents them

    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        instance_path=None if INSTANCE_DIR is None else str(INSTANCE_DIR),
        instance_relative_config=True,
    )
    configure(app, config)
    app.json = JSONProvider(app)
    app.extensions["vitrine"] = Services(app.config)
    app.before_request(lambda: ensure_secret_key(app))

    from . import i18n
    from .web import register
    from .web.gate import Gate, trusted_proxies

    i18n.init_app(app)  # the visitor's language, interface strings in nl/fr/de/en

    register(app)
    # Outside everything, the tile fast path included: which proxy headers count, a valid Host, security headers.
    # mypy reads wsgi_app as a method; replacing it with a middleware is Flask's documented way to wrap the app.
    app.wsgi_app = Gate(  # type: ignore[method-assign]
        app.wsgi_app, int(app.config["PROXY_HOPS"]), trusted_proxies(app.config["TRUSTED_PROXIES"])
    )
    return app
