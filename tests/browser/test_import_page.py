"""An editor imports from Chromium: uploads a CSV with its mapping, reads the problem in the dry run's
report, uploads the fixed file, confirms, watches the page follow the import without reloading it,
and finds the import in the history; axe-core finds no serious violation on a desktop or a phone."""
from __future__ import annotations

import json
import threading

import pytest
from playwright.sync_api import Page, expect
from support import COLLECTION, import_file, serving

from catalogue import create_app

from .conftest import screenshot, serious_violations, sign_in_page

PASSWORD = "correct horse battery"
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
MAPPING = {"defaults": {"type": "image"},
           "fields": {"id": "id", "institution": "institution", "label": {"column": "title", "language": "en"},
                      "earliest": {"column": "year", "extract": "year"}}}
HEADER = "id,institution,title,year\nlamp-1,brooklyn,Lantern of Ostend,1897\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("imports")
    app = create_app({"INSTANCE": str(folder / "i"), "TESTING": True})
    import_file(app, COLLECTION)
    app.extensions["vitrine"].accounts.add("ed", PASSWORD, roles=["editor"], institutions=["brooklyn"])
    (folder / "mapping.json").write_text(json.dumps(MAPPING))
    looked_up = {**MAPPING, "lookups": {"makers": {"file": "makers.csv", "key": "id", "optional": True}}}
    looked_up["fields"] = {**MAPPING["fields"], "creators": {
        "column": "title", "uri": {"column": "title", "transform": [{"lookup": "makers", "take": "page"}]}}}
    (folder / "lookup-mapping.json").write_text(json.dumps(looked_up))  # its lookup file is not uploaded
    (folder / "bad.csv").write_text(HEADER + "lamp-2,brooklyn,Harbour at dusk,71959-07-01\n")
    (folder / "good.csv").write_text(HEADER + "lamp-2,brooklyn,Harbour at dusk,1901\n")
    with serving(app) as base:
        yield base, app, folder
    app.extensions["vitrine"].close()


def _check(tab: Page, folder, name: str, mapping: str = "mapping.json") -> None:
    tab.get_by_role("link", name="New import").first.click()
    tab.get_by_label("Records file").set_input_files(str(folder / name))
    tab.get_by_label("Mapping (for a CSV file, or JSON in another shape)").set_input_files(str(folder / mapping))
    tab.get_by_role("button", name="Check the import").click()
    expect(tab.locator("#import-status")).to_contain_text("checked, waiting for confirmation")


def test_an_editor_fixes_a_reported_row_confirms_and_watches_the_import_end(curator_tab: Page, site):
    base, app, folder = site
    tab = curator_tab
    sign_in_page(tab, base, "ed", PASSWORD)
    tab.get_by_role("link", name="Imports").click()
    _check(tab, folder, "bad.csv")
    problem = tab.locator(".import-problems tbody tr")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("bad.csv")
    expect(problem.locator("td").nth(1)).to_have_text("3")
    expect(problem.locator("td").nth(2)).to_have_text("earliest")
    screenshot(tab, "import-problems")

    _check(tab, folder, "good.csv")
    expect(tab.locator(".import-problems")).to_have_count(0)
    store = app.extensions["vitrine"].store
    release = threading.Event()
    holding = threading.Event()

    def hold() -> None:  # another writer holds the catalogue: the import waits, the page shows it running
        with store.exclusive():
            holding.set()
            release.wait(60)

    threading.Thread(target=hold, daemon=True).start()
    assert holding.wait(10)
    try:
        tab.get_by_role("button", name="Confirm the import").click()
        expect(tab.locator("#import-status")).to_contain_text("importing")
        expect(tab.locator("#import-phase")).to_contain_text("checking the records")
    finally:
        release.set()
    expect(tab.locator("#import-status")).to_contain_text("done", timeout=60_000)  # the script reloaded it
    expect(tab.locator(".import-counts")).to_contain_text("Created")
    assert store.get_object("lamp-2") is not None
    tab.get_by_role("link", name="Import history").click()
    rows = tab.locator(".import-history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("good.csv")
    expect(rows.first).to_contain_text("ed")
    expect(rows.first).to_contain_text("done")
    assert tab.errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_serious_accessibility_violation_on_the_import_pages(curator_tab: Page, site, viewport):
    base, app, folder = site
    tab = curator_tab
    tab.set_viewport_size(viewport)
    sign_in_page(tab, base, "ed", PASSWORD)
    tab.goto(f"{base}/curate/imports")
    _check(tab, folder, "bad.csv")
    job = tab.url
    found = []
    for url in (f"{base}/curate/imports/new", job, f"{base}/curate/imports"):
        for lang in ("en", "fr"):
            tab.goto(f"{url}?lang={lang}")
            tab.wait_for_load_state("load")
            found += serious_violations(tab)
    screenshot(tab, f"import-history-{viewport['width']}")
    assert found == []
    overflow = tab.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert not overflow


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_reports_warnings_are_listed_with_their_file_and_field_and_read_well_on_a_phone(
        curator_tab: Page, site, viewport):
    base, app, folder = site
    tab = curator_tab
    tab.set_viewport_size(viewport)
    sign_in_page(tab, base, "ed", PASSWORD)
    tab.goto(f"{base}/curate/imports")
    _check(tab, folder, "good.csv", mapping="lookup-mapping.json")
    expect(tab.locator(".import-problems:not(.import-warnings)")).to_have_count(0)
    warning = tab.locator(".import-warnings tbody tr")
    expect(warning).to_have_count(1)
    expect(warning.locator("td").nth(0)).to_have_text("lookup-mapping.json")  # the mapping as it was uploaded
    expect(warning.locator("td").nth(2)).to_have_text("lookups.makers.file")
    expect(warning.locator("td").nth(3)).to_contain_text("makers.csv is not in")
    expect(tab.locator(".import-warnings caption")).to_be_visible()
    found = serious_violations(tab)
    tab.goto(f"{tab.url}?lang=nl")
    expect(tab.locator(".import-warnings caption")).to_have_text("Waarschuwingen: toch geïmporteerd, het bekijken waard")
    found += serious_violations(tab)
    screenshot(tab, f"import-warnings-{viewport['width']}")
    assert found == [] and tab.errors == []
    assert not tab.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
