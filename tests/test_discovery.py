"""Ways from one work to others, and what a visitor takes away: related works, previous/next
through a results list, download and cite, makers' and subjects' pages, shared favourites."""
from __future__ import annotations

import html
import io
import json
import re
from datetime import date
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from PIL import Image
from support import import_file


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def section(page: str, cls: str) -> str:
    """The HTML of the first <section> (or <nav>) whose class starts with ``cls``."""
    found = re.search(rf'<(section|nav) class="{cls}[^"]*".*?</\1>', page, re.S)
    return found.group(0) if found else ""


def object_links(fragment: str) -> list[str]:
    return re.findall(r'href="/object/([^"?]+)', fragment)


@pytest.fixture
def demo(demo_app):
    return demo_app.test_client()


# -- item 16: more like this ------------------------------------------------------------

def test_more_like_this_offers_the_makers_other_works_first_and_never_the_work_itself(demo):
    page = text(demo.get("/object/kde-safe-landing"))
    related = object_links(section(page, "related"))
    assert "kde-safe-landing" not in related
    assert set(related[:2]) == {"kde-safe-landing-detail-rocket", "kde-safe-landing-detail-plants"}
    assert "kde-altai" in related  # same subjects (landscape, digital art)
    assert "More like this" in section(page, "related")


def test_more_like_this_finds_works_about_the_same_subject_without_a_maker(demo):
    related = object_links(section(text(demo.get("/object/brooklyn-greek-coin-r1c4")), "related"))
    assert len(related) == 6 and "brooklyn-greek-coin-r1c4" not in related
    assert all(r.startswith("brooklyn-greek-coin") for r in related)


def test_more_like_this_never_offers_a_withdrawn_work(collection):
    client = collection.test_client()
    assert "horse" in object_links(section(text(client.get("/object/rocket")), "related"))
    collection.extensions["vitrine"].objects.withdraw(["horse"])
    assert "horse" not in object_links(section(text(client.get("/object/rocket")), "related"))


# -- item 16: previous and next through the results the visitor came from --------------------

def test_hit_links_carry_their_list_and_place(demo):
    page = demo.get("/search?subject=vitrine:digital-art").get_data(as_text=True)
    hrefs = [html.unescape(h) for h in re.findall(r'<h3[^>]*><a href="([^"]+)"', page)]
    assert len(hrefs) >= 3
    args = parse_qs(urlsplit(hrefs[2]).query)
    assert args["at"] == ["3"] and args["ctx"] == ["/search?subject=vitrine:digital-art"]


def test_the_object_page_walks_the_results_list_it_was_opened_from(demo):
    ids = [h["id"] for h in demo.get("/api/search?subject=vitrine:digital-art&sort=title&size=100").json["hits"]]
    ctx = "/search?subject=vitrine%3Adigital-art&sort=title&lang=en"
    page = text(demo.get(f"/object/{ids[1]}?ctx={quote(ctx)}&at=2"))
    trail = section(page, "trail")
    assert f"2 of {len(ids)}" in trail
    links = dict(re.findall(r'<a href="([^"]+)" rel="([^"]+)"', trail))
    by_rel = {rel.split()[-1]: href for href, rel in links.items()}
    assert all("nofollow" in rel for rel in links.values())
    assert by_rel["prev"].startswith(f"/object/{ids[0]}?") and "at=1" in by_rel["prev"]
    assert by_rel["next"].startswith(f"/object/{ids[2]}?") and "at=3" in by_rel["next"]
    assert by_rel["nofollow"] == ctx  # back to the results
    assert f'<link rel="canonical" href="http://localhost/object/{ids[1]}">' in page
    first = section(text(demo.get(f"/object/{ids[0]}?ctx={quote(ctx)}&at=1")), "trail")
    assert "Previous" not in first and "Next" in first


def test_a_list_inside_an_institution_page_is_walked_within_it(demo):
    ids = [h["id"] for h in demo.get("/api/search?institution=kde&sort=title").json["hits"]]
    ctx = "/institution/kde?sort=title"
    trail = section(text(demo.get(f"/object/{ids[-1]}?ctx={quote(ctx)}&at={len(ids)}")), "trail")
    assert f"{len(ids)} of {len(ids)}" in trail and "Next" not in trail


@pytest.mark.parametrize("ctx", ["//evil.example/search", "https://evil.example/search", "/sitemap.xml",
                                 "/search?from=abc", "/search?cursor=damaged", "/search?sort=sideways",
                                 "/search?lang=xx", "/search?type=nonsense", "/institution/nowhere"])
