"""A curator previews the demo's draft exhibition in Chromium: the visitor's page under a preview
banner, its own manifest drawn in the page's Mirador; publishes it; and a signed-out visitor then
walks it. axe-core finds no serious or critical violation on the publishing and revisions pages."""
from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page, expect
from support import serving

from catalogue import create_app
from catalogue.cli import main

from .conftest import new_tab, screenshot, serious_violations, sign_in_page, until
from .exhibition_stops import drawn, errors, watch

SLUG = "everyday-things"  # the demo's draft
PASSWORD = "correct horse battery"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def curated(tmp_path_factory):
    """The demo in an instance of its own (this test writes), its draft curated by "cura"; served on 127.0.0.1."""
    instance = tmp_path_factory.mktemp("preview")
    loaded = CliRunner().invoke(main, ["demo"], env={"VITRINE_INSTANCE": str(instance)})
    assert loaded.exit_code == 0, loaded.output
    app = create_app({"INSTANCE": str(instance)})
    svc = app.extensions["vitrine"]
    svc.accounts.add("cura", PASSWORD, roles=["curator"])
    draft = svc.store.get_exhibition(SLUG)
    section = draft.sections[0]
    pictures = [item for item in section.items if not item.object.startswith("iiif-")]  # the pictures, not the 3D lamp
    svc.exhibitions.save(dataclasses.replace(draft, curators=["cura"],
                                             sections=[dataclasses.replace(section, items=pictures)]))
    with serving(app) as base:
        yield base
    svc.close()


@pytest.fixture
def tab(browser, curated) -> Page:
    page = new_tab(browser, axe=True)
    yield page
    page.close()






MANIFEST_IN_VIEWER = """() => {
  const el = document.getElementById('exhibition-viewer');
  if (!el || !el.mirador) return null;
  const win = el.mirador.store.getState().windows['exhibition-viewer-window'];
  return win ? win.manifestId : null;
}"""


def test_a_curator_previews_the_draft_in_mirador_publishes_it_and_a_visitor_then_sees_it(tab: Page, curated):
    server = curated
    sign_in_page(tab, server, "cura", PASSWORD)
    answers = watch(tab, server)
    tab.goto(f"{server}/curate/exhibitions/{SLUG}/preview")
    expect(tab.locator(".preview-banner")).to_contain_text("Preview — not published")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Everyday things")
    expect(tab.locator("li.route-item")).to_have_count(3)
    tab.get_by_role("button", name="Open in viewer").first.click()
    until(lambda: tab.evaluate(MANIFEST_IN_VIEWER), message="Mirador's window")
    assert tab.evaluate(MANIFEST_IN_VIEWER) == f"{server}/curate/exhibitions/{SLUG}/preview/manifest"
    until(lambda: drawn(tab), timeout=45, message="the preview's first stop drawn")
    screenshot(tab, "exhibition-preview")
    assert any("/preview/manifest" in url for url, _status in answers)
    assert any("/iiif/image/" in url for url, _status in answers)  # the public Image API
    assert [a for a in answers if a[1] != 200] == []
    assert errors(tab) == []

    tab.goto(f"{server}/curate/exhibitions/{SLUG}/publish")
    tab.get_by_role("button", name="Publish now").click()
    expect(tab.locator(".publishing-status")).to_contain_text("Published")

    tab.context.clear_cookies()  # a visitor, signed out
    tab.goto(f"{server}/exhibition/{SLUG}")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Everyday things")
    expect(tab.locator(".preview-banner")).to_have_count(0)
    assert tab.locator("[data-viewer]").get_attribute("data-manifest") == \
        f"{server}/iiif/exhibition/{SLUG}/manifest"


@pytest.mark.parametrize("size", SIZES)
def test_the_publishing_and_revisions_pages_have_no_serious_accessibility_violation(tab: Page, curated, size):
    server = curated
    tab.set_viewport_size(SIZES[size])
    sign_in_page(tab, server, "cura", PASSWORD)
    found = []
    for lang in ("en", "nl", "fr", "de"):
        for path in (f"/curate/exhibitions/{SLUG}/publish", f"/curate/exhibitions/{SLUG}/revisions",
                     f"/curate/exhibitions/{SLUG}/revisions/1/2"):
            tab.goto(f"{server}{path}?lang={lang}")
            expect(tab.get_by_role("heading", level=1)).to_be_visible()
            found += serious_violations(tab)
            if lang in ("en", "de"):
                screenshot(tab, f"curate-{path.split('/', 4)[4].replace('/', '-')}-{lang}-{size}")
    assert found == [], "\n".join(found)
