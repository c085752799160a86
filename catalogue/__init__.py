"""Vitrine: a IIIF collection catalogue for museums, libraries and archives."""
from __future__ import annotations

__version__ = "0.1.0"

from pathlib import Path

from flask import Flask

from .config import PROJECT_DIR, TEMPLATES, configure
from .iiif.documents import Documents
from .iiif.image import install as install_image_service
from .search import SearchIndex
from .services import Services
from . import thesaurus
from .store import Store



def _language_order(default: str) -> tuple[str, ...]:
    """The catalogue's default language, then the other interface languages (IIIF language maps' order)."""
    from .i18n import LANGUAGES
    from .iiif.presentation import language_order

    return language_order(str(default).strip() or "en", LANGUAGES)


def create_app(config: dict | None = None) -> Flask:
    """The application factory: ``config`` overrides defaults and the environment."""
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        instance_path=str(PROJECT_DIR / "instance"),
        instance_relative_config=True,
    )
    configure(app, config)
    app.json.sort_keys = False  # JSON keys in the order the API documents them
    store = Store(app.config["STORE_PATH"])
    thesaurus.seed(store)
    documents = Documents(
        store,
        max_width=int(app.config["COPYRIGHT_MAX_WIDTH"]),
        page_size=int(app.config["COLLECTION_PAGE_SIZE"]),
        cache_size=int(app.config["MANIFEST_CACHE_SIZE"]),
        languages=_language_order(app.config["DEFAULT_LANGUAGE"]),
    )
    search = SearchIndex(app.config["INDEX_DIR"], store, app.config)
    store.subscribe(search.apply)  # committed changes are searchable as soon as write() returns
    app.extensions["vitrine"] = Services(
        store=store, media_dir=Path(app.config["MEDIA_DIR"]), documents=documents, search=search
    )
    install_image_service(app)  # tiles cut in step with the store (catalogue/iiif/image.py)

    from . import i18n
    from .web import register
    from .web.gate import Gate, trusted_proxies

    i18n.init_app(app)  # the visitor's language, interface strings in nl/fr/de/en

    register(app)
    # Outside everything, the tile fast path included: which proxy headers count, a valid Host, security headers.
    app.wsgi_app = Gate(app.wsgi_app, int(app.config["PROXY_HOPS"]), trusted_proxies(app.config["TRUSTED_PROXIES"]))
    from .cli import register_commands

    register_commands(app)
    return app
