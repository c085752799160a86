"""A loan as a visitor meets it: its pictures come from the lending institution's image service.

A second Vitrine on 127.0.0.1 (the test collection) is the lender; the borrower's catalogue holds one
loan whose media entry is the lender's service for the rocket. The results page and the object page
show its thumbnail from the lender, every image request answers 200, and the object page's viewer
draws the lender's tiles.

Vitrine's Content-Security-Policy lets pages load images and info.json from any https origin; the
lender here is plain http on another port of 127.0.0.1, so the test lets the borrower's pages name
that origin too (what an https lender gets without asking), and changes nothing else.
"""
from __future__ import annotations

import io
import json

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Page, expect

from catalogue import create_app
from support import COLLECTION, import_file, serving

from .conftest import new_tab, until

SERVICE_PATH = "/iiif/image/rocket-launch"


@pytest.fixture(scope="module")
def loan(tmp_path_factory):
    """(borrower's URL, lender's URL): both served for the module."""
    root = tmp_path_factory.mktemp("remote-images")
    lender = create_app({"INSTANCE": str(root / "lender")})
    import_file(lender, COLLECTION)
    borrower = create_app({"INSTANCE": str(root / "borrower")})
    with serving(lender) as lender_url, serving(_trusting(borrower, lender_url)) as borrower_url:
        records = root / "loan.jsonl"
        records.write_text("\n".join(json.dumps(r) for r in [
            {"kind": "institution", "id": "lender", "label": {"en": ["Lender"]}},
            {"id": "loan-1", "type": "image", "label": {"en": ["A lent rocket launch"]}, "institution": "lender",
             "rights": "http://creativecommons.org/publicdomain/mark/1.0/",
             "media": [{"service": lender_url + SERVICE_PATH}]},
        ]) + "\n")
        import_file(borrower, records)
        yield borrower_url, lender_url
    for app in (lender, borrower):
        app.extensions["vitrine"].close()


def _trusting(app, origin: str):
    """``app`` whose pages' CSP lets images and fetches come from ``origin`` as they may from https."""
    def wsgi(environ, start_response):
        def start(status, headers, exc_info=None):
            headers = [(k, v.replace(" https:", f" https: {origin}") if k.lower() == "content-security-policy"
                        else v) for k, v in headers]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)
        return app(environ, start)
    return wsgi


@pytest.fixture
def tab(browser):
    page = new_tab(browser)
    yield page
    page.close()


def images_seen(page: Page) -> list[tuple[str, int]]:
    """Every image the page loads, with its status."""
    seen: list[tuple[str, int]] = []
    page.on("response", lambda r: seen.append((r.url, r.status)) if r.request.resource_type == "image" else None)
    return seen


def painted(page: Page, selector: str) -> bool:
    """Whether the element shows a picture (pixels that are not one flat colour)."""
    shot = Image.open(io.BytesIO(page.locator(selector).first.screenshot())).convert("L")
    return ImageStat.Stat(shot).stddev[0] > 8


def own_errors(page: Page) -> list[str]:
    """Console errors, without Mirador 4.0.0's React 19 warning (on every page)."""
    return [e for e in page.errors if "Accessing element.ref" not in e]


def test_the_results_page_shows_a_loans_thumbnail_from_its_lender(tab: Page, loan):
    borrower, lender = loan
    seen = images_seen(tab)
    tab.goto(f"{borrower}/search?q=rocket")
    thumb = tab.locator(".hit-thumb img").first
    expect(thumb).to_be_visible()
    tab.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    assert thumb.get_attribute("src").startswith(lender + SERVICE_PATH + "/full/")
    assert painted(tab, ".hit-thumb img")
    assert seen and all(status == 200 for _, status in seen), seen
    assert any(url.startswith(lender + SERVICE_PATH) for url, _ in seen)
    assert not any(f"{borrower}/iiif/image/" in url for url, _ in seen)
    assert not own_errors(tab), tab.errors


def test_the_object_page_of_a_loan_shows_its_lenders_picture_and_its_viewer_draws_the_lenders_tiles(tab: Page, loan):
    borrower, lender = loan
    seen = images_seen(tab)
    answers: list[tuple[str, int]] = []
    tab.on("response", lambda r: answers.append((r.url, r.status)) if r.url.startswith(lender) else None)
    tab.set_viewport_size({"width": 1366, "height": 900})
    tab.goto(f"{borrower}/object/loan-1")
    poster = tab.locator("#viewer .poster")
    expect(poster).to_be_visible()
    until(lambda: painted(tab, "#viewer .poster"), timeout=30, message="the lender's picture as the poster")
    poster.click()
    expect(tab.locator("#viewer .openseadragon-canvas")).to_be_visible()

    def drawn() -> bool:
        shot = Image.open(io.BytesIO(tab.locator("#viewer .openseadragon-canvas").screenshot())).convert("L")
        return ImageStat.Stat(shot).stddev[0] > 12

    until(drawn, timeout=40, message="the work drawn on the viewer's canvas")
    until(lambda: [u for u, _ in answers if u.startswith(lender + SERVICE_PATH + "/") and "info.json" not in u],
          timeout=30, message="tiles from the lender", page=tab)
    assert any(u == f"{lender}{SERVICE_PATH}/info.json" for u, _ in answers)
    assert all(status == 200 for _, status in answers), answers
    assert all(status == 200 for _, status in seen), seen
    assert not any(f"{borrower}/iiif/image/" in url for url, _ in seen + answers)
    assert not own_errors(tab), tab.errors
