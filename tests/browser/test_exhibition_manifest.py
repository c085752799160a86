"""The demo's published exhibition as a visitor's own Mirador shows it (tests/browser/viewers/mirador.html,
from npm, on another origin than Vitrine): its route in the table of contents, a section per Range, and
each stop's caption in the annotation panel, from the manifest's commenting annotations."""
from __future__ import annotations

import html
import re

from playwright.sync_api import expect

from . import test_viewers
from .conftest import screenshot, until
from .test_viewers import Visit, go, open_in, painted

visit = test_viewers.visit  # the fixture: what the viewer asked of Vitrine, and its page's errors

ROUTE = "/iiif/exhibition/origins/manifest"


def text_of(value: str) -> str:
    """What a person reads of a caption: its text without the markup IIIF allows."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", value)).split())


def test_mirador_shows_the_route_in_its_table_of_contents_and_each_caption_in_its_annotation_panel(
        visit: Visit, viewers, demo_app):
    manifest = demo_app.test_client().get(ROUTE).get_json()
    sections = [r["label"]["en"][0] for r in manifest["structures"]]
    assert sections == ["The first light", "Out of the sea", "Leaving the cradle"]
    page = visit.page
    open_in(visit, viewers, "mirador", ROUTE)

    # The index panel's table of contents: a section per Range, in route order.
    page.get_by_role("tab", name="Table of contents").click()
    toc = page.get_by_role("tree")
    expect(toc).to_be_visible()
    for section in sections:
        expect(toc.get_by_text(section, exact=True)).to_be_visible()
    assert [text.strip() for text in toc.get_by_role("treeitem").all_inner_texts()][:3] == sections
    screenshot(page, "mirador-exhibition-table-of-contents")
    ids = [c["id"] for c in manifest["items"]]
    first_of_last = ids.index(manifest["structures"][-1]["items"][0]["id"])
    toc.get_by_text(sections[-1], exact=True).click()  # a section leads to its first stop
    expect(page.get_by_text(f"{first_of_last + 1} of {len(ids)}", exact=False)).to_be_visible()

    # The annotation panel: the stop's caption, every language it has.
    page.get_by_role("tab", name="Annotations").click()
    second = next(ids.index(m["id"]) for m in manifest["structures"][1]["items"]
                  if manifest["items"][ids.index(m["id"])]["items"][0]["items"][0]["body"]["type"] == "Image")
    for index in (0, second):  # the first stop, then an image of the second section (drawn, below)
        go(page, index)
        canvas = manifest["items"][index]
        captions = [a for p in canvas["annotations"] for a in p["items"] if a["motivation"] == "commenting"]
        assert {a["body"].get("language") for a in captions} == {"en", "nl", "fr", "de"}
        panel = page.get_by_role("complementary", name="Annotations")
        for caption in captions:
            expect(panel.get_by_text(text_of(caption["body"]["value"])[:60])).to_be_visible()
        shown = canvas["summary"]["en"][0]
        assert text_of(shown) in " ".join(panel.inner_text().split())
    screenshot(page, "mirador-exhibition-annotations")

    until(lambda: painted(page), timeout=30, message="the stop drawn")  # non-blank pixels
    assert visit.errors() == []
    assert visit.refused() == []
    assert any(url.endswith(ROUTE) for url, _ in visit.answers)
