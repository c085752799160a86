"""GET /api/search, the /search page and `vitrine index`, over the small multilingual collection."""
from __future__ import annotations

import base64
import json
from html import escape
import re
import time
import tracemalloc
from urllib.parse import parse_qsl, urlsplit

import pytest
from click.testing import CliRunner

from catalogue import create_app
from catalogue.cli import main
from catalogue.iiif.levels import thumbnail_size
from test_search import RECORDS, SEA, catalogue, fill  # noqa: F401 - the fixture


def test_api_answers_hits_facets_and_the_next_cursor(client, catalogue):
    response = client.get("/api/search?q=zee&lang=nl&size=2")
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"total", "hits", "facets", "suggestion", "next", "timeline", "exhibitions"}
    assert body["total"] == 3 and len(body["hits"]) == 2 and body["next"]
    assert set(body["hits"][0]) == {"id", "label", "snippet", "thumbnail", "manifest", "type", "creators", "date"}
    # every hit is about the sea, and none is 3D: those facets narrow nothing and are not offered
    assert set(body["facets"]) == {"institution", "collection", "type", "creator", "century", "classification",
                                   "medium", "hasimage", "rights"}
    sea = client.get(f"/api/search?q=zee&lang=nl&size=2&subject={SEA}").json["facets"]["subject"]
    assert {"value": SEA, "label": "zee", "count": 3} in sea  # selected: offered, to be removed
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
    ("size=many", "'size' must be a whole number, not 'many'"),
    ("cursor=not-a-cursor", "cursor"),
])
def test_bad_parameters_get_400_with_a_reason(client, catalogue, query, reason):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    assert reason in response.json["error"]


def test_the_page_shows_hits_and_pages_on_by_number(client, catalogue):
    response = client.get("/search?q=zee&lang=nl&size=1&institution=kbr")
    assert response.status_code == 200
    first = response.get_data(as_text=True)
    assert "<mark>zee</mark>" in first
    next_link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    state = dict(parse_qsl(urlsplit(next_link).query))
    assert state["q"] == "zee" and state["institution"] == "kbr" and state["p"] == "2"  # pages go by number
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


# -- budgets: no search may take a worker's memory or time ---------------------------------

MB = 1 << 20


