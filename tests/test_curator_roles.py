"""A role boundary on every curator route: walked from the app's URL map, so a route added later
is covered too, and one missing from ROUTES below fails the suite until it is given its rule.

Signed out: a page redirects to the login page, an /api/ write answers 401. Signed in without the
role: 403. Signed in with it: neither (whatever the route then answers for an unknown record).
"""
from __future__ import annotations

import secrets

import pytest
from itsdangerous import URLSafeTimedSerializer
from werkzeug.routing import AnyConverter, IntegerConverter

from catalogue import create_app
from test_curator_foundation import PASSWORD, sign_in

# (rule, method) -> who may: "anyone" (signed out too), "signed-in" (with a role or none yet), or the role needed
# ("editor|curator": either).
ROUTES = {
    ("/curate/login", "GET"): "anyone",
    ("/curate/login", "POST"): "anyone",
    ("/curate/logout", "POST"): "anyone",
    ("/curate/", "GET"): "signed-in",
    ("/curate/account", "GET"): "signed-in",
    ("/curate/account/password", "POST"): "signed-in",
    ("/curate/account/sessions", "POST"): "signed-in",
    ("/curate/account/tokens", "POST"): "signed-in",
    ("/curate/account/tokens/<token_id>/revoke", "POST"): "signed-in",
    ("/curate/users", "GET"): "admin",
    ("/curate/users/<name>/roles", "POST"): "admin",
    ("/curate/users/<name>/remove", "GET"): "admin",
    ("/curate/users/<name>/remove", "POST"): "admin",
    ("/curate/audit", "GET"): "admin",
    ("/curate/audit/object/<object_id>", "GET"): "admin",
    ("/curate/audit/exhibition/<slug>", "GET"): "admin",
    ("/curate/exhibitions/<slug>/items/<int:section>/<int:item>/detail", "GET"): "curator",
    ("/curate/exhibitions/<slug>/items/<int:section>/<int:item>/detail", "POST"): "curator",
    ("/curate/exhibitions/<slug>/preview", "GET"): "curator",
    ("/curate/exhibitions/<slug>/preview/<any(manifest, collection):kind>", "GET"): "curator",
    ("/curate/exhibitions/<slug>/publish", "GET"): "curator",
    ("/curate/exhibitions/<slug>/publish", "POST"): "curator",
    ("/curate/exhibitions/<slug>/revisions", "GET"): "curator",
    ("/curate/exhibitions/<slug>/revisions/<int:a>/<int:b>", "GET"): "curator",
    ("/curate/exhibitions/<slug>/revisions/<int:number>/restore", "POST"): "curator",
    ("/curate/objects", "GET"): "editor",
    ("/curate/objects/<object_id>", "GET"): "editor",
    ("/curate/objects/<object_id>", "POST"): "editor",
    ("/curate/objects/<object_id>/delete", "GET"): "admin",
    ("/curate/objects/<object_id>/delete", "POST"): "admin",
    ("/curate/objects/<object_id>/restore", "POST"): "editor",
    ("/curate/objects/<object_id>/revisions", "GET"): "editor",
    ("/curate/objects/<object_id>/revisions/<int:number>/restore", "POST"): "editor",
    ("/curate/objects/<object_id>/withdraw", "GET"): "editor",
    ("/curate/objects/<object_id>/withdraw", "POST"): "editor",
    ("/curate/objects/withdrawn", "GET"): "editor",
    ("/curate/imports", "GET"): "editor|curator",
    ("/curate/imports/new", "GET"): "editor|curator",
    ("/curate/imports/new", "POST"): "editor|curator",
    ("/curate/imports/<job_id>", "GET"): "editor|curator",
    ("/curate/imports/<job_id>/status", "GET"): "editor|curator",
    ("/curate/imports/<job_id>/confirm", "POST"): "editor|curator",
    ("/curate/imports/<job_id>/abandon", "POST"): "editor|curator",
    ("/curate/imports/<job_id>/restart", "POST"): "editor|curator",
    ("/api/exhibitions", "POST"): "curator",
    ("/api/exhibitions/<slug>", "DELETE"): "curator",
    ("/api/exhibitions/<slug>", "PUT"): "curator",
    ("/api/exhibitions/<slug>/publish", "POST"): "curator",
    ("/api/exhibitions/<slug>/revisions/<int:version>/restore", "POST"): "curator",
    ("/api/exhibitions/<slug>/sections", "POST"): "curator",
    ("/api/exhibitions/<slug>/sections/<int:n>", "DELETE"): "curator",
    ("/api/exhibitions/<slug>/sections/<int:n>", "PUT"): "curator",
    ("/api/exhibitions/<slug>/sections/<int:n>/items", "POST"): "curator",
    ("/api/exhibitions/<slug>/sections/<int:n>/items/<int:m>", "DELETE"): "curator",
    ("/api/exhibitions/<slug>/sections/<int:n>/items/<int:m>", "PUT"): "curator",
    ("/api/exhibitions/<slug>/sections/<int:n>/items/<int:m>/move", "POST"): "curator",
    ("/api/exhibitions/<slug>/sections/<int:n>/move", "POST"): "curator",
    ("/curate/exhibitions", "GET"): "curator",
    ("/curate/exhibitions/<slug>", "GET"): "curator",
    ("/curate/exhibitions/<slug>", "POST"): "curator",
    ("/curate/exhibitions/<slug>/delete", "GET"): "curator",
    ("/curate/exhibitions/<slug>/delete", "POST"): "curator",
    ("/curate/exhibitions/<slug>/duplicate", "GET"): "curator",
    ("/curate/exhibitions/<slug>/duplicate", "POST"): "curator",
    ("/curate/exhibitions/<slug>/works", "GET"): "curator",
    ("/curate/exhibitions/<slug>/works", "POST"): "curator",
    ("/curate/exhibitions/new", "GET"): "curator",
    ("/curate/exhibitions/new", "POST"): "curator",
    ("/api/objects/<object_id>", "DELETE"): "admin",
    ("/api/objects/<object_id>", "PUT"): "editor",
    ("/api/objects/<object_id>/restore", "POST"): "editor",
    ("/api/objects/<object_id>/revisions/<int:version>/restore", "POST"): "editor",
    ("/api/objects/<object_id>/withdraw", "POST"): "editor",
}
WRITES = ("POST", "PUT", "PATCH", "DELETE")
USERS = {"root": ["admin"], "ed": ["editor"], "cora": ["curator"], "nobody": []}


