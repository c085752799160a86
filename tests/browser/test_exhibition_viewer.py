"""The exhibition page's own viewer, stop by stop, on a phone and a desktop: every stop drawn at its own
whole view (a detail: its region), its caption beside it, and the way through it by keyboard alone."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Page, Response, expect

from .conftest import screenshot, until

SIZES = {"phone": (390, 844), "desktop": (1366, 900)}
VITRINE_ERRORS_ONLY = ("Failed to load resource", "Accessing element.ref was removed")  # Mirador 4's React 19 warning


def manifest_of(demo_app) -> dict:
    return demo_app.test_client().get("/iiif/exhibition/origins/manifest").get_json()


def body(canvas: dict) -> dict:
    return canvas["items"][0]["items"][0]["body"]


def drawn(page: Page) -> bool:
    """The deep-zoom canvas shows a picture: contrast and many colours, not black."""
    canvas = page.locator("dialog[open] .openseadragon-canvas canvas").first
    if not canvas.is_visible():
        return False
    image = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
    return ImageStat.Stat(image.convert("L")).stddev[0] > 12 and len(image.getcolors(1 << 20) or []) > 300


VIEW = """() => {
  const el = document.getElementById('exhibition-viewer');
  if (!el || !el.mirador) return null;
  const state = el.mirador.store.getState();
  const win = state.windows['exhibition-viewer-window'], viewer = state.viewers['exhibition-viewer-window'];
  const box = el.querySelector('.openseadragon-canvas');
  if (!win || !viewer || !box || !viewer.zoom) return null;
  return {canvas: win.canvasId, x: viewer.x, y: viewer.y, zoom: viewer.zoom,
          width: box.clientWidth, height: box.clientHeight,
          frame: el.getBoundingClientRect().width};
}"""


def same_canvas(a: str | None, b: str) -> bool:
    """The same canvas of the manifest (the test client's base differs from the server's)."""
    return bool(a) and a.rsplit("/canvas/", 1)[1] == b.rsplit("/canvas/", 1)[1]


def at_whole_view(page: Page, canvas: dict) -> bool:
    """Mirador shows ``canvas`` and its viewport's bounds are the canvas fitted whole (within 12%)."""
    view = page.evaluate(VIEW)
    if not view or not same_canvas(view["canvas"], canvas["id"]) or not view["width"] or not view["height"]:
        return False
    seen_w = 1 / view["zoom"]  # OpenSeadragon's zoom: 1 / the visible width, in canvas pixels
    seen_h = seen_w * view["height"] / view["width"]
    w, h = canvas["width"], canvas["height"]
    fits = w / h >= view["width"] / view["height"]  # the canvas's width fills the view, or its height does
    ratio = seen_w / w if fits else seen_h / h
    centred = abs(view["x"] - w / 2) <= 0.06 * w and abs(view["y"] - h / 2) <= 0.06 * h
    return 0.97 <= ratio <= 1.25 and centred


def current_stop(page: Page) -> int:
    return int(re.search(r"(\d+)", page.locator("dialog[open] [data-stop-counter]").inner_text()).group(1))


def check_stop(page: Page, canvas: dict, name: str, lang: str = "en") -> None:
    """The stop in view: a picture drawn at its whole view, or a 3D model rendered, with its caption."""
    number = int(canvas["id"].rsplit("/", 1)[1])
    dialog = page.locator("dialog[open]")
    expect(dialog.locator("[data-stop-counter]")).to_contain_text(f"{number} ")
    caption = dialog.locator(f".stop-caption[data-stop='{number}']")
    expect(caption).to_be_visible()
    if "summary" in canvas:
        expect(caption).to_contain_text(canvas["summary"][lang][0][:40])
    if body(canvas)["type"] == "Model":
        page.wait_for_function(
            "n => { const m = document.querySelector(`dialog[open] .stop-model[data-stop='${n}'] model-viewer`);"
            " return m && m.loaded && m.modelIsVisible; }", arg=number, polling=250)
        return
    try:
        until(lambda: at_whole_view(page, canvas), timeout=30, message=f"{name} at its whole view")
        until(lambda: drawn(page), timeout=30, message=f"{name} drawn")
    except AssertionError as failed:
        screenshot(page, "failed-" + re.sub(r"\W+", "-", name))
        raise AssertionError(f"{failed}: {page.evaluate(VIEW)}") from None
    frame = page.evaluate(VIEW)
    if not (frame["width"] >= 0.9 * frame["frame"] and frame["height"] >= 200):
        screenshot(page, "failed-" + re.sub(r"\W+", "-", name))
    assert frame["width"] >= 0.9 * frame["frame"] and frame["height"] >= 200, frame


