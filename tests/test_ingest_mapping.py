"""JSON through a mapping (issue 13, items 9 and 12): paths into nested records and arrays, entries
that keep their own values, language maps, id transforms, the fields museums keep, mapping errors;
the shipped Tate JSON mapping gives the objects the Tate CSV mapping gives."""
from __future__ import annotations

import csv
import gzip
import json
from itertools import islice
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import DATA, ROOT, SHARED

from catalogue import create_app
from catalogue.cli import main
from catalogue.ingest import IngestError, schema
from catalogue.ingest.csvfile import read_csv
from catalogue.ingest.mapping import CHECKED_RECORDS, Mapping, Node, Projection, build, mapped, read_mapped, slug
from catalogue.services.imports import run_import

SAMPLE = DATA / "museum-api" / "things.json"
SAMPLE_MAPPING = DATA / "museum-api" / "mapping.json"
TATE_JSON = SHARED / "data" / "tate" / "artworks.jsonl.gz"
TATE_CSV = SHARED / "data" / "tate" / "artwork_data.derived.csv.gz"
TATE_JSON_MAPPING = ROOT / "catalogue" / "mappings" / "tate-artworks.json"
TATE_CSV_MAPPING = ROOT / "catalogue" / "mappings" / "tate.json"


def ingest(app, path: Path, mapping: Path, **options):
    svc = app.extensions["vitrine"]
    return run_import(svc.store, read_mapped(path, mapping), svc.media_dir, **options)


