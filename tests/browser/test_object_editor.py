"""An editor at work in Chromium: signs in, corrects a label in French, picks a subject from the
thesaurus by a word in another language, saves, and sees it on the public page; axe-core finds no
serious or critical violation on the editor's pages, on a desktop and on a phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from support import COLLECTION, import_file, serving

from catalogue import create_app

from .conftest import screenshot, serious_violations, sign_in_page

PASSWORD = "correct horse battery"
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A catalogue of its own (this test writes), with an editor of the Brooklyn Museum, served on 127.0.0.1."""
    app = create_app({"INSTANCE": str(tmp_path_factory.mktemp("editor") / "i"), "TESTING": True})
    import_file(app, COLLECTION)
    accounts = app.extensions["vitrine"].accounts
    accounts.add("ed", PASSWORD, roles=["editor"], institutions=["brooklyn"])
    accounts.add("root", PASSWORD, roles=["admin"])
    app.extensions["vitrine"].objects.withdraw(["album"])  # the withdrawn list has one to show
    with serving(app) as base:
        yield base, app
    app.extensions["vitrine"].close()


@pytest.fixture
def tab(curator_tab):
    return curator_tab




def test_an_editor_corrects_a_french_label_picks_a_subject_and_sees_it_on_the_public_page(tab: Page, site):
    base, app = site
    sign_in_page(tab, base, "ed", PASSWORD)
    tab.goto(f"{base}/curate/objects")
    tab.get_by_role("link", name="Greek coins from Pompeii").click()
    expect(tab.locator("h1")).to_contain_text("Greek coins from Pompeii")
    tab.fill("#f-label\\.fr", "Monnaies grecques trouvées à Pompéi")
    tab.fill("#f-find", "Geburt")  # German, for a concept the editor reads in English
    tab.get_by_role("button", name="Find", exact=True).click()
    add = tab.locator("button.add-subject", has_text="birth")
    expect(add).to_be_visible()
    expect(tab.locator("#f-label\\.fr")).to_have_value("Monnaies grecques trouvées à Pompéi")  # the search kept it
    add.click()
    expect(tab.locator('input[name=subjects][value="test:birth"]')).to_have_count(1)
    expect(tab.locator("#f-label\\.fr")).to_have_value("Monnaies grecques trouvées à Pompéi")
    tab.locator(".form-actions:not(.top) button.primary").click()
    expect(tab.locator(".form-saved")).to_be_visible()
    screenshot(tab, "object-editor-saved")
    assert tab.errors == []

    tab.goto(f"{base}/object/coins?lang=fr")
    expect(tab.locator("h1")).to_have_text("Monnaies grecques trouvées à Pompéi")
    expect(tab.locator("body")).to_contain_text("naissance")
    obj = app.extensions["vitrine"].store.get_object("coins")
    assert obj.label["fr"] == ["Monnaies grecques trouvées à Pompéi"] and "test:birth" in obj.subjects


def _violations(page: Page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    return serious_violations(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_serious_accessibility_violation_on_the_editor_pages(tab: Page, site, viewport):
    base, _app = site
    tab.set_viewport_size(viewport)
    sign_in_page(tab, base, "root", PASSWORD)
    pages = ["/curate/objects", "/curate/objects?q=coins", "/curate/objects/coins", "/curate/objects/coins?find=geld",
             "/curate/objects/coins/revisions", "/curate/objects/withdrawn", "/curate/objects/coins/withdraw",
             "/curate/objects/horse/delete"]
    found = [v for path in pages for lang in ("en", "fr")
             for v in _violations(tab, f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")]
    assert not found, "\n".join(found)
    tab.goto(f"{base}/curate/objects/coins")
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the form is {width}px wide on a {viewport['width']}px screen"
    screenshot(tab, f"object-editor-{viewport['width']}")
