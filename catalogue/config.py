"""Configuration: defaults, then the instance folder's ``vitrine.cfg``, then ``VITRINE_*``.

The instance folder is ``$VITRINE_INSTANCE`` when set, else Flask's ``instance/``.

Zero configuration works: without ``VITRINE_INSTANCE`` a source checkout keeps media in the
project's ``media/`` and the store, index and caches in its ``instance/``; an installed package
keeps everything in Flask's instance folder (``<prefix>/var/catalogue-instance``). With it,
every file Vitrine writes at run time lives under that one folder, so two
catalogues can sit side by side.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
# templates/ sits at the top of a source checkout; an installed wheel carries it as catalogue/templates (setup.py).
CHECKOUT = not (PACKAGE_DIR / "templates").is_dir()
TEMPLATES = PROJECT_DIR / "templates" if CHECKOUT else PACKAGE_DIR / "templates"
# A checkout keeps its instance folder beside the code; an installed package gets Flask's own choice
# (<prefix>/var/catalogue-instance), never a folder inside site-packages.
INSTANCE_DIR: Path | None = PROJECT_DIR / "instance" if CHECKOUT else None

DEFAULTS = {
    # Absolute base URL for IIIF ids ("https://collections.example.org"); empty: from the request.
    "BASE_URL": "",
    # How many proxies in front set X-Forwarded-* headers we trust ...
    "PROXY_HOPS": 1,
    # ... and their addresses: forwarded headers from any other peer are ignored (no cache poisoning).
    "TRUSTED_PROXIES": "127.0.0.1 ::1",
    # Language listed first in every IIIF language map (viewers that take the first show it).
    "DEFAULT_LANGUAGE": "en",
    # Width in pixels a work in copyright is served at, at most (Image API maxWidth).
    "COPYRIGHT_MAX_WIDTH": 800,
    # Who may see what of a work (catalogue/access.py): "tiered" (open works whole, works in copyright
    # reduced to COPYRIGHT_MAX_WIDTH, their 3D/sound/film not at all) or "deny" (no media to anyone).
    "ACCESS_POLICY": "tiered",
    # Entries per page of a large IIIF Collection.
    "COLLECTION_PAGE_SIZE": 1000,
    # Manifests kept ready in memory (bytes, keyed by object version).
    "MANIFEST_CACHE_SIZE": 512,
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    # The facets search offers (results page, JSON API, the editors' search), in this order, by name:
    # any of institution, collection, type, creator, subject, century, classification, medium, hasimage,
    # rights, has3d. An unknown name stops the application at start.
    "FACETS": "institution,collection,type,creator,subject,century,classification,medium,hasimage,rights,has3d",
    # Seconds between progress lines of a long command whose output is not a terminal (a log, cron).
    "PROGRESS_INTERVAL": 10,
    # Bytes one import from the curator pages may upload (records, mapping and zip together); 413 beyond.
    "IMPORT_MAX_UPLOAD": 200 * 1024 * 1024,
    # Bytes a zip of media may unpack to, counted as it is unpacked: a zip bomb is refused.
    "IMPORT_ZIP_MAX_SIZE": 2 * 1024 * 1024 * 1024,
    # Files a zip of media may hold.
    "IMPORT_ZIP_MAX_FILES": 10_000,
    # Networks an import may fetch from besides public addresses ("10.20.0.0/16 192.168.5.7 fd00::/8"):
    # loopback, private, link-local (cloud metadata) and the like are refused unless listed (ingest/remote.py).
    "IMPORT_ALLOWED_NETWORKS": "",
    # Institutional sign-in (OpenID Connect, catalogue/web/oidc.py), off while OIDC_ISSUER is empty: the
    # provider's issuer URL ("https://login.kbr.be/realms/staff"), its discovery document under it.
    "OIDC_ISSUER": "",
    # The client Vitrine is registered as at the provider (redirect URI: <site>/curate/login/oidc/callback).
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",
    # The institution on the login page's "Sign in with ..." button; empty: the issuer's host name.
    "OIDC_NAME": "",
    # The scopes asked for, space-separated ("openid" is always asked for); add the one your provider
    # puts the claim the role rules read under (often "groups" or "roles").
    "OIDC_SCOPES": "openid profile email",
    # JSON list of rules, each granting roles and institutions to whoever has a claim's value:
    # [{"claim": "groups", "value": "kbr-curators", "roles": ["curator"], "institutions": ["kbr"]}].
    # The roles and institutions the rules name follow the provider at each sign-in; the rest stay the admin's.
    "OIDC_ROLE_RULES": "[]",
    # Seconds Vitrine waits for the provider (discovery, token, keys, userinfo) before saying it did not answer.
    "OIDC_TIMEOUT": 10,
}


def configure(app: Flask, overrides: dict | None = None) -> None:
    """Fill ``app.config`` and derive the run-time paths."""
    app.config.from_mapping(DEFAULTS)
    named = (overrides or {}).get("INSTANCE") or os.environ.get("VITRINE_INSTANCE")
    app.config.from_pyfile(os.path.join(named or app.instance_path, "vitrine.cfg"), silent=True)
    app.config.from_prefixed_env("VITRINE")
    if overrides:
        app.config.update(overrides)

    instance = app.config.get("INSTANCE")
    root = _root(app)
    app.config.setdefault("STORE_PATH", str(root / "vitrine.db"))
    # Where the catalogue store lives; its scheme picks the implementation (catalogue.store.SCHEMES).
    app.config.setdefault("DATABASE_URL", "sqlite://" + quote(str(Path(app.config["STORE_PATH"]).absolute())))
    app.config.setdefault("INDEX_DIR", str(root / "index"))
    app.config.setdefault("TILE_DIR", str(root / "tiles"))
    app.config.setdefault("CACHE_DIR", str(root / "cache"))
    # Where an import from the curator pages keeps its uploads until it ends (one folder per job).
    app.config.setdefault("IMPORT_DIR", str(root / "imports"))
    # A checkout without an instance keeps media and static IIIF files in the project's media/ and manifests/.
    beside_code = CHECKOUT and not instance
    app.config.setdefault("MEDIA_DIR", str(PROJECT_DIR / "media" if beside_code else root / "media"))
    app.config.setdefault("MANIFEST_DIR", str(PROJECT_DIR / "manifests" if beside_code else root / "manifests"))
    app.config.setdefault("DEMO_DIR", str(PROJECT_DIR / "media" / "demo"))
    # The npm packages of the viewers (Mirador, model-viewer): a checkout's node_modules/, by default.
    app.config.setdefault("NODE_MODULES", str(PROJECT_DIR / "node_modules"))


def _root(app: Flask) -> Path:
    """The instance folder: every file Vitrine writes at run time lives under it."""
    instance = app.config.get("INSTANCE")
    return Path(instance).resolve() if instance else Path(app.instance_path)


def ensure_secret_key(app: Flask) -> None:
    """Give the app its secret key when first needed (a request, ``vitrine serve``), not when it is made:
    a random key kept in the instance folder, so sessions survive restarts."""
    if app.config.get("SECRET_KEY"):
        return
    path = _root(app) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.urandom(8).hex()}")
        tmp.write_text(os.urandom(32).hex())
        try:
            os.link(tmp, path)  # the first process to get here wins; the others read its key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    app.config["SECRET_KEY"] = path.read_text().strip()
