"""The fields museums keep on the object page and in the object editor, in Chromium (issue 13, item
10): finished on a 390 px phone and a 1366 px desktop in four languages (nothing wider than the
screen), no serious or critical axe-core violation."""
from __future__ import annotations

import json
import shutil

import pytest
from playwright.sync_api import Page, expect
from support import COLLECTION, import_file, serving

from catalogue import create_app

from .conftest import screenshot, serious_violations, sign_in_page

PASSWORD = "correct horse battery"
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
LANGUAGES = ("en", "nl", "fr", "de")


@pytest.fixture(scope="module")
def museum(tmp_path_factory):
    """A catalogue of its own holding a painting with every museum field, and an editor of it."""
    from test_museum_fields import RECORDS

    folder = tmp_path_factory.mktemp("museum")
    shutil.copytree(COLLECTION.parent / "images", folder / "images")
    long_line = {**RECORDS[1], "id": "long", "location": "Department of Prints, Drawings and Photographs, "
                 "Cabinet 14, drawer 7", "provenance": {"en": ["Sold by the artist's widow to "
                 "Dr Henricus Wilhelmus Mesdag-Vandersteen, The Hague, 1891; by descent"]}}
    (folder / "records.jsonl").write_text("\n".join(json.dumps(r) for r in [*RECORDS, long_line]) + "\n")
    app = create_app({"INSTANCE": str(folder / "instance")})
    import_file(app, folder / "records.jsonl")
    app.extensions["vitrine"].accounts.add("ed", PASSWORD, roles=["editor"], institutions=["tate"])
    with serving(app) as base:
        yield base
    app.extensions["vitrine"].close()


def no_wider_than_the_screen(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_museum_fields_on_the_object_page_fit_and_pass_axe_in_four_languages(curator_tab: Page, museum,
                                                                                 viewport):
    tab = curator_tab
    tab.route("**/iiif/**", lambda route: route.abort())  # the viewer is not what this checks
    tab.set_viewport_size(viewport)
    for lang in LANGUAGES:
        tab.goto(f"{museum}/object/long?lang={lang}")
        details = tab.locator("dl.meta")
        expect(details).to_contain_text("N00476")
        expect(details).to_contain_text("1775–1851")
        expect(details.locator("dd.museum").first).to_be_visible()
        no_wider_than_the_screen(tab)
        assert serious_violations(tab) == []
        if lang in ("en", "de"):
            screenshot(tab, f"museum-object-{lang}-{viewport['width']}")
    tab.goto(f"{museum}/object/long?lang=de")
    expect(tab.locator("dl.meta")).to_contain_text("Bildträger: 1705 × 2416 mm")


def test_the_museum_fields_of_the_object_editor_fit_a_phone_and_a_desktop_and_pass_axe(curator_tab: Page,
                                                                                      museum):
    tab = curator_tab
    sign_in_page(tab, museum, "ed", PASSWORD)
    for viewport in (PHONE, DESKTOP):
        tab.set_viewport_size(viewport)
        for lang in LANGUAGES:
            tab.goto(f"{museum}/curate/objects/shipwreck?lang={lang}")
            expect(tab.locator("#f-accession_number")).to_have_value("N00476")
            expect(tab.locator("#f-dimensions\\.1\\.value")).to_have_value("2416")
            no_wider_than_the_screen(tab)
            assert serious_violations(tab) == []
        screenshot(tab, f"museum-editor-de-{viewport['width']}")
    tab.goto(f"{museum}/curate/objects/shipwreck?lang=en")
    tab.locator("#f-location").fill("Clore Gallery, room 5")
    tab.get_by_role("button", name="Save").first.click()
    expect(tab.get_by_role("status")).to_contain_text("Saved")
    tab.goto(f"{museum}/object/shipwreck?lang=en")
    expect(tab.locator("dl.meta")).to_contain_text("Clore Gallery, room 5")
