"""Importing Vitrine JSON: what lands in the store, and bad input that changes nothing."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from catalogue.ingest import IngestError
from support import COLLECTION, ROOT, import_file


def write_jsonl(folder: Path, records: list) -> Path:
    path = folder / "records.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An import folder with the test collection's files and records."""
    target = tmp_path / "import"
    shutil.copytree(COLLECTION.parent, target)
    return target


def base_records() -> list[dict]:
    return [
        {"kind": "institution", "id": "kbr", "label": {"nl": ["KBR"], "fr": ["KBR"]}},
        {"id": "rocket", "label": {"en": ["Rocket"]}, "institution": "kbr", "media": ["images/rocket.jpg"]},
    ]


def test_import_stores_objects_with_media_measured_from_the_files(collection, store):
    coins = store.get_object("coins")
    assert coins.label["fr"] == ["Monnaies grecques de Pompéi"]
    assert coins.creators[0].uri == "http://www.wikidata.org/entity/Q632682"
    assert (coins.media[0].width, coins.media[0].height, coins.media[0].format) == (384, 303, "image/png")
    assert coins.media[0].id == "coins-1"
    assert coins.version == 1
    album = store.get_object("album")
    assert [m.path.rsplit("/", 1)[-1] for m in album.media] == ["brick.png", "coins.png", "horse.png"]
    assert store.get_object("lamp-post").media[0].format == "model/gltf-binary"
    assert store.get_object("rocket").media[0].id == "rocket-launch"
    assert store.count_objects() == 5
    assert [e.slug for e in store.exhibitions("published")] == ["origins"]


def test_media_are_copied_under_the_instance_media_folder(collection, app, store):
    media_dir = Path(app.config["MEDIA_DIR"])
    path = store.get_object("coins").media[0].path
    assert path.startswith("objects/coins/") and path.endswith("/coins.png")
    copied = media_dir / path
    assert copied.read_bytes() == (COLLECTION.parent / "images" / "coins.png").read_bytes()


def test_reimporting_an_id_updates_it_and_bumps_the_version(app, store, folder):
    records = base_records()
    import_file(app, write_jsonl(folder, records))
    records[1]["label"] = {"en": ["Rocket launch"]}
    result = import_file(app, write_jsonl(folder, records))
    assert (result.written.created, result.written.updated) == (0, 1)
    obj = store.get_object("rocket")
    assert obj.version == 2 and obj.label == {"en": ["Rocket launch"]}
    assert store.count_objects() == 1
    actions = [(c.ref, c.action) for c in store.changes() if c.kind == "object"]
    assert actions == [("rocket", "create"), ("rocket", "update")]


def test_reimporting_unchanged_records_changes_nothing(collection, app, store):
    before = store.changes()
    result = import_file(app, COLLECTION)
    assert result.written.created == result.written.updated == 0
    assert store.get_object("coins").version == 1
    assert store.changes() == before


def test_dry_run_checks_everything_and_writes_nothing(app, store, folder):
    result = import_file(app, write_jsonl(folder, base_records()), dry_run=True)
    assert result.counts["objects"] == 1 and result.counts["institutions"] == 1
    assert store.count_objects() == 0
    assert not (Path(app.config["MEDIA_DIR"]) / "objects").exists()


def assert_rejected(app, store, path: Path, *expected: str) -> IngestError:
    with pytest.raises(IngestError) as info:
        import_file(app, path)
    text = str(info.value)
    for fragment in expected:
        assert fragment in text, text
    assert store.count_objects() == 0
    assert store.institutions() == []
    assert not (Path(app.config["MEDIA_DIR"]) / "objects").exists()
    return info.value


def test_malformed_json_line_names_the_line(app, store, folder):
    path = folder / "bad.jsonl"
    path.write_text(json.dumps(base_records()[0]) + "\n{\"id\": \"x\",\n")
    assert_rejected(app, store, path, "bad.jsonl:2", "invalid JSON")


