"""The store: WAL transactions, versions, the change log, and nothing lost or half-written."""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import ROOT, SHARED

from catalogue.model import DigitalObject, Institution
from catalogue.store import Batch, Store, StoreError, open_store
from catalogue.store.sqlite import SqliteStore


def obj(object_id: str, label: str = "x") -> DigitalObject:
    return DigitalObject(object_id, "image", {"en": [label]}, "inst")


@pytest.fixture
def fresh(tmp_path: Path) -> Store:
    store = SqliteStore(tmp_path / "vitrine.db")
    store.write(Batch(institutions=[Institution("inst", {"en": ["Inst"]})]))
    return store


def test_store_runs_in_wal_mode(fresh):
    assert fresh._db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_listeners_hear_committed_changes_in_order(fresh):
    heard = []
    fresh.subscribe(heard.append)
    assert [(c.seq, c.kind, c.ref) for c in fresh.changes()] == [(1, "institution", "inst")]  # the fixture's
    fresh.write(Batch(objects=[obj("a"), obj("b")]))
    fresh.put_object(obj("a", "changed"))
    fresh.delete_object("b")
    assert [[(c.ref, c.action) for c in changes] for changes in heard] == [
        [("a", "create"), ("b", "create")], [("a", "update")], [("b", "delete")]]
    assert [c.seq for c in fresh.changes()] == [1, 2, 3, 4, 5]
    assert [c.ref for c in fresh.changes(since=4)] == ["b"]


def test_a_failed_write_rolls_back_and_tells_no_one(fresh):
    heard = []
    fresh.subscribe(heard.append)
    seq = fresh.last_seq()
    with pytest.raises(RuntimeError), fresh.writer() as writer:
        writer.write(Batch(objects=[obj("a")]))
        raise RuntimeError("the importer died")
    assert fresh.get_object("a") is None and fresh.changes(seq) == [] and heard == []


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
                           env=env, capture_output=True, text=True, check=False)
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
    assert db.execute("SELECT COUNT(*) FROM changes WHERE kind IN ('object', 'exhibition')").fetchone()[0] == 7


def test_opening_an_unknown_kind_of_database_names_the_kinds_known(tmp_path):
    with pytest.raises(StoreError, match=r"'mysql'.*sqlite:///"):
        open_store("mysql://db.example/vitrine")
    with pytest.raises(StoreError, match="sqlite:///"):
        open_store(str(tmp_path / "vitrine.db"))  # a bare path is not a URL
    for wrong in ("sqlite://host/vitrine.db", "sqlite:///vitrine.db?mode=ro", "sqlite:vitrine.db"):
        with pytest.raises(StoreError, match="sqlite:///absolute/path"):
            open_store(wrong)


def test_constructing_a_store_creates_no_file_and_the_first_use_creates_it(tmp_path):
    path = tmp_path / "not" / "yet" / "vitrine.db"
    store = open_store(f"sqlite://{path}")
    assert not (tmp_path / "not").exists()
    assert store.count_objects() == 0 and store.last_seq() == 0
    assert path.exists()


def test_a_catalogue_from_before_the_change_counter_numbers_on_after_its_log(fresh):
    fresh.write(Batch(objects=[obj("a"), obj("b")]))
    fresh._db().execute("DROP TABLE change_counter")  # as a database written by Vitrine 0.1 has it
    reopened = SqliteStore(fresh.path)
    reopened.put_object(obj("c"))
    assert [(c.seq, c.ref) for c in reopened.changes()] == [(1, "inst"), (2, "a"), (3, "b"), (4, "c")]
    reopened.put_object(obj("d"))
    assert reopened.last_seq() == 5


def test_a_store_is_reopened_from_its_url_by_another_process(fresh, tmp_path):
    fresh.write(Batch(objects=[obj("a", "Über das Meer")]))
    script = ("import sys; from catalogue.store import open_store; "
              "print(open_store(sys.argv[1]).get_object('a').label['en'][0])")
    out = subprocess.run([sys.executable, "-c", script, fresh.url], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), check=True).stdout
    assert out.strip() == "Über das Meer"
    assert fresh.url == f"sqlite://{tmp_path / 'vitrine.db'}"


def test_a_path_with_spaces_and_a_hash_survives_the_url(tmp_path):
    path = tmp_path / "my catalogue #2" / "vitrine.db"
    store = SqliteStore(path)
    store.write(Batch(institutions=[Institution("inst", {"en": ["Inst"]})]))
    assert open_store(store.url).get_institution("inst").label == {"en": ["Inst"]}
    assert "#" not in store.url and " " not in store.url


