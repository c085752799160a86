"""The store: WAL transactions, versions, the change log, and nothing lost or half-written."""
from __future__ import annotations

import gzip
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from catalogue.model import DigitalObject, Institution
from catalogue.store import Batch, Store, StoreError
from support import ROOT, SHARED


def obj(object_id: str, label: str = "x") -> DigitalObject:
    return DigitalObject(object_id, "image", {"en": [label]}, "inst")


@pytest.fixture
def fresh(tmp_path: Path) -> Store:
    store = Store(tmp_path / "vitrine.db")
    store.write(Batch(institutions=[Institution("inst", {"en": ["Inst"]})]))
    return store


def test_store_runs_in_wal_mode(fresh):
    assert fresh._db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_listeners_hear_committed_changes_in_order(fresh):
    heard = []
    fresh.subscribe(heard.append)
    fresh.write(Batch(objects=[obj("a"), obj("b")]))
    fresh.put_object(obj("a", "changed"))
    fresh.delete_object("b")
    assert [[(c.ref, c.action) for c in changes] for changes in heard] == [
        [("a", "create"), ("b", "create")], [("a", "update")], [("b", "delete")]]
    assert [c.seq for c in fresh.changes()] == [1, 2, 3, 4]
    assert [c.ref for c in fresh.changes(since=3)] == ["b"]


def test_a_failed_write_rolls_back_and_tells_no_one(fresh):
    heard = []
    fresh.subscribe(heard.append)
    with pytest.raises(RuntimeError):
        with fresh.writer() as writer:
            writer.write(Batch(objects=[obj("a")]))
            raise RuntimeError("the importer died")
    assert fresh.get_object("a") is None and fresh.changes() == [] and heard == []


def test_media_ids_have_one_owner(fresh):
    from catalogue.model import MediaFile

    media = MediaFile("shared-1", "a.jpg", "image/jpeg", 10, 10)
    fresh.write(Batch(objects=[DigitalObject("a", "image", {"en": ["a"]}, "inst", media=[media])]))
    with pytest.raises(StoreError, match="already belongs to object 'a'"):
        fresh.write(Batch(objects=[DigitalObject("b", "image", {"en": ["b"]}, "inst", media=[media])]))
    assert fresh.get_object("b") is None


def test_killing_an_import_mid_write_loses_nothing_and_half_writes_nothing(tmp_path):
    """SIGKILL a real `vitrine ingest csv` of the Tate set while it writes: the store stays as it was."""
    instance = tmp_path / "instance"
    env = dict(os.environ, VITRINE_INSTANCE=str(instance))
    vitrine = str(Path(sys.executable).with_name("vitrine"))
    first = subprocess.run([vitrine, "ingest", "json", str(ROOT / "tests/data/collection/records.jsonl")],
                           env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    csv_path = tmp_path / "tate.csv"
    with gzip.open(SHARED / "data/tate/artwork_data.derived.csv.gz", "rb") as src, csv_path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    process = subprocess.Popen([vitrine, "ingest", "csv", str(csv_path), "--mapping", str(ROOT / "catalogue/mappings/tate.json")],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wal = instance / "vitrine.db-wal"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (wal.exists() and wal.stat().st_size > 2_000_000):
        time.sleep(0.05)
    assert process.poll() is None, "the import finished before it could be interrupted"
    process.send_signal(signal.SIGKILL)
    process.wait()
    db = sqlite3.connect(instance / "vitrine.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM objects").fetchone()[0] == 5
    assert db.execute("SELECT COUNT(*) FROM objects WHERE institution = 'tate'").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 7
