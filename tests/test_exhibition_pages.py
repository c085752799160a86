"""The exhibition pages as a visitor reads them: the list's groups, the route's numbered stops, a sharp
detail, and a work opened from the route that knows where it is on it."""
from __future__ import annotations

import dataclasses
import html
import io
import re

from PIL import Image


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def headings(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.S)]


def test_the_exhibitions_list_shows_only_the_groups_that_have_exhibitions(collection, client):
    svc = collection.extensions["vitrine"]
    origins = svc.store.get_exhibition("origins")
    svc.exhibitions.save(dataclasses.replace(origins, opens=None, closes=None))  # no dates: on now, whatever today is
    page = text(client.get("/exhibitions"))
    assert headings(page) == ["Now on"]
    assert "Origins" in page and "None at the moment" not in page
    assert headings(text(client.get("/exhibitions?lang=de"))) == ["Jetzt zu sehen"]


def test_a_catalogue_without_exhibitions_says_so_in_one_sentence(app, client):
    page = text(client.get("/exhibitions"))
    assert headings(page) == []
    assert page.count('class="empty-list"') == 1 and "There are no exhibitions to visit yet." in page
    assert "Er zijn nog geen tentoonstellingen te bezoeken." in text(client.get("/exhibitions?lang=nl"))


def test_the_route_numbers_its_stops_and_steps_from_one_to_the_next(collection, client):
    page = text(client.get("/exhibition/origins"))
    assert re.findall(r'<li class="route-item" id="stop-(\d+)"', page) == ["1", "2", "3", "4"]
    assert re.findall(r'<p class="stop-label">([^<]+)</p>', page) == [f"Stop {n} of 4" for n in range(1, 5)]
    steps = re.findall(r'<p class="stop-steps">(.*?)</p>', page)
    assert re.findall(r'href="(#stop-\d)">([^<]+)', steps[0]) == [("#stop-2", "Next stop")]
    assert re.findall(r'href="(#stop-\d)">([^<]+)', steps[1]) == [("#stop-1", "Previous stop"), ("#stop-3", "Next stop")]
    assert re.findall(r'href="(#stop-\d)">([^<]+)', steps[3]) == [("#stop-3", "Previous stop")]
    assert "Halte 2 van 4" in text(client.get("/exhibition/origins?lang=nl"))
    assert "Étape 2 sur 4" in text(client.get("/exhibition/origins?lang=fr"))


def test_each_stop_links_its_work_on_the_route(collection, client):
    page = text(client.get("/exhibition/origins"))
    links = re.findall(r'<h3><a href="([^"]+)"', page)
    assert links == ["/object/coins?exhibition=origins&stop=1", "/object/coins?exhibition=origins&stop=2",
                     "/object/rocket?exhibition=origins&stop=3", "/object/lamp-post?exhibition=origins&stop=4"]


def test_a_detail_is_drawn_by_the_image_api_at_the_size_the_route_shows_it_for_1x_and_2x(collection, client):
    page = text(client.get("/exhibition/origins"))
    srcset = re.search(r'<img src="([^"]+)" srcset="([^"]+)" alt="[^"]*\(detail\)"', page)
    assert srcset, "the detail has a srcset"
    src, candidates = srcset.groups()
    (one, x1), (two, x2) = (c.rsplit(" ", 1) for c in candidates.split(", "))
    assert (x1, x2) == ("1x", "2x") and one == src
    pictures = []
    for url in (one, two):
        answer = client.get(url.removeprefix("http://localhost"))
        assert answer.status_code == 200 and answer.mimetype == "image/jpeg", url
        pictures.append(Image.open(io.BytesIO(answer.data)))
    # the stored region is 150 x 120 px: drawn by the Image API at the frame's 440 px height, and twice that
    assert [p.size for p in pictures] == [(550, 440), (1100, 880)]
    region = Image.open(io.BytesIO(client.get("/iiif/image/coins-1/0,0,150,120/max/0/default.jpg").data))
    assert region.size == (150, 120)
    small = pictures[0].convert("L").resize((15, 12))  # the same picture as the region, enlarged
    assert max(abs(a - b) for a, b in zip(small.getdata(), region.convert("L").resize((15, 12)).getdata())) < 40


def test_a_detail_of_a_work_in_copyright_is_never_enlarged_past_its_reduced_size(collection, client):
    svc = collection.extensions["vitrine"]
    horse = svc.store.get_object("horse")
    assert horse.in_copyright
    origins = svc.store.get_exhibition("origins")
    section = dataclasses.replace(origins.sections[0], items=[
        *origins.sections[0].items, dataclasses.replace(origins.sections[0].items[1], object="horse", region=[0, 0, 40, 30])])
    svc.exhibitions.save(dataclasses.replace(origins, sections=[section, *origins.sections[1:]]))
    page = text(client.get("/exhibition/origins"))
    urls = re.findall(r'(/iiif/image/horse-1/[^"\s]+/0/default\.jpg)', page)
    assert urls and all("^" not in u for u in urls)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_a_work_opened_from_the_route_shows_its_stop_and_the_way_on_and_back(collection, client):
    page = text(client.get("/object/rocket?exhibition=origins&stop=3"))
    journey = re.search(r'<nav class="journey"[^>]*>(.*?)</nav>', page, re.S).group(1)
    assert "Stop 3 of 4 in Origins" in journey
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', journey) == [
        ("/object/coins?exhibition=origins&stop=2", "Previous stop"),
        ("/exhibition/origins#stop-3", "Back to the route"),
        ("/object/lamp-post?exhibition=origins&stop=4", "Next stop"),
    ]
    assert '<link rel="canonical" href="http://localhost/object/rocket">' in page  # one page for crawlers
    dutch = text(client.get("/object/rocket?exhibition=origins&stop=3&lang=nl"))
    assert "Halte 3 van 4 in Oorsprong" in dutch and "Terug naar de route" in dutch


def test_a_stop_that_names_another_work_or_a_draft_shows_no_route(collection, client):
    for query in ("exhibition=origins&stop=1", "exhibition=origins&stop=99", "exhibition=secret-draft&stop=1",
                  "exhibition=nothing&stop=1", "exhibition=origins&stop=x"):
        response = client.get(f"/object/rocket?{query}")
        assert response.status_code == 200 and 'class="journey"' not in text(response), query
