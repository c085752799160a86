"""What search engines are told: every language version by absolute URL, filtered listings kept out
of the index, and a title of its own for every page."""
from __future__ import annotations

import html
import re
from collections import Counter

import pytest

from test_i18n import demo_pages

BASE = "https://vitrine.example.org"


@pytest.fixture(scope="module")
def client(demo_app):
    before = demo_app.config.get("BASE_URL")
    demo_app.config["BASE_URL"] = BASE
    yield demo_app.test_client()
    demo_app.config["BASE_URL"] = before


def head(client, path: str) -> str:
    page = html.unescape(client.get(path).get_data(as_text=True))
    return page[: page.index("</head>")]


def alternates(page: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', page))


def test_every_language_version_is_named_by_an_absolute_url_with_itself_and_x_default(client):
    page = head(client, "/object/kde-altai?lang=fr")
    assert alternates(page) == {
        "en": f"{BASE}/object/kde-altai?lang=en", "nl": f"{BASE}/object/kde-altai?lang=nl",
        "fr": f"{BASE}/object/kde-altai?lang=fr", "de": f"{BASE}/object/kde-altai?lang=de",
        "x-default": f"{BASE}/object/kde-altai",
    }
    assert f'<link rel="canonical" href="{BASE}/object/kde-altai?lang=fr">' in page


def test_a_shared_viewer_state_is_canonicalised_to_the_work(client):
    page = head(client, "/object/kde-altai?canvas=1&view=10,10,2&lang=nl")
    assert f'<link rel="canonical" href="{BASE}/object/kde-altai?lang=nl">' in page
    assert "noindex" not in page


@pytest.mark.parametrize("path", [
    "/search?q=birth", "/search?type=image", "/search?sort=-date", "/institution/nasa?type=image",
    "/collection/kde-plasma-wallpapers?sort=title&lang=de", "/creator/NASA?type=image", "/subject/vitrine:animals?sort=title",
])
def test_a_filtered_listing_is_noindex_follow_and_names_no_canonical(client, path):
    page = head(client, path)
    assert page.count('<meta name="robots" content="noindex, follow">') == 1
    assert 'rel="canonical"' not in page


@pytest.mark.parametrize("path", ["/", "/search", "/institution/nasa", "/collection/kde-plasma-wallpapers?lang=fr",
                                  "/exhibitions"])
def test_an_unfiltered_listing_is_indexed_under_its_own_url(client, path):
    page = head(client, path)
    assert "noindex" not in page
    assert f'<link rel="canonical" href="{BASE}{path}">' in page


def test_an_error_page_is_not_indexed(client):
    response = client.get("/nothing/here")
    assert response.status_code == 404
    assert '<meta name="robots" content="noindex">' in response.get_data(as_text=True)


def title(client, path: str) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", client.get(path).get_data(as_text=True)).group(1))


def test_every_page_of_the_demo_has_a_title_of_its_own(client):
    titles = Counter(title(client, path) for path in demo_pages(client))
    assert [t for t, n in titles.items() if n > 1] == []


def test_an_object_title_names_the_work_its_maker_and_its_institution(client):
    assert title(client, "/object/kde-altai?lang=fr") == "Altaï – Alesya Khoteeva – KDE Visual Design Group · Vitrine"


def test_a_listing_title_names_its_filters_and_its_page(client):
    assert title(client, "/search?q=birth&type=image&lang=de") == "Suchen – Wörter: birth – Art: Bild · Vitrine"
    first = client.get("/institution/brooklyn-museum?size=2&lang=en").get_data(as_text=True)
    following = html.unescape(re.search(r'<a [^>]*href="([^"]+)" rel="next">', first).group(1))
    assert title(client, following) == "Brooklyn Museum – page 2 · Vitrine"


def test_switching_language_keeps_the_page_number_but_not_a_cursor(client):
    with client.application.test_request_context("/search?q=birth&p=2&lang=en"):
        from catalogue.web.seo import switch_language
        assert switch_language("nl") == "/search?q=birth&p=2&lang=nl"
    with client.application.test_request_context("/search?q=birth&cursor=abc&lang=en"):
        assert switch_language("nl") == "/search?q=birth&lang=nl"
