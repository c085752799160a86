"""A work imported from another institution's IIIF manifest, as a visitor's Mirador shows it.

A second Vitrine on 127.0.0.1 (the test collection) is the lender; its manifest of the rocket is imported
by `read_iiif` into a borrowing Vitrine, whose own manifest then points at the lender's image service.
Mirador (from npm, on a third origin) opens the borrower's manifest: it paints the picture, every tile
comes from the lender and answers 200, and nothing errs.
"""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Page, Response

from catalogue import create_app
from catalogue.ingest.iiif import read_iiif
from catalogue.services.imports import run_import
from support import COLLECTION, import_file, serving

from .conftest import screenshot, until

TILE = re.compile(r"/iiif/image/rocket-launch/[^/]+/[^/]+/0/default\.jpg$")


@pytest.fixture(scope="module")
def loan(tmp_path_factory):
    """(borrower's URL, lender's URL, the imported object's id), both Vitrines served for the module."""
    root = tmp_path_factory.mktemp("iiif-import")
    lender = create_app({"INSTANCE": str(root / "lender")})
    import_file(lender, COLLECTION)
    borrower = create_app({"INSTANCE": str(root / "borrower")})
    with serving(lender) as lender_url, serving(borrower) as borrower_url:
        svc = borrower.extensions["vitrine"]
        run_import(svc.store, read_iiif(f"{lender_url}/iiif/object/rocket/manifest", fetcher=svc.fetcher()),
                   svc.media_dir, fetcher=svc.fetcher())
        [obj] = svc.store.iter_objects()
        yield borrower_url, lender_url, obj.id
    for app in (lender, borrower):
        app.extensions["vitrine"].close()


def painted(page: Page) -> bool:
    canvas = page.locator(".openseadragon-canvas").first
    if not canvas.is_visible():
        return False
    image = Image.open(io.BytesIO(canvas.screenshot())).convert("L")
    return ImageStat.Stat(image).stddev[0] > 12  # a picture, not a blank or a grey box


def test_an_imported_manifest_opens_in_mirador_with_the_lenders_tiles(page: Page, viewers, loan):
    borrower, lender, object_id = loan
    answers: list[tuple[str, int]] = []

    def record(response: Response) -> None:
        if response.url.startswith((borrower, lender)):
            answers.append((response.url, response.status))

    page.on("response", record)
    manifest = f"{borrower}/iiif/object/{object_id}/manifest"
    page.goto(f"{viewers}/harness/mirador.html?manifest={manifest}")
    until(lambda: painted(page), timeout=40, message="the lent picture painted")
    until(lambda: any(TILE.search(url) for url, _ in answers), message="a tile from the lender", page=page)
    page.wait_for_load_state("networkidle")
    screenshot(page, "mirador-iiif-import")
    tiles = [(url, status) for url, status in answers if TILE.search(url)]
    assert tiles and all(url.startswith(lender) and status == 200 for url, status in tiles), tiles
    assert [(url, status) for url, status in answers if status != 200] == []
    assert (manifest, 200) in answers
    errors = [e for e in page.errors
              if not e.startswith("Failed to load resource") and "Accessing element.ref was removed" not in e]
    assert errors == []
