"""Signing in and out, and the curator's start page."""
from __future__ import annotations

from flask import Response, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...roles import is_admin
from ...services import services
from ...services.accounts import Throttled
from ..auth import account, local_target, sign_in, sign_out, signed_in, signed_user
from . import bp
from .exhibitions import status_name

NAME_MAX = 64


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """The sign-in form; a good name and password start a session and go to the page asked for."""
    target = local_target(request.values.get("next"), url_for("curate.home"))
    if request.method == "GET":
        if account() is not None:
            return redirect(target)  # type: ignore[return-value]
        return make_response(render_template("curate/login.html", next=target, name="", error=None))
    name = request.form.get("name", "").strip().lower()[:NAME_MAX]
    password = request.form.get("password", "")
    try:
        user = services().accounts.authenticate(name, password, request.remote_addr or "")
    except Throttled as exc:
        error = _("Too many failed sign-ins. Wait %(minutes)d minutes and try again.",
                  minutes=exc.retry_after // 60)
        response = make_response(render_template("curate/login.html", next=target, name=name, error=error), 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if user is None:
        error = _("That name and password do not match an account.")
        return make_response(render_template("curate/login.html", next=target, name=name, error=error), 401)
    sign_in(user)
    return redirect(target)  # type: ignore[return-value]


@bp.post("/logout")
def logout() -> Response:
    """Sign out (a POST with the CSRF token, so no other site can sign a curator out)."""
    sign_out()
    return redirect(url_for("pages.home"))  # type: ignore[return-value]


@bp.get("/")
@signed_in()
def home() -> Response:
    """What this user can do: their exhibitions (curators), their institutions' objects (editors)."""
    user = signed_user()
    exhibitions = services().exhibitions.editable(user)
    return make_response(render_template("curate/home.html", user=user, exhibitions=exhibitions,
                                         admin=is_admin(user), status_name=status_name))
