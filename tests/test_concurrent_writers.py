"""Two writers at once: the second waits its turn with a message, then does its work."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from catalogue.store import Store


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
    store = Store(instance / "vitrine.db")
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
