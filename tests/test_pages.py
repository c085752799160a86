"""Pages for people and the JSON record: content in the reader's language, clear errors."""
from __future__ import annotations

import html


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_home_lists_institutions_and_published_exhibitions_only(collection, client):
    page = text(client.get("/"))
    assert "Brooklyn Museum" in page and "SpaceX photo archive" in page
    assert "Origins" in page and "Work in progress" not in page


def test_institution_page_lists_its_objects_with_thumbnails(collection, client):
    page = text(client.get("/institution/brooklyn"))
    assert "Greek coins from Pompeii" in page and "Falcon 9 launch" not in page
    assert "/iiif/image/coins-1/full/" in page
    assert "Coins" in page  # its collection


def test_object_page_shows_metadata_in_the_readers_language(collection, client):
    page = text(client.get("/object/coins?lang=nl"))
    assert "Griekse munten uit Pompeii" in page
    assert "geld" in page  # the subject's Dutch label
    assert "http://localhost/iiif/object/coins/manifest" in page
    french = text(collection.test_client().get("/object/coins", headers={"Accept-Language": "fr-BE,fr;q=0.9"}))
    assert "Monnaies grecques de Pompéi" in french


def test_a_language_chosen_in_the_url_is_remembered_over_the_browsers(collection, client):
    client.get("/?lang=nl")
    page = text(client.get("/object/coins", headers={"Accept-Language": "fr-BE,fr;q=0.9"}))
    assert "Griekse munten uit Pompeii" in page and '<html lang="nl">' in page


def test_object_in_copyright_says_so(collection, client):
    page = text(client.get("/object/horse"))
    assert "In copyright" in page and "it is shown at reduced size only" in page


def test_exhibition_page_follows_the_route_with_the_detail(collection, client):
    page = text(client.get("/exhibition/origins?lang=fr"))
    assert page.index("Deux monnaies") < page.index("Un détail")
    assert "/iiif/image/coins-1/0,0,150,120/^550,/0/default.jpg" in page  # drawn at the route's size (test_exhibition_pages)
    assert "http://localhost/iiif/exhibition/origins/manifest" in page


def test_unknown_pages_get_a_page_not_a_trace(collection, client):
    response = client.get("/object/does-not-exist")
    assert response.status_code == 404
    assert "There is no object 'does-not-exist'" in text(response)
    assert "Traceback" not in text(response)
    assert client.get("/institution/nowhere").status_code == 404
    damaged = client.get("/institution/brooklyn?cursor=not-a-cursor")  # lists page by cursor, not by number
    assert damaged.status_code == 400 and "cursor" in text(damaged)
    assert client.get("/nothing/here").status_code == 404


def test_api_record_is_the_stored_record_with_links(collection, client):
    record = client.get("/api/objects/album").get_json()
    assert record["type"] == "book" and record["version"] == 1
    assert record["links"]["manifest"] == "http://localhost/iiif/object/album/manifest"
    assert record["links"]["media"]["album-1"] == "http://localhost/iiif/image/album-1/info.json"
    assert [t["pages"] for t in record["toc"]] == [[1], [2, 3]]


def test_unknown_api_id_is_a_json_404(collection, client):
    response = client.get("/api/objects/nope")
    assert response.status_code == 404
    assert response.get_json() == {"error": "no object 'nope'", "status": 404}


