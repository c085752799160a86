"""Every error as its asker reads it: JSON for machines (API, IIIF), a page for people; never a traceback."""
from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, default_exceptions

MACHINE_PREFIXES = ("/api/", "/iiif/")


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error on %s", request.path)
        return error_response(500, "Something went wrong on our side; it has been logged.")


def error_response(status: int, message: str) -> Response:
    """A JSON body for machines (API, IIIF), a page for people (CORS: web/gate.py)."""
    if request.path.startswith(MACHINE_PREFIXES):
        response = jsonify(error=message, status=status)
        response.status_code = status
        return response
    return app_page(status, message)


def app_page(status: int, message: str | None) -> Response:
    """The error page; a 5xx or a stock message is said by error.html in the visitor's language."""
    if status >= 500 or message == getattr(default_exceptions.get(status), "description", None):
        message = None
    return make_response(render_template("error.html", status=status, message=message), status)
