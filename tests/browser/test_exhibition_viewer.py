"""The exhibition page's own viewer, stop by stop with its next stop button, on a phone and a desktop: every
stop drawn at its own whole view (a detail: its region), its caption beside it (tests/browser/
test_exhibition_viewer_links.py: each stop's own link, the keyboard, a detail's picture)."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import screenshot
from .exhibition_stops import SIZES, check_stop, errors, manifest_of, watch


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
        screenshot(page, f"exhibition-viewer-{size}-stop-{index + 1}", full_page=False)  # the modal dialog: what is seen
    expect(dialog.get_by_role("button", name="Next stop")).to_be_disabled()
    tiles = [(url, status) for url, status in answers if "/iiif/image/" in url]
    assert tiles and [a for a in answers if a[1] != 200] == []
    assert errors(page) == []
