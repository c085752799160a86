"""A work put in copyright: no full-size tile stays reachable after the commit, whoever committed it."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from catalogue import create_app
from catalogue.cli import main

SHARED = Path(__file__).resolve().parents[2] / "shared"
RETINA = SHARED / "data" / "media" / "images" / "skimage_retina.jpg"  # 1411 x 1411
PUBLIC = "http://creativecommons.org/publicdomain/zero/1.0/"
IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"


def _records(folder: Path, rights: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(RETINA, folder / "retina.jpg")
    path = folder / f"records-{rights.rsplit('/', 3)[-3]}.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"kind": "institution", "id": "museum", "label": {"en": ["Museum"]}},
        {"id": "eye", "type": "image", "label": {"en": ["Retina"]}, "institution": "museum", "rights": rights,
         "media": [{"file": "retina.jpg", "id": "eye-1"}]},
    ]) + "\n")
    return path


def _full_size_tiles(tile_dir: Path) -> list[str]:
    """Tiles at scale factor 1 (a region as wide as its output) of a pyramid of more than the 800 px a
    work in copyright may show, and any tile reaching beyond 800 px: a capped work's pyramid is its
    derivative's (its index says 800 px at most), every tile of which lies within the derivative."""
    index = tile_dir / "eye-1" / "pyramid.json"
    cut = json.loads(index.read_text()) if index.exists() else {"width": 0, "height": 0}
    found = []
    for tile in (tile_dir / "eye-1").glob("*/*/0/default.jpg"):
        region, size = tile.parent.parent.parent.name, tile.parent.parent.name
        match = re.fullmatch(r"(\d+),(\d+),(\d+),(\d+)", region)
        if not match:
            continue
        x, y, w, h = map(int, match.groups())
        if (max(cut["width"], cut["height"]) > 800 and size == f"{w},{h}") or max(x + w, y + h) > 800:
            found.append(f"{region}/{size}")
    return found


def _beyond_the_derivative(tiles: list[str]) -> str:
    """A full-size tile whose region lies outside the 800 px derivative of the work."""
    return next(t for t in tiles if int(t.split(",")[0]) >= 800 or int(t.split(",")[1]) >= 800)


def _ingest(instance: Path, file: Path):
    result = CliRunner().invoke(main, ["ingest", "json", str(file)], env={"VITRINE_INSTANCE": str(instance)})
    assert result.exit_code == 0, result.output
    return result


def test_vitrine_ingest_that_puts_a_work_in_copyright_withdraws_its_full_size_tiles_before_it_returns(tmp_path):
    instance = tmp_path / "i"
    _ingest(instance, _records(tmp_path / "src", PUBLIC))
    tiles = instance / "tiles"
    full = _full_size_tiles(tiles)
    assert full, "the open work was cut at full size"
    app = create_app({"INSTANCE": str(instance), "TESTING": True})
    assert app.test_client().get(f"/iiif/image/eye-1/{full[0]}/0/default.jpg").status_code == 200

    _ingest(instance, _records(tmp_path / "src", IN_COPYRIGHT))
    assert _full_size_tiles(tiles) == []
    response = app.test_client().get(f"/iiif/image/eye-1/{_beyond_the_derivative(full)}/0/default.jpg")
    assert response.status_code == 400  # outside the 800 x 800 derivative, all the service knows
    info = app.test_client().get("/iiif/image/eye-1/info.json").json
    assert (info["width"], info["height"]) == (800, 800)


def test_a_withdrawal_left_undone_by_a_killed_process_is_finished_before_the_next_one_serves_an_image(tmp_path):
    instance = tmp_path / "i"
    _ingest(instance, _records(tmp_path / "src", PUBLIC))
    full = _full_size_tiles(instance / "tiles")
    assert full
    # A process that commits the rights change and dies before anything else runs (no listener, no cleanup).
    script = (
        "import dataclasses, os, sys\n"
        "from catalogue.store import Batch; from catalogue.store.sqlite import SqliteStore\n"
        "store = SqliteStore(sys.argv[1])\n"
        "obj = store.get_object('eye')\n"
        f"store.write(Batch(objects=[dataclasses.replace(obj, rights={IN_COPYRIGHT!r})]))\n"
        "os._exit(9)\n"
    )
    died = subprocess.run([sys.executable, "-c", script, str(instance / "vitrine.db")], timeout=60)
    assert died.returncode == 9
    assert _full_size_tiles(instance / "tiles") == full  # the commit happened, the withdrawal did not

    app = create_app({"INSTANCE": str(instance), "TESTING": True})  # the next process: its factory writes nothing
    assert _full_size_tiles(instance / "tiles") == full
    # Its first image request, for a full-size tile the fast path would send as a file, finds it withdrawn.
    assert app.test_client().get(f"/iiif/image/eye-1/{_beyond_the_derivative(full)}/0/default.jpg").status_code == 400
    assert _full_size_tiles(instance / "tiles") == []


def test_a_pyramid_cut_while_its_work_is_put_in_copyright_never_stays_at_full_size(tmp_path):
    import dataclasses
    import threading
    import time

    from catalogue.store import Batch

    landing = SHARED / "data" / "media" / "images" / "kde_SafeLanding_5120x2880.jpg"
    folder = tmp_path / "src"
    folder.mkdir()
    shutil.copy(landing, folder / "landing.jpg")
    records = folder / "records.jsonl"
    records.write_text("\n".join(json.dumps(r) for r in [
        {"kind": "institution", "id": "museum", "label": {"en": ["Museum"]}},
        {"id": "eye", "type": "image", "label": {"en": ["Landing"]}, "institution": "museum", "rights": PUBLIC,
         "media": [{"file": "landing.jpg", "id": "eye-1"}]},
    ]) + "\n")
    instance = tmp_path / "i"
    app = create_app({"INSTANCE": str(instance), "TESTING": True})
    from support import import_file

    import_file(app, records, notify=False)  # committed; no tiles cut yet
    images = app.extensions["vitrine"].images
    cutting = threading.Thread(target=images.cut, args=("eye-1",))
    cutting.start()
    deadline = time.monotonic() + 30
    while not (instance / "tiles" / ".tmp").exists() and cutting.is_alive() and time.monotonic() < deadline:
        time.sleep(0.001)  # the cut has begun, with the open work's full resolution
    store = app.extensions["vitrine"].store
    store.write(Batch(objects=[dataclasses.replace(store.get_object("eye"), rights=IN_COPYRIGHT)]))
    cutting.join(60)
    images.wait_idle(60)
    assert _full_size_tiles(instance / "tiles") == []
    info = app.test_client().get("/iiif/image/eye-1/info.json").json
    assert (info["width"], info["height"]) == (800, 450)
