"""The account pages (password, sessions, API tokens), the admins' users page and the audit trail."""
from __future__ import annotations

import dataclasses
import re

import pytest
from test_curator_foundation import PASSWORD, sign_in, signed_in_client, token_of

from catalogue.model import Exhibition
from catalogue.store import StoreError

XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)']
NEW = "a brand new passphrase"


@pytest.fixture
def team(collection):
    accounts = collection.extensions["vitrine"].accounts
    accounts.add("root", PASSWORD, roles=["admin"], display_name="Root Admin")
    accounts.add("ann", PASSWORD, roles=["curator"], display_name="Ann Peeters")
    accounts.add("ed", PASSWORD, roles=["editor"], institutions=["brooklyn"])
    return collection


def client_from(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client



def post(client, path, page="/curate/account", **data):
    return client.post(path, data={"csrf_token": token_of(client.get(page).data), **data})


def test_the_account_page_shows_who_you_are_and_your_roles(team):
    page = signed_in_client(team, "ann").get("/curate/account")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Your account" in text and "Ann Peeters" in text and "curator" in text and ">ann<" in text


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(team):
    here, there = signed_in_client(team, "ann"), signed_in_client(team, "ann")
    changed = post(here, "/curate/account/password", old=PASSWORD, new=NEW, again=NEW)
    assert changed.status_code == 302 and changed.headers["Location"].endswith("/curate/account?done=password")
    assert "Your password is changed" in here.get("/curate/account?done=password").get_data(as_text=True)
    assert there.get("/curate/account").status_code == 302
    assert sign_in(team.test_client(), "ann", PASSWORD).status_code == 401
    assert sign_in(team.test_client(), "ann", NEW).status_code == 302


@pytest.mark.parametrize("old, new, again, message", [
    ("not my password", NEW, NEW, "That is not your current password."),
    (PASSWORD, NEW, NEW + "!", "The two new passwords are not the same."),
    (PASSWORD, "short", "short", "A password needs at least 10 characters."),
])
def test_a_refused_password_change_says_why_at_the_field_and_changes_nothing(team, old, new, again, message):
    client = signed_in_client(team, "ann")
    refused = post(client, "/curate/account/password", old=old, new=new, again=again)
    assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert client.get("/curate/account").status_code == 200
    assert sign_in(team.test_client(), "ann", PASSWORD).status_code == 302


def test_signing_out_everywhere_else_ends_the_other_sessions_only(team):
    here, there = signed_in_client(team, "ann"), signed_in_client(team, "ann")
    assert post(here, "/curate/account/sessions").status_code == 302
    assert here.get("/curate/account").status_code == 200
    assert there.get("/curate/account").status_code == 302


def test_a_token_is_shown_once_then_listed_by_label_works_as_bearer_and_is_revoked(team):
    client = signed_in_client(team, "ann")
    created = post(client, "/curate/account/tokens", label="nightly import")
    assert created.status_code == 201
    text = created.get_data(as_text=True)
    secret = re.search(r'<code id="token-secret">([^<]+)</code>', text).group(1)
    assert 'data-copy="token-secret"' in text and "shown only once" in text
    listed = client.get("/curate/account").get_data(as_text=True)
    assert "nightly import" in listed and secret not in listed and "never" in listed
    script = team.test_client()
    assert script.get("/curate/", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    table = client.get("/curate/account").get_data(as_text=True).split("<table")[1].split("</table>")[0]
    assert "nightly import" in table and "never" not in table  # last used: just now
    token_id = secret.split(".")[0]
    assert post(client, f"/curate/account/tokens/{token_id}/revoke").status_code == 302
    assert "nightly import" not in client.get("/curate/account").get_data(as_text=True)
    assert script.get("/curate/", headers={"Authorization": f"Bearer {secret}"}).status_code == 302


def test_no_one_revokes_another_users_token(team):
    _, secret = team.extensions["vitrine"].accounts.create_token("ed", "ed's script")
    client = signed_in_client(team, "ann")
    assert post(client, f"/curate/account/tokens/{secret.split('.')[0]}/revoke").status_code == 404
    assert team.extensions["vitrine"].accounts.token_user(secret).name == "ed"


def test_a_users_api_tokens_outlive_a_role_change_a_new_password_a_profile_update_and_signing_out(team):
    """Every change to a user rewrote their row with INSERT OR REPLACE, whose delete cascaded to the
    user's tokens: a role change, or an institutional sign-in updating the profile, revoked them all."""
    accounts = team.extensions["vitrine"].accounts
    _, secret = accounts.create_token("ed", "nightly import")
    accounts.set_roles("ed", ["editor"], ["brooklyn", "rijks"])
    accounts.set_profile("ed", "Ed Janssens", "ed@example.org")
    accounts.set_password("ed", NEW)
    accounts.end_sessions("ed")
    assert [token.label for token in accounts.tokens("ed")] == ["nightly import"]
    script = team.test_client()
    assert script.get("/curate/", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    accounts.add("olga", identity="https://login.example.org|42", roles=["editor"], institutions=["brooklyn"])
    with pytest.raises(StoreError):  # nor does a second user with the same identity replace the first's row
        accounts.add("olga-2", identity="https://login.example.org|42")
    assert accounts.get("olga").roles == ["editor"] and accounts.get("olga-2") is None
    accounts.remove("ed")  # removing the user is what takes their tokens
    assert accounts.token_user(secret) is None


def test_tokens_made_in_the_same_second_are_listed_newest_first(team):
    accounts = team.extensions["vitrine"].accounts
    for n in range(4):
        accounts.create_token("ann", f"script {n}")
    store = team.extensions["vitrine"].store
    for token in sorted(accounts.tokens("ann"), key=lambda t: t.label):  # made again in order, in one second
        store.delete_token(token.id)
        store.put_token(dataclasses.replace(token, created="2026-03-01T00:00:00+00:00"))
    assert [token.label for token in accounts.tokens("ann")] == [f"script {n}" for n in (3, 2, 1, 0)]


@pytest.mark.parametrize("path", [
    "/curate/account/password", "/curate/account/sessions", "/curate/account/tokens",
    "/curate/account/tokens/abc/revoke", "/curate/users/ann/roles", "/curate/users/ann/remove",
])
def test_every_account_and_users_form_is_refused_without_its_csrf_token(team, path):
    client = signed_in_client(team, "root")
    refused = client.post(path, data={"old": PASSWORD, "new": NEW, "again": NEW, "label": "x", "roles": ["admin"]})
    assert refused.status_code == 400
    svc = team.extensions["vitrine"]
    assert svc.accounts.get("ann").roles == ["curator"] and svc.accounts.tokens("root") == []
    assert client.get("/curate/account").status_code == 200


def test_an_admin_grants_roles_and_an_editors_institutions(team):
    client = signed_in_client(team, "root")
    page = client.get("/curate/users").get_data(as_text=True)
    assert "Ann Peeters" in page and "Brooklyn Museum" in page and "Signs in with a password." in page
    saved = post(client, "/curate/users/ann/roles", page="/curate/users", roles=["curator", "editor"],
                 institutions=["spacex", "not-an-institution"])
    assert saved.status_code == 302
    ann = team.extensions["vitrine"].accounts.get("ann")
    assert ann.roles == ["editor", "curator"] and ann.institutions == ["spacex"]
    assert post(client, "/curate/users/ann/roles", page="/curate/users").status_code == 302
    assert team.extensions["vitrine"].accounts.get("ann").roles == []


def test_an_admin_cannot_take_their_own_admin_role_or_remove_themselves(team):
    client = signed_in_client(team, "root")
    refused = post(client, "/curate/users/root/roles", page="/curate/users", roles=["curator"])
    assert refused.status_code == 422 and "your own admin role" in refused.get_data(as_text=True)
    assert post(client, "/curate/users/root/remove", page="/curate/users").status_code == 422
    assert team.extensions["vitrine"].accounts.get("root").roles == ["admin"]


def test_removing_a_user_asks_to_confirm_first(team):
    client = signed_in_client(team, "root")
    asked = client.get("/curate/users/ed/remove")
    assert asked.status_code == 200 and "Remove ed?" in asked.get_data(as_text=True)
    assert team.extensions["vitrine"].accounts.get("ed") is not None
    assert post(client, "/curate/users/ed/remove", page="/curate/users/ed/remove").status_code == 302
    assert team.extensions["vitrine"].accounts.get("ed") is None
    assert client.get("/curate/users/ed/remove").status_code == 404


def test_the_users_page_is_403_for_everyone_but_admins(team):
    for name in ("ann", "ed"):
        client = signed_in_client(team, name)
        assert client.get("/curate/users").status_code == 403
        assert client.get("/curate/audit").status_code == 403


def test_the_session_cookie_is_httponly_lax_and_secure_behind_a_trusted_https_proxy(team):
    plain = sign_in(team.test_client(), "ann").headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    proxied = client_from(team, "127.0.0.1")
    token = token_of(proxied.get("/curate/login", headers={"X-Forwarded-Proto": "https"}).data)
    cookie = proxied.post("/curate/login", data={"name": "ann", "password": PASSWORD, "csrf_token": token},
                          headers={"X-Forwarded-Proto": "https"}).headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    stranger = client_from(team, "203.0.113.9")
    token = token_of(stranger.get("/curate/login", headers={"X-Forwarded-Proto": "https"}).data)
    cookie = stranger.post("/curate/login", data={"name": "ann", "password": PASSWORD, "csrf_token": token},
                           headers={"X-Forwarded-Proto": "https"}).headers["Set-Cookie"]
    assert "Secure" not in cookie  # an untrusted address cannot claim HTTPS


def test_twenty_failures_from_one_address_across_accounts_slow_that_address_only(team):
    accounts = team.extensions["vitrine"].accounts
    for i in range(5):
        accounts.add(f"user{i}", PASSWORD, roles=["curator"])
    attacker = client_from(team, "198.51.100.7")
    for i in range(5):
        for _ in range(4):  # under the per-account limit of 5
            assert sign_in(attacker, f"user{i}", "guessed wrong").status_code == 401
    refused = sign_in(attacker, "ann")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    elsewhere = client_from(team, "192.0.2.1")
    assert sign_in(elsewhere, "user0").status_code == 302


@pytest.mark.parametrize("payload", XSS)
def test_a_hostile_display_name_and_token_label_are_inert_on_every_page(team, payload):
    svc = team.extensions["vitrine"]
    svc.accounts.add("mallory", PASSWORD, roles=["curator", "admin"], display_name=payload)
    client = signed_in_client(team, "mallory")
    created = post(client, "/curate/account/tokens", label=payload).get_data(as_text=True)
    pages = [created] + [client.get(path).get_data(as_text=True) for path in
                         ("/curate/", "/curate/account", "/curate/users", "/curate/users/ann/remove")]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page and 'href="javascript:' not in page
    assert "alert(1)" in pages[2]  # shown, as text


def test_the_audit_trail_shows_who_changed_an_exhibition_and_what(team):
    svc = team.extensions["vitrine"]
    ann = svc.accounts.get("ann")
    svc.exhibitions.save(Exhibition(slug="birth", title={"en": ["Birth"]}), ann, expected=0)
    first = svc.exhibitions.get("birth", ann)
    svc.exhibitions.save(dataclasses.replace(first, title={"en": ["Births"]}), ann, expected=first.version)
    client = signed_in_client(team, "root")
    page = client.get("/curate/audit/exhibition/birth").get_data(as_text=True)
    assert "Audit trail of exhibition birth" in page
    assert page.count(">ann<") == 2 and page.count("· ann</h3>") == 2  # two logged changes, two revisions
    assert "<code>title.en</code>" in page
    assert re.search(r"<del>[^<]*Birth[^<]*</del>\s*<ins>[^<]*Births", page)
    latest = client.get("/curate/audit").get_data(as_text=True)
    assert 'href="/curate/audit/exhibition/birth"' in latest and ">ann<" in latest
    assert "command line / import" in latest  # the collection's import names no user


def test_the_audit_trail_shows_an_editors_change_to_an_object(team):
    svc = team.extensions["vitrine"]
    obj = svc.catalogue.object("horse")
    edited = dataclasses.replace(obj, label={**obj.label, "en": ["A horse, corrected"]})
    svc.objects.update(edited, svc.accounts.get("ed"), expected=obj.version)
    page = signed_in_client(team, "root").get("/curate/audit/object/horse").get_data(as_text=True)
    assert "Audit trail of object horse" in page and ">ed<" in page and "A horse, corrected" in page
    assert "command line / import" in page  # the import that created it


def test_the_latest_changes_are_paged(team):
    client = signed_in_client(team, "root")
    first = client.get("/curate/audit").get_data(as_text=True)
    rows = first.count("<tr>") - 1
    assert 0 < rows <= 50
    assert client.get("/curate/audit?page=999").status_code == 200
    assert "No change on this page." in client.get("/curate/audit?page=999").get_data(as_text=True)
