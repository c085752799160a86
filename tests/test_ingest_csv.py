"""CSV imports through a mapping: the shipped Tate mapping, language columns, and bad files."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from catalogue.ingest import IngestError
from catalogue.services.imports import run_import
from catalogue.ingest.csvfile import read_csv
from support import DATA, ROOT

TATE_SAMPLE = DATA / "tate" / "sample.csv"
TATE_MAPPING = ROOT / "catalogue" / "mappings" / "tate.json"


def ingest_csv(app, path: Path, mapping: Path, **options):
    svc = app.extensions["vitrine"]
    return run_import(svc.store, read_csv(path, mapping), svc.media_dir, **options)


def sample_rows() -> list[dict]:
    with TATE_SAMPLE.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_tate_sample_imports_every_row(app, store):
    rows = sample_rows()
    result = ingest_csv(app, TATE_SAMPLE, TATE_MAPPING)
    assert result.written.created == len(rows)
    assert store.count_objects() == len(rows)
    assert store.get_institution("tate").label["en"] == ["Tate"]
    first = rows[0]
    obj = store.get_object(first["accession_number"])
    assert obj.label == {"en": [first["title"]]}
    assert obj.creators[0].name == first["artist"] and obj.creators[0].role == first["artistRole"]
    assert obj.credit_line == {"en": [first["creditLine"]]}
    assert obj.medium == {"en": [first["medium"]]} and obj.accession_number == first["accession_number"]


def test_tate_fields_the_model_types_are_not_repeated_as_metadata(app, store):
    """Medium, dimensions, acquisition year, accession number and credit line are typed fields: the
    manifest and the page show each once, from the field, so the mapping keeps only what has no field."""
    ingest_csv(app, TATE_SAMPLE, TATE_MAPPING)
    labels = {label for obj in store.iter_objects() for entry in obj.metadata for label in entry.label["en"]}
    assert labels <= {"Inscription"}
    rows = [r for r in sample_rows() if r["inscription"]]
    assert rows and store.get_object(rows[0]["accession_number"]).metadata[0].value == {"en": [rows[0]["inscription"]]}
    assert all(store.get_object(r["accession_number"]).required_statement is None for r in sample_rows())


def test_years_are_taken_out_of_free_text_and_undated_rows_have_none(app, store):
    ingest_csv(app, TATE_SAMPLE, TATE_MAPPING)
    for row in sample_rows():
        obj = store.get_object(row["accession_number"])
        if row["year"] == "no date":
            assert obj.earliest is None and obj.date == row["dateText"]
        elif row["year"] == "c.1997-9":
            assert obj.earliest == 1997
        elif row["year"]:
            assert obj.earliest == obj.latest == int(row["year"])


def test_multiline_quoted_values_survive(app, store):
    ingest_csv(app, TATE_SAMPLE, TATE_MAPPING)
    rows = [r for r in sample_rows() if "\n" in r["creditLine"]]
    assert rows
    for row in rows:
        assert store.get_object(row["accession_number"]).credit_line["en"][0] == row["creditLine"].strip()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


MAPPING = {
    "declare": [{"kind": "institution", "id": "kmska", "label": {"nl": ["KMSKA"]}},
                {"kind": "concept", "uri": "vitrine:birth", "label": {"nl": ["geboorte"], "en": ["birth"]}}],
    "defaults": {"institution": "kmska"},
    "separator": ";",
    "fields": {
        "id": "inventory",
        "label": {"column": "title", "language": "nl"},
        "summary": "summary",
        "creators": {"column": "maker", "role": {"value": "painter"}},
        "subjects": {"column": "subjects", "split": True},
        "earliest": "year",
        "rights": "rights",
    },
}


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    return write(tmp_path, "mapping.json", json.dumps(MAPPING))


def test_language_tagged_columns_and_multi_values(app, store, tmp_path, mapping):
    path = write(tmp_path, "works.csv",
                 "inventory,title,title@fr,title@en,summary@nl,summary@fr,maker,subjects,year,rights\n"
                 "1998-B-42,Geboorte,Naissance,Birth,Een geboorte,Une naissance,James Ensor;Rik Wouters,vitrine:birth,1890,"
                 "http://creativecommons.org/publicdomain/mark/1.0/\n")
    ingest_csv(app, path, mapping)
    obj = store.get_object("1998-B-42")
    assert obj.label == {"fr": ["Naissance"], "en": ["Birth"], "nl": ["Geboorte"]}
    assert obj.summary == {"nl": ["Een geboorte"], "fr": ["Une naissance"]}
    assert [(c.name, c.role) for c in obj.creators] == [("James Ensor", "painter"), ("Rik Wouters", "painter")]
    assert obj.subjects == ["vitrine:birth"]


def test_mapping_naming_absent_columns_is_refused_before_any_row(app, store, tmp_path):
    bad = dict(MAPPING, fields=dict(MAPPING["fields"], earliest="jaar"))
    mapping = write(tmp_path, "mapping.json", json.dumps(bad))
    path = write(tmp_path, "works.csv", "inventory,title,summary,maker,subjects,year,rights\n1,Een,,,,,\n")
    with pytest.raises(IngestError) as info:
        ingest_csv(app, path, mapping)
    assert "mapping.json: fields.earliest: column 'jaar' is not in the CSV" in str(info.value)
    assert store.count_objects() == 0 and store.institutions() == []


def test_bad_value_names_file_row_and_field(app, store, tmp_path, mapping):
    path = write(tmp_path, "works.csv",
                 "inventory,title,summary,maker,subjects,year,rights\n"
                 "1,Een,,,,1890,\n"
                 "2,Twee,,,,omstreeks,\n")
    with pytest.raises(IngestError) as info:
        ingest_csv(app, path, mapping)
    assert "works.csv:3: earliest: 'omstreeks' is not a year" in str(info.value)
    assert store.count_objects() == 0


def test_malformed_csv_is_refused_with_its_row(app, store, tmp_path, mapping):
    path = write(tmp_path, "works.csv",
                 "inventory,title,summary,maker,subjects,year,rights\n"
                 "1,Een,,,,1890,\n"
                 '2,"Twee,,,,1890,\n')
    with pytest.raises(IngestError, match=r"works.csv:3: malformed CSV"):
        ingest_csv(app, path, mapping)
    assert store.count_objects() == 0


def test_row_with_too_many_values_is_refused(app, store, tmp_path, mapping):
    path = write(tmp_path, "works.csv", "inventory,title,summary,maker,subjects,year,rights\n1,Een,,,,1890,,extra\n")
    with pytest.raises(IngestError, match=r"works.csv:2: row has 8 values, the header has 7"):
        ingest_csv(app, path, mapping)


def test_mapping_that_is_not_json_is_refused(app, tmp_path):
    mapping = write(tmp_path, "mapping.json", "{fields: }")
    path = write(tmp_path, "works.csv", "inventory\n1\n")
    with pytest.raises(IngestError, match="mapping.json:1: invalid JSON"):
        ingest_csv(app, path, mapping)


def test_text_over_its_limit_names_file_row_and_field(app, store, tmp_path, mapping):
    path = write(tmp_path, "works.csv",
                 "inventory,title,summary,maker,subjects,year,rights\n"
                 "1,Een,,,,1890,\n"
                 f"2,{'x' * 1001},{'y' * 20_001},,,1890,\n")
    with pytest.raises(IngestError) as info:
        ingest_csv(app, path, mapping)
    assert "works.csv:3: label.nl[0]: is 1,001 characters long; the limit is 1,000" in str(info.value)
    assert store.count_objects() == 0


def test_a_row_with_a_script_url_or_an_id_with_a_newline_is_refused(app, store, tmp_path):
    spec = dict(MAPPING, fields=dict(MAPPING["fields"], homepage="url"))
    mapping = write(tmp_path, "mapping.json", json.dumps(spec))
    path = write(tmp_path, "works.csv",
                 "inventory,title,summary,maker,subjects,year,rights,url\n"
                 "1,Een,,,,1890,,javascript:alert(1)\n"
                 '"2\nb",Twee,,,,1890,,https://kmska.be/2\n')
    with pytest.raises(IngestError) as info:
        ingest_csv(app, path, mapping)
    text = str(info.value)
    assert "works.csv:2: homepage: 'javascript:alert(1)' is not an http(s) URL" in text
    assert "works.csv:3: id: '2\\nb' is not a valid id" in text
    assert store.count_objects() == 0


def test_a_deeply_nested_mapping_is_invalid_json(app, tmp_path):
    mapping = write(tmp_path, "mapping.json", "[" * 200_000)
    path = write(tmp_path, "works.csv", "inventory\n1\n")
    with pytest.raises(IngestError, match="mapping.json:1: invalid JSON: nested too deeply"):
        ingest_csv(app, path, mapping)


def test_parallel_multi_value_columns_keep_their_positions_empty_entries_included(app, store, tmp_path):
    """Issue 13's reproduction: roles ";after" (none for the first maker) put "after" on Constable."""
    spec = dict(MAPPING, fields={"id": "inventory", "label": {"column": "title", "language": "en"},
                                 "creators": {"column": "maker", "role": "role", "uri": "uri"}})
    mapping = write(tmp_path, "mapping.json", json.dumps(spec))
    path = write(tmp_path, "works.csv", "inventory,title,maker,role,uri\n"
                                        "1,Dedham Vale,John Constable;Joseph Mallord William Turner,;after,"
                                        ";http://example.org/turner\n")
    ingest_csv(app, path, mapping)
    creators = store.get_object("1").creators
    assert [(c.name, c.role, c.uri) for c in creators] == [
        ("John Constable", None, None), ("Joseph Mallord William Turner", "after", "http://example.org/turner")]


def test_a_five_digit_year_is_an_error_naming_row_and_field_never_a_wrong_year(app, store, tmp_path):
    """Issue 13's reproduction: "71959-07-01" with "extract": "year" became the year 7."""
    spec = dict(MAPPING, fields={"id": "inventory", "label": {"column": "title", "language": "en"},
                                 "earliest": {"column": "made", "extract": "year"}})
    mapping = write(tmp_path, "mapping.json", json.dumps(spec))
    good = write(tmp_path, "good.csv", "inventory,title,made\n1,A,c.1997-9\n2,B,-500\n3,C,1890-07-01\n4,D,\n")
    ingest_csv(app, good, mapping)
    assert [store.get_object(i).earliest for i in "1234"] == [1997, -500, 1890, None]
    bad = write(tmp_path, "bad.csv", "inventory,title,made\n5,E,1950\n6,F,71959-07-01\n")
    with pytest.raises(IngestError) as info:
        ingest_csv(app, bad, mapping)
    assert "bad.csv:3: earliest: '71959-07-01' is not a year" in str(info.value)
    assert store.get_object("5") is None and store.get_object("6") is None
