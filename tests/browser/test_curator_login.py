"""Signing in on the real login page in Chromium, the start page, signing out; axe-core on the login,
account and users pages (no serious or critical violation), on a desktop and a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from support import serving

from catalogue import create_app

from .conftest import screenshot, serious_violations, sign_in_page

PASSWORD = "correct horse battery"
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """A catalogue of its own (the shared demo stays read-only) with an admin and a curator."""
    app = create_app({"INSTANCE": str(tmp_path_factory.mktemp("login") / "instance")})
    accounts = app.extensions["vitrine"].accounts
    accounts.add("root", PASSWORD, roles=["admin"], display_name="Root Admin")
    accounts.add("ann", PASSWORD, roles=["curator"], display_name="Ann Peeters")
    accounts.create_token("ann", "nightly import")
    with serving(app) as base:
        yield base
    app.extensions["vitrine"].close()


@pytest.fixture
def tab(curator_tab):
    return curator_tab






def test_a_curator_signs_in_on_the_login_page_sees_the_start_page_and_signs_out(tab: Page, catalogue):
    tab.goto(f"{catalogue}/curate/account")
    expect(tab).to_have_url(f"{catalogue}/curate/login?next=/curate/account")
    tab.get_by_label("User name").fill("ann")
    tab.get_by_label("Password").fill("not the password")
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("alert")).to_contain_text("do not match")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("heading", level=1, name="Your account")).to_be_visible()
    expect(tab.locator(".account-facts")).to_contain_text("Ann Peeters")
    expect(tab.get_by_role("cell", name="nightly import", exact=True)).to_be_visible()
    tab.get_by_role("link", name="My work").click()
    expect(tab.get_by_role("heading", level=1, name="My work")).to_be_visible()
    expect(tab.locator(".curate-home")).to_contain_text("curator")
    screenshot(tab, "curator-start")
    tab.get_by_role("button", name="Sign out").click()
    expect(tab).to_have_url(f"{catalogue}/")
    tab.goto(f"{catalogue}/curate/")
    expect(tab.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert tab.errors == []


def test_a_new_token_is_shown_once_with_a_copy_button(tab: Page, catalogue):
    sign_in_page(tab, catalogue, "ann", PASSWORD)
    tab.goto(f"{catalogue}/curate/account")
    tab.get_by_label("Label of a new token").fill("browser test")
    tab.get_by_role("button", name="Create a token").click()
    secret = tab.locator("#token-secret")
    expect(secret).to_have_text(re.compile(r"^[0-9a-f]{16}\.\S{40,}$"))
    expect(tab.get_by_role("button", name="Copy the token")).to_be_visible()
    tab.goto(f"{catalogue}/curate/account")
    expect(tab.locator("#token-secret")).to_have_count(0)
    expect(tab.get_by_role("cell", name="browser test", exact=True)).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_serious_accessibility_violation_on_the_login_account_and_users_pages(tab: Page, catalogue, viewport):
    tab.set_viewport_size(viewport)
    tab.goto(f"{catalogue}/curate/login")
    found = serious_violations(tab)
    sign_in_page(tab, catalogue, "root", PASSWORD)
    for path in ("/curate/", "/curate/account", "/curate/users", "/curate/users/ann/remove", "/curate/audit"):
        tab.goto(f"{catalogue}{path}")
        expect(tab.get_by_role("heading", level=1)).to_be_visible()
        found += serious_violations(tab)
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} is {width} px wide on a {viewport['width']} px screen"
    screenshot(tab, f"curator-users-{viewport['width']}")
    assert found == []