def watch(page: Page, server: str) -> list[tuple[str, int]]:
    answers: list[tuple[str, int]] = []

    def record(response: Response) -> None:
        if response.url.startswith(server):
            answers.append((response.url, response.status))
    page.on("response", record)
    return answers


def errors(page: Page) -> list[str]:
    return [e for e in page.errors if not any(known in e for known in VITRINE_ERRORS_ONLY)]


@pytest.mark.parametrize("size", SIZES)
def test_every_stop_opens_drawn_at_its_own_whole_view_with_the_next_stop_button(page: Page, server, demo_app, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size])))
    manifest = manifest_of(demo_app)
    answers = watch(page, server)
    page.goto(f"{server}/exhibition/origins")
    page.get_by_role("button", name="Open in viewer").first.click()
    dialog = page.locator("dialog[open]")
    for index, canvas in enumerate(manifest["items"]):
        if index:
            dialog.get_by_role("button", name="Next stop").click()
        check_stop(page, canvas, f"{size} stop {index + 1}")
        screenshot(page, f"exhibition-viewer-{size}-stop-{index + 1}")
    expect(dialog.get_by_role("button", name="Next stop")).to_be_disabled()
    tiles = [(url, status) for url, status in answers if "/iiif/image/" in url]
    assert tiles and [a for a in answers if a[1] != 200] == []
    assert errors(page) == []


def test_each_stops_own_open_in_viewer_link_opens_it_at_its_whole_view(page: Page, server, demo_app):
    page.set_viewport_size({"width": 1366, "height": 900})
    manifest = manifest_of(demo_app)
    answers = watch(page, server)
    page.goto(f"{server}/exhibition/origins")
    links = page.locator(".route-item .route-text [data-open-viewer]")
    expect(links).to_have_count(len(manifest["items"]))
    for index, canvas in enumerate(manifest["items"]):
        links.nth(index).click()
        check_stop(page, canvas, f"link stop {index + 1}")
        page.locator("dialog[open]").get_by_role("button", name="Close").click()
        expect(page.locator("dialog[open]")).to_have_count(0)
    assert [a for a in answers if a[1] != 200] == []
    assert errors(page) == []


def test_the_keyboard_alone_opens_the_viewer_moves_a_stop_and_returns_focus_to_its_opener(page: Page, server, demo_app):
    page.set_viewport_size({"width": 1366, "height": 900})
    manifest = manifest_of(demo_app)
    page.goto(f"{server}/exhibition/origins")
    opener = page.get_by_role("button", name="Open in viewer").first
    for _ in range(60):  # Tab from the top of the page to the button
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('[data-open-viewer]:not(a)')"):
            break
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Open in viewer"
    page.keyboard.press("Enter")
    dialog = page.locator("dialog[open]")
    counter = dialog.locator("[data-stop-counter]")
    expect(counter).to_have_attribute("aria-live", "polite")
    expect(counter).to_have_text(f"Stop 1 of {len(manifest['items'])}")
    check_stop(page, manifest["items"][0], "keyboard stop 1")
    next_stop = dialog.get_by_role("button", name="Next stop")
    for _ in range(30):  # Tab inside the dialog to the next stop button
        if page.evaluate("() => document.activeElement.matches('[data-next-stop]')"):
            break
        page.keyboard.press("Tab")
    expect(next_stop).to_be_focused()
    page.keyboard.press("Enter")
    expect(counter).to_have_text(f"Stop 2 of {len(manifest['items'])}")
    check_stop(page, manifest["items"][1], "keyboard stop 2")
    page.keyboard.press("Escape")
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(opener).to_be_focused()
    assert errors(page) == []


def test_a_details_picture_on_the_route_zooms_in_place_with_its_caption_in_the_visitors_language(page: Page, server, demo_app):
    """On a phone, in French: the detail's own picture opens the viewer at that stop (its region whole),
    captioned in French beside the work, and the dialog's own steps are in French too."""
    page.set_viewport_size({"width": 390, "height": 844})
    manifest = manifest_of(demo_app)
    detail = next(c for c in manifest["items"] if "/detail/" in body(c)["id"])
    number = int(detail["id"].rsplit("/", 1)[1])
    page.goto(f"{server}/exhibition/origins?lang=fr")
    picture = page.locator(f"#stop-{number} .route-image img")
    assert picture.get_attribute("srcset").endswith(" 2x")
    page.locator(f"#stop-{number} .route-image").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.locator("[data-stop-counter]")).to_have_text(f"Étape {number} sur {len(manifest['items'])}")
    check_stop(page, detail, "the detail zoomed in place", lang="fr")
    expect(dialog.get_by_role("button", name="Étape suivante")).to_be_enabled()
    screenshot(page, "exhibition-viewer-phone-fr-detail")
    assert errors(page) == []
