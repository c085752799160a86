"""HTTP for IIIF clients: CORS preflights and exposed headers, gzip with its own ETag, 304s by ETag
and by date, `Accept: application/json`, and the RFC 7239 Forwarded header from trusted proxies only."""
from __future__ import annotations

import gzip
import json

import pytest
from werkzeug.http import http_date, parse_date

from catalogue.iiif.presentation import MEDIA_TYPE

ORIGIN = {"Origin": "https://viewer.example"}
CROSS_ORIGIN = [
    "/iiif/collection",
    "/iiif/collection/brooklyn",
    "/iiif/object/coins/manifest",
    "/iiif/exhibition/origins/manifest",
    "/iiif/image/coins-1/info.json",
    "/iiif/image/coins-1/full/200,/0/default.jpg",
    "/api/objects/coins",
    "/api/search?q=coin",
    "/media/coins-1",
]
GZIP = {"Accept-Encoding": "gzip, deflate"}
UNTRUSTED = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.mark.parametrize("path", CROSS_ORIGIN)
def test_a_preflight_allows_get_with_the_headers_a_iiif_client_sends(collection, client, path):
    asked = "accept, if-none-match, if-modified-since"
    preflight = client.options(path, headers={**ORIGIN, "Access-Control-Request-Method": "GET",
                                              "Access-Control-Request-Headers": asked})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert preflight.headers["Access-Control-Allow-Headers"] == asked
    assert int(preflight.headers["Access-Control-Max-Age"]) >= 600
    assert preflight.headers["X-Content-Type-Options"] == "nosniff"


def test_a_preflight_that_names_no_headers_allows_the_usual_ones(collection, client):
    preflight = client.options("/iiif/object/coins/manifest", headers={**ORIGIN, "Access-Control-Request-Method": "GET"})
    allowed = {name.strip().lower() for name in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"accept", "if-none-match", "if-modified-since", "range", "content-type"} <= allowed