def test_a_database_that_is_not_one_is_a_store_error_naming_the_file(tmp_path):
    path = tmp_path / "vitrine.db"
    path.write_bytes(b"this is a text file, not a catalogue\n" * 200)
    with pytest.raises(StoreError, match="not a database") as raised:
        SqliteStore(path).count_objects()
    assert str(path) in str(raised.value)


def test_a_full_disk_is_a_store_error_and_writes_nothing(fresh):
    fresh.write(Batch(objects=[obj("kept")]))
    pages = fresh._db().execute("PRAGMA page_count").fetchone()[0]
    fresh._db().execute(f"PRAGMA max_page_count = {pages + 2}")  # as if the disk filled up now
    big = [obj(f"o{i}", "x" * 2000) for i in range(200)]
    with pytest.raises(StoreError, match="full"):
        fresh.write(Batch(objects=big))
    assert [o.id for o in fresh.iter_objects()] == ["kept"]
    assert [c.ref for c in fresh.changes()] == ["inst", "kept"]


def test_an_import_that_fills_the_disk_is_reported_with_the_reason(fresh, tmp_path):
    from catalogue.ingest import IngestError
    from catalogue.services.imports import run_import

    pages = fresh._db().execute("PRAGMA page_count").fetchone()[0]
    fresh._db().execute(f"PRAGMA max_page_count = {pages + 2}")
    records = [{"id": f"o{i}", "type": "image", "label": {"en": ["x" * 900]}, "institution": "inst"}
               for i in range(500)]
    from catalogue.ingest.jsonfile import read_json

    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    with pytest.raises(IngestError, match="full"):
        run_import(fresh, read_json(path), tmp_path / "media")
    assert fresh.count_objects() == 0


def test_no_module_outside_the_sqlite_store_names_sqlite3():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "catalogue").rglob("*.py")
                 if re.search(r"\bsqlite3\b", p.read_text()) and p != ROOT / "catalogue/store/sqlite.py"]
    assert offenders == []


def test_the_database_url_defaults_to_the_store_path_and_follows_the_environment(tmp_path, monkeypatch):
    from catalogue import create_app

    app = create_app({"INSTANCE": str(tmp_path / "one")})
    assert app.config["DATABASE_URL"] == f"sqlite://{tmp_path / 'one' / 'vitrine.db'}"
    assert app.extensions["vitrine"].store.url == app.config["DATABASE_URL"]
    elsewhere = tmp_path / "shared db" / "catalogue.db"
    monkeypatch.setenv("VITRINE_DATABASE_URL", SqliteStore(elsewhere).url)
    app = create_app({"INSTANCE": str(tmp_path / "two")})
    assert app.extensions["vitrine"].store.path == elsewhere


def test_the_narrower_concepts_of_a_concept_are_those_that_name_it_their_broader(tmp_path):
    from catalogue.thesaurus import load_kbr

    store = open_store(f"sqlite:///{tmp_path / 'vitrine.db'}")
    thesaurus = load_kbr()
    with store.writer() as writer:
        writer.write(Batch(concepts=thesaurus))
    broader = {c.broader for c in thesaurus if c.broader}
    assert len(broader) > 5
    for uri in broader | {thesaurus[0].uri, "kbr:no-such-concept"}:
        assert store.narrower(uri) == sorted((c for c in thesaurus if c.broader == uri), key=lambda c: c.uri), uri
    store.close()


def test_the_descendants_of_a_concept_are_every_concept_under_it_and_a_loop_ends(tmp_path):
    from catalogue.model import Concept
    from catalogue.thesaurus import load_kbr

    store = open_store(f"sqlite:///{tmp_path / 'vitrine.db'}")
    thesaurus = load_kbr()
    loop = [Concept("x:a", {"en": ["a"]}, broader="x:c"), Concept("x:b", {"en": ["b"]}, broader="x:a"),
            Concept("x:c", {"en": ["c"]}, broader="x:b")]
    with store.writer() as writer:
        writer.write(Batch(concepts=[*thesaurus, *loop]))

    def under(uri: str) -> set[str]:
        children = {c.uri for c in thesaurus if c.broader == uri}
        return children.union(*(under(child) for child in children))

    tops = [c.uri for c in thesaurus if not c.broader and under(c.uri)]
    assert tops and any(len(under(t)) > len({c.uri for c in thesaurus if c.broader == t}) for t in tops)  # deep
    for uri in tops:
        assert store.descendants(uri, 10_000) == sorted(under(uri)), uri
        some = store.descendants(uri, 2)
        assert len(some) == 2 and set(some) <= under(uri)
    assert store.descendants("x:a", 100) == ["x:b", "x:c"]  # not itself, and no end to the loop but this
    assert store.descendants("kbr:no-such-concept", 100) == []
    store.close()
