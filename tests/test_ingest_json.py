"""Importing Vitrine JSON: what lands in the store, and bad input that changes nothing."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from catalogue.ingest import IngestError
from support import COLLECTION, import_file


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


def test_media_are_copied_under_the_instance_media_folder(collection, app):
    media_dir = Path(app.config["MEDIA_DIR"])
    copied = media_dir / "objects" / "coins" / "coins.png"
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
