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


MUSEUM_RECORD = {
    "id": "N01498", "label": {"en": ["Sacking a Church at the Time of John Knox"]}, "institution": "tate",
    "accession_number": "N01498", "classification": ["painting"], "medium": {"en": ["Oil paint on canvas"]},
    "dimensions": [{"type": "height", "value": 1956, "unit": "mm", "part": "support"},
                   {"type": "width", "value": "1460", "unit": "mm", "part": "support"}],
    "provenance": {"en": ["Col. Knight Prescott; presented 1895"]},
    "credit_line": {"en": ["Presented by Col. Knight Prescott 1895"]}, "acquired": 1895,
    "location": "Tate Britain, Room 7", "source": "https://example.org/api/things/8160",
    "creators": [{"name": "John Prescott Knight", "role": "artist", "born": 1803, "died": "1881",
                  "nationality": "British", "authorities": ["http://vocab.getty.edu/ulan/500115329"]}],
}


def test_the_fields_museums_keep_are_in_the_schema_and_the_model_alike():
    from catalogue.model import DigitalObject

    assert valid(MUSEUM_RECORD)
    obj = DigitalObject.from_dict(MUSEUM_RECORD)
    assert (obj.accession_number, obj.classification, obj.acquired) == ("N01498", ["painting"], "1895")
    assert [(d.type, d.value, d.unit, d.part) for d in obj.dimensions] == [
        ("height", 1956, "mm", "support"), ("width", 1460, "mm", "support")]
    assert (obj.creators[0].life, obj.creators[0].nationality) == ("1803–1881", "British")
    for field, bad in [("acquired", "1895-13"), ("acquired", "c. 1895"),
                       ("dimensions", [{"type": "height", "value": 3, "unit": "furlong"}]),
                       ("dimensions", [{"type": "height", "value": -3, "unit": "mm"}]),
                       ("source", "ftp://example.org/x")]:
        assert not valid(dict(MUSEUM_RECORD, **{field: bad})), field
        with pytest.raises(ValueError):
            DigitalObject.from_dict(dict(MUSEUM_RECORD, **{field: bad}))
    with pytest.raises(ValueError, match="died: 1700 is before the birth 1803"):
        DigitalObject.from_dict(dict(MUSEUM_RECORD, creators=[{"name": "K", "born": 1803, "died": 1700}]))


def test_a_remote_image_is_a_service_or_a_url_never_also_a_local_path():
    from catalogue.model import MediaFile

    assert valid(dict(MUSEUM_RECORD, media=[{"service": "https://example.org/iiif/3/abc"},
                                            {"url": "https://example.org/a.jpg", "width": 10, "height": 8}]))
    assert not valid(dict(MUSEUM_RECORD, media=[{"service": "javascript:alert(1)"}]))
    assert not valid(dict(MUSEUM_RECORD, media=[{"file": "a.jpg", "service": "https://example.org/iiif/x"}]))
    remote = MediaFile.from_dict({"id": "m", "service": "https://example.org/iiif/x", "service_type": "ImageService2",
                                  "width": 10, "height": 8})
    assert remote.is_remote and remote.format == "image/jpeg" and not remote.path
    with pytest.raises(ValueError, match="local .* or remote"):
        MediaFile.from_dict({"id": "m", "path": "objects/m/a.jpg", "format": "image/jpeg", "url": "https://e.org/a.jpg"})
    with pytest.raises(ValueError, match="height: is required for a remote image"):
        MediaFile.from_dict({"id": "m", "url": "https://example.org/a.jpg", "format": "image/jpeg", "width": 10})
