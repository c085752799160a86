"""Who is signed in: sessions (Flask-Login), CSRF tokens on every form (Flask-WTF), Bearer tokens
for scripts, and the one decorator every curator page and write API stands behind.

- A page asked for signed out redirects to the login page; an /api/ call answers 401 (with
  ``WWW-Authenticate: Bearer``); a signed-in user without the role gets 403.
- A session carries the user's name and *epoch*; signing out, or a new password, moves the
  epoch on, which ends every session of that user (the cookie is signed, not stored: this is
  what makes a copied cookie worthless after sign-out).
- A request with ``Authorization: Bearer <token>`` is the token's user and nobody else: its
  session cookie is not read, and it needs no CSRF token (no browser sends that header by itself).
- The session cookie is HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS
  (directly or through a trusted proxy: web/gate.py).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, abort, g, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from ..config import ensure_secret_key
from ..model import User
from ..services import services

F = TypeVar("F", bound=Callable[..., Any])
csrf = CSRFProtect()


class Account(UserMixin):
    """A signed-in :class:`~catalogue.model.User` as Flask-Login holds it."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.name}:{self.user.epoch}"


class _Sessions(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request):
        ensure_secret_key(app)  # the session is opened before any before_request hook runs
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def init_app(app: Flask) -> None:
    if not app.config.get("SESSION_COOKIE_SAMESITE"):  # Flask's default is None: no SameSite at all
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked below, except for Bearer requests
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session: a long caption is not lost
    app.session_interface = _Sessions()
    csrf.init_app(app)
    manager = LoginManager(app)
    manager.login_view = "curate.login"
    manager.session_protection = "basic"

    @manager.user_loader
    def load(user_id: str) -> Account | None:
        if _bearer() is not None:
            return None  # a Bearer request is its token's user only (see request_loader)
        name, _, epoch = user_id.rpartition(":")
        user = services().accounts.get(name)
        return Account(user) if user is not None and str(user.epoch) == epoch else None

    @manager.request_loader
    def bearer(_request) -> Account | None:
        token = _bearer()
        user = services().accounts.token_user(token) if token else None
        return Account(user) if user is not None else None

    @manager.unauthorized_handler
    def unauthorized():
        return _refuse()

    @app.before_request
    def protect() -> None:
        # Only for a route that takes the method: a POST to a page is a 405, not a CSRF error.
        # An /api/ call with no session user has nothing to forge: it gets its 401, not a CSRF 400.
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.routing_exception is None \
                and _bearer() is None and (current_user.is_authenticated or not request.path.startswith("/api/")):
            csrf.protect()

    @app.after_request
    def private(response):
        """A signed-in answer is for that user alone: never kept by a shared cache."""
        if getattr(g, "_login_user", None) is not None and current_user.is_authenticated:
            response.headers["Cache-Control"] = "private, no-store"
            response.vary.add("Cookie")
        return response


def account() -> User | None:
    """The signed-in user, or None."""
    if not current_user.is_authenticated:
        return None
    return cast(Account, current_user).user


def signed_user() -> User:
    """The signed-in user, in a view behind :func:`signed_in` (which let only a user through)."""
    user = account()
    if user is None:  # a view that forgot signed_in(): refuse rather than act for nobody
        abort(401)
    return user


def _refuse():
    if request.path.startswith("/api/"):
        response = services_error(401, "sign in first: send Authorization: Bearer <token>")
        response.headers["WWW-Authenticate"] = 'Bearer realm="vitrine"'
        return response
    return redirect(url_for("curate.login", next=request.full_path.rstrip("?")))


def services_error(status: int, message: str):
    from .errors import error_response

    return error_response(status, message)


def signed_in(*roles: str) -> Callable[[F], F]:
    """Only for a signed-in user holding one of ``roles`` (admin holds every role; with none named,
    any signed-in user, one with no role yet included: their start page and their own account):
    401 / a redirect to login when signed out, 403 without the role."""
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = account()
            if user is None:
                return _refuse()
            if roles and not user.has(*roles):
                abort(403, f"this needs the {' or '.join(roles)} role")
            return view(*args, **kwargs)
        return cast(F, wrapped)
    return decorate


def sign_in(user: User) -> None:
    """Start a session for ``user`` (a checked password, an institutional sign-in): a new session,
    so nothing of one begun before (a planted cookie) carries over."""
    from flask import session

    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(Account(user))


def sign_out() -> None:
    """End the session, and every other session of the same user (their epoch moves on)."""
    user = account()
    logout_user()
    if user is not None:
        services().accounts.end_sessions(user.name)


def local_target(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site (no scheme, no host, no //), else ``default``:
    the page to go to after signing in must not be someone else's."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else default
