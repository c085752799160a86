"""Requests an attacker or a broken client sends: a clear 4xx, never a 500, and nothing leaked."""
from __future__ import annotations

import dataclasses

import pytest

IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"
PAGES = ["/", "/search?q=coins", "/object/coins", "/exhibitions", "/institution/brooklyn", "/sitemap.xml"]


@pytest.mark.parametrize("number", ["0", "00", "99999999999999999999", "3", "-1"])
def test_sitemap_files_outside_the_range_are_404(collection, number):
    response = collection.test_client().get(f"/sitemap-{number}.xml")
    assert response.status_code == 404
    assert b"<loc>" not in response.data


def test_sitemap_files_in_the_range_list_pages_then_objects(collection):
    client = collection.test_client()
    index = client.get("/sitemap.xml").get_data(as_text=True)
    assert "/sitemap-1.xml" in index and "/sitemap-2.xml" in index and "/sitemap-3.xml" not in index
    objects = client.get("/sitemap-2.xml").get_data(as_text=True)
    assert "/object/coins</loc>" in objects and "/object/lamp-post</loc>" in objects


@pytest.mark.parametrize("header", ["Host", "X-Forwarded-Host"])
@pytest.mark.parametrize("host", ["a" * 64 + ".example", "x" * 300, "a..b", "-a.example", "ex ample.org", "é" * 70])
@pytest.mark.parametrize("path", ["/", "/object/coins", "/iiif/collection", "/iiif/image/rocket-launch/info.json"])
def test_a_host_that_is_no_host_name_is_a_400_with_a_reason(collection, header, host, path):
    response = collection.test_client().get(path, headers={header: host})
    assert response.status_code == 400, response.data[:300]
    assert b"host" in response.data.lower()
    assert b"Traceback" not in response.data


@pytest.mark.parametrize("host", ["collections.example.org", "localhost:8080", "127.0.0.1:5000", "[::1]:5000",
                                  "a" * 63 + ".example"])
def test_ordinary_host_names_are_served(collection, host):
    response = collection.test_client().get("/iiif/collection", headers={"Host": host})
    assert response.status_code == 200
    assert response.json["id"].startswith(f"http://{host}/")


def test_forwarded_headers_count_only_from_a_trusted_proxy(collection):
    client = collection.test_client()
    poison = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", "X-Forwarded-Prefix": "/x"}
    from_afar = client.get("/iiif/collection", headers=poison, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert from_afar.status_code == 200
    assert "evil.example" not in from_afar.get_data(as_text=True)
    assert from_afar.json["id"] == "http://localhost/iiif/collection"
    info = client.get("/iiif/image/rocket-launch/info.json", headers=poison, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert info.json["id"] == "http://localhost/iiif/image/rocket-launch"
    redirect = client.get("/iiif/image/rocket-launch", headers=poison, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert redirect.status_code == 303 and "evil.example" not in redirect.headers["Location"]

    from_proxy = client.get("/iiif/collection", headers=poison)  # the test client comes from 127.0.0.1
    assert from_proxy.json["id"] == "https://evil.example/x/iiif/collection"


def test_a_3d_model_of_a_work_in_copyright_is_not_served_by_any_route(collection):
    store = collection.extensions["vitrine"].store
    lamp = store.get_object("lamp-post")
    store.put_object(dataclasses.replace(lamp, rights=IN_COPYRIGHT))
    client = collection.test_client()
    media_id = lamp.media[0].id
    assert client.get(f"/media/{media_id}").status_code == 403
    page = client.get("/object/lamp-post").get_data(as_text=True)
    assert f"/media/{media_id}" not in page and "<model-viewer" not in page
    manifest = client.get("/iiif/object/lamp-post/manifest").get_data(as_text=True)
    assert f"/media/{media_id}" not in manifest


def test_a_3d_model_of_an_open_work_is_served_as_itself(collection):
    lamp = collection.extensions["vitrine"].store.get_object("lamp-post")
    response = collection.test_client().get(f"/media/{lamp.media[0].id}")
    assert response.status_code == 200 and response.data[:4] == b"glTF"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", PAGES + ["/api/objects/coins", "/iiif/collection", "/nowhere"])
def test_every_response_carries_the_security_headers(collection, path):
    response = collection.test_client().get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    if response.mimetype == "text/html":
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors" in csp
        assert "'unsafe-eval'" not in csp.split("script-src", 1)[1].split(";", 1)[0]


def test_image_tiles_from_the_fast_path_carry_nosniff(collection):
    client = collection.test_client()
    info = client.get("/iiif/image/rocket-launch/info.json")
    assert info.headers["X-Content-Type-Options"] == "nosniff"


def test_an_object_sitemap_file_is_built_once_per_catalogue_version_and_revalidated(collection):
    client = collection.test_client()
    first = client.get("/sitemap-2.xml")
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get("/sitemap-2.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    store = collection.extensions["vitrine"].store
    store.delete_object("rocket")
    changed = client.get("/sitemap-2.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "/object/rocket<" not in changed.get_data(as_text=True)
    assert "/object/coins</loc>" in changed.get_data(as_text=True)