def test_a_context_that_is_no_results_list_of_this_site_is_ignored(demo, ctx):
    response = demo.get(f"/object/kde-volna?ctx={quote(ctx)}&at=1")
    assert response.status_code == 200 and section(text(response), "trail") == ""


def test_a_place_that_no_longer_holds_the_work_shows_no_trail(demo):
    page = text(demo.get(f"/object/kde-volna?ctx={quote('/search?q=coin')}&at=1"))
    assert section(page, "trail") == ""


# -- item 17: download and cite -------------------------------------------------------------

def downloads(page: str) -> list[tuple[str, str]]:
    return [(kind, html.unescape(url)) for url, kind in
            re.findall(r'<a href="([^"]+)" data-kind="([a-z]+)" download>', section(page, "download"))]


def test_every_download_of_an_open_work_is_served_and_no_larger_than_the_original(demo):
    svc = demo.application.extensions["vitrine"]
    obj = svc.store.get_object("skimage-chelsea")
    image = obj.images[0]
    offered = downloads(text(demo.get("/object/skimage-chelsea")))
    kinds = [k for k, _u in offered]
    assert kinds.count("image") >= 1 and "record" in kinds and "manifest" in kinds
    for kind, url in offered:
        response = demo.get(url.removeprefix("http://localhost"))
        assert response.status_code == 200, url
        if kind == "image":
            with Image.open(io.BytesIO(response.data)) as got:
                assert got.width <= image.width and got.height <= image.height
            assert svc.access.decide(None, obj.rights, image).whole
        else:
            assert json.loads(response.data)["id"] in ("skimage-chelsea", url)


def test_a_work_in_copyright_offers_no_image_file_and_says_why(demo):
    page = text(demo.get("/object/vitrine-composition-2026"))
    kinds = [k for k, _u in downloads(page)]
    assert "image" not in kinds and "record" in kinds
    assert "no image is offered for download" in section(page, "download")
    dutch = section(text(demo.get("/object/vitrine-composition-2026?lang=nl")), "download")
    assert "Downloaden en citeren" in dutch and "no image is offered" not in dutch


def test_the_citation_and_credit_line_are_in_the_visitors_language(demo):
    box = section(text(demo.get("/object/kde-volna?lang=fr")), "download")
    citation = re.search(r'<p class="citation" id="citation">(.*?)</p>', box, re.S).group(1)
    assert citation.startswith("Nikita Babin, ")
    assert "http://localhost/object/kde-volna" in citation
    from babel.dates import format_date
    assert f"consulté le {format_date(date.today(), 'long', locale='fr')}" in citation
    assert "CC BY-SA 4.0" in box or "Babin" in re.search(r'<p class="credit"[^>]*>(.*?)</p>', box, re.S).group(1)
    assert "Copier la référence" in box


# -- item 18: makers and subjects ------------------------------------------------------------

def test_an_object_page_links_its_makers_and_subjects_to_their_pages(demo):
    page = demo.get("/object/kde-safe-landing").get_data(as_text=True)
    assert 'href="/creator/Louis%20Durrant"' in page
    assert 'href="/subject/vitrine:landscape"' in page


def test_a_makers_page_lists_their_works_paged_like_an_institutions(demo):
    page = text(demo.get("/creator/Louis%20Durrant"))
    assert "<h1>Louis Durrant</h1>" in page
    hits = re.findall(r'<h3[^>]*><a href="/object/([^"?]+)', page)
    assert set(hits) == {"kde-safe-landing", "kde-safe-landing-detail-rocket", "kde-safe-landing-detail-plants"}
    assert "3 works" in page
    assert demo.get("/creator/Nobody%20at%20all").status_code == 404


def test_a_subjects_page_shows_its_labels_in_every_language_and_its_place_in_the_tree(demo):
    page = text(demo.get("/subject/vitrine:animals"))
    for code in ("nl", "fr", "de", "en"):
        assert re.search(rf'<dd lang="{code}">[^<]+</dd>', page), code
    narrower = re.search(r'<p class="narrower">(.*?)</p>', page, re.S).group(1)
    assert {"/subject/vitrine:whale", "/subject/vitrine:cat", "/subject/vitrine:horse"} <= \
        set(re.findall(r'href="([^"]+)"', narrower))
    hits = re.findall(r'<h3[^>]*><a href="/object/([^"?]+)', page)
    assert "skimage-chelsea" in hits and "skimage-horse" in hits
    whale = text(demo.get("/subject/vitrine:whale?lang=de"))
    assert 'href="/subject/vitrine:animals"' in re.search(r'<p class="broader">(.*?)</p>', whale, re.S).group(1)
    assert demo.get("/subject/vitrine:nothing-here").status_code == 404


