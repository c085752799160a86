"""kill -9 at bad moments: the store is the before or the after state, the derived data catch up by themselves.

These run real `vitrine` processes on a catalogue made here and kill them with SIGKILL;
benchmarks/crash.py runs the same on the Tate set.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from catalogue import create_app
from catalogue.model import DigitalObject, Institution
from catalogue.store import Batch, Store
from test_image_tiles import _free_port

VITRINE = str(Path(sys.executable).parent / "vitrine")
WORDS = "harbour storm portrait river garden mill church market bridge forest".split()


def _catalogue(instance: Path, count: int) -> Store:
    """A store of ``count`` objects, written straight to the store (no index yet)."""
    store = Store(instance / "vitrine.db")
    objects = [
        DigitalObject(id=f"w{n:05d}", type="image", institution="museum",
                      label={"en": [f"{WORDS[n % 10]} {WORDS[n // 10 % 10]} number {n}"]}, earliest=1500 + n % 400)
        for n in range(count)
    ]
    store.write(Batch(institutions=[Institution(id="museum", label={"en": ["Museum"]})], objects=objects))
    return store


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _env(instance: Path) -> dict:
    return {**os.environ, "VITRINE_INSTANCE": str(instance)}


def _kill_rebuild_midway(instance: Path) -> list[int]:
    """Start `vitrine index --rebuild` with two indexers, SIGKILL it while they work; return the indexers' pids."""
    rebuild = subprocess.Popen([VITRINE, "index", "--rebuild", "--procs", "2"], env=_env(instance),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    children: list[int] = []
    while time.monotonic() < deadline and len(children) < 2:
        time.sleep(0.05)
        children = _children(rebuild.pid)
    assert len(children) >= 2, "the rebuild never started its indexers"
    time.sleep(0.5)  # let them write part of their segments
    assert rebuild.poll() is None, "the rebuild finished before it could be killed: make the catalogue bigger"
    rebuild.send_signal(signal.SIGKILL)
    rebuild.wait(10)
    return children


@pytest.fixture
def killed_rebuild(tmp_path):
    instance = tmp_path / "i"
    store = _catalogue(instance, 12_000)
    create_app({"INSTANCE": str(instance)}).extensions["vitrine"].search.close()  # an empty index, behind the store
    children = _kill_rebuild_midway(instance)
    return instance, store, children


def test_indexers_of_a_killed_rebuild_die_with_it(killed_rebuild):
    _, _, children = killed_rebuild
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in children)


def test_after_a_killed_rebuild_vitrine_serve_catches_the_index_up_by_itself_and_cleans_the_orphans(killed_rebuild):
    instance, store, _ = killed_rebuild
    search = create_app({"INSTANCE": str(instance)}).extensions["vitrine"].search
    assert search.count() < store.count_objects()
    assert search.orphans(), "a killed rebuild leaves segment files no generation names"

    port = _free_port()
    server = subprocess.Popen([VITRINE, "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
                              env=_env(instance), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        total = None
        while time.monotonic() < deadline:
            try:
                total = requests.get(f"http://127.0.0.1:{port}/api/search?q=", timeout=5).json()["total"]
            except requests.ConnectionError:
                pass  # not listening yet: the visitor is never made to wait for indexing, the server starts at once
            if total == store.count_objects():
                break
            time.sleep(0.5)
        assert total == 12_000
        hits = requests.get(f"http://127.0.0.1:{port}/api/search?q=harbour+storm", timeout=5).json()
        assert hits["total"] == 240  # "harbour storm …" and "storm harbour …"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    assert search.orphans() == []