def test_a_failure_inside_a_request_is_a_500_page_without_trace(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in text(response) and "Traceback" not in text(response)


# -- the visitor interface (issue 5) -------------------------------------------------

import json  # noqa: E402
import re  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402
from datetime import date  # noqa: E402
from urllib.parse import parse_qsl, urlsplit  # noqa: E402

from support import import_file  # noqa: E402

from catalogue.model import Exhibition  # noqa: E402
from catalogue.web.views import exhibitions_by_status  # noqa: E402


def links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def test_object_page_describes_the_work_in_schema_org_json_ld(collection, client):
    page = client.get("/object/coins").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@type"] == "VisualArtwork" and data["name"] == "Greek coins from Pompeii"
    assert data["creator"][0]["name"] == "Brooklyn Museum" and data["license"].endswith("publicdomain/mark/1.0/")
    assert data["image"].startswith("http://localhost/iiif/image/coins-1/full/")
    assert data["url"] == "http://localhost/object/coins" and data["provider"]["name"] == "Brooklyn Museum"
    assert "<script>" not in data["description"]
    model = client.get("/object/lamp-post").get_data(as_text=True)
    assert '"@type": "CreativeWork"' in model and '"3DModel"' in model


def test_object_page_links_creators_and_subjects_to_their_other_works(collection, client):
    found = links(client.get("/object/coins?lang=fr").get_data(as_text=True))
    assert "/creator/Brooklyn%20Museum" in found and "/subject/test:money" in found
    assert "Monnaies grecques de Pompéi" in text(client.get("/creator/Brooklyn%20Museum"))
    assert "Monnaies grecques de Pompéi" in text(client.get("/subject/test:money"))


def test_object_page_shows_rights_plainly_and_the_iiif_links(collection, client):
    page = text(client.get("/object/coins"))
    manifest = "http://localhost/iiif/object/coins/manifest"
    assert f'href="{manifest}?manifest={manifest}&iiif-content=' in page.replace("%3A", ":").replace("%2F", "/")
    assert 'href="http://creativecommons.org/publicdomain/mark/1.0/" rel="license">Public domain<' in page
    assert "Share this view" in page and 'data-mirador="/assets/mirador.js?v=' in page  # run on demand (viewer.js)
    assert "model-viewer" not in page  # Mirador only where there are images, model-viewer only for models
    model = text(client.get("/object/lamp-post"))
    assert "<model-viewer" in model and 'src="http://localhost/media/' in model and "CC BY 4.0" in model
    assert "mirador.js" not in model


def test_institution_page_lists_its_works_with_facets_that_narrow(collection, client):
    page = text(client.get("/institution/brooklyn"))
    assert "Greek coins from Pompeii" in page and "Falcon 9 launch" not in page
    facet_links = [h for h in links(page) if h.startswith("/institution/brooklyn?")]
    book = next(h for h in facet_links if dict(parse_qsl(urlsplit(h).query)).get("type") == "book")
    narrowed = text(client.get(book))
    assert "1 result" in narrowed and "Greek coins" not in narrowed
    assert "Type: " in narrowed  # the filter in force, removable
    removed = next(h for h in links(narrowed) if h == "/institution/brooklyn#results")  # focus returns to the results
    assert "Greek coins from Pompeii" in text(client.get(removed))


def test_collection_page_lists_its_works(collection, client):
    page = text(client.get("/collection/coins?lang=nl"))
    assert "<h1>Munten</h1>" in page and "Griekse munten uit Pompeii" in page and "1 resultaat" in page
    assert client.get("/collection/nope").status_code == 404


def test_exhibitions_are_current_upcoming_or_past_by_their_dates():
    def shown(slug, opens=None, closes=None):
        return Exhibition(slug=slug, title={"en": [slug]}, opens=opens, closes=closes, status="published")

    groups = exhibitions_by_status([
        shown("later", "2027-03-01"), shown("soon", "2026-12-01"), shown("now", "2026-01-01", "2026-12-31"),
        shown("always"), shown("over", "2020-01-01", "2020-02-01"), shown("recent", "2025-01-01", "2026-06-01"),
    ], today=date(2026, 11, 21))
    assert {k: [e.slug for e in v] for k, v in groups.items()} == {
        "current": ["now", "always"], "upcoming": ["soon", "later"], "past": ["recent", "over"]}


def test_exhibitions_page_and_home_show_published_exhibitions(collection, client):
    page = text(client.get("/exhibitions"))
    assert "Origins" in page and "Work in progress" not in page
    assert "Now on" in page and "Coming soon" not in page and "Past" not in page  # only groups with exhibitions
    home = text(client.get("/"))
    assert 'href="/exhibition/origins"' in home and 'action="/search"' in home


def test_sitemap_lists_every_page_and_object(collection, client):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.fromstring(client.get("/sitemap.xml").data)
    files = [e.text for e in index.findall("s:sitemap/s:loc", ns)]
    assert files == ["http://localhost/sitemap-1.xml", "http://localhost/sitemap-2.xml"]
    pages = [e.text for e in ET.fromstring(client.get("/sitemap-1.xml").data).findall("s:url/s:loc", ns)]
    assert "http://localhost/exhibition/origins" in pages and "http://localhost/institution/spacex" in pages
    assert not any("secret-draft" in p for p in pages)
    objects = [e.text for e in ET.fromstring(client.get("/sitemap-2.xml").data).findall("s:url/s:loc", ns)]
    assert sorted(objects) == [f"http://localhost/object/{i}" for i in ("album", "coins", "horse", "lamp-post", "rocket")]
    assert client.get("/sitemap-3.xml").status_code == 404
    assert "Sitemap: http://localhost/sitemap.xml" in client.get("/robots.txt").get_data(as_text=True)


def test_favicon_is_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"


def test_viewer_assets_come_from_npm_compressed_and_nothing_else_of_node_modules(client):
    response = client.get("/assets/mirador.js?v=4.0.0", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    import gzip

    assert b"Mirador" in gzip.decompress(response.data)[:2000]
    assert len(response.data) < 900_000  # 2.4 MB of JavaScript travels as ~0.7 MB
    plain = client.get("/assets/model-viewer.js")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers and b"three" in plain.data.lower()
    for path in ("/assets/package.json", "/assets/..%2Fpackage.json", "/assets/mirador"):
        assert client.get(path).status_code == 404


# Listings: paging, text cards, headings and landmarks (the search, institution and collection pages)

def _pager(page: str) -> list[tuple[str, str, bool]]:
    """The pager's links: (href, text, is it the current page)."""
    nav = re.search(r'<nav class="pager"[^>]*>(.*?)</nav>', page, re.S).group(1)
    return [(html.unescape(href), re.sub(r"<[^>]+>", "", inner).strip(), "aria-current" in attrs)
            for attrs, href, inner in re.findall(r'<a([^>]*?href="([^"]*)"[^>]*)>(.*?)</a>', nav, re.S)]


def _hit_ids(page: str) -> list[str]:
    return re.findall(r'<h3 class="hit-title"><a href="/object/([^"?]+)', page)


def test_a_listing_links_previous_next_and_the_page_numbers_near_the_current_one(collection, client):
    everything = _hit_ids(text(client.get("/search?sort=title")))
    assert len(everything) == 5
    third = text(client.get("/search?sort=title&size=1&p=3"))
    assert _hit_ids(third) == everything[2:3]  # page 3 is the third hit, asked by its number alone
    pager = _pager(third)
    labels = [label for _href, label, _current in pager]
    assert "Previous" in labels[0] and "Next" in labels[-1]
    assert [label for label in labels if label.isdigit()] == ["1", "2", "3", "4", "5"]
    current = [(href, label) for href, label, is_current in pager if is_current]
    assert [label for _href, label in current] == ["3"]
    for href, _label, _current in pager:
        query = dict(parse_qsl(urlsplit(href).query))
        assert "cursor" not in query and query.get("sort") == "title" and query.get("size") == "1"
        assert urlsplit(href).fragment == "results"  # focus comes back to the results
    previous, following = pager[0][0], pager[-1][0]
    assert dict(parse_qsl(urlsplit(previous).query))["p"] == "2"
    assert dict(parse_qsl(urlsplit(following).query))["p"] == "4"
    assert _hit_ids(text(client.get(following))) == everything[3:4]
    first = text(client.get("/search?sort=title&size=1"))
    assert "Previous" not in _pager(first)[0][1] and "p=1" not in first  # page 1 is the plain URL
    assert client.get("/search?sort=title&size=1&p=6").status_code == 404  # past the last page
    assert client.get("/search?sort=title&size=1&p=0").status_code == 400


def test_the_pager_elides_far_pages_and_keeps_the_first_and_last():
    from catalogue.web.results import page_numbers

    assert page_numbers(6, 40) == [1, None, 4, 5, 6, 7, 8, None, 40]
    assert page_numbers(1, 3) == [1, 2, 3]
    assert page_numbers(3, 7) == [1, 2, 3, 4, 5, 6, 7]  # no ellipsis that hides a single page
    assert page_numbers(40, 40) == [1, None, 38, 39, 40]


def test_institution_and_collection_pages_page_by_number_too(collection, client):
    second = text(client.get("/institution/brooklyn?size=1&p=2"))
    pager = _pager(second)
    assert [label for _h, label, current in pager if current] == ["2"]
    assert all(urlsplit(h).path == "/institution/brooklyn" for h, _l, _c in pager)


def test_a_work_without_a_picture_is_a_text_card_with_its_maker_date_and_type(collection, client, tmp_path):
    record = {"kind": "object", "id": "letter", "type": "book", "label": {"en": ["A letter to the printer"]},
              "institution": "brooklyn", "creators": [{"name": "Anna Printer"}], "date": "1850", "earliest": 1850,
              "latest": 1850, "rights": "http://creativecommons.org/publicdomain/mark/1.0/"}
    path = tmp_path / "letter.jsonl"
    path.write_text(json.dumps(record) + "\n")
    import_file(collection, path)
    for url in ("/search?q=printer", "/search", "/institution/brooklyn"):
        page = text(client.get(url))
        hit = re.search(r'<li class="hit[^"]*">(?:(?!</li>).)*A letter to the printer.*?</li>', page, re.S).group(0)
        assert "text-card" in hit and "<img" not in hit and "type-icon" not in hit and "hit-thumb" not in hit, url
        assert "Book" in hit  # its type, in words
    with_picture = re.search(r'<li class="hit[^"]*"[^>]*>(?:(?!</li>).)*Greek coins from Pompeii.*?</li>',
                             text(client.get("/search")), re.S).group(0)
    assert "text-card" not in with_picture and "<img" in with_picture
    from flask import render_template

    from catalogue.web.http import urls
    from catalogue.web.views import card

    with collection.test_request_context("/"):
        letter = card(collection.extensions["vitrine"].store.get_object("letter"), "en", urls())
        shown = html.unescape(render_template("_card.html", c=letter))
    assert 'class="card text-card"' in shown and "<img" not in shown and "type-icon" not in shown
    assert "A letter to the printer" in shown and "Anna Printer" in shown and "1850" in shown and "Book" in shown


def test_results_have_their_own_heading_a_skip_link_and_a_sort_that_waits_to_be_asked(collection, client):
    page = text(client.get("/search?q=coins"))
    headings = re.findall(r"<h([1-6])([^>]*)>(.*?)</h\1>", page, re.S)
    levels = [int(level) for level, _a, _t in headings]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels  # no level skipped
    results_at = next(i for i, (level, attrs, _t) in enumerate(headings) if level == "2" and 'id="results"' in attrs)
    assert "1 result" in re.sub(r"<[^>]+>", "", headings[results_at][2])
    hit_headings = [i for i, (_l, _a, t) in enumerate(headings) if "Greek coins" in t]
    assert hit_headings and all(i > results_at for i in hit_headings)  # the hits are under the results heading
    assert '<a class="skip" href="#hits">Skip to results</a>' in page
    assert "data-autosubmit" not in page
    sort = re.search(r'<form class="sort"(.*?)</form>', page, re.S).group(0)
    assert re.search(r'<button type="submit"[^>]*>Sort</button>', sort) and "<noscript>" not in sort
    assert 'action=""' not in page


def test_the_search_within_a_page_is_a_landmark_named_apart_from_the_site_search(collection, client):
    for url, name in (("/institution/brooklyn", "Search within Brooklyn Museum"),
                      ("/collection/coins", "Search within Coins")):
        page = text(client.get(url))
        assert f'role="search" aria-label="{name}"' in page, url
        assert 'role="search" aria-label="Search the collections"' in page
        assert f'action="{urlsplit(url).path}"' in page and 'action=""' not in page


def test_the_filters_say_how_many_are_in_force_and_each_facet_link_returns_to_its_value(collection, client):
    page = text(client.get("/search?type=image&institution=brooklyn"))
    toggle = re.search(r'<a class="filters-toggle[^"]*" href="#filters"[^>]*>(.*?)</a>', page, re.S).group(1)
    assert re.search(r"Filters\s*<span[^>]*>\(2\)</span>", toggle), toggle  # the phone's one button, with its count
    links_ = re.findall(r'<a href="([^"]+)"[^>]*id="(f-[^"]+)"', page)
    assert links_ and all(urlsplit(href).fragment == anchor for href, anchor in links_)
    assert len({anchor for _h, anchor in links_}) == len(links_)  # one id per value


def test_the_pages_by_number_together_hold_every_hit_once_in_every_order(collection, client):
    for query in ("sort=title", "sort=date", "sort=-date", "q=pompeii+OR+falcon+OR+horse+OR+album+OR+lamp"):
        whole = _hit_ids(text(client.get(f"/search?{query}")))
        paged = [i for p in range(1, len(whole) + 1) for i in _hit_ids(text(client.get(f"/search?{query}&size=1&p={p}")))]
        assert paged == whole and len(whole) >= 3, query
        twos = [i for p in (1, 2, 3) for i in _hit_ids(text(client.get(f"/search?{query}&size=2&p={p}")))]
        assert twos == whole[:6], query


def test_a_search_shows_the_published_exhibitions_its_words_find_above_the_works(demo_app):
    client = demo_app.test_client()
    page = client.get("/search?q=origines&lang=fr").get_data(as_text=True)
    found = page[page.index('class="exhibition-hits"'):page.index('<ol class="hits')]
    assert 'href="/exhibition/origins"' in found and "Origines" in found
    draft = client.get("/search?q=alledaagse&lang=nl").get_data(as_text=True)
    assert "everyday-things" not in draft and 'class="exhibition-hits"' not in draft
