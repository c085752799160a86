"""Records are checked against the published schema: unknown fields are problems (or, asked for,
warnings), and each record reports all its problems at once, in plain words with their field paths."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import COLLECTION, DATA, ROOT, import_file

from catalogue.cli import main
from catalogue.ingest import IngestError
from catalogue.ingest.csvfile import read_csv
from catalogue.ingest.mapping import KNOWN_FIELDS
from catalogue.ingest.schema import fields, problems
from catalogue.services.imports import run_import

INSTITUTION = {"kind": "institution", "id": "kbr", "label": {"nl": ["KBR"]}}
GOOD = {"id": "rocket", "label": {"en": ["Rocket"]}, "institution": "kbr", "media": ["images/rocket.jpg"]}
# one record, four problems: two unknown fields, a year that is no number, a creator with a misspelt name
BAD = {"id": "horse", "titel": "Horse", "label": {"en": ["Horse"]}, "institution": "kbr", "colour": "brown",
       "earliest": [1900], "creators": [{"name": "A"}, {"nam": "B"}], "media": ["images/horse.png"]}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "import"
    shutil.copytree(COLLECTION.parent, target)
    return target


def write_jsonl(folder: Path, records: list[dict]) -> Path:
    path = folder / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def files_under(path: Path) -> list[str]:
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*")) if path.exists() else []


def test_a_record_reports_every_problem_at_once_and_nothing_is_written(app, store, folder):
    import_file(app, write_jsonl(folder, [INSTITUTION]))
    media_dir = Path(app.config["MEDIA_DIR"])
    before = files_under(media_dir)
    path = write_jsonl(folder, [INSTITUTION, GOOD, BAD])
    with pytest.raises(IngestError) as caught:
        import_file(app, path)
    problems = [(p.file, p.row, p.field, p.message) for p in caught.value.problems]
    assert problems == [
        (str(path), 3, "titel", "unknown field (did you mean 'label'?)"),
        (str(path), 3, "colour", "unknown field"),
        (str(path), 3, "creators[1].name", "is required"),
        (str(path), 3, "creators[1].nam", "unknown field (did you mean 'name'?)"),
        (str(path), 3, "earliest", "list is not a year"),  # the model's words win for a field both name
    ]
    assert store.count_objects() == 0 and store.get_object("rocket") is None
    assert files_under(media_dir) == before


def test_the_models_problem_joins_the_schemas_once(app, folder):
    bad = {"id": "x y", "label": {"en": ["X"]}, "institution": "kbr", "type": "painting", "homepage": "ftp://x"}
    with pytest.raises(IngestError) as caught:
        import_file(app, write_jsonl(folder, [INSTITUTION, bad]))
    by_field = {p.field: p.message for p in caught.value.problems}
    assert list(by_field) == ["id", "type", "homepage"]
    assert len(caught.value.problems) == 3  # de-duplicated: one problem per field
    assert by_field["id"].startswith("'x y' is not a valid id")  # the model's words for it
    assert by_field["type"] == "must be one of: image, book, 3d, audio, video"


def test_schema_messages_are_plain_words_with_the_models_field_paths():
    bad = {"id": "x", "label": {"en": ["ok", 5]}, "institution": "kbr", "start": "two", "type": "painting",
           "toc": [{"label": "T", "pages": []}], "media": [{"file": "images/horse.png", "duration": -1}],
           "metadata": [{"label": "M"}], "summary": "x" * 20_001}
    by_field = dict(problems("object", bad))
    assert by_field == {
        "type": "must be one of: image, book, 3d, audio, video",
        "label.en[1]": "must be text",
        "summary": "is 20,001 characters long; the limit is 20,000",
        "metadata[0].value": "is required",
        "media[0].duration": "must be more than 0",
        "toc[0].pages": "must have at least 1 entry",
        "start": "must be a whole number",
    }


def test_with_unknown_fields_allowed_the_record_imports_without_them_and_they_are_counted(app, store, folder):
    other = dict(BAD, id="brick", earliest=1900, creators=[{"name": "A"}], media=["images/brick.png"])
    del other["titel"]
    fine = dict(BAD, earliest=1900, creators=[{"name": "A", "nam": "B"}, {"name": "C", "nam": "D"}])
    result = import_file(app, write_jsonl(folder, [INSTITUTION, fine, other]), unknown_fields="warn")
    assert result.counts["objects"] == 2
    horse = store.get_object("horse")
    assert horse.label == {"en": ["Horse"]} and [c.name for c in horse.creators] == ["A", "C"]
    warnings = {w.field: w.message for w in result.warnings}
    assert warnings == {
        "titel": "unknown field (did you mean 'label'?): left out of 1 record",
        "colour": "unknown field: left out of 2 records",
        "creators[].nam": "unknown field (did you mean 'name'?): left out of 1 record",
    }


def test_unknown_fields_allowed_still_refuse_the_records_other_problems(app, store, folder):
    with pytest.raises(IngestError) as caught:
        import_file(app, write_jsonl(folder, [INSTITUTION, BAD]), unknown_fields="warn")
    assert [p.field for p in caught.value.problems] == ["creators[1].name", "earliest"]
    assert store.count_objects() == 0


def run_cli(instance: Path, *args: str):
    return CliRunner().invoke(main, list(args), env={"VITRINE_INSTANCE": str(instance)})


def test_the_cli_flag_imports_and_prints_the_warnings_after_the_counts(tmp_path, folder):
    fine = dict(BAD, earliest=1900, creators=[{"name": "A"}])
    path = write_jsonl(folder, [INSTITUTION, fine])
    refused = run_cli(tmp_path / "instance", "ingest", "json", str(path))
    assert refused.exit_code == 1
    assert f"{path}:2: titel: unknown field (did you mean 'label'?)" in refused.output
    result = run_cli(tmp_path / "instance", "ingest", "json", str(path), "--allow-unknown-fields")
    assert result.exit_code == 0, result.output
    after = result.output[result.output.index("imported 1 institutions, 1 objects"):]
    assert f"{path}: titel: unknown field (did you mean 'label'?): left out of 1 record" in after
    assert f"{path}: colour: unknown field: left out of 1 record" in after


def test_skip_invalid_counts_records_and_the_report_lists_every_problem(tmp_path, folder):
    path = write_jsonl(folder, [INSTITUTION, GOOD, BAD])
    report = tmp_path / "report.tsv"
    result = run_cli(tmp_path / "instance", "ingest", "json", str(path), "--skip-invalid", "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "skipped 1 invalid record(s) (5 problems)" in result.output
    rows = [line.split("\t") for line in report.read_text().splitlines()[1:]]
    assert [(row, field) for outcome, _, _, row, field, _ in rows if outcome == "skipped"] == [
        ("3", "titel"), ("3", "colour"), ("3", "creators[1].name"), ("3", "creators[1].nam"), ("3", "earliest")]


def test_a_csv_mapping_that_would_produce_an_unknown_field_is_refused_at_the_mapping(tmp_path, app):
    mapping = json.loads((ROOT / "catalogue" / "mappings" / "tate.json").read_text())
    mapping["defaults"]["colour"] = "unknown"
    mapping["fields"]["titel"] = "title"
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(mapping))
    with pytest.raises(IngestError) as caught:
        list(read_csv(DATA / "tate" / "sample.csv", path))
    problems = {(p.field, p.message) for p in caught.value.problems}
    assert problems == {("fields.titel", "unknown field (did you mean 'label'?)"),
                        ("defaults.colour", "unknown field")}


def test_the_mappings_fields_are_fields_of_the_schema():
    assert fields("object") >= KNOWN_FIELDS


@pytest.mark.parametrize("path", [COLLECTION, ROOT / "media" / "demo" / "catalogue.jsonl"], ids=lambda p: p.parent.name)
def test_every_shipped_record_file_still_imports(app, store, path):
    result = import_file(app, path)
    assert not result.skipped and not result.warnings
    assert store.count_objects() == result.counts["objects"] > 0


def test_the_tate_sample_still_imports_through_its_mapping(app, store):
    svc = app.extensions["vitrine"]
    records = read_csv(DATA / "tate" / "sample.csv", ROOT / "catalogue" / "mappings" / "tate.json")
    result = run_import(svc.store, records, svc.media_dir)
    assert result.counts["objects"] == store.count_objects() == 130


def _variants(record: dict) -> list[dict]:
    """A valid record and the same with each field in another form: right and wrong shapes of the
    schema's oneOf fields (text or language map, number or text, file or service or URL), a wrong kind."""
    forms = {
        "label": ["Rocket", {"en": "Rocket"}, {"en": ["Rocket", "Fusée"]}, {"en": [1]}, {"English": ["x"]}, 7, [],
                  {"en": ["x" * 1001]}],
        "summary": ["A rocket", {"fr": ["Une fusée"]}, {"fr": 3}],
        "earliest": [1900, "1900", None, [1900], 19.5, "-500", True, 99999, "1900-13", "19000"],
        "creators": [[{"name": "A", "born": born}] for born in (1762, "1762-02", "17620", True, 10000, 1.5, None, [1762])],
        "kind": ["object", "objet", 1],
        "media": [["images/rocket.jpg"], [{"file": "images/rocket.jpg"}], [{"service": "https://example.org/iiif/r"}],
                  [{"url": "https://example.org/r.jpg", "width": 10, "height": 10}], [{"width": 10}], [3], "images/r.jpg"],
        "dimensions": [[{"type": "height", "value": 12, "unit": "cm"}], [{"type": "height", "value": "12", "unit": "cm"}],
                       [{"type": "height", "value": True, "unit": "cm"}], [{"type": "height", "value": [1], "unit": "cm"}]]
                      + [[{"type": "height", "value": value, "unit": "cm"}] for value in (-1, 0, 0.5, "1.5", " 2 ", "x", "")],
        "metadata": [[{"label": "Medium", "value": "Oil"}], [{"label": {"en": ["Medium"]}, "value": {"en": ["Oil"]}}],
                     [{"label": {"en": ["Medium"]}, "value": {"en": [None]}}]],
    }
    return [record] + [{**record, name: value} for name, values in forms.items() for value in values]


def test_the_fast_check_accepts_exactly_what_the_published_schema_accepts():
    """The compiled check is the schema in a faster, equivalent form (references in place, a
    type-distinct oneOf as one schema of its types, enum for const): over valid and broken records
    alike it says what jsonschema says."""
    from catalogue.ingest.schema import _valid, _validator

    records = [json.loads(line) for line in (ROOT / "media" / "demo" / "catalogue.jsonl").read_text().splitlines()]
    objects = [r for r in records if r.get("kind", "object") == "object"][:5] + [GOOD, BAD]
    checked = [variant for record in objects for variant in _variants(record)]
    verdicts = [(_valid("object", v), not any(_validator("object").iter_errors(v))) for v in checked]
    assert all(fast == slow for fast, slow in verdicts)
    assert sum(fast for fast, _ in verdicts) > 20 and sum(not fast for fast, _ in verdicts) > 20  # both kinds seen
