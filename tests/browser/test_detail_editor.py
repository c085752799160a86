"""The detail drawn on the image, in Chromium: a curator drags a rectangle on the deep-zoom view of a
demo exhibition's work, the four numbers follow in the image's full-size pixels, typed numbers move the
rectangle, and the saved detail is the crop a visitor sees. Its own demo instance (this test writes)."""
from __future__ import annotations

import dataclasses
import io

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Page, expect
from support import serving

from .conftest import AXE, screenshot, serious_violations

PASSWORD = "correct horse battery"
SLUG, SECTION, ITEM = "origins", 1, 0  # Volna: a work of the demo route shown whole, so far


@pytest.fixture(scope="module")
def curated(tmp_path_factory):
    """The demo loaded by `vitrine demo` into an instance of this module's own, with a curator "cleo" of
    its route, served on 127.0.0.1."""
    from click.testing import CliRunner

    from catalogue import create_app
    from catalogue.cli import main

    instance = tmp_path_factory.mktemp("detail-demo")
    loaded = CliRunner().invoke(main, ["demo"], env={"VITRINE_INSTANCE": str(instance)})
    assert loaded.exit_code == 0, loaded.output
    app = create_app({"INSTANCE": str(instance)})
    svc = app.extensions["vitrine"]
    svc.accounts.add("cleo", PASSWORD, roles=["curator"])
    route = svc.store.get_exhibition(SLUG)
    svc.exhibitions.save(dataclasses.replace(route, curators=[*route.curators, "cleo"]))
    with serving(app) as base:
        yield app, base
    svc.close()


@pytest.fixture
def curator(browser, curated) -> Page:
    """A tab signed in as cleo, with axe-core ready in every page; its console errors in ``.errors`` and
    every Image API answer that was not a 200 in ``.bad_images``."""
    _, server = curated
    browser.clear_cookies()
    tab = browser.new_page()
    tab.set_default_timeout(30_000)
    tab.add_init_script(path=str(AXE))
    tab.errors, tab.bad_images = [], []
    tab.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: tab.errors.append(f"{error} {error.stack or ''}"[:1500]))
    tab.on("response", lambda r: tab.bad_images.append((r.status, r.url)) if "/iiif/image/" in r.url
           and r.status != 200 else None)
    tab.goto(f"{server}/curate/login")
    tab.fill("input[name=name]", "cleo")
    tab.fill("input[name=password]", PASSWORD)
    tab.locator("form:has(input[name=password]) [type=submit]").click()
    tab.wait_for_url(f"{server}/curate/")
    yield tab
    tab.close()


def numbers(page: Page) -> list[int]:
    return [int(page.input_value(f"[name=region_{side}]")) for side in "xywh"]


def to_image(page: Page, x: float, y: float) -> list[float]:
    """Where a point of the page lies on the image, in full-size pixels (OpenSeadragon's own arithmetic)."""
    return page.evaluate("""([x, y]) => {
        const viewer = document.querySelector('[data-detail-editor]').detailViewer;
        const box = viewer.element.getBoundingClientRect();
        const p = viewer.viewport.viewerElementToImageCoordinates(new OpenSeadragon.Point(x - box.left, y - box.top));
        return [p.x, p.y]; }""", [x, y])


def rectangle(page: Page) -> dict:
    """The drawn rectangle's box on the page."""
    return page.evaluate("() => document.querySelector('[data-detail-viewer] .a9s-annotation').getBoundingClientRect().toJSON()")