def test_a_preflight_asking_for_odd_header_names_gets_the_usual_list_not_an_echo(collection, client):
    preflight = client.options("/api/objects/coins", headers={
        **ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-a;evil=1"})
    assert preflight.status_code == 204 and "evil" not in preflight.headers["Access-Control-Allow-Headers"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("path", CROSS_ORIGIN)
def test_every_cross_origin_get_exposes_its_validators_and_links(collection, client, path):
    response = client.get(path, headers=ORIGIN)
    assert response.status_code == 200, response.data[:200]
    assert response.headers.getlist("Access-Control-Allow-Origin") == ["*"]
    exposed = {name.strip() for name in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Link", "Last-Modified", "Content-Length"} <= exposed


def test_a_page_for_people_carries_no_cors(collection, client):
    assert "Access-Control-Allow-Origin" not in client.get("/object/coins", headers=ORIGIN).headers
    assert client.options("/object/coins", headers={**ORIGIN, "Access-Control-Request-Method": "GET"}).status_code != 204


@pytest.mark.parametrize("path", ["/iiif/object/coins/manifest", "/iiif/exhibition/origins/manifest",
                                  "/iiif/collection/brooklyn", "/api/objects/coins"])
def test_json_worth_compressing_is_gzipped_with_an_etag_of_its_own(collection, client, path):
    plain = client.get(path)
    zipped = client.get(path, headers=GZIP)
    assert "Content-Encoding" not in plain.headers and zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data and len(zipped.data) < len(plain.data)
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    assert not zipped.headers["ETag"].startswith("W/")
    for response in (plain, zipped):
        assert {"Accept", "Accept-Encoding"} <= set(response.vary)


@pytest.mark.parametrize("path", ["/iiif/object/coins/manifest", "/iiif/exhibition/origins/manifest",
                                  "/iiif/collection/brooklyn", "/iiif/collection", "/api/objects/coins",
                                  "/iiif/image/coins-1/info.json"])
def test_a_conditional_request_with_either_etag_gets_304(collection, client, path):
    plain, zipped = client.get(path).headers["ETag"], client.get(path, headers=GZIP).headers["ETag"]
    for tag in (plain, zipped, "W/" + zipped, f'"other", {zipped}'):
        for encoding in ({}, GZIP):
            again = client.get(path, headers={"If-None-Match": tag, **encoding})
            assert again.status_code == 304, (tag, encoding)
            assert again.data == b"" and again.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get(path, headers={"If-None-Match": '"stale"', **GZIP}).status_code == 200


def test_a_gzipped_manifest_revalidates_with_the_etag_of_the_encoding_it_was_sent_in(collection, client):
    zipped = client.get("/iiif/object/coins/manifest", headers=GZIP)
    again = client.get("/iiif/object/coins/manifest", headers={"If-None-Match": zipped.headers["ETag"], **GZIP})
    assert again.status_code == 304 and again.headers["ETag"] == zipped.headers["ETag"]


def test_a_client_that_refuses_gzip_or_a_small_document_gets_it_plain(collection, client):
    refused = client.get("/iiif/object/coins/manifest", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and json.loads(refused.data)["type"] == "Manifest"
    small = client.get("/iiif/collection", headers=GZIP)  # under 1 KB
    assert len(small.data) < 1024 and "Content-Encoding" not in small.headers
    assert {"Accept", "Accept-Encoding"} <= set(small.vary)


def test_search_json_is_gzipped_for_a_client_that_takes_it(collection, client):
    plain = client.get("/api/search?q=")
    zipped = client.get("/api/search?q=", headers=GZIP)
    assert len(plain.data) > 1024 and zipped.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.data)) == plain.get_json()
    assert "Accept-Encoding" in zipped.vary


@pytest.mark.parametrize("path", ["/iiif/object/coins/manifest", "/iiif/exhibition/origins/manifest",
                                  "/api/objects/coins"])
def test_if_modified_since_is_answered_by_last_modified(collection, client, path):
    last_modified = client.get(path).headers["Last-Modified"]
    assert client.get(path, headers={"If-Modified-Since": last_modified}).status_code == 304
    later = http_date(parse_date(last_modified).timestamp() + 3600)
    assert client.get(path, headers={"If-Modified-Since": later}).status_code == 304
    earlier = http_date(parse_date(last_modified).timestamp() - 1)
    assert client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200
    stale_tag = client.get(path, headers={"If-Modified-Since": last_modified, "If-None-Match": '"stale"'})
    assert stale_tag.status_code == 200  # If-None-Match decides when both are sent (RFC 9110)


def test_an_api_record_sends_its_etag_and_answers_it_with_304(collection, client):
    record = client.get("/api/objects/coins")
    assert record.get_json()["id"] == "coins" and record.headers["ETag"].startswith('"coins-')
    again = client.get("/api/objects/coins", headers={"If-None-Match": record.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == record.headers["ETag"]
    assert client.get("/api/objects/nothing-here", headers={"If-None-Match": "*"}).status_code == 404


@pytest.mark.parametrize("path", ["/iiif/object/coins/manifest", "/iiif/collection", "/iiif/exhibition/origins/collection"])
def test_accept_application_json_gets_the_same_document_as_plain_json(collection, client, path):
    ld = client.get(path)
    plain = client.get(path, headers={"Accept": "application/json"})
    assert ld.headers["Content-Type"] == MEDIA_TYPE
    assert plain.headers["Content-Type"] == "application/json" and plain.data == ld.data
    for accept in ("*/*", "application/ld+json", f"{MEDIA_TYPE}, application/json;q=0.5",
                   'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'):
        assert client.get(path, headers={"Accept": accept}).headers["Content-Type"] == MEDIA_TYPE, accept
    for response in (ld, plain):
        assert "Accept" in response.vary


def test_forwarded_from_a_trusted_proxy_names_the_public_host_in_iiif_ids(collection, client):
    forwarded = {"Forwarded": 'for="[2001:db8::1]:4711";proto=https;host=museum.example'}
    collection_doc = client.get("/iiif/collection", headers=forwarded).get_json(force=True)
    assert collection_doc["id"] == "https://museum.example/iiif/collection"
    record = client.get("/api/objects/coins", headers=forwarded).get_json()
    assert record["links"]["manifest"] == "https://museum.example/iiif/object/coins/manifest"


def test_forwarded_from_anyone_else_changes_nothing(collection, client):
    forwarded = {"Forwarded": "for=192.0.2.1;proto=https;host=evil.example"}
    doc = client.get("/iiif/collection", headers=forwarded, environ_overrides=UNTRUSTED).get_json(force=True)
    assert doc["id"] == "http://localhost/iiif/collection"


@pytest.mark.parametrize("header", [
    "host=evil.example, for=192.0.2.1;proto=https",  # the trusted (last) element states no host
    'host="evil.example', "host=evil.example;;", "host=evil.example for=1",  # malformed: ignored whole
])
def test_only_what_the_trusted_proxy_wrote_in_forwarded_counts(collection, client, header):
    doc = client.get("/iiif/collection", headers={"Forwarded": header}).get_json(force=True)
    assert "evil" not in json.dumps(doc) and doc["id"].endswith("://localhost/iiif/collection")


def test_a_trusted_x_forwarded_header_wins_over_forwarded(collection, client):
    headers = {"Forwarded": "host=other.example", "X-Forwarded-Host": "museum.example"}
    assert client.get("/iiif/collection", headers=headers).get_json(force=True)["id"] == "http://museum.example/iiif/collection"


def test_the_pages_own_css_and_scripts_are_versioned_by_content_and_cached_for_a_year(collection, client):
    import re
    from pathlib import Path

    import catalogue
    page = client.get("/").get_data(as_text=True)
    href = re.search(r'href="(/static/vitrine\.css\?v=[0-9a-f]{12})"', page).group(1)
    assert re.search(r'src="/static/vitrine\.js\?v=[0-9a-f]{12}"', page)
    answer = client.get(href)
    assert answer.status_code == 200
    assert answer.get_data() == (Path(catalogue.__file__).parent / "static" / "vitrine.css").read_bytes()
    assert "max-age=31536000" in answer.headers["Cache-Control"] and "immutable" in answer.headers["Cache-Control"]
    for stale in ("/static/vitrine.css?v=000000000000", "/static/vitrine.css"):  # another version, or none
        assert "immutable" not in client.get(stale).headers.get("Cache-Control", ""), stale
