"""The exhibition editor in Chromium: sign in, create an exhibition with two sections, add three works
from two institutions by searching inside the editor, write captions in two languages, reorder by drag
and by keyboard (the new place announced), meet the conflict page after another curator's save, and
axe-core on every editor page (no serious or critical violation)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from support import COLLECTION, import_file, serving
from test_curator_foundation import PASSWORD, sign_in
from test_exhibition_editor import form_of, post_form

from catalogue import create_app

from .conftest import new_tab, screenshot, serious_violations


@pytest.fixture(scope="module")
def editing(tmp_path_factory):
    """A catalogue of its own (the editor writes), with the test collection and two curators, served on 127.0.0.1."""
    app = create_app({"INSTANCE": str(tmp_path_factory.mktemp("editor") / "instance")})
    import_file(app, COLLECTION)
    for name in ("ann", "bob"):
        app.extensions["vitrine"].accounts.add(name, PASSWORD, roles=["curator"])
    with serving(app) as base:
        yield app, base
    app.extensions["vitrine"].close()


@pytest.fixture(scope="module")
def tab(browser, editing):
    page = new_tab(browser, axe=True, console=False)
    yield page
    page.close()


def order(app, slug="birth"):
    return [[i.object for i in s.items] for s in app.extensions["vitrine"].store.get_exhibition(slug).sections]




def add_work(page: Page, words: str, label: str, section: str) -> None:
    page.get_by_label("Search the catalogue").fill(words)
    page.get_by_label("Add to section", exact=True).select_option(label=section)
    page.get_by_role("button", name="Search", exact=True).click()
    name = re.compile(f"Add to section “{section.split('. ', 1)[1]}”\\W+{label}")
    page.get_by_role("button", name=name).click()
    expect(page.locator("#announce")).to_contain_text(f"Added “{label}”")


def test_a_curator_assembles_an_exhibition_reorders_it_and_meets_the_conflict_page(tab: Page, editing):
    app, server = editing
    violations: list[str] = []
    tab.goto(f"{server}/curate/login?next=/curate/exhibitions")
    tab.get_by_label("User name").fill("ann")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("heading", name="My exhibitions")).to_be_visible()
    violations += serious_violations(tab)

    tab.get_by_role("link", name="New exhibition").click()
    tab.get_by_label("Address", exact=True).fill("birth")
    tab.locator("#title\\.en").fill("Birth")
    tab.locator("#title\\.nl").fill("Geboorte")
    tab.get_by_label("Curators").fill("ann, bob")
    violations += serious_violations(tab)
    tab.get_by_role("button", name="Create").click()
    expect(tab.locator("#announce")).to_contain_text("Created the exhibition “Birth”.")
    for title in ("First", "Second"):
        tab.get_by_label("Title of a new section").fill(title)
        tab.get_by_role("button", name="Add a section").click()
        expect(tab.locator("#announce")).to_contain_text(f"Added the section “{title}”.")
    violations += serious_violations(tab)

    tab.get_by_role("link", name=re.compile("Add works to this section\\W+First")).click()
    add_work(tab, "coins", "Greek coins from Pompeii", "1. First")
    add_work(tab, "album", "Album of textures", "1. First")
    add_work(tab, "falcon", "Falcon 9 launch", "2. Second")  # another institution
    violations += serious_violations(tab)
    assert order(app) == [["coins", "album"], ["rocket"]]

    tab.get_by_role("link", name="Back to the editor").click()
    tab.locator("#s0i0\\.caption\\.en").fill("Two <b>silver</b> coins")
    tab.locator("#s0i0\\.caption\\.nl").fill("Twee zilveren munten")
    tab.get_by_role("button", name="Save").first.click()
    expect(tab.locator("#announce")).to_contain_text("Saved.")
    caption = app.extensions["vitrine"].store.get_exhibition("birth").sections[0].items[0].caption
    assert caption == {"en": ["Two <b>silver</b> coins"], "nl": ["Twee zilveren munten"]}

    # by keyboard: focus the move button, Enter; the new place is announced and focus comes back to it
    tab.locator("#s0i0-down").focus()
    tab.keyboard.press("Enter")
    expect(tab.locator("#announce")).to_have_text(
        "Moved “Greek coins from Pompeii” to position 2 of 2 in “First”.")
    expect(tab.locator("#s0i1-down")).to_be_focused()  # the button pressed, at its new place
    tab.reload()
    expect(tab.locator("#s0 .item h4")).to_have_text(["1. Album of textures", "2. Greek coins from Pompeii"])
    assert order(app) == [["album", "coins"], ["rocket"]]

    # by drag: the rocket's handle onto the first work of the first section
    expect(tab.locator("#editor-form[data-drag-ready]")).to_have_count(1)
    handle = tab.locator("#s1i0 .drag-handle")
    target = tab.locator("#s0i0 .item-head")
    handle.scroll_into_view_if_needed()
    start, end = handle.bounding_box(), target.bounding_box()
    tab.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    tab.mouse.down()
    tab.mouse.move(start["x"] + 5, start["y"] - 10, steps=5)
    tab.mouse.move(end["x"] + 40, end["y"] + 8, steps=25)
    tab.mouse.up()
    expect(tab.locator("#announce")).to_have_text("Saved the new order.")
    dragged = order(app)
    assert sorted(dragged[0]) == ["album", "coins", "rocket"] and dragged[1] == []  # into the first section
    labels = {"rocket": "Falcon 9 launch", "album": "Album of textures", "coins": "Greek coins from Pompeii"}
    expect(tab.locator("#s0 .item h4")).to_have_text([f"{n}. {labels[o]}" for n, o in enumerate(dragged[0], 1)])
    screenshot(tab, "exhibition-editor")

    # another curator saves meanwhile: ann's save meets the conflict page, her text kept
    bob = app.test_client()
    sign_in(bob, "bob")
    mine = form_of(bob.get("/curate/exhibitions/birth").data)
    assert post_form(bob, "birth", mine, summary__fr="Le résumé de Bob").status_code == 302
    svc = app.extensions["vitrine"]
    tab.locator("#s0i0\\.caption\\.de").fill("Mein Text")
    tab.get_by_role("button", name="Save").first.click()
    expect(tab.get_by_role("heading", name="Someone else saved this exhibition while you were editing")).to_be_visible()
    expect(tab.locator(".conflict")).to_contain_text("saved by bob")
    expect(tab.locator(".conflict")).to_contain_text("Le résumé de Bob")
    expect(tab.locator("#s0i0\\.caption\\.de")).to_have_value("Mein Text")
    violations += serious_violations(tab)
    tab.get_by_role("button", name="Save").first.click()
    expect(tab.locator("#announce")).to_contain_text("Saved.")
    saved = svc.store.get_exhibition("birth")
    assert saved.sections[0].items[0].caption.get("de") == ["Mein Text"]
    assert saved.summary == {"fr": ["Le résumé de Bob"]}  # what Bob changed and Ann did not: kept

    for path in ("/duplicate", "/delete"):
        tab.goto(f"{server}/curate/exhibitions/birth{path}")
        violations += serious_violations(tab)
    tab.set_viewport_size({"width": 390, "height": 844})
    for path in ("", "/works?q=coins"):
        tab.goto(f"{server}/curate/exhibitions/birth{path}")
        violations += serious_violations(tab)
    tab.set_viewport_size({"width": 1280, "height": 900})
    assert violations == []
    assert tab.errors == []
