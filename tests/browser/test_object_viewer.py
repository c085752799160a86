"""The object page's own viewer, as a visitor meets it on a 390x844 phone and a 1366x900 desktop.

Mirador runs once the visitor reaches for the work (pointer, touch, the "Zoom and explore" button);
until then the page shows the work's poster. What is asserted is what a person sees and hears: the
deep-zoom canvas filling the frame with the picture, the controls' names in the page's language,
one main landmark, a focus ring where the keyboard is, and Vitrine answering every request 200.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from PIL import Image, ImageStat
from playwright.sync_api import Page, expect

from .conftest import NODE_MODULES, screenshot, until

ROOT = Path(__file__).resolve().parents[2]
PICTURE = "nasa-hubble-extreme-deep-field"
BOOK = "nasa-hubble-extreme-deep-field-plates"
MODEL = "iiif-old-fashioned-street-lamp"
IN_COPYRIGHT = "vitrine-composition-2026"
SIZES = {"phone": (390, 844), "desktop": (1366, 900)}


def own_errors(page: Page) -> list[str]:
    """Console errors, without Mirador 4.0.0's React 19 warning (every page, whatever it shows) and
    failed loads (judged by the status of Vitrine's answers instead)."""
    return [e for e in page.errors if not e.startswith("Failed to load resource") and "Accessing element.ref" not in e]


def answers(page: Page, server: str) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    page.on("response", lambda r: seen.append((r.url, r.status)) if r.url.startswith(server) else None)
    return seen


def reach_for_the_viewer(page: Page) -> None:
    """What a visitor does to see more of the work: touch or point at it."""
    page.locator("#viewer .poster").click()
    expect(page.locator("#viewer .openseadragon-canvas")).to_be_visible()


def drawn(page: Page) -> Image.Image | None:
    canvas = page.locator("#viewer .openseadragon-canvas")
    image = Image.open(io.BytesIO(canvas.screenshot())).convert("L")
    return image if ImageStat.Stat(image).stddev[0] > 12 else None


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found, selector
    return found


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("work", [PICTURE, BOOK])
def test_the_viewer_fills_its_frame_with_the_work_on_a_phone_and_a_desktop(page: Page, server, work, size):
    """The canvas is (nearly) the whole frame, never a strip beside a table of contents; on a phone the
    work is the first thing under the header, edge to edge."""
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    seen = answers(page, server)
    page.goto(f"{server}/object/{work}")
    frame = box(page, "#viewer")
    poster = page.locator("#viewer .poster")
    expect(poster).to_be_visible()  # the work itself is what the page paints first
    reach_for_the_viewer(page)
    page.wait_for_function("() => document.querySelector('#viewer').mirador", polling=250)
    until(lambda: drawn(page), timeout=30, message="the work drawn on the canvas")
    canvas = box(page, "#viewer .openseadragon-canvas")
    assert canvas["width"] >= 0.9 * frame["width"], (canvas, frame)
    assert canvas["height"] >= 0.6 * frame["height"], (canvas, frame)
    assert box(page, "#viewer") == frame  # Mirador took the poster's box: no layout shift
    if size == "phone":
        assert frame["x"] == 0 and frame["width"] == width
        assert frame["y"] < height / 3
    page.wait_for_load_state("networkidle")
    screenshot(page, f"object-viewer-{work}-{size}")
    assert [a for a in seen if a[1] != 200] == []
    assert any("/iiif/image/" in url and url.endswith("/default.jpg") for url, _ in seen)
    assert own_errors(page) == []


CONTROLS = {  # Mirador's zoom, full-screen and sidebar buttons: each name a visitor hears, by language
    "en": ["Zoom in", "Zoom out", "Reset zoom", "Full screen", "Toggle sidebar"],
    "nl": ["Inzoomen", "Uitzoomen", "Zoom herstellen", "Volledig scherm", "Zijbalk tonen of verbergen"],
    "fr": ["Zoom avant", "Zoom arrière", "Réinitialiser le zoom", "Plein écran", "Afficher ou masquer le panneau latéral"],
    "de": ["Vergrößern", "Verkleinern", "Ansicht zurücksetzen", "Vollbild", "Seitenleiste umschalten"],
}


@pytest.mark.parametrize("lang", CONTROLS)
def test_mirador_names_its_controls_in_the_visitors_language(page: Page, server, lang):
    page.goto(f"{server}/object/{BOOK}?lang={lang}")
    reach_for_the_viewer(page)
    viewer = page.locator("#viewer")
    for name in CONTROLS[lang]:
        expect(viewer.get_by_role("button", name=name, exact=True)).to_be_visible()
    if lang != "en":
        names = viewer.get_by_role("button").evaluate_all("bs => bs.map(b => b.getAttribute('aria-label') || b.innerText)")
        assert not set(names) & set(CONTROLS["en"]), names


# Words that are the same in the language as in English, or placeholders only.
SAME_EVERYWHERE = {"Mirador", "OK", "Index", "{{title}}", "{{ stack }}", "Position", "Links", "Collection",
                   "Item: {{label}}", "Item: [{{label}}]", "{{number}} item", "{{number}} items", "{{count}} manifest",
                   "Annotations", "Attribution", "Options", "{{count}} collection", "{{count}} collections"}


@pytest.mark.parametrize("lang", ["nl", "fr", "de"])
def test_vitrine_completes_miradors_strings_in_every_interface_language(lang):
    """Mirador 4 ships part of its Dutch and French (its Dutch "Zoom in"): with Vitrine's strings
    (catalogue/static/mirador-strings.json, what viewer.js hands Mirador) every string it has in English
    is translated."""
    locales = NODE_MODULES / "mirador" / "src" / "locales"
    english = json.loads((locales / "en" / "translation.json").read_text())["translation"]
    own = json.loads((locales / lang / "translation.json").read_text())["translation"]
    ours = json.loads((ROOT / "catalogue" / "static" / "mirador-strings.json").read_text())
    assert set(ours) == {"en", "nl", "fr", "de"}
    merged = {**own, **ours[lang]}
    untranslated = {k: english[k] for k in english if merged.get(k, english[k]) == english[k]
                    and english[k] not in SAME_EVERYWHERE}
    assert untranslated == {}


def test_mirador_leaves_one_main_landmark_and_no_serious_aria_error_with_its_table_of_contents_open(page: Page, server):
    """Mirador draws a <main> of its own, and on a book its sidebar's tab bar carries an ARIA attribute
    its element may not have (axe-core: critical): both mended, also after Mirador re-renders."""
    page.goto(f"{server}/object/{BOOK}")
    reach_for_the_viewer(page)
    viewer = page.locator("#viewer")
    viewer.get_by_role("button", name="Toggle sidebar").click()
    expect(viewer.get_by_role("treeitem").first).to_be_visible()  # the table of contents, open
    mains = "() => document.querySelectorAll('main:not([role]), [role=main]').length"
    assert page.evaluate(mains) == 1
    # one heading of the first level, the work's title: Mirador's own "Mirador viewer" h1 speaks as a level 2
    titles = "() => [...document.querySelectorAll('h1')].filter(h => (h.getAttribute('aria-level') || '1') === '1')"
    assert page.evaluate(titles + ".map(h => h.textContent)") == [page.locator(".object-text h1").text_content()]
    page.evaluate((NODE_MODULES / "axe-core" / "axe.min.js").read_text())
    found = page.evaluate("""() => axe.run({include: [['#viewer']]}, {resultTypes: ['violations']})
        .then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))""")
    assert found == []
    viewer.get_by_role("button", name="Next item").click()  # Mirador re-renders the window
    expect(viewer.get_by_text("2 of 6")).to_be_visible()
    assert page.evaluate(mains) == 1
    assert page.evaluate(titles + ".length") == 1
    assert page.evaluate("() => document.querySelectorAll('#viewer [aria-orientation]:not([role])').length") == 0


def focus_ring(page: Page) -> tuple[str, float]:
    return page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                         "return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")


