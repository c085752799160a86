"""Fuzzing every search parameter, on /api/search and /search, against a real index.

Whatever a client puts in ``q``, ``lang``, a facet, ``from``/``to``, ``sort``,
``size``, ``p`` or ``cursor`` (random text, query syntax, unicode, hostile
numbers, real cursors mutated), the answer is a result or a 4xx that says why
(a JSON ``error`` on the API, the reason on the page), never a server error,
and it comes within a generous time bound. benchmarks/fuzz.py runs these
properties longer (VITRINE_FUZZ=long).
"""
from __future__ import annotations

import base64
import json
import re
import time
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from catalogue.search import FACETS, LANGUAGES, SORTS

SECONDS = 5  # per response: generous, for a busy machine; a healthy search takes milliseconds
GENERIC_400 = "This request cannot be answered as it was made."  # error.html without a reason

# -- strategies ------------------------------------------------------------------------

visible = st.characters(blacklist_categories=("Cs",))  # what UTF-8 can carry
junk = st.text(visible, max_size=40)
SYNTAX = [
    "zee", "coins", "pompeii", "geboorte", "munten", "Pompéi", "birth", "picaso", "sea", "mo", "s",
    "AND", "OR", "NOT", "-", "+", "(", ")", '"', "*", "?", "[", "]", "{", "}", ":", "^", "~", "\\", "/",
    "creator:", "title:", "type:", "institution:", "collection:", "text:", "*:*", "co*", "*oi*", "p?mpeii",
    "a" * 40, "İ" * 20, "ß" * 20, "\u0000", "\u2028", "\u0085", "\u00e9\u0301", "\ufeff", "\U0001f600",
]
words = st.lists(st.one_of(st.sampled_from(SYNTAX), junk), max_size=12).map(" ".join)
long_words = st.text(st.sampled_from("aeİßﬃ"), min_size=100, max_size=520)  # folding grows İ, ß and ﬃ
queries = st.one_of(words, junk, long_words, st.text(visible, min_size=480, max_size=520))
HOSTILE_NUMBERS = [
    "-0", "-1", "0", "00", "nan", "inf", "1e400", "0x10", "+5", " 5", "5 ", "5_0", "٣", "５", "²", "①",
    "9" * 19, "9" * 400, "1" * 5000, "1.5", "",
]
numbers = st.one_of(st.sampled_from(HOSTILE_NUMBERS), st.integers(-20_000, 20_000).map(str), junk)
FACET_VALUES = [
    "image", "book", "3d", "open", "in-copyright", "yes", "no", "19", "-1", "0", "unknown", "brooklyn",
    "coins", "test:birth", "kbr:LEXICON_00000016", "Brooklyn Museum",
]
facet_values = st.lists(st.one_of(st.sampled_from(FACET_VALUES), junk), max_size=3)


@st.composite
def parameters(draw) -> dict[str, str | list[str]]:
    """A query string: any subset of the search parameters, each plausible or junk."""
    pool = {
        "q": queries,
        "lang": st.one_of(st.sampled_from(LANGUAGES), junk),
        "from": numbers,
        "to": numbers,
        "sort": st.one_of(st.sampled_from(SORTS), junk),
        "size": numbers,
        "p": numbers,
        "cursor": junk,
        **{name: facet_values for name in FACETS},
    }
    chosen = draw(st.sets(st.sampled_from(sorted(pool)), max_size=6))
    return {name: draw(pool[name]) for name in sorted(chosen)}


# -- checks ------------------------------------------------------------------------------

def answered(client, path: str, query) -> None:
    """The request is answered in time, with a result or a 4xx that gives its reason."""
    started = time.perf_counter()
    response = client.get(path, query_string=query) if not isinstance(query, str) else client.get(f"{path}?{query}")
    assert time.perf_counter() - started < SECONDS, (path, query)
    assert response.status_code < 500, (path, query, response.status_code)
    event(f"{path} {response.status_code}")
    if path.startswith("/api/"):
        body = response.get_json()
        if response.status_code >= 400:
            assert isinstance(body["error"], str) and body["error"], (query, body)
        else:
            assert isinstance(body["total"], int) and len(body["hits"]) <= body["total"]
    elif response.status_code >= 400:
        page = response.get_data(as_text=True)
        reason = re.search(r'<div class="error-page">.*?<h1>.*?</h1>\s*<p>(.*?)</p>', page, re.S)
        assert reason and reason.group(1).strip() and reason.group(1) != GENERIC_400, (query, page[-800:])


@pytest.fixture
def client(collection):
    return collection.test_client()


