"""kill -9 at bad moments: the store is the before or the after state, the derived data catch up by themselves.

These run real `vitrine` processes on a catalogue made here and kill them with SIGKILL;
benchmarks/crash.py runs the same on the Tate set.
"""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from catalogue import create_app
from catalogue.iiif import levels
from catalogue.model import DigitalObject, Institution
from catalogue.store import Batch, Store
from catalogue.store.sqlite import SqliteStore
from support import free_port

VITRINE = str(Path(sys.executable).parent / "vitrine")
WORDS = "harbour storm portrait river garden mill church market bridge forest".split()


def _catalogue(instance: Path, count: int) -> Store:
    """A store of ``count`` objects, written straight to the store (no index yet)."""
    store = SqliteStore(instance / "vitrine.db")
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

    port = free_port()
    server = subprocess.Popen([VITRINE, "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
                              env=_env(instance), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        total = None
        while time.monotonic() < deadline:
            try:
                total = requests.get(f"http://127.0.0.1:{port}/api/search?q=", timeout=(1, 60)).json()["total"]
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
        server.stderr.close()
    assert search.orphans() == []


# -- an import killed at any moment -------------------------------------------------------

SHARED = Path(__file__).resolve().parents[2] / "shared"
PICTURES = {"eye": "skimage_retina.jpg", "landing": "kde_SafeLanding_5120x2880.jpg"}
OPEN = "http://creativecommons.org/publicdomain/zero/1.0/"
IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"
LIMIT = 800


def _import_file(folder: Path, rights: str, extra: int) -> Path:
    """The pictures under ``rights`` and ``extra`` text-only records (enough to make the import take a while)."""
    import json
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    records = [{"kind": "institution", "id": "museum", "label": {"en": ["Museum"]}}]
    for object_id, name in PICTURES.items():
        shutil.copy(SHARED / "data" / "media" / "images" / name, folder / name)
        records.append({"id": object_id, "type": "image", "label": {"en": [object_id]}, "institution": "museum",
                        "rights": rights, "media": [{"file": name, "id": f"{object_id}-1"}]})
    records += [{"id": f"t{n:05d}", "label": {"en": [f"{WORDS[n % 10]} record {n}"]}, "institution": "museum"}
                for n in range(extra)]
    path = folder / f"import-{len(records)}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _state(store: Store) -> list[tuple]:
    """What the store holds, as the import changes it."""
    return [(o.id, o.rights, tuple(m.path for m in o.media)) for o in store.iter_objects()]


def _ingest(instance: Path, file: Path) -> subprocess.Popen:
    return subprocess.Popen([VITRINE, "ingest", "json", str(file)], env=_env(instance),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _assert_consistent(instance: Path, before: list[tuple], after: list[tuple]) -> None:
    """The invariants after a crash and a restart."""
    import hashlib

    from PIL import Image

    store = SqliteStore(instance / "vitrine.db")
    state = _state(store)
    assert state in (before, after)
    media_dir = instance / "media"
    for obj in store.iter_objects():
        for media in obj.media:  # every file the store names is there, complete, as the store describes it
            path = media_dir / media.path
            assert path.stat().st_size == media.size
            assert hashlib.sha256(path.read_bytes()).hexdigest().startswith(path.parent.name)
    # the restart: what `vitrine serve` runs beside itself, then a server process starting
    subprocess.run([VITRINE, "index", "--catch-up"], env=_env(instance), check=True, timeout=300,
                   capture_output=True)
    app = create_app({"INSTANCE": str(instance)})
    svc = app.extensions["vitrine"]
    assert svc.search.count() == store.count_objects()
    assert svc.search.orphans() == []
    client = app.test_client()
    for obj in store.iter_objects():
        if not obj.in_copyright:
            continue
        for media in obj.images:  # the service knows only the capped derivative: no tile shows more
            served = levels.capped_size(media.width, media.height, LIMIT)
            info = client.get(f"/iiif/image/{media.id}/info.json").json
            assert (info["width"], info["height"]) == served
            for tile in (instance / "tiles" / media.id).glob("*/*/0/default.jpg"):
                region, size = tile.parent.parent.parent.name, tile.parent.parent.name
                x, y, w, h = (0, 0, *served) if region == "full" else map(int, region.split(","))
                assert x + w <= served[0] and y + h <= served[1], f"{tile} lies outside the derivative"
                with Image.open(tile) as image:
                    assert image.width <= w and image.height <= h, f"{tile} shows more than the derivative has"
            full = client.get(f"/iiif/image/{media.id}/full/max/0/default.jpg")
            with Image.open(io.BytesIO(full.data)) as image:
                assert max(image.size) <= LIMIT


@pytest.fixture(scope="module")
def imported_open(tmp_path_factory):
    """A catalogue with the pictures imported as open works, and the import that puts them in copyright."""
    root = tmp_path_factory.mktemp("crash")
    base = root / "base"
    first = _ingest(base, _import_file(root / "v1", OPEN, 0))
    assert first.wait(300) == 0
    before = _state(SqliteStore(base / "vitrine.db"))
    second = _import_file(root / "v2", IN_COPYRIGHT, 4000)
    reference = root / "reference"
    import shutil

    shutil.copytree(base, reference)
    started = time.monotonic()
    assert _ingest(reference, second).wait(300) == 0
    duration = time.monotonic() - started
    after = _state(SqliteStore(reference / "vitrine.db"))
    assert before != after
    return base, second, before, after, duration


# Before the commit, while the derived data follow it, right after it; benchmarks/crash.py sweeps
# more moments on the Tate set.
@pytest.mark.parametrize("moment", [0.25, 0.6, "commit"])
def test_an_import_killed_at_any_moment_leaves_the_before_or_the_after_state_and_catches_up(
        imported_open, tmp_path, moment):
    import shutil

    base, second, before, after, duration = imported_open
    instance = tmp_path / "i"
    shutil.copytree(base, instance)
    store = SqliteStore(instance / "vitrine.db")
    seq = store.last_seq()
    process = _ingest(instance, second)
    if moment == "commit":  # right after the commit: the rights changed, nothing derived has followed yet
        deadline = time.monotonic() + 300
        while store.last_seq() == seq and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
    else:
        time.sleep(duration * moment)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    _assert_consistent(instance, before, after)
