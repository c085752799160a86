"""The detail of an exhibition item, chosen on /curate/exhibitions/<slug>/items/<section>/<item>/detail:
saved through the exhibition service with its author and version, checked inside its image, shown back as
the crop a visitor sees; closed to anyone but the exhibition's curators and admins."""
from __future__ import annotations

import dataclasses
import html
import re

import pytest

PASSWORD = "correct horse battery"
PAGE = "/curate/exhibitions/origins/items/0/1/detail"  # the coins (384 x 303), shown as a detail 0,0,150,120


def token_of(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def signed_in(app, name: str):
    client = app.test_client()
    token = token_of(client.get("/curate/login").data)
    assert client.post("/curate/login", data={"name": name, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return client


def form(client, page: str = PAGE, **fields) -> dict:
    """What the page's form sends, with ``fields`` changed (None: left out)."""
    body = client.get(page).data
    data = {"csrf_token": token_of(body), "version": re.search(rb'name="version" value="(\d+)"', body).group(1).decode(),
            "media": "0", "extent": "detail"}
    data.update({key: str(value) for key, value in fields.items() if value is not None})
    return {k: v for k, v in data.items() if fields.get(k, "") is not None}


def region_form(client, x, y, w, h, page: str = PAGE, **fields) -> dict:
    return form(client, page, region_x=x, region_y=y, region_w=w, region_h=h, **fields)


@pytest.fixture
def curated(collection):
    """ann curates "origins" and the draft; bob curates nothing of them."""
    svc = collection.extensions["vitrine"]
    svc.accounts.add("ann", PASSWORD, roles=["curator"])
    svc.accounts.add("bob", PASSWORD, roles=["curator"])
    for slug in ("origins", "secret-draft"):
        exhibition = svc.store.get_exhibition(slug)
        svc.exhibitions.save(dataclasses.replace(exhibition, curators=[*exhibition.curators, "ann"]))
    return collection


def stored(app, section: int = 0, item: int = 1):
    return app.extensions["vitrine"].store.get_exhibition("origins").sections[section].items[item]


def coins_image(app) -> str:
    return app.extensions["vitrine"].store.get_object("coins").media[0].id


def test_the_page_shows_the_four_numbers_the_image_and_the_crop_a_visitor_sees(curated):
    client = signed_in(curated, "ann")
    response = client.get(PAGE)
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    for side, value in zip("xywh", (0, 0, 150, 120)):
        assert re.search(rf'name="region_{side}"[^>]*value="{value}"', page), side
    media = coins_image(curated)
    assert f"/iiif/image/{media}/info.json" in page
    crop = re.search(r'<img src="([^"]+)" alt="The detail as visitors will see it"', page).group(1)
    assert f"/iiif/image/{media}/0,0,150,120/" in crop and crop.endswith("/0/default.jpg")
    assert curated.test_client().get(crop.replace("http://localhost", "")).status_code == 200
    assert "detail-editor.js" in page and "The detail in pixels of the full image (384 × 303)" in page
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_region_inside_the_image_is_saved_with_its_author_and_shown_back_as_its_crop(curated):
    client = signed_in(curated, "ann")
    before = curated.extensions["vitrine"].store.get_exhibition("origins").version
    response = client.post(PAGE, data=region_form(client, 10, 20, 100, 80))
    assert response.status_code == 302
    assert stored(curated).region == [10, 20, 100, 80]
    revision = curated.extensions["vitrine"].store.revisions("exhibition", "origins")[0]
    assert (revision.version, revision.user) == (before + 1, "ann")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"/iiif/image/{coins_image(curated)}/10,20,100,80/" in page


def test_a_region_outside_the_image_shows_the_form_again_with_the_message_and_saves_nothing(curated):
    client = signed_in(curated, "ann")
    before = curated.extensions["vitrine"].store.get_exhibition("origins")
    response = client.post(PAGE, data=region_form(client, 300, 0, 100, 100))
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "The detail must lie inside the image (384 × 303 pixels)." in page
    assert re.search(r'name="region_x"[^>]*value="300"', page)  # what was typed is kept
    after = curated.extensions["vitrine"].store.get_exhibition("origins")
    assert after.version == before.version and stored(curated).region == [0, 0, 150, 120]


def test_numbers_that_are_not_whole_numbers_are_refused(curated):
    client = signed_in(curated, "ann")
    response = client.post(PAGE, data=region_form(client, "ten", 0, 100, 100))
    assert response.status_code == 422
    assert "Enter the detail as four whole numbers." in html.unescape(response.get_data(as_text=True))
    assert stored(curated).region == [0, 0, 150, 120]


def test_the_whole_image_choice_clears_the_region(curated):
    client = signed_in(curated, "ann")
    response = client.post(PAGE, data=region_form(client, 1, 2, 3, 4, extent="whole"))
    assert response.status_code == 302
    assert stored(curated).region is None
    page = client.get(PAGE).get_data(as_text=True)
    assert 'value="whole" data-extent="whole" checked' in page and "data-detail-crop" not in page


def test_a_work_with_several_images_offers_each_and_keeps_the_one_chosen(curated):
    svc = curated.extensions["vitrine"]
    draft = svc.store.get_exhibition("secret-draft")
    section = draft.sections[0]
    svc.exhibitions.save(dataclasses.replace(draft, sections=[dataclasses.replace(
        section, items=[*section.items, dataclasses.replace(section.items[0], object="album")])]))
    client = signed_in(curated, "ann")
    page_url = "/curate/exhibitions/secret-draft/items/0/1/detail"
    page = html.unescape(client.get(page_url).get_data(as_text=True))
    assert len(re.findall(r'type="radio" name="media"', page)) == 3
    assert "Image 3 (400 × 328)" in page
    response = client.post(page_url, data=region_form(client, 200, 100, 200, 228, page=page_url, media=2))
    assert response.status_code == 302
    item = svc.store.get_exhibition("secret-draft").sections[0].items[1]
    assert (item.media, item.region) == (2, [200, 100, 200, 228])


def test_signed_out_the_page_and_its_form_send_to_the_login_page(curated):
    client = curated.test_client()
    for response in (client.get(PAGE), client.post(PAGE, data={"region_x": "1"})):
        assert response.status_code in (302, 400)
    response = client.get(PAGE)
    assert response.status_code == 302 and response.headers["Location"].startswith("/curate/login?next=")
    assert stored(curated).region == [0, 0, 150, 120]


def test_a_curator_of_another_exhibition_is_refused_and_a_draft_stays_unseen(curated):
    client = signed_in(curated, "bob")
    assert client.get(PAGE).status_code == 403
    assert client.get("/curate/exhibitions/secret-draft/items/0/0/detail").status_code == 404
    ann = signed_in(curated, "ann")
    data = region_form(ann, 10, 20, 100, 80)
    data["csrf_token"] = token_of(client.get("/curate/").data)
    assert client.post(PAGE, data=data).status_code == 403
    assert stored(curated).region == [0, 0, 150, 120]


def test_a_form_without_its_csrf_token_is_refused_and_saves_nothing(curated):
    client = signed_in(curated, "ann")
    data = region_form(client, 10, 20, 100, 80)
    del data["csrf_token"]
    assert client.post(PAGE, data=data).status_code == 400
    assert stored(curated).region == [0, 0, 150, 120]


def test_a_save_from_a_stale_version_is_refused_and_keeps_the_numbers_typed(curated):
    first, second = signed_in(curated, "ann"), signed_in(curated, "ann")  # a second tab is another editor
    stale = region_form(second, 5, 5, 50, 50)
    assert first.post(PAGE, data=region_form(first, 10, 20, 100, 80)).status_code == 302
    response = second.post(PAGE, data=stale)
    assert response.status_code == 409
    page = html.unescape(response.get_data(as_text=True))
    assert "Someone else saved this exhibition after you opened this page." in page
    assert re.search(r'name="region_w"[^>]*value="50"', page)
    assert stored(curated).region == [10, 20, 100, 80]


def test_an_item_that_is_not_there_is_404(curated):
    client = signed_in(curated, "ann")
    assert client.get("/curate/exhibitions/origins/items/0/9/detail").status_code == 404
    assert client.get("/curate/exhibitions/origins/items/7/0/detail").status_code == 404
