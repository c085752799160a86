"""The exhibition page's own viewer opened from the route: each stop's own link, the keyboard alone, and a
detail's picture, in the visitor's language."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import screenshot
from .exhibition_stops import body, check_stop, errors, manifest_of, watch


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
