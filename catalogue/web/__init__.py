"""Blueprints: the pages people read, the JSON API, the IIIF endpoints, the curator side.

Every route calls the application services (catalogue/services/) and nothing below them: what a
page lists, which objects are public and what a requester may see are decided there.
"""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from . import api, assets, auth, curate, editing_api, errors, iiif, image, oidc, pages, search

    auth.init_app(app)  # sessions, CSRF, Bearer tokens: before any blueprint's own hooks
    app.register_blueprint(pages.bp)
    app.register_blueprint(assets.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(editing_api.bp)
    app.register_blueprint(iiif.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(curate.bp)
    oidc.init_app(app)  # institutional sign-in, when OIDC_ISSUER is set
    image.init_app(app)  # Image API blueprint + pre-cut tile fast path
    errors.init_app(app)