def tab_to(page: Page, condition: str, most: int = 60) -> None:
    """Press Tab until ``condition`` (a JS expression about document.activeElement) holds."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const e = document.activeElement; return !!({condition}); }}"):
            return
    raise AssertionError(f"{most} Tabs never reached {condition}")


def test_the_keyboard_alone_opens_the_viewer_and_zooms_it_with_a_visible_focus_ring(page: Page, server):
    page.goto(f"{server}/object/{PICTURE}")
    tab_to(page, "e.matches('[data-viewer-start]')")
    assert focus_ring(page)[0] != "none"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.matches('#viewer .openseadragon-canvas')", polling=250)
    until(lambda: drawn(page), timeout=30, message="the work drawn")
    zoom = "() => { const s = document.querySelector('#viewer').mirador.store.getState(); return s.viewers['viewer-window'].zoom; }"
    page.wait_for_function(f"() => ({zoom})() > 0", polling=250)
    before = page.evaluate(zoom)
    tab_to(page, "e.getAttribute('aria-label') === 'Zoom in'")
    style, width = focus_ring(page)
    assert style == "solid" and width >= 2
    screenshot(page, "object-viewer-zoom-in-focused")
    page.keyboard.press("Enter")
    page.wait_for_function(f"before => ({zoom})() > before * 1.2", arg=before, polling=250)


def test_a_3d_work_offers_its_model_a_share_box_and_shows_where_the_keyboard_is(page: Page, server, demo_app):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/object/{MODEL}")
    rights = page.locator("section.rights")
    expect(rights).to_contain_text("reuse this model")
    expect(rights).not_to_contain_text("image")
    download = page.get_by_role("link", name="The 3D model (GLB)")
    href = download.get_attribute("href")
    assert href == page.evaluate("() => document.querySelector('model-viewer').getAttribute('src')")
    assert download.get_attribute("download") == f"{MODEL}.glb"
    got = demo_app.test_client().get(href.removeprefix(server))
    assert got.status_code == 200 and got.data[:4] == b"glTF"
    page.wait_for_function("() => document.querySelector('model-viewer').loaded", polling=250)
    tab_to(page, "e.matches('model-viewer')")
    style, width = focus_ring(page)
    assert style == "solid" and width >= 2
    help_box, model_box = box(page, ".stage-help"), box(page, "model-viewer")
    assert help_box["y"] >= model_box["y"] + model_box["height"] - 1  # under the model, not over it
    share = page.locator("section.share")
    share.get_by_role("button", name="Copy a link to this work").click()
    expect(share.locator("input")).to_have_value(f"{server}/object/{MODEL}")
    screenshot(page, "object-3d-phone")
    assert own_errors(page) == []


@pytest.mark.parametrize("lang, words", [("en", "in copyright"), ("nl", "auteursrecht"), ("fr", "droit d’auteur"),
                                         ("de", "urheberrechtlich")])
def test_a_work_in_copyright_says_beside_the_viewer_why_it_is_shown_small(page: Page, server, demo_app, lang, words):
    """Zooming into a work in copyright shows no more detail: the page says so, and why, with the
    size the access policy allows (COPYRIGHT_MAX_WIDTH), in the visitor's language and numbers."""
    size = format_decimal(demo_app.config["COPYRIGHT_MAX_WIDTH"], locale=lang)
    page.goto(f"{server}/object/{IN_COPYRIGHT}?lang={lang}")
    note = page.locator(".stage .stage-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text(words)
    expect(note).to_contain_text(size)
    assert page.locator("#viewer").get_attribute("aria-describedby") == note.get_attribute("id")
    page.goto(f"{server}/object/{PICTURE}?lang={lang}")
    expect(page.locator(".stage-note")).to_have_count(0)