def test_a_subject_named_by_an_http_uri_has_a_page(app):
    import_file(app, _concept_file(app))
    client = app.test_client()
    page = client.get("/object/owl").get_data(as_text=True)
    link = re.search(r'href="(/subject/[^"]+)"', page).group(1)
    response = client.get(link)
    assert response.status_code == 200 and "Uil" in text(client.get(link + "?lang=nl"))


def _concept_file(app):
    from pathlib import Path
    path = Path(app.config["INSTANCE"]) / "owl.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(r) for r in (
        {"kind": "institution", "id": "zoo", "label": {"en": ["Zoo"]}},
        {"kind": "concept", "uri": "http://vocab.getty.edu/aat/300250141", "label": {"en": ["Owl"], "nl": ["Uil"]}},
        {"kind": "object", "id": "owl", "type": "image", "institution": "zoo", "label": {"en": ["An owl"]},
         "subjects": ["http://vocab.getty.edu/aat/300250141"]},
    )) + "\n")
    return path


def test_a_selected_creator_facet_links_to_the_makers_page(demo):
    page = demo.get("/search?creator=Louis+Durrant").get_data(as_text=True)
    assert '<a class="about" href="/creator/Louis%20Durrant">About this maker</a>' in page


# -- item 19: favourites shared as a link ---------------------------------------------------

def test_a_shared_favourites_link_lists_its_works_and_notes_the_unknown_ones(demo):
    page = text(demo.get("/favourites?ids=kde-volna,no-such-work,skimage-chelsea,kde-volna"))
    assert re.findall(r'<li class="card"><a href="/object/([^"]+)"', page) == ["kde-volna", "skimage-chelsea"]
    assert "1 work of this list is not in the catalogue" in page


def test_a_shared_favourites_link_is_bounded(demo):
    ids = ",".join(["kde-volna"] + [f"x{n}" for n in range(150)])
    page = text(demo.get(f"/favourites?ids={ids}"))
    assert "at most 100 works" in page
    assert "99 works of this list are not in the catalogue" in page


def test_the_favourites_page_says_what_it_needs_without_script(demo):
    page = text(demo.get("/favourites?lang=de"))
    assert "<noscript>" in page and "JavaScript" in page
    assert '<meta name="robots" content="noindex">' in page


def test_more_like_this_asks_at_most_two_searches_and_counts_no_facets(demo_app):
    svc = demo_app.extensions["vitrine"]
    asked = []
    search = svc.search.search

    def counting(request):
        asked.append(request)
        return search(request)

    svc.search.search = counting  # the real backend, counted
    try:
        with demo_app.test_request_context():
            related = svc.discovery.related(svc.store.get_object("kde-safe-landing"), "en")
    finally:
        del svc.search.search
    assert related and len(asked) == 2 and not any(r.facets for r in asked)
    from catalogue.search import SearchRequest
    plain = search(SearchRequest(filters={"creator": ["Louis Durrant"]}, facets=()))
    counted = search(SearchRequest(filters={"creator": ["Louis Durrant"]}))
    assert plain.facets == {} and counted.facets and [h.id for h in plain.hits] == [h.id for h in counted.hits]


def test_a_trail_from_a_later_page_walks_on_from_that_page(demo):
    ids = [h["id"] for h in demo.get("/api/search?subject=vitrine:digital-art&sort=title&size=100").json["hits"]]
    first = demo.get("/search?subject=vitrine:digital-art&sort=title&size=3").get_data(as_text=True)
    second = html.unescape(re.search(r'<a [^>]*href="([^"]+)" rel="next">', first).group(1))
    hrefs = [html.unescape(h) for h in re.findall(r'<h3[^>]*><a href="([^"]+)"', demo.get(second).get_data(as_text=True))]
    assert [parse_qs(urlsplit(h).query)["at"] for h in hrefs] == [["4"], ["5"], ["6"]]
    for href, at in ((hrefs[0], 4), (hrefs[2], 6)):  # the page's first work (its previous is on page 1), its last
        trail = section(text(demo.get(href)), "trail")
        assert f"{at} of {len(ids)}" in trail
        assert f"/object/{ids[at - 2]}?" in trail and f"at={at - 1}" in trail
        assert f"/object/{ids[at]}?" in trail and f"at={at + 1}" in trail


def test_a_makers_page_says_their_roles_in_the_visitors_language(demo):
    page = text(demo.get("/creator/NASA?lang=nl"))
    lead = re.search(r'<p class="lead">(.*?)</p>', page, re.S).group(1)
    assert "fotograaf" in lead and "photographer" not in lead