def curator_routes(app) -> set[tuple[str, str]]:
    """Every route of the curate blueprint, and every write of the JSON API."""
    found = set()
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        if rule.endpoint.startswith("curate."):
            found |= {(rule.rule, method) for method in methods}
        elif rule.rule.startswith("/api/"):
            found |= {(rule.rule, method) for method in methods if method in WRITES}
    return found


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    app = create_app({"INSTANCE": str(tmp_path_factory.mktemp("roles") / "instance"), "TESTING": True})
    for name, roles in USERS.items():
        app.extensions["vitrine"].accounts.add(name, PASSWORD, roles=roles)
    yield app
    app.extensions["vitrine"].close()


def test_every_curator_route_has_a_rule_in_the_table(team):
    missing = sorted(curator_routes(team) - set(ROUTES))
    assert missing == [], f"give these routes their role in tests/test_curator_roles.py ROUTES: {missing}"
    assert sorted(set(ROUTES) - curator_routes(team)) == [], "ROUTES names a route that is gone"


def _url(app, rule_text: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.rule == rule_text)
    def value(converter):
        if isinstance(converter, IntegerConverter):
            return 1
        return sorted(converter.items)[0] if isinstance(converter, AnyConverter) else "no-such-thing"

    values = {arg: value(rule._converters[arg]) for arg in rule.arguments}
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def _csrf(app, client) -> str:
    """A CSRF token of the client's session (as a form on one of its pages would carry)."""
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", secrets.token_hex(20))
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def _ask(app, client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    data = {"csrf_token": _csrf(app, client)}
    return client.open(url, method=method, data=data, headers={"X-CSRFToken": data["csrf_token"]})


def _refused_as_signed_out(response, url: str) -> bool:
    if url.startswith("/api/"):
        return response.status_code == 401
    return response.status_code == 302 and "/curate/login" in response.headers["Location"]


def _may(roles: list[str], rule: str) -> bool:
    if rule == "signed-in":
        return True  # one with no role yet too: their start page and their own account
    return "admin" in roles or any(role in roles for role in rule.split("|"))


@pytest.mark.parametrize("route, method", sorted(ROUTES))
def test_each_role_meets_the_routes_boundary(team, route, method):
    rule, url = ROUTES[(route, method)], _url(team, route)
    if rule == "anyone":
        return  # the login and logout doors themselves: their tests are in test_curator_foundation.py
    signed_out = team.test_client()
    signed_out.get("/curate/login")
    assert _refused_as_signed_out(_ask(team, signed_out, method, url), url), (method, url, "signed out")
    for name, roles in USERS.items():
        client = team.test_client()
        assert sign_in(client, name).status_code == 302
        response = _ask(team, client, method, url)
        if _may(roles, rule):
            assert response.status_code not in (401, 403) and not _refused_as_signed_out(response, url), \
                (method, url, name, response.status_code)
        else:
            assert response.status_code == 403, (method, url, name, response.status_code)
