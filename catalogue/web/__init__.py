"""Blueprints: the pages people read, the JSON API, the IIIF endpoints."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

MACHINE_PREFIXES = ("/api/", "/iiif/")


def register(app: Flask) -> None:
    from . import api, assets, iiif, image, pages, search

    app.register_blueprint(pages.bp)
    app.register_blueprint(assets.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(iiif.bp)
    app.register_blueprint(search.bp)
    image.init_app(app)  # Image API blueprint + pre-cut tile fast path

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        return error_response(500, "Something went wrong on our side; it has been logged.")


def error_response(status: int, message: str):
    """A JSON body for machines (API, IIIF), a page for people; never a traceback."""
    if request.path.startswith(MACHINE_PREFIXES):
        response = jsonify(error=message, status=status)
        response.status_code = status
    else:
        response = app_page(status, message)
    return response  # CORS: web/gate.py


def app_page(status: int, message: str):
    from flask import make_response
    from werkzeug.exceptions import default_exceptions

    if status >= 500 or message == getattr(default_exceptions.get(status), "description", None):
        message = None  # error.html says it in the visitor's language
    return make_response(render_template("error.html", status=status, message=message), status)