@pytest.fixture
def cursors(client) -> list[tuple[dict, str]]:
    """Real next-page cursors of a few first pages (relevance, date and title orders), with their query."""
    found = []
    for query in ({"q": "coins OR pompeii OR birth", "size": "1"}, {"size": "1", "sort": "date"}, {"size": "2"}):
        cursor = client.get("/api/search", query_string=query).get_json()["next"]
        assert cursor, query
        found.append((query, cursor))
    return found


def _open(cursor: str):
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def _seal(data) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


HOSTILE_KEYS = [10**400, -(10**400), 2**64, 2**63, -1, 1e308, -1e308, True, 0.5]
json_values = st.recursive(
    st.sampled_from(HOSTILE_KEYS) | st.none() | st.integers(-(2**70), 2**70) | st.floats() | st.text(visible, max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(visible, max_size=3), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def mutations(draw, cursor: str) -> str:
    """A real cursor changed a little: one value of its JSON, a key, or its characters."""
    data = _open(cursor)
    how = draw(st.sampled_from(["key value", "key length", "part", "drop", "characters", "bytes"]))
    if how == "key value":
        key = list(data["k"])
        key[draw(st.integers(0, len(key) - 1))] = draw(json_values)
        return _seal({**data, "k": key})
    if how == "key length":
        return _seal({**data, "k": draw(st.lists(st.sampled_from(HOSTILE_KEYS) | st.integers(), max_size=6))})
    if how == "part":
        part = draw(st.sampled_from(["s", "k", "r", "w", "a", "x"]))
        if part in ("w", "a") and "r" in data:
            return _seal({**data, "r": {**data["r"], part: draw(json_values)}})
        return _seal({**data, part: draw(json_values)})
    if how == "drop":
        return _seal({k: v for k, v in data.items() if k != draw(st.sampled_from(sorted(data)))})
    if how == "characters":
        at = draw(st.integers(0, len(cursor)))
        return cursor[:at] + draw(st.text(visible, min_size=1, max_size=4)) + cursor[at + 1:]
    raw = bytearray(json.dumps(data).encode())
    raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
    return _seal(bytes(raw))


# -- properties ----------------------------------------------------------------------------

@settings()  # the profile's count: 150 in CI, VITRINE_FUZZ_EXAMPLES in benchmarks/fuzz.py
@given(query=parameters())
def test_any_parameters_are_answered_on_the_api(client, query):
    answered(client, "/api/search", query)


@settings()  # the profile's count: 150 in CI, VITRINE_FUZZ_EXAMPLES in benchmarks/fuzz.py
@given(query=parameters())
def test_any_parameters_are_answered_on_the_page(client, query):
    answered(client, "/search", query)


@settings()  # the profile's count: 150 in CI, VITRINE_FUZZ_EXAMPLES in benchmarks/fuzz.py
@given(data=st.data())
def test_a_mutated_real_cursor_is_answered(client, cursors, data):
    query, cursor = data.draw(st.sampled_from(cursors))
    tampered = {**query, "cursor": data.draw(mutations(cursor))}
    answered(client, "/api/search", tampered)
    if data.draw(st.booleans()):
        answered(client, "/search", {**tampered, "p": data.draw(numbers)})


@settings()  # the profile's count: 150 in CI, VITRINE_FUZZ_EXAMPLES in benchmarks/fuzz.py
@given(raw=st.binary(max_size=80))
def test_a_query_string_of_raw_bytes_is_answered(client, raw):
    """Percent-encoded bytes, invalid UTF-8 included, as a client may send them."""
    text = quote_from_bytes(raw, safe="=&")
    answered(client, "/api/search", text)
    answered(client, "/search", text)


def _longest(separator: str, word: str, limit: int = 500) -> str:
    """``word separator word ...`` as long as a query may be."""
    n = (limit + len(separator)) // (len(word) + len(separator))
    return separator.join([word] * n)


def test_operators_and_parentheses_nested_as_deep_as_a_query_allows_are_answered_in_time(client):
    """The Whoosh-based parser read each side of a binary operator twice: a chain of them took
    time doubling with each link (18 links, 2 s; the 35 a query may hold, days)."""
    coins = client.get("/api/search", query_string={"q": "coins"}).get_json()["total"]
    assert coins > 0
    for q, total in [
        (_longest(" ANDNOT ", "coins"), 0),  # coins without coins, without coins, ...
        (_longest(" REQUIRE ", "coins"), coins),
        (_longest(" ANDMAYBE ", "coins"), coins),
        ("(" * 247 + "coins" + ")" * 247, coins),
    ]:
        assert len(q) <= 500
        started = time.perf_counter()
        response = client.get("/api/search", query_string={"q": q})
        assert time.perf_counter() - started < SECONDS, q[:40]
        assert response.status_code == 200 and response.get_json()["total"] == total, q[:40]
