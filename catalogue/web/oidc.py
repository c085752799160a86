"""Institutional sign-in with OpenID Connect: on when OIDC_ISSUER is set.

Authlib does the protocol: discovery, the authorization-code flow with state, nonce and PKCE, and
the ID token's checks (signature by the provider's JWKS, issuer, audience, nonce, expiry). This
module adds what is Vitrine's: the issuer the provider names must be the configured one, the
claims become a user by the role rules (services/identities.py), the user is signed in as by the
password form (web/auth.py) and sent to the page they asked for, a local path only. Whatever goes
wrong on the way (consent denied, a state that is not this browser's, a provider down or slow, a
token that does not verify) is a page that says so, never a 500.

The provider's discovery document names the URLs the server itself then fetches (the token, the keys,
the userinfo): those are fetched only from the issuer's own host (wherever the configuration's
issuer runs, an intranet too) or from public addresses, never from another address of the server's
network (the import's guard, ingest/remote.py, on every connection and redirect), and each endpoint
is an http(s) URL, https when the issuer is (OpenID Connect Discovery 1.0 section 3).

Authlib (and requests, cryptography under it) is imported only when sign-in is configured: the
catalogue without it starts, and serves its first page, as fast as before.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..ingest.remote import AddressRefused, GuardedAdapter, networks_of, read_body
from ..model import is_web_url
from ..services import services
from ..services.identities import from_identity, role_rules
from .auth import local_target, sign_in
from .http import urls

bp = Blueprint("oidc", __name__, url_prefix="/curate/login/oidc")
CALLBACK = "/curate/login/oidc/callback"
NEXT = "oidc_next"  # the session key of the page asked for, kept while the browser is at the provider
MAX_BYTES = 1 << 20  # a discovery document, a key set, a token or a userinfo answer is a few kB
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")  # those Vitrine uses


class Refused(Exception):
    """A sign-in that cannot complete: the HTTP status and what the person is told."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def init_app(app: Flask) -> None:
    """Register the provider and the two routes when OIDC_ISSUER is set; a bad OIDC_ROLE_RULES stops here."""
    app.context_processor(lambda: {"oidc_institution": institution_name()})
    issuer = (app.config.get("OIDC_ISSUER") or "").rstrip("/")
    if not issuer:
        return
    if urlsplit(issuer).scheme not in ("http", "https") or not urlsplit(issuer).hostname:
        raise ValueError(f"OIDC_ISSUER: {issuer!r} is not an http(s) URL")
    if not app.config.get("OIDC_CLIENT_ID"):
        raise ValueError("OIDC_CLIENT_ID: the client id Vitrine is registered as at the provider is needed "
                         "with OIDC_ISSUER")
    role_rules(app.config.get("OIDC_ROLE_RULES"))
    scopes = str(app.config.get("OIDC_SCOPES") or "openid").split()
    if "openid" not in scopes:
        scopes.insert(0, "openid")  # without it there is no ID token, and no one is signed in
    oauth = _guarded_oauth(app)
    oauth.register(
        "institution",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config.get("OIDC_CLIENT_SECRET") or None,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": " ".join(scopes), "code_challenge_method": "S256",
                       "default_timeout": float(app.config.get("OIDC_TIMEOUT") or 10)},
    )
    app.register_blueprint(bp)


def _guarded_oauth(app: Flask) -> Any:
    """Authlib's Flask client whose every HTTP session connects only where the guard lets it."""
    import requests
    from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
    from authlib.integrations.requests_client import OAuth2Session

    class GuardedSession(OAuth2Session):
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            adapter = GuardedAdapter(networks_of(_issuer()))  # the issuer's host now, and public addresses
            self.mount("http://", adapter)
            self.mount("https://", adapter)

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
            """The answer read whole within MAX_BYTES and the timeout (a per-read timeout alone lets a
            provider that sends a byte at a time hold the worker), for Authlib to parse as before."""
            deadline = time.monotonic() + float(current_app.config.get("OIDC_TIMEOUT") or 10)
            response = super().request(method, url, *args, **{**kwargs, "stream": True})
            with response:
                response._content = read_body(response, MAX_BYTES, deadline)  # where .json() and .text read it
            return response

    class GuardedApp(FlaskOAuth2App):
        client_cls = GuardedSession

    class GuardedOAuth(OAuth):
        oauth2_client_cls = GuardedApp

    return GuardedOAuth(app)


