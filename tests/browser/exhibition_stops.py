"""What the exhibition viewer tests check at a stop: the canvas Mirador shows, fitted whole and drawn,
or the 3D model rendered, with its caption; and the answers and page errors seen meanwhile."""
from __future__ import annotations

import io
import re

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