def write(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def sample() -> list[dict]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def thing_id(record: dict) -> str:
    return record["id"].replace("museum:things/", "thing-")


# -- the museum-API sample: every field lands where it should -----------------

def test_every_field_of_the_museum_api_sample_lands_where_it_should(app, store):
    records = sample()
    result = ingest(app, SAMPLE, SAMPLE_MAPPING)
    assert result.written.created == len(records) == 30
    assert store.get_institution("museum").label == {"en": ["The Museum"], "nl": ["Het Museum"]}
    for record in records:
        obj = store.get_object(thing_id(record))
        assert obj is not None, record["id"]
        assert obj.institution == "museum"
        assert obj.accession_number == record["identifier"]["accession"]
        assert obj.label == {lang: [text] for lang, text in record["title"].items()}
        assert obj.summary == {"en": [record["description"]]}
        assert obj.classification == record["objectType"]
        assert obj.medium == {lang: [text] for lang, text in record["technique"].items()}
        made = record["production"]["date"]
        assert (obj.date, obj.earliest, obj.latest) == (made["display"], made["earliest"], made["latest"])
        makers = record["production"]["makers"]
        assert [(c.name, c.role, c.born, c.died, c.nationality, c.authorities) for c in obj.creators] == [
            (m["person"]["name"], m.get("role"), m["person"].get("born"), m["person"].get("died"),
             m["person"].get("nationality"), m["person"].get("authorities", [])) for m in makers]
        assert [(d.type, d.value, d.unit, d.part) for d in obj.dimensions] == [
            (m["dimension"], float(m["value"]), m["unit"], m.get("part")) for m in record["measurements"]]
        assert obj.provenance == {"en": [record["provenance"]]}
        assert obj.credit_line == ({"en": [record["creditLine"]]} if record["creditLine"] else {})
        assert obj.acquired == record["acquisition"]["date"]
        assert obj.location == record["location"].get("department")
        assert obj.rights == record["rights"]
        assert obj.source == "https://api.museum.example/things/" + record["id"].removeprefix("museum:things/")
        assert len(obj.media) == len(record["images"]) and all(m.is_remote for m in obj.media)
        for media, image in zip(obj.media, record["images"], strict=True):
            assert (media.width, media.height) == (image["width"], image["height"])
            assert media.label == {"en": [image["caption"]]}
            if "iiif" in image:
                assert (media.service, media.service_type) == (image["iiif"], f"ImageService{image['apiVersion']}")
            else:
                assert (media.url, media.service) == (image["url"], None)
    several = [r for r in records if len(r["images"]) > 1]
    assert several, "the sample has records with several remote images"


def test_a_creator_keeps_its_own_role_and_life_dates_the_json_twin_of_defect_1(app, store, tmp_path):
    """Issue 13, defect 1 in JSON: each element of the array is one maker with its own values, so a
    maker without a role is no shift of the roles of the others."""
    records = [{"ref": "1", "title": "Dedham Vale",
                "makers": [{"name": "John Constable", "born": 1776},
                           {"name": "Joseph Mallord William Turner", "role": "after", "born": 1775, "died": 1851,
                            "uri": "http://example.org/turner"}]}]
    mapping = {"defaults": {"institution": "kmska"},
               "declare": [{"kind": "institution", "id": "kmska", "label": {"nl": ["KMSKA"]}}],
               "fields": {"id": "ref", "label": {"path": "title", "language": "en"},
                          "creators": {"path": "makers[]", "name": "name", "role": "role", "uri": "uri",
                                       "born": "born", "died": "died"}}}
    ingest(app, write(tmp_path, "works.json", records), write(tmp_path, "mapping.json", mapping))
    creators = store.get_object("1").creators
    assert [(c.name, c.role, c.uri, c.life) for c in creators] == [
        ("John Constable", None, None, "1776–"),
        ("Joseph Mallord William Turner", "after", "http://example.org/turner", "1775–1851")]


# -- ids ----------------------------------------------------------------------

ID_MAPPING = {"defaults": {"institution": "kmska"},
              "declare": [{"kind": "institution", "id": "kmska", "label": {"nl": ["KMSKA"]}}],
              "fields": {"label": {"path": "title", "language": "en"}}}


@pytest.mark.parametrize(("source", "transform", "expected"), [
    ("museum:things/3f2a9c1e-0b7d-4c55", ["slug"], "museum-things-3f2a9c1e-0b7d-4c55"),
    ("museum:things/3f2a9c1e-0b7d", {"replace": [["museum:things/", ""], [":", "-"]]}, "3f2a9c1e-0b7d"),
    ("N 01498", ["slug"], "n-01498"),
    ("N 01498", {"replace": [[" ", ""]]}, "N01498"),
    ("Œuvre : « Nu » n°3", ["slug"], "oeuvre-nu-n-3"),
    ("ark:/12148/btv1b55009806", [{"replace": [["ark:/", ""]]}, "slug"], "12148-btv1b55009806"),
])
def test_an_id_transform_makes_a_source_id_a_valid_vitrine_id(app, store, tmp_path, source, transform, expected):
    mapping = dict(ID_MAPPING, fields=dict(ID_MAPPING["fields"], id={"path": "ref", "transform": transform}))
    ingest(app, write(tmp_path, "works.json", [{"ref": source, "title": "A"}]), write(tmp_path, "m.json", mapping))
    assert [o.id for o in store.list_objects()] == [expected]


def test_slug_is_at_most_128_characters_and_starts_with_a_letter_or_digit():
    made = slug("--" + "x/" * 100)
    assert len(made) <= 128 and made[0] == "x" and made[-1] == "x"


def test_an_id_that_breaks_the_id_rule_without_a_transform_names_its_record_and_field(app, store, tmp_path):
    mapping = dict(ID_MAPPING, fields=dict(ID_MAPPING["fields"], id="ref"))
    works = write(tmp_path, "works.jsonl",
                  '{"ref": "ok-1", "title": "A"}\n{"ref": "museum:things/3f2a", "title": "B"}\n')
    with pytest.raises(IngestError) as info:
        ingest(app, works, write(tmp_path, "m.json", mapping))
    assert "works.jsonl:2: id: 'museum:things/3f2a' is not a valid id" in str(info.value)
    assert store.count_objects() == 0


def test_two_source_ids_that_slug_alike_are_refused_naming_the_first_not_merged(app, store, tmp_path):
    mapping = dict(ID_MAPPING, fields=dict(ID_MAPPING["fields"], id={"path": "ref", "transform": ["slug"]}))
    works = write(tmp_path, "works.jsonl", '{"ref": "N 01498", "title": "A"}\n{"ref": "n:01498", "title": "B"}\n')
    with pytest.raises(IngestError) as info:
        ingest(app, works, write(tmp_path, "m.json", mapping))
    assert "works.jsonl:2: id: 'n-01498' appears twice in this import (first at row 1)" in str(info.value)
    assert store.count_objects() == 0


# -- values: numbers, nulls, empty texts and objects ------------------------------

def test_numbers_as_strings_empty_strings_nulls_and_empty_objects_are_read_as_a_museum_means_them(
        app, store, tmp_path):
    records = [
        {"acno": "T1", "title": "Full", "width": "394", "height": 419.0, "depth": "", "units": "mm",
         "classification": "painting", "acquisitionYear": 1922, "group": {}, "dateRange": {"startYear": 1843}},
        {"acno": "T2", "title": "Empty", "width": "", "height": None, "depth": "", "units": "",
         "classification": None, "acquisitionYear": None, "group": {}, "dateRange": None},
    ]
    mapping = dict(ID_MAPPING, fields={
        "id": "acno", "label": {"path": "title", "language": "en"}, "classification": "classification",
        "acquired": "acquisitionYear", "earliest": "dateRange.startYear", "location": "group.name",
        "dimensions": [{"type": {"value": kind}, "value": kind, "unit": "units"}
                       for kind in ("height", "width", "depth")]})
    ingest(app, write(tmp_path, "works.json", records), write(tmp_path, "m.json", mapping))
    full, empty = store.get_object("T1"), store.get_object("T2")
    assert [(d.type, d.value, d.unit) for d in full.dimensions] == [("height", 419, "mm"), ("width", 394, "mm")]
    assert (full.classification, full.acquired, full.earliest, full.location) == (["painting"], "1922", 1843, None)
    assert (empty.dimensions, empty.classification, empty.acquired, empty.earliest) == ([], [], None, None)


def test_paths_reach_into_nested_arrays_and_language_maps(app, store, tmp_path):
    records = [{"ref": "1", "title": {"nl": "Geboorte", "fr": ["Naissance"]},
                "subjects": {"children": [{"name": "birth", "id": "b"}, {"name": "mother", "id": "m"}]},
                "images": [{"url": "https://img.example/1.jpg", "mime": "image/jpeg", "w": "800", "h": 600},
                           {"url": None}],
                "tags": ["a", "b"]}]
    declare = [*ID_MAPPING["declare"], {"kind": "concept", "uri": "kmska:b", "label": {"en": ["birth"]}}]
    mapping = dict(ID_MAPPING, declare=declare, fields={
        "id": "ref", "label": "title",
        "classification": "subjects.children[].name",
        "subjects": {"path": "subjects.children[0].id", "template": "kmska:{value}"},
        "summary": {"path": "tags", "language": "en"},
        "media": {"path": "images[]", "url": "url", "format": "mime", "width": "w", "height": "h"}})
    ingest(app, write(tmp_path, "works.json", records), write(tmp_path, "m.json", mapping))
    obj = store.get_object("1")
    assert obj.label == {"nl": ["Geboorte"], "fr": ["Naissance"]}
    assert obj.classification == ["birth", "mother"]
    assert obj.subjects == ["kmska:b"]
    assert obj.summary == {"en": ["a", "b"]}
    assert [(m.url, m.width, m.height) for m in obj.media] == [("https://img.example/1.jpg", 800, 600)]


def test_subject_entries_declare_their_concepts_once_and_give_the_object_their_uris(app, store, tmp_path):
    """A museum API names its subject terms in each record (an id and a name): the import makes the
    thesaurus of them, so the subject facet and the subject pages hold the source's own terms."""
    records = [{"ref": "1", "title": "Storm", "terms": [{"id": 557, "name": "sea"}, {"id": 3454, "name": "whirlwind"}]},
               {"ref": "2", "title": "Calm", "terms": [{"id": 557, "name": "sea"}]},
               {"ref": "3", "title": "Untagged"}]
    mapping = write(tmp_path, "m.json", dict(ID_MAPPING, fields={
        "id": "ref", "label": {"path": "title", "language": "en"},
        "subjects": {"path": "terms[]", "uri": {"path": "id", "template": "tate-subject:{value}"},
                     "label": {"path": "name", "language": "en"}}}))
    works = write(tmp_path, "works.json", records)
    result = ingest(app, works, mapping)
    assert {kind: n for kind, n in result.counts.items() if n} == {"institutions": 1, "concepts": 2, "objects": 3}
    assert {c.uri: c.label for c in store.concepts(["tate-subject:557", "tate-subject:3454"])} == {
        "tate-subject:557": {"en": ["sea"]}, "tate-subject:3454": {"en": ["whirlwind"]}}
    assert store.get_object("1").subjects == ["tate-subject:557", "tate-subject:3454"]
    assert store.get_object("2").subjects == ["tate-subject:557"] and store.get_object("3").subjects == []
    again = ingest(app, works, mapping)
    assert (again.written.created, again.written.updated) == (0, 0)
    assert len([c for c in store.concepts() if c.uri.startswith("tate-subject:")]) == 2


def test_csv_subject_columns_declare_their_concepts_as_the_json_entries_do(app, store, tmp_path):
    mapping = write(tmp_path, "m.json", dict(ID_MAPPING, fields={
        "id": "ref", "label": {"column": "title", "language": "en"},
        "subjects": {"column": "subject_id", "uri": {"column": "subject_id", "template": "tate-subject:{value}"},
                     "label": {"column": "subject", "language": "en"}}}))
    works = write(tmp_path, "works.csv", "ref,title,subject_id,subject\n1,Storm,557|3454,sea|whirlwind\n2,Calm,557,sea\n")
    svc = app.extensions["vitrine"]
    result = run_import(store, read_csv(works, mapping), svc.media_dir)
    assert {kind: n for kind, n in result.counts.items() if n} == {"institutions": 1, "concepts": 2, "objects": 2}
    assert store.get_object("1").subjects == ["tate-subject:557", "tate-subject:3454"]
    assert {c.uri: c.label for c in store.concepts(["tate-subject:3454"])} == {"tate-subject:3454": {"en": ["whirlwind"]}}


def test_nested_subject_entries_are_for_json_paths_a_csv_mapping_naming_them_is_refused(tmp_path):
    mapping = write(tmp_path, "m.json", dict(ID_MAPPING, fields={
        "id": "ref", "subjects": {"column": "topic", "uri": "topic", "label": "topic",
                                  "narrower": {"column": "term", "uri": "term", "label": "term"}}}))
    with pytest.raises(IngestError, match=r"fields\.subjects\.narrower: a CSV row has no nested terms"):
        Mapping(mapping, at="column")


def test_a_subject_entry_naming_a_concept_the_mapping_declares_does_not_declare_it_twice(app, store, tmp_path):
    declare = [*ID_MAPPING["declare"], {"kind": "concept", "uri": "tate-subject:557", "label": {"en": ["sea"]}}]
    mapping = write(tmp_path, "m.json", dict(ID_MAPPING, declare=declare, fields={
        "id": "ref", "label": {"path": "title", "language": "en"},
        "subjects": {"path": "terms[]", "uri": {"path": "id", "template": "tate-subject:{value}"},
                     "label": {"path": "name", "language": "en"}}}))
    works = write(tmp_path, "works.jsonl", '{"ref": "1", "title": "Storm", "terms": [{"id": 557, "name": "sea"}]}\n')
    result = ingest(app, works, mapping)
    assert (result.counts["concepts"], result.counts["objects"]) == (1, 1)
    assert store.get_object("1").subjects == ["tate-subject:557"]


def test_a_subject_entry_without_a_label_must_name_a_known_concept_naming_the_row_and_field(app, store, tmp_path):
    mapping = write(tmp_path, "m.json", dict(ID_MAPPING, fields={
        "id": "ref", "label": {"path": "title", "language": "en"},
        "subjects": {"path": "terms[]", "uri": {"path": "id", "template": "tate-subject:{value}"}}}))
    works = write(tmp_path, "works.jsonl", '{"ref": "1", "title": "Storm", "terms": [{"id": 1}]}\n')
    with pytest.raises(IngestError) as info:
        ingest(app, works, mapping)
    assert "works.jsonl:1: subjects[0]: unknown concept 'tate-subject:1'" in str(info.value)
    assert store.count_objects() == 0


# -- mapping errors ---------------------------------------------------------------

def test_a_path_that_names_nothing_in_the_first_records_is_a_mapping_error_naming_the_spec(app, store, tmp_path):
    mapping = dict(ID_MAPPING, fields={
        "id": "ref", "label": {"path": "titel", "language": "en"},
        "creators": {"path": "makers[]", "name": "name", "born": "birthYaer"}})
    works = write(tmp_path, "works.jsonl", "".join(
        json.dumps({"ref": str(i), "title": "T", "makers": [{"name": "N", "birthYear": 1900}]}) + "\n"
        for i in range(3)))
    with pytest.raises(IngestError) as info:
        ingest(app, works, write(tmp_path, "mapping.json", mapping))
    text = str(info.value)
    assert "mapping.json: fields.label: path 'titel' names nothing in the first 3 records of" in text
    assert "mapping.json: fields.creators.born: path 'birthYaer' (in each element of 'makers[]') names nothing" in text
    assert store.count_objects() == 0


def test_a_path_present_in_only_some_records_and_a_null_are_no_mapping_error(app, store, tmp_path):
    mapping = dict(ID_MAPPING, fields={"id": "ref", "label": {"path": "title", "language": "en"},
                                       "date": "made.text", "location": "room"})
    works = write(tmp_path, "works.jsonl", '{"ref": "1", "title": "A", "made": null}\n'
                                           '{"ref": "2", "title": "B", "room": "R1"}\n')
    ingest(app, works, write(tmp_path, "m.json", mapping))
    assert store.get_object("2").location == "R1" and store.get_object("1").date is None


@pytest.mark.parametrize(("fields", "message"), [
    ({"id": {"column": "ref"}}, "fields.id: a JSON mapping names a \"path\", not a \"column\""),
    ({"id": {"path": "ref", "transform": ["shout"]}}, "fields.id.transform[0]: 'shout' is not a transform"),
    ({"id": {"path": "ref", "extract": "decade"}}, "fields.id.extract: 'decade' is not one of year"),
    ({"id": {"path": "ref", "template": "x-{nope}"}}, "fields.id.template: must be text with {value}"),
    ({"id": {"path": "ref", "pattern": "(["}}, "fields.id.pattern: is not a regular expression"),
    ({"id": {"path": "ref", "colour": "red"}}, "fields.id: unknown key(s) colour"),
    ({"id": "a..b"}, "fields.id: 'a..b' is not a path"),
    ({"titel": "title"}, "fields.titel: unknown field (did you mean 'label'?)"),
    ({"creators": {"path": "makers[]", "nmae": "n"}}, "fields.creators: unknown key(s) nmae"),
    ({"metadata": [{"path": "x"}]}, "fields.metadata[0].label: is required"),
])
def test_a_mapping_error_names_the_mapping_file_and_the_spec(app, store, tmp_path, fields, message):
    mapping = write(tmp_path, "mapping.json", dict(ID_MAPPING, fields=fields))
    works = write(tmp_path, "works.json", [{"ref": "1", "title": "A"}])
    with pytest.raises(IngestError) as info:
        ingest(app, works, mapping)
    assert f"mapping.json: {message}" in str(info.value)
    assert store.count_objects() == 0 and store.institutions() == []


def test_a_misspelt_key_of_the_mapping_itself_is_an_error_not_ignored(app, tmp_path):
    mapping = write(tmp_path, "mapping.json", {"defautls": {"institution": "x"}, "fields": {"id": "ref"}})
    with pytest.raises(IngestError, match=r"mapping.json: unknown key\(s\) defautls; known: attribution, declare"):
        list(read_mapped(write(tmp_path, "works.json", [{"ref": "1"}]), mapping))


def test_a_csv_mapping_given_a_path_says_it_names_columns(app, tmp_path):
    mapping = write(tmp_path, "mapping.json", dict(ID_MAPPING, fields={"id": {"path": "ref"}}))
    with pytest.raises(IngestError, match='fields.id: a CSV mapping names a "column", not a "path"'):
        list(read_csv(write(tmp_path, "works.csv", "ref\n1\n"), mapping))


# -- the Tate JSON and the Tate CSV -----------------------------------------------

def _first(path: Path, n: int, folder: Path) -> Path:
    """The first n records of a gzipped Tate file, gzipped again (JSON Lines, or CSV and its header)."""
    target = folder / path.name
    with gzip.open(path, "rt", encoding="utf-8", newline="") as source, \
            gzip.open(target, "wt", encoding="utf-8", newline="") as out:
        if path.name.endswith(".csv.gz"):
            csv.writer(out).writerows(islice(csv.reader(source), n + 1))  # rows span lines
        else:
            out.writelines(islice(source, n))
    return target


@pytest.fixture
def two_catalogues(tmp_path):
    apps = [create_app({"INSTANCE": str(tmp_path / name), "TESTING": True}) for name in ("json", "csv")]
    yield apps
    for each in apps:
        each.extensions["vitrine"].close()


def test_the_tate_json_through_its_mapping_gives_the_objects_the_tate_csv_gives(two_catalogues, tmp_path):
    """The derived CSV was made from the JSON (artist = the first contributor, year = startYear)."""
    n = 400
    json_app, csv_app = two_catalogues
    ingest(json_app, _first(TATE_JSON, n, tmp_path), TATE_JSON_MAPPING)
    svc = csv_app.extensions["vitrine"]
    run_import(svc.store, read_csv(_first(TATE_CSV, n, tmp_path), TATE_CSV_MAPPING), svc.media_dir)
    from_json = {o.id: o for o in json_app.extensions["vitrine"].store.list_objects(limit=n + 1)}
    from_csv = {o.id: o for o in svc.store.list_objects(limit=n + 1)}
    assert len(from_json) == len(from_csv) == n and from_json.keys() == from_csv.keys()
    for key, j in from_json.items():
        c = from_csv[key]
        assert (j.label, j.accession_number, j.earliest, j.date) == (c.label, c.accession_number, c.earliest, c.date)
        assert (j.creators[0].name, j.creators[0].role) == (c.creators[0].name, c.creators[0].role)
        assert (j.medium, j.credit_line, j.acquired, j.source) == (c.medium, c.credit_line, c.acquired, c.source)
        assert [(d.type, d.value, d.unit) for d in j.dimensions] == [(d.type, d.value, d.unit) for d in c.dimensions]
    with gzip.open(TATE_JSON, "rt", encoding="utf-8") as lines:
        first = json.loads(next(lines))
    obj = from_json[first["acno"]]
    assert obj.creators[0].variants == [first["contributors"][0]["fc"]]
    assert obj.creators[0].born == str(first["contributors"][0]["birthYear"])
    assert obj.creators[0].died == first["contributors"][0]["date"].split("–")[1]
    assert any(o.dimensions for o in from_json.values()) and any(o.classification for o in from_json.values())


def test_the_tate_json_mapping_brings_tates_subject_terms_as_concepts_of_the_thesaurus(app, store, tmp_path):
    ingest(app, _first(TATE_JSON, 60, tmp_path), TATE_JSON_MAPPING)
    with gzip.open(TATE_JSON, "rt", encoding="utf-8") as lines:
        first = json.loads(next(lines))
    leaves = {f"tate-subject:{leaf['id']}": leaf["name"] for top in first["subjects"]["children"]
              for middle in top["children"] for leaf in middle["children"]}
    obj = store.get_object(first["acno"])
    assert set(obj.subjects) == set(leaves) and len(leaves) == first["subjectCount"]
    assert {c.uri: c.label["en"][0] for c in store.concepts(list(leaves))} == leaves


def test_the_tate_csv_mapping_fills_the_fields_museums_keep(app, store, tmp_path):
    svc = app.extensions["vitrine"]
    run_import(store, read_csv(_first(TATE_CSV, 50, tmp_path), TATE_CSV_MAPPING), svc.media_dir)
    with gzip.open(TATE_CSV, "rt", encoding="utf-8", newline="") as f:
        row = next(csv.DictReader(f))
    obj = store.get_object(row["accession_number"])
    assert obj.accession_number == row["accession_number"]
    assert obj.medium == {"en": [row["medium"]]} and obj.credit_line == {"en": [row["creditLine"]]}
    assert obj.acquired == row["acquisitionYear"] and obj.source == row["url"]
    assert [(d.type, d.value, d.unit) for d in obj.dimensions] == [
        ("height", int(row["height"]), "mm"), ("width", int(row["width"]), "mm")]


def test_the_gzipped_tate_json_lines_is_read_directly_by_vitrine_ingest_json(tmp_path):
    packed = _first(TATE_JSON, 120, tmp_path)
    env = {"VITRINE_INSTANCE": str(tmp_path / "instance")}
    result = CliRunner().invoke(main, ["ingest", "json", str(packed), "--mapping", str(TATE_JSON_MAPPING)], env=env)
    assert result.exit_code == 0, result.output
    assert "120 objects" in result.output and "1 institutions" in result.output


def test_the_museum_api_sample_is_a_json_array_read_as_it_streams(tmp_path):
    """The sample is an array (not JSON Lines): rows are its records' positions."""
    rows = [r.row for r in read_mapped(SAMPLE, SAMPLE_MAPPING) if r.file == str(SAMPLE)]
    assert rows == list(range(1, 31))


# -- JSON Lines through the mapping's projection ------------------------------

def _whole(lines: list[bytes]) -> list[dict]:
    """What the mapping builds from each line decoded whole, by the standard library (the concepts
    its subject terms declare first, as ``read_mapped`` gives them)."""
    mapping, declared = Mapping(TATE_JSON_MAPPING, at="path"), set()
    return [record.data for line in lines
            for record in mapped(build(Node(json.loads(line), None), mapping), mapping, declared, "", 1, ROOT)]


def test_past_the_checked_records_a_line_is_decoded_to_only_what_the_mapping_reads(tmp_path):
    with gzip.open(TATE_JSON, "rb") as f:
        line = f.readline().rstrip(b"\n")
    projection = Projection(Mapping(TATE_JSON_MAPPING, at="path"))
    assert projection(line) == json.loads(line)  # while the paths are being checked: whole
    projection.project()
    projected = projection(line)
    assert "catalogueGroup" not in projected and "all_artists" not in projected and "id" not in projected
    assert set(projected["subjects"]) == {"children"}  # the terms, not the tree's own id and name
    assert set(projected["contributors"][0]) == {"mda", "role", "fc", "birthYear", "date", "id"}
    mapping = Mapping(TATE_JSON_MAPPING, at="path")
    assert build(Node(projected, None), mapping) == build(Node(json.loads(line), None), mapping)


def test_records_past_the_checked_ones_are_built_as_from_the_whole_record_odd_shapes_included(tmp_path):
    """1,300 Tate lines, then lines a projection cannot fit: each is read whole, as before."""
    with gzip.open(TATE_JSON, "rb") as f:
        lines = [line.rstrip(b"\n") for line in islice(f, CHECKED_RECORDS + 300)]
    odd = [json.loads(line) for line in lines[:9]]
    odd[0]["contributors"] = {"mda": "Blake, Robert", "role": "artist"}  # an object where a list was
    odd[1]["dateRange"] = "1790"  # text where an object was
    odd[2]["title"] = "\ud800 lone surrogate"  # decoded by the standard library only
    odd[3]["acquisitionYear"] = 10 ** 30  # beyond 64 bits
    odd[4]["catalogueGroup"] = {"deep": [[[[{"x": [1.5, None, True]}]]]]}  # not read at all
    odd[5]["contributors"][0]["birthYear"] = None
    odd[6]["subjects"]["children"][0]["children"] = {"id": 7, "name": "an object where a list was"}
    # the same maker with a number, then true, where a year is: equal keys to a dict (1 == True), not one value
    odd[7]["contributors"] = [{**odd[7]["contributors"][0], "birthYear": 1}]
    odd[8]["contributors"] = [{**odd[7]["contributors"][0], "birthYear": True}]
    tail = [json.dumps(record, ensure_ascii=True).encode() for record in odd]
    for n, line in enumerate(tail):
        tail[n] = line.replace(b'"acno": "', b'"acno": "X%d' % n, 1)
    path = tmp_path / "tate.jsonl"
    path.write_bytes(b"\n".join(lines + tail) + b"\n")
    read = [r.data for r in read_mapped(path, TATE_JSON_MAPPING) if r.file == str(path)]
    assert len([r for r in read if "kind" not in r]) == len(lines) + len(tail)
    assert read == _whole(lines + tail)
    assert "creators" not in read[-9]  # an object is not a list of entries
    assert read[-6]["acquired"] == str(10 ** 30)
    assert [r["creators"][0]["born"] for r in read[-2:]] == ["1", "true"]


def test_records_past_the_checked_ones_of_the_museum_sample_are_built_as_from_the_whole_record(tmp_path):
    """The museum-API sample (nested makers, several remote images, measurements, language maps) as
    JSON Lines, repeated past the records the paths are checked on: each is built as the general
    reading of the record decoded whole builds it."""
    records = sample()
    for record in records[:8]:  # shapes the paths do not say: read by the general code
        record["production"]["makers"] = record["production"].get("makers", [None])[:1] * 2 + [None, "Anon."]
    records[8]["images"] = {"url": "https://museum.example/a.jpg"}
    records[9]["title"] = {"en": "A title", "nl": ["Een titel", ""]}
    lines = [json.dumps({**record, "id": f"{record['id']}-{n}"}).encode()
             for n in range(CHECKED_RECORDS // len(records) + 2) for record in records]
    path = tmp_path / "things.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    mapping = Mapping(SAMPLE_MAPPING, at="path")
    read = [r.data for r in read_mapped(path, SAMPLE_MAPPING) if r.file == str(path)]
    assert len(read) == len(lines) > CHECKED_RECORDS + len(records)
    assert read == [build(Node(json.loads(line), None), mapping) for line in lines]
    assert any(len(r.get("media", [])) > 1 for r in read) and any(r.get("dimensions") for r in read)


@pytest.mark.parametrize("value, message", [
    (b"9" * 5000, "a number of 5,000 digits; at most 100 are read"),
    (b"NaN", "NaN is not a JSON number"),
])
def test_a_mapped_line_msgspec_refuses_is_refused_as_the_json_reader_refuses_it_naming_its_line(tmp_path, value, message):
    with gzip.open(TATE_JSON, "rb") as f:
        lines = [line.rstrip(b"\n") for line in islice(f, 3)]
    assert b'"acquisitionYear":' in lines[1]
    lines[1] = lines[1].replace(b'"acquisitionYear":', b'"acquisitionYear": ' + value + b', "later":', 1)
    path = tmp_path / "tate.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(IngestError) as raised:
        list(read_mapped(path, TATE_JSON_MAPPING))
    assert [(p.row, p.message) for p in raised.value.problems] == [(2, f"invalid JSON: {message}")]


def test_a_mappings_records_are_already_as_the_model_reads_them_so_the_schema_judges_them_unwalked(tmp_path):
    """``parse`` skips the schema's trimming pass for a mapping's records (``read_form``): every
    record the shipped mappings and the museum sample make, and one of spaces left by a
    replacement, a template, a constant and a default, is what that pass would make of it."""
    spaced = {"defaults": {"institution": " kmska ", "rights": ""},
              "declare": [{"kind": "institution", "id": "kmska", "label": {"nl": ["KMSKA"]}}],
              "fields": {"id": {"path": "ref", "transform": [{"replace": [["#", " "]]}]},
                         "label": {"path": "title", "language": "en", "template": " {value} (copy) "},
                         "location": {"value": "  Room 4  "},
                         "medium": {"path": "medium"},
                         "dimensions": [{"type": {"value": " height "}, "value": "h", "unit": {"value": "cm "}}]}}
    works = write(tmp_path, "works.json", [{"ref": "n1#", "title": "  Birth ", "h": " 12 ",
                                            "medium": {"en": [" oil ", 7, {"x": " y "}], "nl": ""}}])
    mapped = [*read_mapped(works, write(tmp_path, "m.json", spaced)),
              *islice(read_mapped(TATE_JSON, TATE_JSON_MAPPING), 3000),
              *islice(read_csv(TATE_CSV, TATE_CSV_MAPPING), 3000),
              *read_mapped(SAMPLE, SAMPLE_MAPPING)]
    made = [r for r in mapped if r.data.get("kind") != "institution"]  # the declared ones are read whole
    assert len(made) > 6000 and all(r.read_form for r in made)
    assert [r.data for r in made] == [schema.as_read(r.data) for r in made]
    first = made[0].data
    assert (first["id"], first["label"], first["location"], first["institution"]) == \
        ("n1", {"en": ["Birth (copy)"]}, "Room 4", "kmska") and "rights" not in first
    assert first["medium"] == {"en": ["oil", 7, {"x": "y"}]}  # what is no text is the model's to name