def test_missing_required_field_names_row_and_field(app, store, folder):
    records = base_records()
    del records[1]["label"]
    assert_rejected(app, store, write_jsonl(folder, records), "records.jsonl:2: label: is required")


def test_unknown_language_code_is_refused(app, store, folder):
    records = base_records()
    records[1]["label"] = {"jp": ["ロケット"]}
    assert_rejected(app, store, write_jsonl(folder, records), "records.jsonl:2: label: unknown language code 'jp'")


def test_text_file_named_jpg_is_refused_by_content(app, store, folder):
    (folder / "images" / "fake.jpg").write_text("this is not a picture")
    records = base_records()
    records[1]["media"] = ["images/fake.jpg"]
    assert_rejected(app, store, write_jsonl(folder, records), "records.jsonl:2: media[0].file:", "is not an image")


def test_truncated_image_is_refused(app, store, folder):
    data = (folder / "images" / "rocket.jpg").read_bytes()
    (folder / "images" / "cut.jpg").write_bytes(data[: len(data) // 2])
    records = base_records()
    records[1]["media"] = ["images/cut.jpg"]
    assert_rejected(app, store, write_jsonl(folder, records), "media[0].file:", "truncated")


def test_truncated_glb_is_refused(app, store, folder):
    data = (folder / "3d" / "lamp_post.glb").read_bytes()
    (folder / "3d" / "cut.glb").write_bytes(data[:1000])
    records = base_records()
    records[1].update(type="3d", media=["3d/cut.glb"])
    assert_rejected(app, store, write_jsonl(folder, records), "damaged glTF binary")


def test_duplicate_ids_in_one_batch_are_refused(app, store, folder):
    records = base_records() + [dict(base_records()[1])]
    assert_rejected(app, store, write_jsonl(folder, records), "records.jsonl:3: id: 'rocket' appears twice", "first at row 2")


def test_media_path_outside_the_import_folder_is_refused(app, store, folder, tmp_path):
    (tmp_path / "secret.png").write_bytes((folder / "images" / "coins.png").read_bytes())
    records = base_records()
    records[1]["media"] = ["../secret.png"]
    assert_rejected(app, store, write_jsonl(folder, records), "lies outside the import folder")


def test_unknown_institution_and_concept_are_refused(app, store, folder):
    records = base_records()
    records[1].update(institution="nowhere", subjects=["vitrine:nothing"])
    assert_rejected(app, store, write_jsonl(folder, records), "institution: unknown institution 'nowhere'")


def test_exhibition_detail_outside_the_image_is_refused(app, store, folder):
    records = base_records() + [{
        "kind": "exhibition", "slug": "x", "title": {"en": ["X"]},
        "sections": [{"title": {"en": ["S"]}, "items": [{"object": "rocket", "region": [600, 0, 100, 100]}]}],
    }]
    assert_rejected(app, store, write_jsonl(folder, records), "sections[0].items[0].region", "lies outside the 640x427 image")


def test_skip_invalid_imports_the_rest_and_reports_each_problem(app, store, folder):
    records = base_records() + [
        {"id": "no-label", "institution": "kbr"},
        {"id": "bad date", "label": {"en": ["x"]}, "institution": "kbr"},
    ]
    result = import_file(app, write_jsonl(folder, records), skip_invalid=True)
    assert [o.id for o in store.list_objects()] == ["rocket"]
    assert [(p.row, p.field) for p in result.skipped] == [(3, "label"), (4, "id")]


def test_a_media_id_taken_by_another_object_writes_nothing(app, store, folder):
    import_file(app, write_jsonl(folder, base_records()))
    records = [{"id": "other", "label": {"en": ["Other"]}, "institution": "kbr",
                "media": [{"file": "images/coins.png", "id": "rocket-1"}]}]
    with pytest.raises(IngestError, match="media id 'rocket-1' already belongs to object 'rocket'"):
        import_file(app, write_jsonl(folder, records))
    assert store.get_object("other") is None
    assert not (Path(app.config["MEDIA_DIR"]) / "objects" / "other").exists()


# -- ids and references: exactly the id, nothing after it (issue 8, defect 9) -----------------

def with_exhibition(records: list[dict]) -> list[dict]:
    return records + [
        {"kind": "concept", "uri": "test:launch", "label": {"en": ["launch"]}},
        {"kind": "exhibition", "slug": "flight", "title": {"en": ["Flight"]}, "opens": "2020-01-01",
         "sections": [{"title": {"en": ["Up"]}, "items": [{"object": "rocket"}]}]},
    ]


NEWLINE_CASES = [  # (row, where in the record, the field the message names)
    (1, lambda r: r[0].update(id="kbr\n"), "id"),
    (2, lambda r: r[1].update(id="rocket\n"), "id"),
    (2, lambda r: r[1].update(institution="kbr\n"), "institution"),
    (2, lambda r: r[1].update(collections=["kbr\n"]), "collections[0]"),
    (2, lambda r: r[1].update(subjects=["test:launch\n"]), "subjects[0]"),
    (2, lambda r: r[1].update(media=[{"file": "images/rocket.jpg", "id": "rocket-1\n"}]), "media[0].id"),
    (2, lambda r: r[1].update(label={"en\n": ["Rocket"]}), "label"),
    (2, lambda r: r[1].update(rights="http://creativecommons.org/publicdomain/mark/1.0/\n"), "rights"),
    (3, lambda r: r[2].update(uri="test:launch\n"), "uri"),
    (3, lambda r: r[2].update(broader="test:launch\nx"), "broader"),
    (4, lambda r: r[3].update(slug="flight\n"), "slug"),
    (4, lambda r: r[3].update(opens="\uff12\uff10\uff12\uff10-01-01"), "opens"),
    (4, lambda r: r[3].update(opens="2020-13-45"), "opens"),
    (4, lambda r: r[3]["sections"][0]["items"][0].update(object="rocket\n"), "sections[0].items[0].object"),
]


@pytest.mark.parametrize("row, change, field", NEWLINE_CASES)
def test_an_id_or_reference_with_a_trailing_newline_is_refused(app, store, folder, row, change, field):
    records = with_exhibition(base_records())
    change(records)
    assert_rejected(app, store, write_jsonl(folder, records), f"records.jsonl:{row}: {field}: ")


def test_the_unchanged_records_of_those_cases_import(app, store, folder):
    import_file(app, write_jsonl(folder, with_exhibition(base_records())))
    assert store.get_object("rocket") is not None


def test_api_answers_404_json_for_an_id_that_is_not_valid_even_if_stored(app, store, client):
    from catalogue.model import DigitalObject, Institution
    from catalogue.store import Batch

    # a record written before ids were checked to their end
    store.write(Batch(institutions=[Institution("kbr", {"en": ["KBR"]})],
                      objects=[DigitalObject("rocket\n", "image", {"en": ["Rocket"]}, "kbr")]))
    for path in ("/api/objects/rocket%0A", "/api/objects/rocket%0D%0A", "/api/objects/" + "a" * 200,
                 "/api/objects/%E2%80%A8", "/api/objects/a%20b"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "no object" in response.get_json()["error"]


# -- URLs: http(s) with a host, nothing else (issue 8, defect 13) -------------------------------

URL_CASES = [  # (row, change, field)
    (2, lambda r: r[1].update(homepage="javascript:alert(document.domain)"), "homepage"),
    (2, lambda r: r[1].update(homepage="JaVaScRiPt:alert(1)"), "homepage"),
    (2, lambda r: r[1].update(homepage=" javascript:alert(1)"), "homepage"),
    (2, lambda r: r[1].update(homepage="//evil.example/"), "homepage"),
    (2, lambda r: r[1].update(homepage="http://"), "homepage"),
    (2, lambda r: r[1].update(homepage="https://ok.example/a b"), "homepage"),
    (2, lambda r: r[1].update(creators=[{"name": "X", "uri": "javascript:alert(1)"}]), "creators[0].uri"),
    (2, lambda r: r[1].update(creators=[{"name": "X", "uri": "http:evil"}]), "creators[0].uri"),
    (1, lambda r: r[0].update(homepage="javascript:alert(1)"), "homepage"),
    (1, lambda r: r[0].update(logo="javascript:alert(1)"), "logo"),
    (1, lambda r: r[0].update(logo="data:image/svg+xml,<svg onload=alert(1)>"), "logo"),
    (1, lambda r: r[0].update(logo="vbscript:msgbox(1)"), "logo"),
]


@pytest.mark.parametrize("row, change, field", URL_CASES)
def test_a_url_field_accepts_only_http_or_https_with_a_host(app, store, folder, row, change, field):
    records = base_records()
    change(records)
    assert_rejected(app, store, write_jsonl(folder, records), f"records.jsonl:{row}: {field}: ", "is not an http(s) URL")


def test_http_and_https_urls_are_kept(app, store, folder):
    records = base_records()
    records[0].update(homepage="https://www.kbr.be/", logo="http://example.org/logo.png")
    records[1].update(homepage="  https://opac.kbr.be/record?id=1#top  ",
                      creators=[{"name": "X", "uri": "HTTP://www.wikidata.org/entity/Q1"}])
    import_file(app, write_jsonl(folder, records))
    assert store.get_institution("kbr").logo == "http://example.org/logo.png"
    assert store.get_object("rocket").homepage == "https://opac.kbr.be/record?id=1#top"


# -- hostile files: nesting, line separators, bad UTF-8, sizes (issue 8, defect 20) -------------

@pytest.mark.parametrize("name", ["deep.jsonl", "deep.json"])
def test_deeply_nested_json_is_invalid_json_not_a_traceback(app, store, folder, name):
    path = folder / name
    path.write_text("[" * 200_000 + "\n")
    problem = assert_rejected(app, store, path, f"{name}:1: ", "invalid JSON", "nested too deeply").problems[0]
    assert problem.row == 1


def test_a_raw_line_separator_inside_a_string_is_part_of_the_string(app, store, folder):
    records = base_records()
    records[1]["label"] = {"en": ["Rocket\u2028launch\u0085now\u2029here"]}
    path = folder / "records.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    assert "\u2028" in path.read_text(encoding="utf-8")
    import_file(app, path)
    assert store.get_object("rocket").label == {"en": ["Rocket\u2028launch\u0085now\u2029here"]}


def test_windows_line_ends_are_read(app, store, folder):
    path = folder / "records.jsonl"
    path.write_bytes(b"\r\n".join(json.dumps(r).encode() for r in base_records()) + b"\r\n")
    import_file(app, path)
    assert store.get_object("rocket") is not None


def test_json_syntax_error_names_line_and_column_once(app, store, folder):
    path = folder / "records.jsonl"
    path.write_text(json.dumps(base_records()[0]) + '\n{"id": "x, "label": 1}\n')
    error = assert_rejected(app, store, path, "records.jsonl:2: invalid JSON", "column 13")
    assert " at at" not in str(error)


def test_bad_utf8_names_the_line_and_column(app, store, folder):
    path = folder / "records.jsonl"
    path.write_bytes(json.dumps(base_records()[0]).encode() + b'\n{"id": "caf\xe9"}\n')
    assert_rejected(app, store, path, "records.jsonl:2: ", "not UTF-8", "column 12")
    whole = folder / "records.json"
    whole.write_bytes(b'[\n{"id": "ok"},\n {"id": "\xff"}]')
    assert_rejected(app, store, whole, "records.json:3: ", "not UTF-8", "column 10")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1" * 5000])
def test_numbers_json_does_not_have_are_invalid_json(app, store, folder, literal):
    path = folder / "records.jsonl"
    path.write_text(json.dumps(base_records()[0]) + '\n{"id": "x", "earliest": ' + literal + "}\n")
    assert_rejected(app, store, path, "records.jsonl:2: invalid JSON")


LIMIT_CASES = [  # (change, message)
    (lambda r: r.update(label={"en": ["x" * 1001]}), "label.en[0]: is 1,001 characters long; the limit is 1,000"),
    (lambda r: r.update(summary={"nl": ["ok", "x" * 20_001]}), "summary.nl[1]: is 20,001 characters long; the limit is 20,000"),
    (lambda r: r.update(summary="x" * 20_001), "summary.none[0]: is 20,001 characters long"),
    (lambda r: r.update(metadata=[{"label": {"en": ["Medium"]}, "value": {"en": ["x" * 10_001]}}]),
     "metadata[0].value.en[0]: is 10,001 characters long; the limit is 10,000"),
    (lambda r: r.update(date="x" * 1001), "date: is 1,001 characters long; the limit is 1,000"),
    (lambda r: r.update(creators=[{"name": "x" * 1001}]), "creators[0].name: is 1,001 characters long"),
    (lambda r: r.update(homepage="https://x.example/" + "x" * 2000), "homepage: is 2,018 characters long; the limit is 2,000"),
]


@pytest.mark.parametrize("change, message", LIMIT_CASES)
def test_text_over_its_limit_is_refused_with_its_path_and_the_limit(app, store, folder, change, message):
    records = base_records()
    change(records[1])
    assert_rejected(app, store, write_jsonl(folder, records), f"records.jsonl:2: {message}")


def test_text_at_its_limit_is_kept(app, store, folder):
    records = base_records()
    records[1].update(label={"en": ["x" * 1000]}, summary={"en": ["y" * 20_000]})
    import_file(app, write_jsonl(folder, records))
    assert store.get_object("rocket").summary == {"en": ["y" * 20_000]}


def test_a_record_line_over_a_megabyte_is_refused(app, store, folder):
    records = base_records()
    records[1]["metadata"] = [{"label": {"en": ["M"]}, "value": {"en": ["x" * 9000]}}] * 120
    assert_rejected(app, store, write_jsonl(folder, records), "records.jsonl:2: ", "the limit is 1,000,000 bytes")


def test_control_characters_and_lone_surrogates_are_refused(app, store, folder):
    records = base_records()
    records[1]["label"] = {"en": ["Rocket\x00"]}
    assert_rejected(app, store, write_jsonl(folder, records), "records.jsonl:2: label.en[0]: ", "control character U+0000")
    records[1]["label"] = {"en": ["Rocket\ud800"]}
    assert_rejected(app, store, write_jsonl(folder, records), "records.jsonl:2: label.en[0]: ", "surrogate")


# -- a JSON array streams, one record at a time (issue 13, defect 3) ----------------------------

PEAK_OF_READING = """
import sys, tracemalloc
from pathlib import Path
from catalogue.ingest.jsonfile import read_json
tracemalloc.start()
count = sum(1 for _ in read_json(Path(sys.argv[1])))
print(count, tracemalloc.get_traced_memory()[1])
"""


def test_a_json_array_is_read_one_record_at_a_time_in_bounded_memory(tmp_path):
    import os
    import subprocess
    import sys

    record = json.loads(COLLECTION.read_text(encoding="utf-8").splitlines()[3])
    path = tmp_path / "big.json"
    with path.open("w", encoding="utf-8") as out:  # pretty-printed, as API dumps often are
        out.write("[\n")
        for i in range(12_000):
            out.write(("," if i else "") + json.dumps(dict(record, id=f"r{i}", summary={"en": ["é" * 1500]}), indent=2,
                                                 ensure_ascii=False))
        out.write("\n]\n")
    size = path.stat().st_size
    assert size > 35_000_000
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.run([sys.executable, "-c", PEAK_OF_READING, str(path)], capture_output=True, text=True,
                           env=env, check=True, timeout=300)
    count, peak = map(int, child.stdout.split())
    assert count == 12_000
    assert peak < 8_000_000, f"peak {peak:,} bytes traced reading a {size:,}-byte file"


def test_records_of_a_json_array_keep_their_numbers_across_reads(tmp_path):
    from catalogue.ingest.jsonfile import read_json

    path = tmp_path / "many.json"
    records = [{"id": f"r{i}", "label": "x" * (i % 700), "n": i * 1.5, "big": 10 ** (i % 30)} for i in range(3000)]
    path.write_text("\ufeff[" + ",\n  ".join(json.dumps(r, ensure_ascii=i % 2 == 0) for i, r in enumerate(records)) + "]")
    read = list(read_json(path))
    assert [r.data for r in read] == records
    assert [r.row for r in read] == list(range(1, 3001))


def test_an_error_deep_in_a_json_array_names_its_line_and_column(app, store, folder):
    plain = {k: v for k, v in base_records()[1].items() if k != "media"}
    lines = ["["] + [json.dumps(dict(plain, id=f"r{i}")) + "," for i in range(5000)]
    lines.append('{"id": "bad" "label": "x"}]')
    path = folder / "records.json"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert_rejected(app, store, path, "records.json:5002: invalid JSON: Expecting ',' delimiter at column 14")
    path.write_bytes("\n".join(lines[:-1]).encode() + b'\n {"id": "caf\xe9"}]')
    assert_rejected(app, store, path, "records.json:5002: ", "not UTF-8", "column 13")
    path.write_text("\n".join(lines[:-1]) + '\n{"id": "x"}] x', encoding="utf-8")
    assert_rejected(app, store, path, "records.json:5002: invalid JSON: Extra data at column 14")


def test_a_record_of_a_json_array_over_the_limit_is_refused_with_its_number(app, store, folder):
    from catalogue.ingest.jsonfile import RECORD_MAX_BYTES

    big = dict(base_records()[1], summary={"en": ["x" * (RECORD_MAX_BYTES + 10)]})
    path = folder / "records.json"
    path.write_text(json.dumps([base_records()[0], big, base_records()[1]]), encoding="utf-8")
    assert_rejected(app, store, path, "records.json:2: the record is over 1,000,000 bytes")
    path.write_text(json.dumps(big), encoding="utf-8")  # a file of one record
    assert_rejected(app, store, path, "records.json:1: the record is over 1,000,000 bytes")


@pytest.mark.parametrize(("text", "expected"), [
    ("", "records.json:1: invalid JSON: Expecting value at column 1"),
    ("[", "records.json:1: invalid JSON: Expecting value at column 2"),
    ("[{}, ]", "records.json:1: invalid JSON: Expecting value at column 6"),
    ("[{} {}]", "records.json:1: invalid JSON: Expecting ',' delimiter at column 5"),
    ("[{}]]", "records.json:1: invalid JSON: Extra data at column 5"),
    ('[{"id": NaN}]', "records.json:1: invalid JSON: NaN is not a JSON number"),
    ('[{"a": "x\n"}]', "records.json:1: invalid JSON: Invalid control character at column 10"),
])
def test_a_broken_json_array_is_refused_with_its_place(app, store, folder, text, expected):
    path = folder / "records.json"
    path.write_text(text, encoding="utf-8")
    assert_rejected(app, store, path, expected)


def test_a_single_json_object_is_one_record(tmp_path):
    from catalogue.ingest.jsonfile import read_json

    path = tmp_path / "one.json"
    path.write_text('\n  {"id": "x", "label": "X"}  \n', encoding="utf-8")
    assert [(r.data, r.row) for r in read_json(path)] == [({"id": "x", "label": "X"}, 1)]
