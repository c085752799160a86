"""The published JSON Schema of the import format describes the records Vitrine really imports."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, strategies as st

from support import COLLECTION, ROOT

SCHEMA = json.loads((ROOT / "catalogue" / "schemas" / "record.schema.json").read_text())
FILES = [COLLECTION, ROOT / "media" / "demo" / "catalogue.jsonl", ROOT / "catalogue" / "data" / "kbr-thesaurus.jsonl"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_shipped_records_match_the_schema(path: Path):
    validator = jsonschema.Draft7Validator(SCHEMA)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        errors = list(validator.iter_errors(json.loads(line)))
        assert not errors, f"{path.name}:{number}: {errors[0].message[:300]}"


def test_schema_refuses_what_the_importer_refuses():
    validator = jsonschema.Draft7Validator(SCHEMA)
    assert not validator.is_valid({"id": "x", "institution": "i"})  # no label
    assert not validator.is_valid({"id": "x y", "label": "X", "institution": "i"})  # id not URL-safe
    assert not validator.is_valid({"kind": "exhibition", "slug": "s", "title": "T", "status": "hidden"})


def valid(record: dict) -> bool:
    return jsonschema.Draft7Validator(SCHEMA).is_valid(record)


def test_schema_refuses_trailing_newlines_script_urls_and_text_over_its_limit():
    obj = {"id": "x", "label": "X", "institution": "i"}
    assert valid(obj)
    assert not valid(dict(obj, id="x\n"))
    assert not valid(dict(obj, institution="i\n"))
    assert not valid(dict(obj, label={"en\n": ["X"]}))
    assert not valid(dict(obj, subjects=["kbr:LEXICON_7\n"]))
    assert not valid(dict(obj, homepage="javascript:alert(1)"))
    assert not valid(dict(obj, creators=[{"name": "A", "uri": "javascript:alert(1)"}]))
    assert not valid({"kind": "institution", "id": "i", "label": "I", "logo": "data:image/png;base64,AA"})
    assert not valid(dict(obj, summary={"en": ["x" * 20_001]}))
    assert valid(dict(obj, summary={"en": ["x" * 20_000]}))
    assert not valid(dict(obj, metadata=[{"label": "M", "value": "x" * 10_001}]))
    assert not valid(dict(obj, label="x" * 1001))
    assert not valid({"kind": "exhibition", "slug": "s", "title": "T", "opens": "2020-01-01\n"})


def test_schema_names_the_importers_text_limits():
    from catalogue.model import LABEL_MAX, SUMMARY_MAX, URL_MAX, VALUE_MAX

    limits = {name: SCHEMA["definitions"][name]["oneOf"][0]["maxLength"] for name in ("label", "summary", "value")}
    assert limits == {"label": LABEL_MAX, "summary": SUMMARY_MAX, "value": VALUE_MAX}
    assert SCHEMA["definitions"]["url"]["maxLength"] == SCHEMA["definitions"]["uri"]["maxLength"] == URL_MAX
    assert SCHEMA["definitions"]["text"]["maxLength"] == LABEL_MAX


ID_LIKE = st.text(alphabet=st.sampled_from("aZ09._-\n\r \t/é\u2028"), max_size=6) | st.text(max_size=4)


@given(ID_LIKE)
def test_schema_and_importer_agree_on_what_an_id_is(value):
    from catalogue.model import is_id

    assert valid({"id": value, "label": "X", "institution": "i"}) == is_id(value)


URL_LIKE = st.builds(
    "".join,
    st.lists(st.sampled_from(["http", "https", "HTTPS", "javascript", "data", ":", "//", "/", "?", "#", "@",
                              "x.example", "a", " ", "\n", "%20", "é"]), max_size=7),
)


@given(URL_LIKE)
def test_a_url_the_schema_accepts_the_importer_accepts(value):
    from catalogue.model import ValidationError, check_url

    if valid({"id": "x", "label": "X", "institution": "i", "homepage": value}):
        try:
            check_url(value, "homepage")
        except ValidationError as exc:
            raise AssertionError(f"schema accepts {value!r}, the importer refuses it: {exc}") from None


def test_schema_and_model_agree_on_an_exhibitions_venue_cover_and_schedule():
    from catalogue.model import Exhibition

    record = {"kind": "exhibition", "slug": "birth", "title": {"en": ["Birth"]}, "venue": "kbr", "status": "scheduled",
              "opens": "2027-01-01", "cover": {"object": "o1", "region": [0, 0, 10, 10]},
              "sections": [{"title": {"en": ["One"]}, "items": [{"object": "o1", "alt": {"en": ["A child"]}}]}]}
    assert valid(record)
    exhibition = Exhibition.from_dict(record)
    assert (exhibition.venue, exhibition.cover.region, exhibition.is_public("2027-01-01")) == ("kbr", [0, 0, 10, 10], True)
    assert not valid({**record, "cover": {"object": "o1", "size": 3}})  # a cover is a stop, nothing more