def measured(call):
    """``call()``'s answer, the seconds it took and the most memory it held at once (bytes)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = call()
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return response, seconds, peak


@pytest.fixture
def catalogue_with(tmp_path):
    """A client of the RECORDS catalogue whose app has these settings (the search budgets)."""
    apps = []

    def make(**settings):
        app = create_app({"INSTANCE": str(tmp_path / f"instance{len(apps)}"), "TESTING": True, **settings})
        apps.append(app)
        fill(app.extensions["vitrine"].store)
        return app.test_client()

    yield make
    for app in apps:
        app.extensions["vitrine"].store.close()


@pytest.mark.parametrize("q", ["a" * 4000, "İ" * 600], ids=["4000 a", "600 dotted I"])
def test_a_query_over_the_length_limit_is_refused_fast_with_little_memory(client, catalogue, q):
    response, seconds, peak = measured(lambda: client.get("/api/search", query_string={"q": q}))
    assert response.status_code == 400
    assert response.json["error"] == f"q must be at most 500 characters long, not {len(q)}"
    assert seconds < 5 and peak < 100 * MB


@pytest.mark.parametrize("q", ["a" * 500, "İ" * 500, "ß" * 500, "picasssssssssssssssssssssssssssso"])
def test_a_long_word_gets_no_suggestion_and_costs_little(client, catalogue, q):
    response, seconds, peak = measured(lambda: client.get("/api/search", query_string={"q": q}))
    assert response.status_code == 200
    assert response.json["total"] == 0 and response.json["suggestion"] is None
    assert seconds < 5 and peak < 100 * MB


def test_250_wildcards_are_refused_fast(client, catalogue_with):
    q = " ".join(f"*qq{i}Nzx*" for i in range(250))
    response, seconds, _ = measured(lambda: client.get("/api/search", query_string={"q": q}))
    assert response.status_code == 400 and "q must be at most 500 characters" in response.json["error"]
    roomy = catalogue_with(SEARCH_MAX_QUERY_CHARS=10_000)
    started = time.perf_counter()
    response = roomy.get("/api/search", query_string={"q": q})
    assert time.perf_counter() - started < 5
    assert response.status_code == 400
    assert response.json["error"] == "q may have at most 8 wildcard or prefix terms (like relig*), not 250"


def test_too_many_terms_are_refused_with_the_limit(client, catalogue):
    q = " ".join(f"word{i}" for i in range(51))
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 400
    assert response.json["error"] == "q may have at most 50 terms, not 51"
    assert client.get("/api/search", query_string={"q": " ".join(["zee"] * 50)}).status_code == 200


def test_the_wildcards_of_a_query_stand_for_at_most_the_expansion_budget(catalogue_with):
    default = catalogue_with().get("/api/search?q=mo*").json
    one = catalogue_with(SEARCH_MAX_EXPANSIONS=1).get("/api/search?q=mo*").json
    assert {h["id"] for h in default["hits"]} == {"o3", "o5", "o6", "o10"}  # moeder, mother, mothers
    assert {h["id"] for h in one["hits"]} == {"o3", "o5", "o10"}  # moeder, the first word only


def test_a_search_out_of_time_answers_503_with_retry_after_and_the_reason(catalogue_with):
    client = catalogue_with(SEARCH_SECONDS=1e-6)
    response = client.get("/api/search?q=zee*")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert "the search took longer than its 1e-06 s (SEARCH_SECONDS)" in response.json["error"]
    page = client.get("/search?q=zee*")
    assert page.status_code == 503 and page.headers["Retry-After"] == "10"
    assert "the search took longer than its 1e-06 s" in page.get_data(as_text=True)


def test_the_budgets_are_read_from_vitrine_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("VITRINE_SEARCH_MAX_TERMS", "2")
    app = create_app({"INSTANCE": str(tmp_path / "instance"), "TESTING": True})
    try:
        response = app.test_client().get("/api/search?q=a b c")
        assert response.status_code == 400 and response.json["error"] == "q may have at most 2 terms, not 3"
    finally:
        app.extensions["vitrine"].store.close()


# -- tampered cursors and odd numbers: 400 with the reason, never 500 -----------------------

def _cursor(data) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _opened(cursor: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


TAMPERINGS = {
    "a 400-digit key": lambda c: _cursor({**c, "k": [10**400] * len(c["k"])}),
    "a 5000-digit key": lambda c: _cursor(b'{"s":"%s","k":[%s]}' % (c["s"].encode(), b"9" * 5000)),
    "a key beyond a float": lambda c: _cursor(b'{"s":"%s","k":[1e999,1,1]}' % c["s"].encode()),
    "NaN": lambda c: _cursor(b'{"s":"%s","k":[NaN,NaN]}' % c["s"].encode()),
    "a negative hash": lambda c: _cursor({**c, "k": [*c["k"][:-1], -1]}),
    "a string key": lambda c: _cursor({**c, "k": ["x"] * len(c["k"])}),
    "a boolean key": lambda c: _cursor({**c, "k": [True] * len(c["k"])}),
    "a key too short": lambda c: _cursor({**c, "k": c["k"][:1]}),
    "a key too long": lambda c: _cursor({**c, "k": c["k"] * 2}),
    "a nested key": lambda c: _cursor(b'{"s":"%s","k":%s}' % (c["s"].encode(), b"[" * 3000)),
    "weights that are text": lambda c: _cursor({**c, "r": {"w": ["x"], "a": c["r"]["a"]}}),
    "a zero average length": lambda c: _cursor({**c, "r": {"w": c["r"]["w"], "a": {"text": 0}}}),
    "no weights": lambda c: _cursor({**c, "r": {"w": [], "a": c["r"]["a"]}}),
    "a list": lambda c: _cursor([c]),
    "not base64": lambda c: "!!not*base64!!",
    "not ASCII": lambda c: "é" + _cursor(c),
    "not UTF-8": lambda c: _cursor(b"\xff\xfe\xfd"),
    "too long": lambda c: _cursor({**c, "pad": "x" * 5000}),
}


def test_a_tampered_cursor_is_400_with_the_reason(client, catalogue):
    first = client.get("/api/search?q=zee&lang=nl&size=1").json["next"]
    for how, tamper in TAMPERINGS.items():
        query = {"q": "zee", "lang": "nl", "size": 1, "cursor": tamper(_opened(first))}
        response = client.get("/api/search", query_string=query)
        assert response.status_code == 400 and "cursor" in response.json["error"], how
        page = client.get("/search", query_string=query)
        assert page.status_code == 400 and escape(response.json["error"]) in page.get_data(as_text=True), how


def test_an_untampered_cursor_still_pages_on(client, catalogue):
    first = client.get("/api/search?q=zee&lang=nl&size=1").json["next"]
    again = _cursor(_opened(first))  # decoded and encoded again, as a client might
    assert client.get("/api/search", query_string={"q": "zee", "lang": "nl", "size": 1, "cursor": again}).status_code == 200


NOT_ASCII_DIGITS = ["²", "①", "٣", "５", "+5", " 5", "5 ", "5_0", "5.0", "0x5", "∞"]


@pytest.mark.parametrize("name", ["size", "from", "to"])
def test_a_number_parameter_takes_ascii_digits_only(client, catalogue, name):
    for value in NOT_ASCII_DIGITS:
        for path in ("/api/search", "/search"):
            response = client.get(path, query_string={name: value})
            assert response.status_code == 400, (path, value, response.status_code)
            assert f"'{name}' must be a" in response.get_data(as_text=True).replace("&#39;", "'"), (path, value)


def test_a_page_number_takes_ascii_digits_only(client, catalogue):
    cursor = client.get("/api/search?q=zee&lang=nl&size=1").json["next"]
    for value in NOT_ASCII_DIGITS + ["0", "-1"]:
        query = {"q": "zee", "lang": "nl", "size": 1, "cursor": cursor, "p": value}
        response = client.get("/search", query_string=query)
        assert response.status_code == 400 and "p must be a page number" in response.get_data(as_text=True), value


def test_a_century_takes_ascii_digits_only(client, catalogue):
    for value in ["١٩", "+19", " 19", "1_9", "１９"]:
        response = client.get("/api/search", query_string={"century": value})
        assert response.status_code == 400 and "century must be a number" in response.json["error"], value


def test_a_catalogue_with_nothing_in_it_answers_every_search(client):
    for q in ["", "zee", "mo*", "picaso"]:
        for path in ("/api/search", "/search"):
            assert client.get(path, query_string={"q": q}).status_code == 200, (path, q)
        assert client.get("/api/search", query_string={"q": q}).json["total"] == 0


def test_ascii_numbers_still_work(client, catalogue):
    body = client.get("/api/search?size=2&from=-50&to=1900&century=19").json
    assert body["total"] >= 1 and len(body["hits"]) <= 2