def unsafe_endpoint(issuer: str, metadata: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first endpoint Vitrine uses that a discovery document names wrongly, and why: not an http(s)
    URL, or not https when the issuer is (OpenID Connect Discovery 1.0 section 3); None when all are right."""
    secure = urlsplit(issuer).scheme == "https"
    for name in ENDPOINTS:
        if name not in metadata:
            continue
        url = metadata[name]
        if not isinstance(url, str) or not is_web_url(url):
            return name, "is not an http(s) URL"
        if secure and urlsplit(url).scheme != "https":
            return name, "is not https, as the issuer is"
    return None


def institution_name() -> str | None:
    """The name on "Sign in with …": OIDC_NAME, else the issuer's host; None when sign-in is off."""
    issuer = current_app.config.get("OIDC_ISSUER")
    if not issuer:
        return None
    return current_app.config.get("OIDC_NAME") or urlsplit(issuer).hostname or issuer


def _client() -> Any:
    return current_app.extensions["authlib.integrations.flask_client"].institution


def _issuer() -> str:
    return current_app.config["OIDC_ISSUER"].rstrip("/")


def _checked_metadata(client: Any) -> None:
    """OpenID Connect Discovery 1.0 §4.3: the issuer a provider's document names is the one asked for."""
    named = str(client.load_server_metadata().get("issuer", "")).rstrip("/")
    if named != _issuer():
        client.server_metadata.clear()  # asked again next time, not trusted meanwhile
        raise Refused(502, _("%(institution)s answered as another issuer.", institution=institution_name()))
    if wrong := unsafe_endpoint(_issuer(), client.server_metadata):
        client.server_metadata.clear()
        current_app.logger.warning("OIDC: the discovery document of %s names a %s that %s", _issuer(), *wrong)
        raise Refused(502, _("%(institution)s named an address Vitrine does not connect to.",
                             institution=institution_name()))


@bp.get("")
def start() -> Response | tuple[str, int]:
    """Send the browser to the provider, the page asked for kept in the session."""
    session[NEXT] = local_target(request.args.get("next"), url_for("curate.home"))
    try:
        client = _client()
        _checked_metadata(client)
        return client.authorize_redirect(urls().page(CALLBACK))
    except Exception as error:  # each failure has its page (_refusal), the rest is raised again
        return _page(_refusal(error))


@bp.get("/callback")
def callback() -> Response | tuple[str, int]:
    """The provider's answer: the code exchanged, the ID token verified, the person signed in."""
    try:
        client = _client()
        _checked_metadata(client)
        if request.args.get("iss", _issuer()).rstrip("/") != _issuer():  # RFC 9207: an answer meant for another
            raise Refused(400, _("The answer from %(institution)s could not be verified.",
                                 institution=institution_name()))
        token = client.authorize_access_token(claims_options={"iss": {"essential": True, "value": _issuer()}})
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise Refused(502, _("%(institution)s sent no identity.", institution=institution_name()))
        if client.server_metadata.get("userinfo_endpoint"):
            more = client.userinfo(token=token)
            if more.get("sub") == claims["sub"]:  # OpenID Connect Core §5.3.2: else it is not the same person
                claims = {**more, **claims}
        user = from_identity(services().accounts, _issuer(), claims,
                             role_rules(current_app.config.get("OIDC_ROLE_RULES")))
    except Exception as error:  # each failure has its page (_refusal), the rest is raised again
        return _page(_refusal(error))
    asked = session.pop(NEXT, None)  # before the sign-in, which starts a fresh session
    sign_in(user)
    return redirect(local_target(asked, url_for("curate.home")))


def _refusal(error: Exception) -> Refused:
    """What went wrong, in the words a person reads; anything unforeseen is raised again (a real bug)."""
    import requests
    from authlib.integrations.base_client import MismatchingStateError, OAuthError
    from joserfc.errors import JoseError

    name = institution_name()
    if isinstance(error, Refused):
        return error
    if isinstance(error, AddressRefused):
        current_app.logger.warning("OIDC: a request the provider %s led to was %s", _issuer(), str(error).split(";")[0])
        return Refused(502, _("%(institution)s named an address Vitrine does not connect to.", institution=name))
    if isinstance(error, requests.Timeout):
        return Refused(504, _("%(institution)s did not answer in time. Please try again in a moment.",
                              institution=name))
    if isinstance(error, requests.ConnectionError):
        return Refused(503, _("%(institution)s could not be reached. Please try again later, or sign in with "
                              "your Vitrine password.", institution=name))
    if isinstance(error, MismatchingStateError):
        return Refused(400, _("This answer from %(institution)s does not belong to a sign-in started in this "
                              "browser (it may have expired). Please start again.", institution=name))
    if isinstance(error, OAuthError) and error.error == "access_denied":
        return Refused(403, _("You did not allow %(institution)s to tell Vitrine who you are.", institution=name))
    if isinstance(error, OAuthError | JoseError | requests.RequestException | ValueError | KeyError):
        return Refused(502, _("The answer from %(institution)s could not be verified.", institution=name))
    raise error


def _page(refused: Refused) -> tuple[str, int]:
    return render_template("curate/oidc_error.html", institution=institution_name(), message=refused.message,
                           next=session.get(NEXT)), refused.status
