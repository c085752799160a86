"""The curator side's foundation: accounts, sign-in, CSRF, role doors, no lost update, revisions, audit."""
from __future__ import annotations

import dataclasses
import re

import pytest

from catalogue.model import Exhibition
from catalogue.services.exhibitions import Forbidden
from catalogue.store import StaleVersion

PASSWORD = "correct horse battery"


def token_of(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def sign_in(client, name: str, password: str = PASSWORD):
    token = token_of(client.get("/curate/login").data)
    return client.post("/curate/login", data={"name": name, "password": password, "csrf_token": token})


def signed_in_client(app, name: str | None):
    """A test client signed in as ``name`` through the login form (None: a visitor, signed out)."""
    client = app.test_client()
    if name:
        assert sign_in(client, name).status_code == 302
    return client


@pytest.fixture
def curators(collection):
    accounts = collection.extensions["vitrine"].accounts
    accounts.add("ann", PASSWORD, roles=["curator"])
    accounts.add("bob", PASSWORD, roles=["curator"])
    accounts.add("eve", PASSWORD)  # no role yet
    return collection


def test_a_password_is_stored_as_an_argon2_hash_never_as_itself(curators):
    user = curators.extensions["vitrine"].store.get_user("ann")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_signing_in_opens_the_curator_pages_and_signing_out_closes_them(curators):
    client = curators.test_client()
    assert client.get("/curate/").status_code == 302
    response = sign_in(client, "ann")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/curate/")
    assert page.status_code == 200 and b"ann" in page.data
    assert page.headers["Cache-Control"] == "private, no-store"
    client.post("/curate/logout", data={"csrf_token": token_of(page.data)})
    assert client.get("/curate/").status_code == 302


def test_a_copied_session_cookie_is_worthless_after_sign_out(curators):
    client = curators.test_client()
    sign_in(client, "ann")
    page = client.get("/curate/")
    stolen = client.get_cookie("session").value
    client.post("/curate/logout", data={"csrf_token": token_of(page.data)})
    thief = curators.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/curate/").status_code == 302


def test_a_form_without_its_csrf_token_is_refused(curators):
    client = curators.test_client()
    response = client.post("/curate/login", data={"name": "ann", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/curate/").status_code == 302


def test_a_wrong_password_is_refused_and_repeated_failures_are_slowed(curators):
    client = curators.test_client()
    for _ in range(5):
        assert sign_in(client, "ann", "not the password").status_code == 401
    refused = sign_in(client, "ann")  # even the right password waits now
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


@pytest.mark.shipped_argon2
def test_an_unknown_names_sign_in_costs_one_argon2_check_like_a_known_names_even_the_first(curators, monkeypatch):
    """The time a refusal takes says nothing of whether the name exists, at a process's first sign-in too
    (the decoy an unknown name is checked against is not hashed then: that would double the work)."""
    from argon2 import PasswordHasher

    from catalogue.services import accounts

    accounts._nobody.cache_clear()  # as in a process that has not yet refused an unknown name
    work: list[str] = []
    for name in ("hash", "verify"):
        original = getattr(PasswordHasher, name)
        monkeypatch.setattr(PasswordHasher, name,
                            lambda self, *a, _o=original, _n=name, **k: (work.append(_n), _o(self, *a, **k))[1])
    client = curators.test_client()
    for name in ("nobody-here", "ann"):
        work.clear()
        assert sign_in(client, name, "not the password").status_code == 401
        assert work == ["verify"], name


def test_signed_out_gets_a_redirect_to_login_and_a_user_without_a_role_only_their_account(curators):
    client = curators.test_client()
    response = client.get("/curate/")
    assert response.status_code == 302 and "/curate/login?next=/curate/" in response.headers["Location"]
    sign_in(client, "eve")
    start = client.get("/curate/")
    assert start.status_code == 200 and b"no role yet" in start.data
    assert client.get("/curate/account").status_code == 200
    assert client.get("/curate/exhibitions").status_code == 403


def test_after_sign_in_only_a_local_page_is_a_target(curators):
    client = curators.test_client()
    token = token_of(client.get("/curate/login").data)
    response = client.post("/curate/login", data={"name": "ann", "password": PASSWORD, "csrf_token": token,
                                                   "next": "//evil.example/"})
    assert response.headers["Location"] == "/curate/"


def test_a_bearer_token_is_its_users_and_is_stored_hashed(curators):
    accounts = curators.extensions["vitrine"].accounts
    token, secret = accounts.create_token("ann", "script")
    stored = curators.extensions["vitrine"].store.get_token(token.id)
    assert secret.split(".")[1] not in stored.secret_hash
    assert accounts.token_user(secret).name == "ann"
    assert accounts.token_user(secret[:-1] + "x") is None
    accounts.revoke_token("ann", token.id)
    assert accounts.token_user(secret) is None


def test_a_stale_save_is_refused_and_nothing_of_either_edit_is_lost(curators):
    svc = curators.extensions["vitrine"]
    ann, bob = svc.accounts.get("ann"), svc.accounts.get("bob")
    draft = svc.store.get_exhibition("secret-draft")
    draft = dataclasses.replace(draft, curators=["ann", "bob"])
    svc.exhibitions.save(draft)
    start = svc.store.get_exhibition("secret-draft")
    svc.exhibitions.save(dataclasses.replace(start, title={"en": ["Ann's title"]}), ann, expected=start.version)
    with pytest.raises(StaleVersion) as caught:
        svc.exhibitions.save(dataclasses.replace(start, title={"en": ["Bob's title"]}), bob, expected=start.version)
    assert caught.value.current == start.version + 1
    assert svc.store.get_exhibition("secret-draft").title == {"en": ["Ann's title"]}


def test_every_save_is_a_revision_with_its_author_and_a_restore_is_a_new_one(curators):
    svc = curators.extensions["vitrine"]
    ann = svc.accounts.get("ann")
    svc.exhibitions.save(Exhibition(slug="birth", title={"en": ["Birth"]}), ann, expected=0)
    first = svc.store.get_exhibition("birth")
    assert first.curators == ["ann"]
    svc.exhibitions.save(dataclasses.replace(first, title={"en": ["Births"]}), ann, expected=first.version)
    svc.exhibitions.restore("birth", first.version, ann, expected=first.version + 1)
    revisions = svc.exhibitions.revisions("birth", ann)
    assert [(r.version, r.user, r.data["title"]) for r in revisions] == [
        (3, "ann", {"en": ["Birth"]}), (2, "ann", {"en": ["Births"]}), (1, "ann", {"en": ["Birth"]})]
    assert [(c.action, c.user) for c in svc.store.changes_for("exhibition", "birth")] == [
        ("update", "ann"), ("update", "ann"), ("create", "ann")]


def test_a_curator_cannot_save_an_exhibition_they_do_not_curate(curators):
    svc = curators.extensions["vitrine"]
    draft = svc.store.get_exhibition("secret-draft")
    with pytest.raises(Forbidden):
        svc.exhibitions.save(dataclasses.replace(draft, title={"en": ["Mine now"]}), svc.accounts.get("bob"))


def test_captions_keep_only_the_html_iiif_allows(curators):
    svc = curators.extensions["vitrine"]
    draft = svc.store.get_exhibition("secret-draft")
    section = draft.sections[0]
    item = dataclasses.replace(section.items[0], caption={"en": ['<b>Bold</b><script>alert(1)</script>'
                                                                 '<a href="javascript:alert(1)">x</a>']})
    svc.exhibitions.save(dataclasses.replace(draft, sections=[dataclasses.replace(section, items=[item])]))
    caption = svc.store.get_exhibition("secret-draft").sections[0].items[0].caption["en"][0]
    assert "<b>Bold</b>" in caption and "script" not in caption and "javascript" not in caption


def test_a_scheduled_exhibition_is_public_from_its_opening_day(curators):
    svc = curators.extensions["vitrine"]
    client = curators.test_client()
    draft = svc.store.get_exhibition("secret-draft")
    svc.exhibitions.save(dataclasses.replace(draft, status="scheduled", opens="2999-01-01", closes=None))
    assert client.get("/exhibition/secret-draft").status_code == 404
    svc.exhibitions.save(dataclasses.replace(draft, status="scheduled", opens="2000-01-01", closes=None))
    assert client.get("/exhibition/secret-draft").status_code == 200
