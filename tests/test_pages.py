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
    french = text(client.get("/object/coins", headers={"Accept-Language": "fr-BE,fr;q=0.9"}))
    assert "Monnaies grecques de Pompéi" in french


def test_object_in_copyright_says_so(collection, client):
    assert "in copyright: reduced size" in text(client.get("/object/horse"))


def test_exhibition_page_follows_the_route_with_the_detail(collection, client):
    page = text(client.get("/exhibition/origins?lang=fr"))
    assert page.index("Deux monnaies") < page.index("Un détail")
    assert "/iiif/image/coins-1/0,0,150,120/400,/0/default.jpg" in page
    assert "http://localhost/iiif/exhibition/origins/manifest" in page


def test_unknown_pages_get_a_page_not_a_trace(collection, client):
    response = client.get("/object/does-not-exist")
    assert response.status_code == 404
    assert "There is no object 'does-not-exist'" in text(response)
    assert "Traceback" not in text(response)
    assert client.get("/institution/brooklyn?page=99").status_code == 404
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
