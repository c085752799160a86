"""The import page: editors and curators upload records (CSV with its mapping, JSON, JSON Lines, a zip
of media) or give a IIIF URL, read the dry run's report, confirm, watch the import, and find every
import again in the history. The work is services/importing.py's; this module only reads forms.
"""
from __future__ import annotations

from flask import abort, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue as Response
from werkzeug.datastructures import FileStorage

from ...roles import may_sync
from ...services import services
from ...services.importing import Forbidden, ImportRefused, Missing, Upload, shown_status
from ..auth import signed_in, signed_user
from . import bp

ROLES = ("editor", "curator")  # admins hold every role


@bp.url_value_preprocessor
def _upload_limit(endpoint: str | None, values: dict | None) -> None:
    """The import form may send up to IMPORT_MAX_UPLOAD (the site's limit is smaller); set before the
    CSRF check reads the form."""
    if endpoint == "curate.start_import":
        request.max_content_length = int(current_app.config["IMPORT_MAX_UPLOAD"]) + 1024 * 1024


def _upload(name: str) -> Upload | None:
    file: FileStorage | None = request.files.get(name)
    if file is None or not file.filename:
        return None
    return Upload(file.filename, file.stream)


def _job(job_id: str):
    try:
        return services().importing.job(job_id)
    except Missing:
        abort(404)


@bp.get("/imports")
@signed_in(*ROLES)
def imports() -> Response:
    """Every import, newest first, a page at a time: who, when, what, and how it ended."""
    page = request.args.get("page", "1")
    history = services().importing.history(int(page) if page.isdigit() and len(page) < 9 else 1)
    return make_response(render_template("curate/imports.html", history=history, shown_status=shown_status))


@bp.get("/imports/new")
@signed_in(*ROLES)
def new_import() -> Response:
    return make_response(render_template("curate/imports_new.html", error=None, url=""))


@bp.post("/imports/new")
@signed_in(*ROLES)
def start_import() -> Response:
    url = request.form.get("url", "")
    try:
        job = services().importing.start(signed_user(), records=_upload("records"), mapping=_upload("mapping"),
                                         media=_upload("media"), url=url,
                                         institution=request.form.get("institution", ""))
    except ImportRefused as exc:
        page = render_template("curate/imports_new.html", error=exc.message, url=url[:2000])
        return make_response(page, exc.status)
    except Forbidden:
        abort(403)
    return redirect(url_for("curate.import_job", job_id=job.id), 303)


@bp.get("/imports/<job_id>")
@signed_in(*ROLES)
def import_job(job_id: str) -> Response:
    job = _job(job_id)
    user = signed_user()
    mine = job.user == user.name or "admin" in user.roles
    scope = job.report.get("scope_of", [])
    return make_response(render_template(
        "curate/imports_job.html", job=job, status=shown_status(job), mine=mine,
        may_withdraw=may_sync(user, "withdraw", scope), may_delete=may_sync(user, "delete", scope),
    ))


@bp.get("/imports/<job_id>/status")
@signed_in(*ROLES)
def import_status(job_id: str) -> Response:
    """Where a job stands, for the page's script (which reloads the page once the job has moved on)."""
    job = _job(job_id)
    return jsonify(status=shown_status(job), phase=job.phase, done=job.done, total=job.total)


def _act(job_id: str, action: str) -> Response:
    importing, user = services().importing, signed_user()
    try:
        if action == "confirm":
            importing.confirm(job_id, user, skip_invalid=request.form.get("skip_invalid") == "1",
                              missing=request.form.get("missing", "keep"))
        elif action == "abandon":
            importing.discard(job_id, user)
        else:
            importing.restart(job_id, user)
    except Missing:
        abort(404)
    except Forbidden:
        abort(403)
    except ImportRefused as exc:
        abort(exc.status, exc.message)
    return redirect(url_for("curate.import_job", job_id=job_id), 303)


@bp.post("/imports/<job_id>/confirm")
@signed_in(*ROLES)
def confirm_import(job_id: str) -> Response:
    return _act(job_id, "confirm")


@bp.post("/imports/<job_id>/abandon")
@signed_in(*ROLES)
def abandon_import(job_id: str) -> Response:
    return _act(job_id, "abandon")


@bp.post("/imports/<job_id>/restart")
@signed_in(*ROLES)
def restart_import(job_id: str) -> Response:
    return _act(job_id, "restart")