def test_a_curator_draws_a_detail_types_its_numbers_and_saves_the_crop_visitors_see(curator: Page, curated):
    app, server = curated
    curator.set_viewport_size({"width": 1366, "height": 900})
    curator.goto(f"{server}/curate/exhibitions/{SLUG}/items/{SECTION}/{ITEM}/detail")
    editor = curator.locator("[data-detail-editor]")
    expect(editor).to_have_attribute("data-ready", "true")
    expect(editor).to_have_attribute("data-drawing", "on")  # no detail yet: the page starts drawing
    width, height = int(editor.get_attribute("data-width")), int(editor.get_attribute("data-height"))
    curator.wait_for_function("() => document.querySelector('[data-detail-editor]').detailViewer.world.getItemAt(0)"
                              ".getFullyLoaded()", polling=100)
    assert not serious_violations(curator), serious_violations(curator)

    # Drag a rectangle on the canvas: the numbers are the dragged corners in the image's full-size pixels.
    canvas = curator.locator("[data-detail-viewer] .openseadragon-canvas").bounding_box()
    start = (canvas["x"] + canvas["width"] * 0.35, canvas["y"] + canvas["height"] * 0.3)
    end = (canvas["x"] + canvas["width"] * 0.6, canvas["y"] + canvas["height"] * 0.7)
    curator.mouse.move(*start)
    curator.mouse.down()
    curator.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=8)
    curator.mouse.move(*end, steps=8)
    curator.mouse.up()
    expect(curator.locator("[name=region_w]")).not_to_have_value("")
    x, y, w, h = numbers(curator)
    corner, far = to_image(curator, *start), to_image(curator, *end)
    assert abs(x - corner[0]) <= 0.01 * width and abs(y - corner[1]) <= 0.01 * height
    assert abs(x + w - far[0]) <= 0.01 * width and abs(y + h - far[1]) <= 0.01 * height
    assert 0 <= x and 0 <= y and 0 < w and 0 < h and x + w <= width and y + h <= height
    assert curator.locator("[data-extent=detail]").is_checked()

    # Typed numbers move the rectangle to where OpenSeadragon puts those pixels.
    typed = [width // 10, height // 5, width // 4, height // 3]
    drawn_before = rectangle(curator)
    for side, value in zip("xywh", typed):
        curator.fill(f"[name=region_{side}]", str(value))
    expect(editor).to_have_attribute("data-shown", ",".join(map(str, typed)))
    box = rectangle(curator)
    assert (round(box["x"]), round(box["y"])) != (round(drawn_before["x"]), round(drawn_before["y"]))
    assert abs(to_image(curator, box["x"], box["y"])[0] - typed[0]) <= 0.01 * width
    assert abs(to_image(curator, box["x"] + box["width"], box["y"] + box["height"])[1] - typed[1] - typed[3]) \
        <= 0.01 * height
    screenshot(curator, "detail-editor-desktop")

    curator.get_by_role("button", name="Save the detail").click()
    curator.wait_for_load_state()
    item = app.extensions["vitrine"].store.get_exhibition(SLUG).sections[SECTION].items[ITEM]
    assert item.region == typed

    # Back on the editor, at this item, with the crop: the Image API's picture of that region, in its proportions.
    assert curator.url.endswith(f"/curate/exhibitions/{SLUG}#s{SECTION}i{ITEM}")
    crop = curator.locator(f"#s{SECTION}i{ITEM} img[data-detail-crop]")
    expect(crop).to_be_visible()
    src = crop.get_attribute("src")
    assert f"/{typed[0]},{typed[1]},{typed[2]},{typed[3]}/" in src
    answer = curator.request.get(src)
    assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(answer.body())) as picture:
        assert abs(picture.width / picture.height - typed[2] / typed[3]) < 0.02
        assert max(ImageStat.Stat(picture.convert("L")).stddev) > 5  # a picture, not a blank
    assert curator.bad_images == [] and curator.errors == []


def test_on_a_phone_the_detail_page_is_usable_and_has_no_serious_accessibility_violation(curator: Page, curated):
    _, server = curated
    curator.set_viewport_size({"width": 390, "height": 844})
    curator.goto(f"{server}/curate/exhibitions/{SLUG}/items/2/2/detail?lang=nl")  # a detail already
    editor = curator.locator("[data-detail-editor]")
    expect(editor).to_have_attribute("data-ready", "true")
    expect(editor).to_have_attribute("data-drawing", "off")  # a detail exists: the image pans, not draws
    expect(editor).to_have_attribute("data-shown", "1280,480,1120,1840")
    assert curator.evaluate("() => document.documentElement.scrollWidth") <= 390
    for side in "xywh":
        assert curator.locator(f"[name=region_{side}]").bounding_box()["height"] >= 24
    assert not serious_violations(curator), serious_violations(curator)
    screenshot(curator, "detail-editor-phone-nl")
    assert curator.bad_images == [] and curator.errors == []
