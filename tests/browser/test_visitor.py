"""What a visitor sees in a real browser: search, deep zoom, books, 3D, languages, exhibitions."""
from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlencode, urlparse

from PIL import Image, ImageStat
from playwright.sync_api import Page, expect

from catalogue.iiif.content_state import ContentState, decode, encode

from .conftest import screenshot, until

TILE = re.compile(r"/iiif/image/[^/]+/[^/]+/[^/]+/0/default\.jpg$")


def total(page: Page) -> int:
    """The number of results the page announces."""
    return int(re.sub(r"\D", "", page.locator("#results-summary").inner_text()))


def is_drawn(png: bytes) -> bool:
    """A picture, not an empty canvas: contrast and many colours."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return ImageStat.Stat(image.convert("L")).stddev[0] > 12 and len(image.getcolors(1 << 20) or []) > 500


def test_a_french_search_narrows_with_a_facet_and_widens_again(page: Page, server):
    page.goto(f"{server}/?lang=fr")
    page.get_by_role("searchbox", name="Rechercher dans les collections").fill("photographie")
    page.keyboard.press("Enter")
    expect(page.locator("#results-summary")).to_contain_text("résultats")
    everything = total(page)
    assert everything >= 4 and page.locator("ol.hits > li").count() == min(everything, 20)
    expect(page.locator("ol.hits mark").first).to_be_visible()  # highlighted snippets
    institution = page.locator("[data-facet=institution] li a").first
    count = int(institution.locator(".count").inner_text())
    assert count < everything
    screenshot(page, "search-fr")
    institution.click()
    expect(page.locator(".active-filters .removable")).to_have_count(2)  # the words, the institution
    assert total(page) == count == page.locator("ol.hits > li").count()
    assert "institution=" in page.url  # the state is in the address
    page.locator(".active-filters .removable", has_text="Institution").click()
    expect(page.locator(".active-filters .removable")).to_have_count(1)
    assert total(page) == everything


def test_mirador_draws_deep_zoom_tiles_from_the_image_service(page: Page, server):
    answers = []
    page.on("response", lambda r: answers.append((r.url, r.status)) if "/iiif/image/" in r.url else None)
    page.goto(f"{server}/object/nasa-hubble-extreme-deep-field")
    page.locator("#viewer .poster").click()  # Mirador runs when the visitor reaches for the work
    canvas = page.locator("#viewer .openseadragon-canvas")
    expect(canvas).to_be_visible()
    for _ in range(2):
        page.locator("#viewer").get_by_role("button", name="Zoom in").click()  # deeper: tiles of the full resolution
    until(lambda: any(TILE.search(url) and "/full/" not in url for url, _ in answers), message="a tile request",
          page=page)
    until(lambda: is_drawn(canvas.screenshot()), message="tiles drawn on the canvas")
    assert all(status == 200 for _, status in answers), answers
    assert not [e for e in page.errors if "Failed to load resource" in e]
    screenshot(page, "object-mirador")


def test_the_book_shows_its_second_page_when_asked_and_the_view_can_be_shared(page: Page, server):
    answers = []
    page.on("response", lambda r: answers.append((r.url, r.status)) if "/iiif/image/" in r.url else None)
    page.goto(f"{server}/object/nasa-hubble-extreme-deep-field-plates")
    viewer = page.locator("#viewer")
    viewer.locator(".poster").click()  # Mirador runs when the visitor reaches for the work
    expect(viewer.get_by_text("1 of 6")).to_be_visible()
    viewer.get_by_role("button", name="Next item").click()
    expect(viewer.get_by_text("2 of 6")).to_be_visible()
    until(lambda: any("plates-2/" in url and TILE.search(url) for url, _ in answers),
          message="a tile of the second page", page=page)
    until(lambda: is_drawn(page.locator("#viewer .openseadragon-canvas").screenshot()), message="the page drawn")
    assert all(status == 200 for _, status in answers), answers
    def share():
        """The link "Share this view" gives now, and the IIIF Content State it carries."""
        page.get_by_role("button", name="Share this view").click()
        link = page.locator("#share-link").input_value()
        return link, decode(parse_qs(urlparse(link).query)["iiif-content"][0])

    # Until Mirador reports the new page's viewport, the state names the canvas alone: wait for the region.
    shared, state = until(lambda: (lambda s: s if s[1].region else None)(share()), message="a shared region")
    assert state.manifest.endswith("/iiif/object/nasa-hubble-extreme-deep-field-plates/manifest")
    assert state.canvas == state.manifest + "/canvas/2" and state.region[2] > 0
    page.goto(shared)
    expect(page.locator("#viewer").get_by_text("2 of 6")).to_be_visible()
    assert "canvas=2" in page.url and "view=" in page.url
    screenshot(page, "book-second-page")


def test_a_content_state_opens_the_exhibition_viewer_at_its_stop(page: Page, server):
    manifest = f"{server}/iiif/exhibition/origins/manifest"
    page.goto(f"{server}/view?" + urlencode({"iiif-content": encode(ContentState(manifest, manifest + "/canvas/3"))}))
    dialog = page.locator("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-stop-counter]")).to_have_text("Stop 3 of 9")
    assert page.errors == []


def test_the_3d_viewer_loads_its_model_without_console_errors(page: Page, server):
    page.goto(f"{server}/object/iiif-old-fashioned-street-lamp")
    viewer = "document.querySelector('model-viewer')"
    # a function, not an expression: Playwright polls an expression through eval(), which the page's
    # Content-Security-Policy rightly forbids
    page.wait_for_function(f"() => {viewer}.loaded && {viewer}.modelIsVisible", polling=250)  # rendered on screen
    assert page.evaluate(f"{viewer}.src").endswith("/media/iiif-old-fashioned-street-lamp-1")
    assert page.errors == []
    page.locator("model-viewer").focus()  # the viewer answers the keyboard too
    screenshot(page, "object-3d")


def test_switching_to_dutch_changes_the_interface_and_the_metadata(page: Page, server, demo_app):
    obj = demo_app.extensions["vitrine"].store.get_object("nasa-hubble-extreme-deep-field")
    page.goto(f"{server}/object/{obj.id}")
    expect(page.locator("h1:not(.viewer *)")).to_have_text(obj.label["en"][0])
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Exhibitions")
    page.get_by_role("link", name="Nederlands").click()
    expect(page.locator("h1:not(.viewer *)")).to_have_text(obj.label["nl"][0])
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_contain_text("Tentoonstellingen")
    expect(page.locator("dl.meta")).to_contain_text("Maker")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_role("link", name="Tentoonstellingen").first.click()  # remembered on the next page
    expect(page.locator("h1:not(.viewer *)")).to_have_text("Tentoonstellingen")


def test_an_exhibition_lists_its_sections_in_order_and_opens_its_viewer(page: Page, server, demo_app):
    exhibition = demo_app.extensions["vitrine"].store.get_exhibition("origins")
    page.goto(f"{server}/exhibition/origins")
    titles = page.locator("section.section h2").all_inner_texts()
    assert [re.sub(r"^\d+\s*", "", t) for t in titles] == [s.title["en"][0] for s in exhibition.sections]
    expect(page.locator(".route-item .badge", has_text="detail").first).to_be_visible()
    screenshot(page, "exhibition")
    page.get_by_role("button", name="Open in viewer").first.click()
    dialog = page.locator("dialog[open]")
    expect(dialog.locator(".openseadragon-canvas")).to_be_visible()
    dialog.get_by_role("button", name="Toggle sidebar").click()  # closed at first: the caption is beside the work
    dialog.get_by_role("tab", name="Index").click()
    for section in exhibition.sections:  # the manifest's ranges: the table of contents
        expect(dialog.get_by_text(section.title["en"][0], exact=True)).to_be_visible()
    until(lambda: is_drawn(dialog.locator(".openseadragon-canvas").screenshot()), message="the first work drawn")
    screenshot(page, "exhibition-viewer")
    page.keyboard.press("Escape")
    expect(page.locator("dialog[open]")).to_have_count(0)


def test_main_pages_fit_a_phone_and_show_where_the_keyboard_is(page: Page, server):
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in (("home", "/"), ("search", "/search?q=birth"), ("institution", "/institution/nasa"),
                       ("object", "/object/nasa-hubble-extreme-deep-field"), ("exhibition", "/exhibition/origins"),
                       ("not-found", "/object/nothing-here")):
        page.goto(server + path)
        page.wait_for_load_state("load")
        assert page.title().endswith("· Vitrine")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
        screenshot(page, f"phone-{name}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server}/")
    screenshot(page, "home")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.textContent, getComputedStyle(document.activeElement).outlineStyle]")
    assert focused == ["Skip to content", "solid"]
