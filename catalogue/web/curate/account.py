"""A curator's own account (password, sessions, API tokens) and the admins' list of users."""
from __future__ import annotations

from flask import Response, abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...model import ROLES, User, ValidationError
from ...services import services
from ...services.accounts import AccountError, Throttled
from ..auth import sign_in, signed_in, signed_user
from . import bp


def _account_page(status: int = 200, **context) -> Response:
    user = signed_user()
    context.setdefault("errors", {})
    return make_response(render_template("curate/account.html", user=user,
                                         tokens=services().accounts.tokens(user.name), **context), status)


@bp.get("/account")
@signed_in()
def account_page() -> Response:
    """Your name and roles; change your password; sign out elsewhere; your API tokens."""
    return _account_page(done=request.args.get("done"))


@bp.post("/account/password")
@signed_in()
def change_password() -> Response:
    """A new password (the old one first, the new one twice): every other session ends, this one
    begins again."""
    user = signed_user()
    old, new, again = (request.form.get(key, "") for key in ("old", "new", "again"))
    try:
        if services().accounts.authenticate(user.name, old, request.remote_addr or "") is None:
            return _account_page(422, errors={"old": _("That is not your current password.")})
    except Throttled as exc:
        return _account_page(429, errors={"old": _("Too many failed sign-ins. Wait %(minutes)d minutes and try again.",
                                                   minutes=exc.retry_after // 60)})
    if new != again:
        return _account_page(422, errors={"new": _("The two new passwords are not the same.")})
    try:
        user = services().accounts.set_password(user.name, new)
    except ValidationError:
        return _account_page(422, errors={"new": _("A password needs at least 10 characters.")})
    sign_in(user)
    return redirect(url_for("curate.account_page", done="password"))  # type: ignore[return-value]


@bp.post("/account/sessions")
@signed_in()
def end_other_sessions() -> Response:
    """Sign out everywhere else (a lost laptop, a shared computer): this browser stays signed in."""
    sign_in(services().accounts.end_sessions(signed_user().name))
    return redirect(url_for("curate.account_page", done="sessions"))  # type: ignore[return-value]


@bp.post("/account/tokens")
@signed_in()
def create_token() -> Response:
    """A new API token; its secret is on this answer only (never stored, never shown again)."""
    token, secret = services().accounts.create_token(signed_user().name, request.form.get("label", ""))
    return _account_page(201, new_token=token, secret=secret)


@bp.post("/account/tokens/<token_id>/revoke")
@signed_in()
def revoke_token(token_id: str) -> Response:
    try:
        services().accounts.revoke_token(signed_user().name, token_id)
    except AccountError:
        abort(404)
    return redirect(url_for("curate.account_page", done="revoked"))  # type: ignore[return-value]


# -- the admins' pages ------------------------------------------------------------

def _users_page(status: int = 200, **context) -> Response:
    return make_response(render_template(
        "curate/users.html", users=services().accounts.users(), roles=ROLES, me=signed_user(),
        institutions=services().institutions.institutions(), **context), status)


def _user(name: str) -> User:
    user = services().accounts.get(name)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
@signed_in("admin")
def users() -> Response:
    """Every user, their roles and an editor's institutions."""
    return _users_page(done=request.args.get("done"))


@bp.post("/users/<name>/roles")
@signed_in("admin")
def set_roles(name: str) -> Response:
    """The user's roles and institutions from now on (an admin cannot take their own admin role)."""
    user = _user(name)
    roles = [role for role in ROLES if role in request.form.getlist("roles")]
    if user.name == signed_user().name and "admin" not in roles:
        return _users_page(422, error=(user.name, _("You cannot take away your own admin role.")))
    known = {institution.id for institution in services().institutions.institutions()} | set(user.institutions)
    chosen = [i for i in request.form.getlist("institutions") if i in known]
    services().accounts.set_roles(user.name, roles, chosen)
    return redirect(url_for("curate.users", done=user.name))  # type: ignore[return-value]


@bp.route("/users/<name>/remove", methods=["GET", "POST"])
@signed_in("admin")
def remove_user(name: str) -> Response:
    """Remove a user, after a page that asks to confirm (what they changed keeps their name)."""
    user = _user(name)
    if user.name == signed_user().name:
        return _users_page(422, error=(user.name, _("You cannot remove your own account.")))
    if request.method == "GET":
        return _users_page(confirm=user)
    services().accounts.remove(user.name)
    return redirect(url_for("curate.users", done=user.name))  # type: ignore[return-value]
