"""Institutional sign-in (OpenID Connect) against a real OpenID provider on 127.0.0.1.

The provider is the npm package oidc-provider (tests/oidc_provider.mjs), started by the fixture;
Vitrine runs in a real server thread; a requests Session is the browser: it follows Vitrine's
redirect to the provider, fills in the provider's own login and consent forms and comes back.
"""
from __future__ import annotations

import contextlib
import html
import json
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
from support import ROOT, dripping_server, free_port, http_server

from catalogue import create_app

NODE = shutil.which("node")
CALLBACK = "/curate/login/oidc/callback"
RULES = [{"claim": "groups", "value": "kbr-curators", "roles": ["curator"], "institutions": ["kbr"]}]


class Provider:
    """oidc-provider in a node process: started on a port, waited for (bounded), stopped."""

    def __init__(self, port: int, redirect_uri: str, log, mode: str = ""):
        self.port, self.redirect_uri, self.log, self.mode = port, redirect_uri, log, mode
        self.issuer = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        assert NODE, "node is needed for the OpenID provider"
        self.process = subprocess.Popen(
            [NODE, str(ROOT / "tests" / "oidc_provider.mjs"), str(self.port), self.redirect_uri, self.mode],
            cwd=ROOT, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the OpenID provider exited at start"
            try:
                if requests.get(self.issuer + "/.well-known/openid-configuration", timeout=(2, 60)).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("the OpenID provider did not answer within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


class Site:
    """Vitrine in a server thread, configured for the provider."""

    def __init__(self, app, httpd, provider: Provider):
        self.app, self.httpd, self.provider = app, httpd, provider
        self.url = f"http://127.0.0.1:{httpd.server_port}"

    @property
    def accounts(self):
        return self.app.extensions["vitrine"].accounts

    def user(self, subject: str):
        """The user made from the provider's account ``subject``, or None."""
        identity = f"{self.provider.issuer}|{subject}"
        found = [u for u in self.accounts.users() if u.identity == identity]
        return found[0] if found else None


@contextlib.contextmanager
def serving(tmp_path, mode: str | None = "", rules=RULES, **settings) -> Iterator[Site]:
    """Vitrine in a server thread whose OIDC settings point at a provider port, the provider started in
    ``mode`` (None: not started); everything stopped afterwards."""
    port = free_port()
    issuer = settings.pop("OIDC_ISSUER", f"http://127.0.0.1:{port}")
    app = create_app({"INSTANCE": str(tmp_path / "instance"), "TESTING": True,
                      "OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": "vitrine", "OIDC_CLIENT_SECRET": "vitrine-secret",
                      "OIDC_NAME": "KBR", "OIDC_SCOPES": "openid profile email groups",
                      "OIDC_ROLE_RULES": json.dumps(rules), **settings})
    httpd = http_server(app)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    with (tmp_path / "provider.log").open("w") as log:
        site = Site(app, httpd, Provider(port, f"http://127.0.0.1:{httpd.server_port}{CALLBACK}", log, mode or ""))
        try:
            if mode is not None:
                site.provider.start()
            yield site
        finally:
            site.provider.stop()
            httpd.shutdown()
            httpd.server_close()
            app.extensions["vitrine"].close()


@pytest.fixture
def site(tmp_path):
    """Vitrine and a running provider whose curators' group maps to the curator role at KBR."""
    with serving(tmp_path) as site:
        yield site


def _form(page: requests.Response) -> tuple[str, dict]:
    """The action and the hidden fields of the provider's form on ``page``."""
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    assert action, page.text[:2000]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    return urljoin(page.url, html.unescape(action.group(1))), fields


def _to_provider(browser: requests.Session, site: Site, next_path: str = "/curate/") -> requests.Response:
    """From Vitrine's login page, by its "Sign in with KBR" link, to the provider's login form."""
    login = browser.get(site.url + "/curate/login", params={"next": next_path}, timeout=10)
    link = re.search(r'href="([^"]*/curate/login/oidc[^"]*)"', login.text)
    assert link, login.text
    page = browser.get(urljoin(login.url, html.unescape(link.group(1))), timeout=10)
    assert page.url.startswith(site.provider.issuer), page.url
    assert 'name="login"' in page.text
    return page


def _through_provider(browser: requests.Session, site: Site, account: str, next_path: str = "/curate/") -> str:
    """Sign in at the provider as ``account`` and consent; the URL it sends the browser back to (not followed)."""
    page = _to_provider(browser, site, next_path)
    action, fields = _form(page)
    response = browser.post(action, data={**fields, "login": account, "password": "any"}, timeout=10)
    assert 'value="consent"' in response.text, response.text[:2000]
    action, fields = _form(response)
    response = browser.post(action, data=fields, timeout=10, allow_redirects=False)
    while response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(site.url):
            return location
        response = browser.get(location, timeout=10, allow_redirects=False)
    raise AssertionError(f"the provider did not send the browser back: {response.status_code} {response.text[:500]}")


def _sign_in(site: Site, account: str, next_path: str = "/curate/") -> tuple[requests.Session, requests.Response]:
    browser = requests.Session()
    back = _through_provider(browser, site, account, next_path)
    return browser, browser.get(back, timeout=10)


def test_first_sign_in_creates_the_user_with_the_roles_and_institutions_their_groups_map_to(site):
    assert site.user("alice") is None
    browser, landed = _sign_in(site, "alice", next_path="/curate/")
    assert landed.status_code == 200
    assert landed.url == site.url + "/curate/"
    user = site.user("alice")
    assert user is not None
    assert user.display_name == "Alice Peeters"
    assert set(user.roles) == {"curator"}
    assert set(user.institutions) == {"kbr"}
    # signed in: a curator page answers, the login page is not shown
    page = browser.get(site.url + "/curate/", timeout=10, allow_redirects=False)
    assert page.status_code == 200
    browser.close()


def test_a_user_whose_claims_map_to_no_role_is_created_without_one_and_refused_curator_pages(site):
    browser, landed = _sign_in(site, "bruno", next_path="/curate/")
    user = site.user("bruno")
    assert user is not None and user.display_name == "Bruno Lambert"
    assert tuple(user.roles) == ()
    assert landed.status_code == 200 and "no role yet" in landed.text  # the start page says so
    assert browser.get(site.url + "/curate/exhibitions", timeout=10, allow_redirects=False).status_code == 403
    assert browser.get(site.url + "/curate/objects", timeout=10, allow_redirects=False).status_code == 403
    browser.close()


def test_later_sign_ins_refresh_the_roles_the_rules_grant_and_keep_those_an_admin_granted(site):
    _sign_in(site, "alice")[0].close()
    user = site.user("alice")
    site.accounts.set_roles(user.name, ["curator", "editor"], institutions=["kbr", "kmkg"])
    # the institution took alice out of the curators' group: the rule no longer applies to her
    site.app.config["OIDC_ROLE_RULES"] = json.dumps(
        [{"claim": "groups", "value": "kbr-curators-2027", "roles": ["curator"], "institutions": ["kbr"]}])
    _sign_in(site, "alice")[0].close()
    again = site.user("alice")
    assert again.name == user.name
    assert set(again.roles) == {"editor"}  # the rules' role went; the admin's stays
    assert set(again.institutions) == {"kmkg"}


def test_the_page_asked_for_is_only_ever_a_local_path(site):
    browser, landed = _sign_in(site, "alice", next_path="https://evil.example/curate/")
    assert landed.url.startswith(site.url + "/"), landed.url
    browser.close()
    browser, landed = _sign_in(site, "alice", next_path="//evil.example/curate/")
    assert landed.url.startswith(site.url + "/"), landed.url
    browser.close()


def test_a_tampered_state_is_refused_with_a_clear_page_and_no_session(site):
    browser = requests.Session()
    back = _through_provider(browser, site, "alice")
    parts = urlsplit(back)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = query["state"][:-2] + ("AA" if not query["state"].endswith("AA") else "BB")
    refused = browser.get(urlunsplit(parts._replace(query=urlencode(query))), timeout=10)
    assert refused.status_code == 400
    assert "Sign-in with KBR did not complete" in refused.text
    assert "Traceback" not in refused.text
    assert browser.get(site.url + "/curate/", timeout=10, allow_redirects=False).status_code == 302
    assert site.user("alice") is None
    browser.close()


def test_denied_consent_gives_a_clear_page_and_creates_no_user(site):
    browser = requests.Session()
    page = _to_provider(browser, site)
    action, fields = _form(page)
    consent = browser.post(action, data={**fields, "login": "alice", "password": "any"}, timeout=10)
    abort = re.search(r'href="([^"]*/abort[^"]*)"', consent.text)
    assert abort, consent.text[:2000]
    denied = browser.get(urljoin(consent.url, html.unescape(abort.group(1))), timeout=10)
    assert denied.url.startswith(site.url + CALLBACK)
    assert denied.status_code == 403
    assert "You did not allow" in denied.text
    assert site.user("alice") is None
    browser.close()


def test_the_provider_stopped_gives_a_clear_page_at_the_start_and_at_the_callback(site):
    browser = requests.Session()
    back = _through_provider(browser, site, "alice")
    site.provider.stop()
    late = browser.get(back, timeout=30)
    assert late.status_code == 503
    assert "could not be reached" in late.text
    assert site.user("alice") is None
    browser.close()


def test_an_unreachable_provider_at_the_start_gives_a_clear_page(tmp_path):
    with serving(tmp_path, mode=None) as site:  # the provider is never started
        page = requests.get(site.url + "/curate/login/oidc", timeout=30, allow_redirects=False)
        assert page.status_code == 503
        assert "could not be reached" in page.text
        assert 'href="/curate/login' in page.text  # the way back: try again, or the password form


def test_a_provider_that_does_not_answer_times_out_with_a_clear_page(tmp_path):
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        issuer = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with serving(tmp_path, mode=None, OIDC_ISSUER=issuer, OIDC_TIMEOUT=1) as site:
            started = time.monotonic()
            page = requests.get(site.url + "/curate/login/oidc", timeout=30, allow_redirects=False)
            assert time.monotonic() - started < 10
            assert page.status_code == 504
            assert "did not answer in time" in page.text


def test_a_provider_that_drips_its_answer_times_out_with_a_clear_page(tmp_path):
    """A byte every 0.3 s never trips a per-read timeout of 1 s: the whole answer has OIDC_TIMEOUT."""
    with dripping_server() as issuer, serving(tmp_path, mode=None, OIDC_ISSUER=issuer, OIDC_TIMEOUT=1) as site:
        started = time.monotonic()
        page = requests.get(site.url + "/curate/login/oidc", timeout=30, allow_redirects=False)
        assert time.monotonic() - started < 10
        assert page.status_code == 504
        assert "did not answer in time" in page.text


def test_an_id_token_the_providers_published_keys_do_not_verify_is_refused(tmp_path):
    with serving(tmp_path, mode="forged-keys") as site, requests.Session() as browser:
        refused = browser.get(_through_provider(browser, site, "alice"), timeout=30)
        assert refused.status_code == 502
        assert "could not be verified" in refused.text
        assert site.user("alice") is None
        assert browser.get(site.url + "/curate/", timeout=10, allow_redirects=False).status_code == 302


def test_a_provider_whose_discovery_names_another_issuer_is_refused(tmp_path):
    port = free_port()
    # "localhost" is not the issuer the provider says it is (http://127.0.0.1:PORT): its tokens are not trusted
    with serving(tmp_path, mode=None, OIDC_ISSUER=f"http://localhost:{port}") as site:
        site.provider.port, site.provider.issuer = port, f"http://127.0.0.1:{port}"
        site.provider.start()
        page = requests.get(site.url + "/curate/login/oidc", timeout=30, allow_redirects=False)
        assert page.status_code == 502
        assert "Sign-in with KBR did not complete" in page.text


class _Inside:
    """A service of the server's own network (on 127.0.0.2, another loopback address than the
    provider's): it records every request that reaches it."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                seen.append(f"{self.command} {self.path}")
                self.send_error(404)
            do_GET = do_POST = _any

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
        self.url = f"http://127.0.0.2:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("field", ["token_endpoint", "jwks_uri", "userinfo_endpoint"])
def test_a_provider_that_names_an_inside_address_for_an_endpoint_is_refused_and_nothing_reaches_it(tmp_path, field):
    """The discovery document sends the server's own fetches (the token, the keys, the userinfo) to
    an address of its network: Vitrine connects only to the issuer's host and to public addresses."""
    with _Inside() as inside, serving(tmp_path, mode=f"names:{field}={inside.url}/{field}") as site, \
            requests.Session() as browser:
        refused = browser.get(_through_provider(browser, site, "alice"), timeout=30)
        assert inside.seen == []
        assert refused.status_code == 502
        assert "KBR named an address Vitrine does not connect to" in html.unescape(refused.text)
        assert site.user("alice") is None
        assert browser.get(site.url + "/curate/", timeout=10, allow_redirects=False).status_code == 302


def test_a_provider_whose_discovery_names_an_endpoint_that_is_not_http_is_refused_before_the_browser_goes(tmp_path):
    with serving(tmp_path, mode="names:authorization_endpoint=javascript:alert(1)") as site:
        page = requests.get(site.url + "/curate/login/oidc", timeout=30, allow_redirects=False)
        assert page.status_code == 502
        assert "javascript:" not in page.headers.get("Location", "") + page.text
        assert "Sign-in with KBR did not complete" in page.text


def test_a_provider_whose_discovery_document_is_oversized_is_refused_with_a_clear_page(tmp_path):
    with serving(tmp_path, mode="oversized") as site:
        discovery = requests.get(site.provider.issuer + "/.well-known/openid-configuration", timeout=30)
        assert len(discovery.content) > 4 << 20
        page = requests.get(site.url + "/curate/login/oidc", timeout=30, allow_redirects=False)
        assert page.status_code == 502
        assert "could not be verified" in page.text


@pytest.mark.parametrize(("issuer", "metadata", "named"), [
    ("https://login.example", {"token_endpoint": "http://login.example/token"}, "token_endpoint"),
    ("https://login.example", {"jwks_uri": "https://login.example/jwks", "userinfo_endpoint": "ftp://x/u"},
     "userinfo_endpoint"),
    ("http://127.0.0.1:9", {"authorization_endpoint": "javascript:alert(1)"}, "authorization_endpoint"),
    ("https://login.example", {"token_endpoint": 7}, "token_endpoint"),
    ("https://login.example", {"token_endpoint": "https://oauth2.example/token",
                               "jwks_uri": "https://keys.example/jwks"}, None),
    ("http://127.0.0.1:9", {"token_endpoint": "http://127.0.0.1:9/token"}, None),
])
def test_an_endpoint_is_an_http_url_and_https_when_the_issuer_is(issuer, metadata, named):
    """OpenID Connect Discovery 1.0 section 3: the endpoints of an https issuer are https too."""
    from catalogue.web.oidc import unsafe_endpoint

    found = unsafe_endpoint(issuer, metadata)
    assert (found and found[0]) == named


def test_without_an_issuer_the_login_page_offers_no_institutional_sign_in(client):
    page = client.get("/curate/login")
    assert page.status_code == 200
    assert "/curate/login/oidc" not in page.get_data(as_text=True)
    assert client.get("/curate/login/oidc").status_code == 404


@pytest.mark.parametrize(("settings", "named"), [
    ({"OIDC_ROLE_RULES": json.dumps([{"claim": "groups", "value": "x", "roles": ["pope"]}])}, "pope"),
    ({"OIDC_ROLE_RULES": json.dumps([{"claim": "groups", "value": "x", "institutions": ["a b"]}])}, "a b"),
    ({"OIDC_ROLE_RULES": json.dumps([{"claim": "groups", "value": "x", "role": ["curator"]}])}, "role"),
    ({"OIDC_ROLE_RULES": "{not json"}, "OIDC_ROLE_RULES"),
    ({"OIDC_ISSUER": "javascript:alert(1)"}, "OIDC_ISSUER"),
    ({"OIDC_CLIENT_ID": ""}, "OIDC_CLIENT_ID"),
])
def test_a_bad_sign_in_setting_stops_the_start_naming_what_is_wrong(tmp_path, settings, named):
    with pytest.raises(ValueError, match=re.escape(named)):
        create_app({"INSTANCE": str(tmp_path / "i"), "OIDC_ISSUER": "http://127.0.0.1:9", "OIDC_CLIENT_ID": "v",
                    **settings})


def test_rules_read_a_claim_that_is_a_list_or_a_single_value():
    from catalogue.services.identities import granted, role_rules

    rules = role_rules(RULES + [{"claim": "hd", "value": "kbr.be", "roles": ["editor"]}])
    assert granted(rules, {"groups": ["staff", "kbr-curators"]}) == ({"curator"}, {"kbr"})
    assert granted(rules, {"groups": "kbr-curators", "hd": "kbr.be"}) == ({"curator", "editor"}, {"kbr"})
    assert granted(rules, {"groups": ["kbr-curators-old"], "hd": "kbr.be.evil"}) == (set(), set())
    assert granted(rules, {}) == (set(), set())
