"""GET /api/search, the /search page and `vitrine index`, over the small multilingual collection."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from catalogue.iiif.levels import thumbnail_size
from test_search import RECORDS, SEA, catalogue  # noqa: F401 - the fixture


def test_api_answers_hits_facets_and_the_next_cursor(client, catalogue):
    response = client.get("/api/search?q=zee&lang=nl&size=2")
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"total", "hits", "facets", "suggestion", "next"}
    assert body["total"] == 3 and len(body["hits"]) == 2 and body["next"]
    assert set(body["hits"][0]) == {"id", "label", "snippet", "thumbnail", "manifest", "type"}
    assert set(body["facets"]) == {"institution", "collection", "type", "creator", "subject", "century", "rights", "has3d"}
    assert {"value": SEA, "label": "zee", "count": 3} in body["facets"]["subject"]
    rest = client.get(f"/api/search?q=zee&lang=nl&size=2&cursor={body['next']}").json
    assert rest["next"] is None and len(rest["hits"]) == 1
    assert {h["id"] for h in body["hits"] + rest["hits"]} == {"o2", "o4", "o8"}


def test_hits_link_a_thumbnail_within_the_copyright_limit_and_the_manifest(app, client, catalogue):
    hits = {h["id"]: h for h in client.get("/api/search?size=100").json["hits"]}
    w, _ = thumbnail_size(4000, 3000, 400)
    assert hits["o1"]["thumbnail"] == f"http://localhost/iiif/image/o1-1/full/{w},/0/default.jpg"
    limit = app.config["COPYRIGHT_MAX_WIDTH"]
    w, _ = thumbnail_size(4000, 3200, 400, limit)
    assert hits["o6"]["thumbnail"] == f"http://localhost/iiif/image/o6-1/full/{w},/0/default.jpg"
    assert hits["o4"]["thumbnail"] is None  # no image
    assert hits["o5"]["thumbnail"].startswith("http://localhost/iiif/image/o5-1/")  # the image, not the model
    assert hits["o2"]["manifest"] == "http://localhost/iiif/object/o2/manifest"
    app.config["BASE_URL"] = "https://collections.example.org"
    hit = client.get("/api/search?q=ensor").json["hits"][0]
    assert hit["manifest"] == "https://collections.example.org/iiif/object/o2/manifest"


def test_an_empty_query_lists_everything_with_facets(client, catalogue):
    body = client.get("/api/search").json
    assert body["total"] == len(RECORDS)
    assert {v["value"]: v["count"] for v in body["facets"]["type"]} == {"image": 7, "book": 2, "3d": 2}


def test_filters_and_years_as_parameters(client, catalogue):
    body = client.get("/api/search?type=book&type=3d&institution=kbr").json
    assert {h["id"] for h in body["hits"]} == {"o3", "o4"}
    body = client.get("/api/search?from=1448&to=1448").json
    assert {h["id"] for h in body["hits"]} == {"o3", "o4"}
    body = client.get("/api/search?q=picaso").json
    assert body["total"] == 0 and body["suggestion"] == "picasso"


@pytest.mark.parametrize("query,reason", [
    ("lang=xx", "lang must be one of"),
    ("sort=price", "sort must be one of"),
    ("from=abc", "'from' must be a year like 1850, not 'abc'"),
    ("to=12.5", "'to' must be a year like 1850, not '12.5'"),
    ("from=1900&to=1800", "from must not be after to"),
    ("from=99999", "from must be a year between"),
    ("type=painting", "type must be one of"),
    ("rights=free", "rights must be one of"),
    ("has3d=maybe", "has3d must be one of"),
    ("century=nineteenth", "century must be a number"),
    ("century=0", "out of range"),
    ("size=0", "size must be between"),
    ("size=many", "size must be a whole number"),
    ("cursor=not-a-cursor", "cursor"),
])
def test_bad_parameters_get_400_with_a_reason(client, catalogue, query, reason):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    assert reason in response.json["error"]


def test_the_page_shows_hits_and_pages_on_with_the_cursor(client, catalogue):
    response = client.get("/search?q=zee&lang=nl&size=1&institution=kbr")
    assert response.status_code == 200
    first = response.get_data(as_text=True)
    assert "<mark>zee</mark>" in first
    next_link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    state = dict(parse_qsl(urlsplit(next_link).query))
    assert state["q"] == "zee" and state["institution"] == "kbr" and state["cursor"]
    second = client.get(next_link).get_data(as_text=True)
    assert 'rel="next"' not in second
    shown = {label for label in ("Een zicht op de zee", "Le musicien et la mer") if label in first + second}
    assert len(shown) == 2 and not all(label in first for label in shown)


def test_the_page_explains_a_bad_parameter(client, catalogue):
    response = client.get("/search?lang=xx")
    assert response.status_code == 400 and "lang must be one of" in response.get_data(as_text=True)


def test_vitrine_index_rebuild_rebuilds_from_the_store(tmp_path):
    env = {"VITRINE_INSTANCE": str(tmp_path / "instance")}
    from catalogue import create_app
    from catalogue.model import DigitalObject
    from catalogue.store import Batch

    app = create_app({"INSTANCE": str(tmp_path / "instance")})
    store = app.extensions["vitrine"].store
    store.write(Batch(objects=[DigitalObject.from_dict(r) for r in RECORDS if "subjects" not in r]))
    app.extensions["vitrine"].search.close()
    store.close()
    result = CliRunner().invoke(main, ["index", "--rebuild", "--procs", "1"], env=env)
    assert result.exit_code == 0, result.output
    expected = sum("subjects" not in r for r in RECORDS)
    assert f"{expected} objects indexed" in result.output
    assert f"{expected} objects in the search index, {expected} in the store" in result.output
