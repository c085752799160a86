"""Vitrine in the IIIF viewers a visitor brings: Mirador, Universal Viewer, Clover and OpenSeadragon, each
from npm on a page of its own (tests/browser/viewers/), on another origin than Vitrine.

Each page opens ``?manifest=`` and offers ``go(index)`` to move to a canvas (a viewer's own navigation).
What is asserted is what a person sees: the canvas painted with the picture the Image API serves for that
canvas (its thumbnail, or for a detail the crop of its region), Vitrine answering every request 200,
and no console error or crash.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Page, Response

from .conftest import screenshot, until

VIEWERS = ("mirador", "uv", "clover", "osd")
IN_COPYRIGHT = "vitrine-composition-2026"  # 3200 x 2000, all rights reserved (media/demo/README.md)
REGION_URL = re.compile(r"(/iiif/image2?/[^/\s\"]+)/(\d+),(\d+),(\d+),(\d+)/[^/\s\"]+/0/default\.jpg")
DETAIL_SERVICE = re.compile(r"(/iiif/image2?/[^/\s\"]+)/detail/(\d+),(\d+),(\d+),(\d+)(?=[/\"])")
# A tile of a detail's own service at its finest level: as many pixels as its region has (a 2.1 size may be "w,").
FINEST_DETAIL_TILE = re.compile(r"/iiif/image2?/[^/]+/detail/[0-9,]+/\d+,\d+,(\d+),\d+/\1,\d*/0/default\.jpg$")


@dataclass
class Visit:
    """What one viewer asked of Vitrine, and what went wrong on its page."""
    page: Page
    server: str
    answers: list[tuple[str, int]] = field(default_factory=list)

    def record(self, response: Response) -> None:
        if response.url.startswith(self.server):
            self.answers.append((response.url, response.status))

    def refused(self) -> list[tuple[str, int]]:
        return [(url, status) for url, status in self.answers if status != 200]

    def errors(self) -> list[str]:
        """Console errors and crashes; a failed request is judged by ``refused`` (Vitrine's) instead.

        Mirador 4.0.0's bundle warns about React 19 on every page, whatever it shows: not ours to judge.
        """
        return [e for e in self.page.errors
                if not e.startswith("Failed to load resource") and "Accessing element.ref was removed" not in e]


@pytest.fixture
def visit(page: Page, server) -> Visit:
    seen = Visit(page, server)
    page.on("response", seen.record)
    return seen


def open_in(visit: Visit, viewers: str, viewer: str, document: str) -> None:
    visit.page.goto(f"{viewers}/harness/{viewer}.html?manifest={quote(visit.server + document)}")
    visit.page.wait_for_function("() => window.go", polling=250)


def go(page: Page, index: int) -> None:
    """Move the viewer to a canvas, as soon as it can be moved (its navigation drawn)."""
    page.wait_for_function("index => { try { go(index); return true; } catch (e) { return false; } }",
                           arg=index, polling=250)


def painted(page: Page) -> Image.Image | None:
    """The viewer's deep-zoom canvas as a person sees it, once a picture is painted on it."""
    canvas = page.locator(".openseadragon-canvas").first
    if not canvas.is_visible():
        return None
    image = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
    return image if ImageStat.Stat(image.convert("L")).stddev[0] > 12 else None


def centre(image: Image.Image, aspect: float, scale: float = 1.0) -> Image.Image:
    """The middle half of a picture of ``aspect`` fitted in ``image`` at ``scale`` (a viewer may leave a margin)."""
    w, h = image.size
    fit_w, fit_h = (w, w / aspect) if w / h < aspect else (h * aspect, h)
    fit_w, fit_h = fit_w * scale, fit_h * scale
    left, top = (w - fit_w) / 2 + fit_w / 4, (h - fit_h) / 2 + fit_h / 4
    return image.crop((round(left), round(top), round(left + fit_w / 2), round(top + fit_h / 2)))


def likeness(a: Image.Image, b: Image.Image) -> float:
    """Correlation of two small grey thumbnails: near 1 for the same picture, near 0 for another."""
    x, y = (list(i.convert("L").resize((12, 12), Image.BILINEAR).getdata()) for i in (a, b))
    mx, my = sum(x) / len(x), sum(y) / len(y)
    cov = sum((p - mx) * (q - my) for p, q in zip(x, y))
    spread = (sum((p - mx) ** 2 for p in x) * sum((q - my) ** 2 for q in y)) ** 0.5
    return cov / spread if spread else 0.0


def served(client, url: str) -> Image.Image:
    """What the Image API gives for one of its URLs in a document."""
    answer = client.get(url.removeprefix("http://localhost"))
    assert answer.status_code == 200, url
    return Image.open(io.BytesIO(answer.data)).convert("RGB")


def shows(page: Page, picture: Image.Image, aspect: float, name: str) -> None:
    """Wait until the viewer's canvas shows ``picture`` (a canvas of ``aspect``), whole, where a person looks."""
    expected = centre(picture, aspect)

    def alike() -> bool:
        seen = painted(page)
        return bool(seen) and max(likeness(centre(seen, aspect, s / 20), expected) for s in range(12, 21)) > 0.8

    try:
        until(alike, timeout=30, message=f"{name} drawn")
    except AssertionError:
        screenshot(page, "failed-" + re.sub(r"\W+", "-", name))  # what was on the screen instead
        raise


def stops(manifest: dict) -> list[tuple[int, dict]]:
    """The canvases painted with an image, by index: what a deep-zoom viewer draws."""
    return [(i, c) for i, c in enumerate(manifest["items"]) if c["items"][0]["items"][0]["body"]["type"] == "Image"]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_exhibition_stop_by_stop_details_included(visit: Visit, viewers, viewer, demo_app):
    """Every image stop shows its work whole, and a detail its region: the Image API's crop of it."""
    client = demo_app.test_client()
    manifest = client.get("/iiif/exhibition/origins/manifest").get_json()
    open_in(visit, viewers, viewer, "/iiif/exhibition/origins/manifest")
    for index, canvas in stops(manifest):  # the 3D stops: test_a_3d_object_degrades_without_an_error
        go(visit.page, index)
        shows(visit.page, served(client, canvas["thumbnail"][0]["id"]), canvas["width"] / canvas["height"],
              f"stop {index + 1}")
        if "/full/" not in canvas["items"][0]["items"][0]["body"]["id"]:
            screenshot(visit.page, f"{viewer}-exhibition-detail-{index + 1}")
    assert visit.errors() == []
    assert visit.refused() == []


def shows_zoomed(page: Page, picture: Image.Image, name: str) -> None:
    """Wait until the viewer shows the middle of ``picture`` magnified (zoomed in about its centre, at a
    scale only the viewer knows: each one tried, from the whole picture fitted to twenty times that)."""
    def alike() -> bool:
        seen = painted(page)
        if not seen:
            return False
        (w, h), (pw, ph) = seen.size, picture.size
        fit = min(w / pw, h / ph)
        middle = seen.crop((w // 4, h // 4, w * 3 // 4, h * 3 // 4))
        for step in range(0, 32):
            scale = fit * 1.1**step  # screen pixels per picture pixel
            cw, ch = w / 2 / scale, h / 2 / scale
            if cw < 8 or ch < 8:
                break
            crop = picture.crop((round(pw / 2 - cw / 2), round(ph / 2 - ch / 2), round(pw / 2 + cw / 2), round(ph / 2 + ch / 2)))
            if likeness(middle, crop) > 0.8:
                return True
        return False

    try:
        until(alike, timeout=30, message=f"{name} drawn")
    except AssertionError:
        screenshot(page, "failed-" + re.sub(r"\W+", "-", name))
        raise


@pytest.mark.parametrize("viewer", VIEWERS)
def test_zooming_into_a_detail_tiles_the_details_own_service_and_shows_its_region(visit: Visit, viewers, viewer, demo_app):
    """A detail is deep-zoomable: zoomed in, the viewer asks its own service for tiles (each one served)
    and what it draws is still the region the curator chose, magnified, never the rest of the work."""
    client = demo_app.test_client()
    manifest = client.get("/iiif/exhibition/origins/manifest").get_json()
    index, canvas = max(((i, c) for i, c in stops(manifest) if "/detail/" in c["items"][0]["items"][0]["body"]["id"]),
                        key=lambda stop: stop[1]["width"])  # the largest detail: more than one tile deep
    body = canvas["items"][0]["items"][0]["body"]
    region = served(client, body["id"])
    open_in(visit, viewers, viewer, "/iiif/exhibition/origins/manifest")
    # As a visitor does: the exhibition's first stop is on the screen before they move to the detail
    # (a move while Mirador still fits the first one lets that view's zoom land on the detail).
    first, opening = stops(manifest)[0]
    go(visit.page, first)
    shows(visit.page, served(client, opening["thumbnail"][0]["id"]), opening["width"] / opening["height"], "stop 1")
    go(visit.page, index)
    shows(visit.page, region, canvas["width"] / canvas["height"], "the detail")
    zoom_in(visit.page, viewer)
    until(lambda: any(FINEST_DETAIL_TILE.search(url) for url, _ in visit.answers),
          message="tiles of the detail's service at its finest level", page=visit.page)
    visit.page.wait_for_load_state("networkidle")
    shows_zoomed(visit.page, region, "the detail zoomed in")
    screenshot(visit.page, f"{viewer}-detail-zoomed")
    assert visit.errors() == []
    assert visit.refused() == []


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_3d_object_degrades_without_an_error(visit: Visit, viewers, viewer):
    """None of these viewers draws a glTF model: each must still open its manifest without an error."""
    open_in(visit, viewers, viewer, "/iiif/object/iiif-old-fashioned-street-lamp/manifest")
    visit.page.wait_for_load_state("networkidle")  # the manifest read, and whatever the viewer made of it
    screenshot(visit.page, f"{viewer}-3d")
    assert visit.errors() == []
    assert visit.refused() == []


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_exhibitions_3d_stops_degrade_without_an_error(visit: Visit, viewers, viewer, demo_app):
    manifest = demo_app.test_client().get("/iiif/exhibition/origins/manifest").get_json()
    models = [i for i, c in enumerate(manifest["items"]) if c["items"][0]["items"][0]["body"]["type"] == "Model"]
    open_in(visit, viewers, viewer, "/iiif/exhibition/origins/manifest")
    for index in models:
        go(visit.page, index)
        visit.page.wait_for_load_state("networkidle")
    assert models and visit.errors() == []


def test_mirador_opens_each_stop_at_its_whole_view(visit: Visit, demo_app):
    """From a small detail back to a large work, Vitrine's own viewer shows the whole work, not a corner
    at the previous stop's zoom (Mirador keeps it unless told otherwise)."""
    client = demo_app.test_client()
    manifest = client.get("/iiif/exhibition/origins/manifest").get_json()
    small, large = manifest["items"][1], manifest["items"][0]
    assert small["width"] * 5 < large["width"]
    visit.page.goto(f"{visit.server}/exhibition/origins")
    visit.page.locator("[data-open-viewer][data-canvas='2']").click()
    dialog = visit.page.locator("dialog[open]")
    shows(visit.page, served(client, small["thumbnail"][0]["id"]), 1.0, "the detail")
    dialog.get_by_role("button", name="Previous item").click()
    shows(visit.page, served(client, large["thumbnail"][0]["id"]), large["width"] / large["height"], "the whole work")
    screenshot(visit.page, "mirador-whole-view-after-a-detail")
    assert visit.refused() == []


def selections(node) -> list[dict]:
    """Every SpecificResource with an xywh selector in a document."""
    if isinstance(node, list):
        return [s for item in node for s in selections(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if "xywh=" in str(node.get("selector", {}).get("value", "")) else []
    return own + [s for value in node.values() for s in selections(value)]


def test_every_detail_states_a_region_inside_the_image_it_names(demo_app):
    """Regions are stored in full-size pixels: a URL naming a region of an image service must lie inside
    the size that service declares, and be served (also for a work in copyright, shown smaller)."""
    client = demo_app.test_client()
    manifest = client.get("/iiif/exhibition/origins/manifest").get_data(as_text=True)
    page = client.get("/exhibition/origins").get_data(as_text=True)
    named = REGION_URL.findall(manifest) + REGION_URL.findall(page)
    assert {m[0] for m in named} >= {"/iiif/image/nasa-hubble-extreme-deep-field-1", "/iiif/image/kde-safe-landing-1"}
    for service, *region in named:
        x, y, w, h = map(int, region)
        info = client.get(f"{service}/info.json").get_json()
        assert x + w <= info["width"] and y + h <= info["height"], (service, region, info["width"], info["height"])
    details = DETAIL_SERVICE.findall(manifest)
    assert {m[0] for m in details} >= {"/iiif/image/nasa-hubble-extreme-deep-field-1", "/iiif/image/kde-safe-landing-1"}
    for service, *region in details:  # a detail's own service: its image is the region, inside the whole image
        x, y, w, h = map(int, region)
        info = client.get(f"{service}/info.json").get_json()
        detail = client.get(f"{service}/detail/{x},{y},{w},{h}/info.json").get_json()
        assert x + w <= info["width"] and y + h <= info["height"], (service, region, info["width"], info["height"])
        assert (detail["width"], detail["height"]) == (w, h)
    for selected in selections(json.loads(manifest)):  # a region selected from a resource: in its own size
        x, y, w, h = map(int, selected["selector"]["value"].removeprefix("xywh=").split(","))
        assert x + w <= selected["source"]["width"] and y + h <= selected["source"]["height"], selected
    for match in REGION_URL.finditer(manifest + page):
        assert client.get(match.group(0)).status_code == 200, match.group(0)


TABLES_OF_CONTENTS = {  # Clover 3.3 and OpenSeadragon show no table of contents
    "mirador": ("", "[role=treeitem]"),
    "uv": ("Index", ".treeView .tree a"),
}


@pytest.mark.parametrize("viewer", TABLES_OF_CONTENTS)
def test_the_table_of_contents_walks_the_sections_in_order(visit: Visit, viewers, viewer, demo_app):
    """The manifest's ranges are the exhibition's sections: listed in route order, each opening its first stop."""
    client = demo_app.test_client()
    exhibition = demo_app.extensions["vitrine"].store.get_exhibition("origins")
    manifest = client.get("/iiif/exhibition/origins/manifest").get_json()
    canvases = {c["id"]: c for c in manifest["items"]}
    tab, entries = TABLES_OF_CONTENTS[viewer]
    open_in(visit, viewers, viewer, "/iiif/exhibition/origins/manifest")
    if tab:
        visit.page.get_by_text(tab, exact=True).click()
    sections = visit.page.locator(entries)
    titles = [s.title["en"][0] for s in exhibition.sections]
    until(lambda: sections.all_inner_texts() == titles, message=f"the sections {titles}")
    for number, rng in enumerate(manifest["structures"]):
        sections.nth(number).click()
        first = canvases[rng["items"][0]["id"]]
        shows(visit.page, served(client, first["thumbnail"][0]["id"]), first["width"] / first["height"],
              f"the first stop of section {number + 1}")
    screenshot(visit.page, f"{viewer}-table-of-contents")
    assert visit.errors() == []


TILE = re.compile(r"/iiif/image2?/[^/]+/\d+,\d+,\d+,\d+/[^/]+/0/default\.jpg$")


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_book_turns_to_its_last_page(visit: Visit, viewers, viewer, demo_app):
    """A paged book of six: its last page stands alone (between, Mirador and UV show spreads)."""
    client = demo_app.test_client()
    manifest = client.get("/iiif/object/nasa-hubble-extreme-deep-field-plates/manifest").get_json()
    last = manifest["items"][-1]
    open_in(visit, viewers, viewer, "/iiif/object/nasa-hubble-extreme-deep-field-plates/manifest")
    go(visit.page, len(manifest["items"]) - 1)
    shows(visit.page, served(client, last["thumbnail"][0]["id"]), last["width"] / last["height"], "the last page")
    screenshot(visit.page, f"{viewer}-book-last-page")
    assert visit.errors() == []
    assert visit.refused() == []


def zoom_in(page: Page, viewer: str) -> None:
    """A visitor zooming into the picture: deeper levels, so tiles of the image service.

    The mouse wheel, one step at a time as a hand turns it; Clover turns the wheel's zoom off
    (scrollToZoom: false), so there a visitor uses its "Zoom in" button.
    """
    if viewer == "clover":
        for _ in range(3):
            page.get_by_role("button", name="Zoom in").first.click()
            page.wait_for_timeout(300)
        return
    box = page.locator(".openseadragon-canvas").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(6):
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(150)


# The image service of a work in copyright is its capped derivative: OpenSeadragon 6 (inside UV and
# Clover), which adds the full `width` as its finest level, then asks only what is served.
@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_work_in_copyright_shows_at_its_capped_size_with_every_tile_served(visit: Visit, viewers, viewer, demo_app):
    client = demo_app.test_client()
    manifest = client.get(f"/iiif/object/{IN_COPYRIGHT}/manifest").get_json()
    canvas = manifest["items"][0]
    info = client.get(f"/iiif/image/{IN_COPYRIGHT}-1/info.json").get_json()
    # The demo's work in copyright: its image is the 800 px derivative, painted on the full-size canvas.
    assert max(info["width"], info["height"]) == 800 < max(canvas["width"], canvas["height"])
    largest = max(info["sizes"], key=lambda size: size["width"])  # the finest level a viewer derives
    open_in(visit, viewers, viewer, f"/iiif/object/{IN_COPYRIGHT}/manifest")
    shows(visit.page, served(client, canvas["thumbnail"][0]["id"]), canvas["width"] / canvas["height"], "the work")
    zoom_in(visit.page, viewer)
    finest = f"/{largest['width']},{largest['height']}/0/default.jpg"
    until(lambda: any(TILE.search(url) or url.endswith(finest) for url, _ in visit.answers),
          message="the finest level the capped work is served at", page=visit.page)
    visit.page.wait_for_load_state("networkidle")
    screenshot(visit.page, f"{viewer}-in-copyright-zoomed")
    assert visit.errors() == []
    assert visit.refused() == []


COLLECTION_LISTS = {"mirador": "[role=treeitem]", "uv": ".treeView .tree a"}  # Clover 3.3 and OpenSeadragon
# read no collection of collections: Clover stays at "Loading", the OpenSeadragon page names what it skipped


def in_order(wanted: list[str], seen: list[str]) -> bool:
    """Whether ``wanted`` appears in ``seen`` in this order (other entries may come between)."""
    rest = iter(seen)
    return all(any(label == entry.strip() for entry in rest) for label in wanted)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_top_collection_lists_its_collections_in_order(visit: Visit, viewers, viewer, demo_app):
    collection = demo_app.test_client().get("/iiif/collection").get_json()
    labels = [item["label"]["en"][0] for item in collection["items"]]
    open_in(visit, viewers, viewer, "/iiif/collection")
    if viewer in COLLECTION_LISTS:
        entries = visit.page.locator(COLLECTION_LISTS[viewer])
        until(lambda: in_order(labels, entries.all_inner_texts()), message=f"the collections {labels}")
    elif viewer == "osd":
        until(lambda: collection["id"].removeprefix("http://localhost") in visit.page.locator("#skipped").inner_text(),
              message="the collection named as skipped")
    visit.page.wait_for_load_state("networkidle")
    screenshot(visit.page, f"{viewer}-top-collection")
    assert visit.errors() == []
    assert visit.refused() == []


def test_universal_viewer_draws_a_presentation_2_manifest(visit: Visit, viewers, demo_app):
    """An older client's view: the Presentation 2.1 form of a book, its last page drawn from the Image API 2.1."""
    client = demo_app.test_client()
    manifest = client.get("/iiif/2/object/nasa-hubble-extreme-deep-field-plates/manifest").get_json()
    assert manifest["@context"] == "http://iiif.io/api/presentation/2/context.json"
    last = manifest["sequences"][0]["canvases"][-1]
    open_in(visit, viewers, "uv", "/iiif/2/object/nasa-hubble-extreme-deep-field-plates/manifest")
    go(visit.page, len(manifest["sequences"][0]["canvases"]) - 1)
    thumbnail = last["thumbnail"]["@id"] if isinstance(last["thumbnail"], dict) else last["thumbnail"]
    shows(visit.page, served(client, thumbnail), last["width"] / last["height"], "the last page (P2.1)")
    screenshot(visit.page, "uv-presentation-2-book")
    assert any("/iiif/image2/" in url for url, _ in visit.answers)
    assert visit.errors() == []
    assert visit.refused() == []
