"""Two writers at once: the second waits its turn with a message, then does its work."""
from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

from catalogue.store import Batch, open_store
from catalogue.store.sqlite import SqliteStore


def _records(path: Path) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in [
        {"kind": "institution", "id": "museum", "label": {"en": ["Museum"]}},
        {"id": "second-import", "type": "image", "label": {"en": ["From the second import"]}, "institution": "museum"},
    ]) + "\n")
    return path


def test_a_second_import_waits_for_the_first_with_a_message_and_then_imports(tmp_path):
    instance = tmp_path / "i"
    records = _records(tmp_path / "records.jsonl")
    vitrine = str(Path(sys.executable).parent / "vitrine")
    env = {**os.environ, "VITRINE_INSTANCE": str(instance)}
    subprocess.run([vitrine, "ingest", "json", "--dry-run", str(records)], env=env, check=True,
                   capture_output=True, timeout=120)  # creates the instance
    store = SqliteStore(instance / "vitrine.db")
    with store.writer():  # the first import, still running
        second = subprocess.Popen([vitrine, "ingest", "json", str(records)], env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        lock = instance / "vitrine.db.lock"
        message = ""
        while time.monotonic() < deadline and "waiting" not in message:
            time.sleep(0.2)
            assert second.poll() is None, second.communicate()
            message = _read_some(second.stderr)
        assert f"waiting for another import or edit to finish (process {os.getpid()} is writing" in message
        time.sleep(1.0)
        assert second.poll() is None  # still waiting, not failed with "database is locked"
        assert lock.read_text() == f"process {os.getpid()}"
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "imported 1 institutions, 1 objects" in out
    assert store.get_object("second-import") is not None
    assert "locked" not in err


def _read_some(stream) -> str:
    """What a pipe holds so far, without blocking."""
    os.set_blocking(stream.fileno(), False)
    try:
        return stream.read() or ""
    except (BlockingIOError, TypeError):
        return ""


WRITERS, TRANSACTIONS, PER_BATCH = 3, 25, 4


def _write_in_a_loop(url: str, writer: int, go) -> None:
    """One writing process: transactions of one or two batches, creating, updating and deleting."""
    store = open_store(url)
    go.wait()
    for n in range(TRANSACTIONS):
        ids = [f"w{writer}-{n}-{i}" for i in range(PER_BATCH)]
        with store.writer() as transaction:
            transaction.write(Batch(objects=[_object(i, "first") for i in ids]))
            if n % 2:
                transaction.write(Batch(objects=[_object(ids[0], "second")]))
        if n % 5 == 4:
            store.delete_object(ids[-1])
    store.close()


def _follow_the_log(url: str, ready, writers_done, seen) -> None:
    """A consumer polling the change log the whole time, as the search index and the tile keeper do."""
    store = open_store(url)
    store.changes()
    ready.set()
    since, polls = 0, 0
    log: list[tuple[int, str, str]] = []
    while True:
        done = writers_done.is_set()  # read before polling: the last poll then sees every commit
        page = store.changes(since=since, limit=7)
        if page and not done:
            polls += 1
            log += [(c.seq, c.ref, c.action) for c in page]
            since = page[-1].seq
        elif done:
            break
    seen.put((log, polls))
    store.close()


def _object(object_id: str, label: str):
    from catalogue.model import DigitalObject

    return DigitalObject(object_id, "image", {"en": [label]}, "museum")


def test_a_consumer_of_the_change_log_never_misses_a_change_while_processes_write_at_once(tmp_path):
    """The rule of catalogue.store: having read changes up to N, a consumer never later finds one numbered <= N."""
    from catalogue.model import Institution

    store = SqliteStore(tmp_path / "vitrine.db")
    store.write(Batch(institutions=[Institution("museum", {"en": ["Museum"]})]))
    processes = multiprocessing.get_context("spawn")
    ready, go, writers_done, seen = processes.Event(), processes.Event(), processes.Event(), processes.Queue()
    reader = processes.Process(target=_follow_the_log, args=(store.url, ready, writers_done, seen))
    writers = [processes.Process(target=_write_in_a_loop, args=(store.url, w, go)) for w in range(WRITERS)]
    for process in [reader, *writers]:
        process.start()
    assert ready.wait(60)
    go.set()
    for process in writers:
        process.join(60)
        assert process.exitcode == 0
    writers_done.set()
    log, polls = seen.get(timeout=60)
    reader.join(60)

    logged = store.changes(limit=10**6)
    everything = [(c.seq, c.ref, c.action) for c in logged]
    assert log == everything  # nothing skipped, nothing seen twice, in the order of the numbers
    assert [seq for seq, _, _ in everything] == list(range(1, len(everything) + 1))
    objects = [(c.seq, c.ref, c.action) for c in logged if c.kind == "object"]  # the museum's own entry aside
    created = [ref for _, ref, action in objects if action == "create"]
    assert len(created) == len(set(created)) == WRITERS * TRANSACTIONS * PER_BATCH
    updates = [ref for _, ref, action in objects if action == "update"]
    assert sorted(updates) == sorted(f"w{w}-{n}-0" for w in range(WRITERS) for n in range(1, TRANSACTIONS, 2))
    deletes = [ref for _, ref, action in objects if action == "delete"]
    assert len(deletes) == WRITERS * (TRANSACTIONS // 5)
    assert polls > 5  # the consumer really read while the writers wrote
