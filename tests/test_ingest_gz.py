"""Importers read gzip-compressed files as they are, streaming (the Tate CSV is shipped as .csv.gz)."""
from __future__ import annotations

import gzip
import json
import shutil

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from catalogue.ingest import IngestError
from catalogue.services.imports import run_import
from catalogue.ingest.csvfile import read_csv
from catalogue.ingest.jsonfile import read_json
from support import COLLECTION, DATA, ROOT

TATE_SAMPLE = DATA / "tate" / "sample.csv"
TATE_MAPPING = ROOT / "catalogue" / "mappings" / "tate.json"


def _gzip(source, target):
    with source.open("rb") as raw, gzip.open(target, "wb") as packed:
        shutil.copyfileobj(raw, packed)
    return target


def test_a_gzipped_csv_imports_like_the_plain_file(app, store, tmp_path):
    packed = _gzip(TATE_SAMPLE, tmp_path / "sample.csv.gz")
    result = run_import(store, read_csv(packed, TATE_MAPPING), app.extensions["vitrine"].media_dir)
    assert result.counts["objects"] == 130
    first = store.list_objects(limit=1)[0]
    assert first.label  # text, not compressed bytes


def test_a_gzipped_json_lines_file_keeps_its_media_folder(app, store, tmp_path):
    folder = tmp_path / "collection"
    shutil.copytree(COLLECTION.parent, folder)
    packed = _gzip(folder / "records.jsonl", folder / "records.jsonl.gz")
    (folder / "records.jsonl").unlink()
    result = run_import(store, read_json(packed), app.extensions["vitrine"].media_dir)
    assert result.counts["objects"] == 5
    assert [m.width for m in store.get_object("coins").media] == [m.width for m in store.get_object("coins").media if m.width]


def test_a_gzipped_json_array_is_read(app, store, tmp_path):
    records = [{"kind": "institution", "id": "kbr", "label": {"fr": ["KBR"]}},
               {"id": "map", "label": {"fr": ["Carte"]}, "institution": "kbr"}]
    packed = tmp_path / "records.json.gz"
    packed.write_bytes(gzip.compress(json.dumps(records).encode()))
    run_import(store, read_json(packed), app.extensions["vitrine"].media_dir)
    assert store.get_object("map").label == {"fr": ["Carte"]}


def test_a_damaged_gzip_file_is_a_clear_error_naming_it(app, store, tmp_path):
    packed = tmp_path / "records.jsonl.gz"
    packed.write_bytes(gzip.compress(b'{"kind": "institution", "id": "kbr", "label": "KBR"}\n')[:-12])
    with pytest.raises(IngestError) as caught:
        run_import(store, read_json(packed), app.extensions["vitrine"].media_dir)
    assert "records.jsonl.gz" in str(caught.value) and "compressed" in str(caught.value)
    assert store.institutions() == []


def test_vitrine_ingest_csv_takes_the_gzipped_tate_file(tmp_path):
    packed = _gzip(TATE_SAMPLE, tmp_path / "artwork_data.csv.gz")
    result = CliRunner().invoke(main, ["ingest", "csv", str(packed), "--mapping", str(TATE_MAPPING)],
                                env={"VITRINE_INSTANCE": str(tmp_path / "instance")})
    assert result.exit_code == 0, result.output
    assert "130 objects" in result.output
