"""Blueprints: the pages people read, the JSON API, the IIIF endpoints.

Every route calls the application services (catalogue/services/) and nothing below them: what a
page lists, which objects are public and what a requester may see are decided there.
"""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from . import api, assets, errors, iiif, image, pages, search

    app.register_blueprint(pages.bp)
    app.register_blueprint(assets.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(iiif.bp)
    app.register_blueprint(search.bp)
    image.init_app(app)  # Image API blueprint + pre-cut tile fast path
    errors.init_app(app)
