"""Favourites kept in the browser and shared as a link, and the print view of object and exhibition pages."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import screenshot


def favourite(page: Page, server: str, object_id: str) -> None:
    page.goto(f"{server}/object/{object_id}", wait_until="domcontentloaded")
    button = page.locator(f'.object-actions button[data-favourite="{object_id}"]')
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")


def test_two_favourites_survive_a_reload_and_their_shared_link_works_for_someone_else(page: Page, server):
    page.goto(f"{server}/favourites", wait_until="domcontentloaded")
    page.evaluate("localStorage.clear()")
    page.reload()
    expect(page.locator(".favourites .empty")).to_contain_text("no favourites yet")

    favourite(page, server, "kde-volna")
    favourite(page, server, "skimage-chelsea")
    page.goto(f"{server}/favourites", wait_until="domcontentloaded")
    cards = page.locator(".favourite-cards li.card")
    expect(cards).to_have_count(2)
    page.reload()
    expect(cards).to_have_count(2)
    titles = sorted(cards.locator(".title").all_inner_texts())
    assert len(titles) == 2 and all(titles)
    expect(cards.locator("button[data-favourite]").first).to_have_attribute("aria-pressed", "true")
    shared = page.locator("#favourites-link").input_value()
    assert shared.endswith("/favourites?ids=skimage-chelsea,kde-volna")
    screenshot(page, "favourites")

    page.evaluate("localStorage.clear()")  # someone else: nothing stored in their browser
    other = page.context.new_page()
    try:
        other.goto(shared, wait_until="domcontentloaded")
        got = other.locator(".favourite-cards li.card")
        expect(got).to_have_count(2)
        assert sorted(got.locator(".title").all_inner_texts()) == titles
        expect(other.locator(".page-head .lead")).to_contain_text("shared with you")
    finally:
        other.close()


def test_a_card_toggles_a_favourite_too(page: Page, server):
    page.goto(f"{server}/", wait_until="domcontentloaded")
    page.evaluate("localStorage.clear()")
    page.reload(wait_until="domcontentloaded")
    button = page.locator("li.card .card-favourite").first
    expect(button).to_have_attribute("aria-pressed", "false")
    box = button.bounding_box()
    assert box and box["width"] >= 24 and box["height"] >= 24
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert len(page.evaluate("JSON.parse(localStorage.getItem('vitrine.favourites'))")) == 1
    page.evaluate("localStorage.clear()")


def test_an_object_page_prints_the_image_and_the_whole_record_without_the_site_chrome(page: Page, server):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server}/object/skimage-chelsea", wait_until="domcontentloaded")
    page.emulate_media(media="print")
    try:
        expect(page.locator("header.site")).to_be_hidden()
        expect(page.locator(".related")).to_be_hidden()
        expect(page.locator(".stage")).to_be_hidden()  # no viewer chrome on paper
        image = page.locator("img.print-image")
        expect(image).to_be_visible()
        page.wait_for_function("document.querySelector('img.print-image').naturalWidth > 0")
        assert image.bounding_box()["width"] > 300
        expect(page.locator("dl.meta")).to_be_visible()
        expect(page.locator("dl.meta")).to_contain_text("Stefan van der Walt")
        expect(page.locator(".download .citation")).to_be_visible()
        shown = page.evaluate("getComputedStyle(document.querySelector('dl.meta a[href^=\"/creator/\"]'), '::after').content")
        assert "/creator/" in shown
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    finally:
        page.emulate_media(media="screen")


def test_an_exhibition_prints_its_stops_with_their_captions(page: Page, server):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server}/exhibition/origins", wait_until="domcontentloaded")
    page.emulate_media(media="print")
    try:
        expect(page.locator("header.site")).to_be_hidden()
        expect(page.locator(".page-head .actions")).to_be_hidden()
        stops = page.locator(".route-item")
        assert stops.count() >= 3
        for i in range(stops.count()):
            expect(stops.nth(i)).to_be_visible()
        captions = page.locator(".route-item .caption")
        assert captions.count() >= 1
        expect(captions.first).to_be_visible()
        assert all(len(t) > 10 for t in captions.all_inner_texts())
        breaks = page.evaluate("[...document.querySelectorAll('.route-item')].map(e => getComputedStyle(e).breakInside)")
        assert set(breaks) == {"avoid"}
    finally:
        page.emulate_media(media="screen")
