"""The keeper of derived data: index and tiles follow each import, reading only what changed."""
from __future__ import annotations

import json

from catalogue.ingest import Record
from catalogue.services import Services
from catalogue.store.sqlite import SqliteStore
from support import COLLECTION


class CountingStore(SqliteStore):
    """The real store, counting the media rows it hands out and the objects it reads."""

    def __init__(self, path):
        super().__init__(path)
        self.media_rows, self.objects_read = 0, set()

    def iter_media(self):
        for row in super().iter_media():
            self.media_rows += 1
            yield row

    def get_objects(self, ids):
        found = super().get_objects(ids)
        self.objects_read |= {o.id for o in found}
        return found

    def get_object(self, object_id):
        found = super().get_object(object_id)
        self.objects_read |= {found.id} if found else set()
        return found


def _records(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_importing_one_object_reads_only_that_objects_media(app):
    svc = Services(app.config, store=CountingStore(app.config["STORE_PATH"]))
    svc.imports.run(Record(r, str(COLLECTION), n, COLLECTION.parent) for n, r in enumerate(_records(COLLECTION), 1))
    assert svc.store.count_objects() == 5
    coins = next(r for r in _records(COLLECTION) if r.get("id") == "coins" and r.get("kind") == "object")
    coins["label"] = {"en": ["Greek coins found at Pompeii"]}
    svc.store.media_rows, svc.store.objects_read = 0, set()
    result = svc.imports.run([Record(coins, "one.jsonl", 1, COLLECTION.parent)])
    assert result.written.updated == 1
    assert svc.store.media_rows == 0  # no scan of the catalogue's media ...
    assert svc.store.objects_read == {"coins"}  # ... only the changed object is read
    assert svc.images.tiles.object_media("coins") == ["coins-1"]


def test_an_import_is_searchable_and_tiled_when_run_returns(app):
    svc = app.extensions["vitrine"]
    progress = Phases()
    svc.imports.run((Record(r, str(COLLECTION), n, COLLECTION.parent) for n, r in enumerate(_records(COLLECTION), 1)),
                    progress=progress)
    client = app.test_client()
    assert [h["id"] for h in client.get("/api/search?q=pompeii").get_json()["hits"]] == ["coins"]
    assert (app.config["TILE_DIR"] and svc.images.tiles.load("coins-1")) is not None
    assert [name for name, _total in progress.phases] == ["checking", "indexing", "cutting tiles"]
    assert progress.done["indexing"] == 5


class Phases:
    """A progress listener that remembers what it heard."""

    def __init__(self):
        self.phases, self.done = [], {}

    def start(self, phase, total=None):
        self.phases.append((phase, total))
        self.done[phase] = 0
        self._current = phase

    def advance(self, n=1):
        self.done[self._current] += n


def test_replacing_one_objects_image_removes_its_old_file_without_reading_the_catalogues_media(app, tmp_path):
    import shutil

    from PIL import Image

    svc = Services(app.config, store=CountingStore(app.config["STORE_PATH"]))
    svc.imports.run(Record(r, str(COLLECTION), n, COLLECTION.parent) for n, r in enumerate(_records(COLLECTION), 1))
    old = {p.name for p in (svc.media_dir / "objects" / "coins").rglob("*") if p.is_file()}
    folder = shutil.copytree(COLLECTION.parent, tmp_path / "collection")
    with Image.open(folder / "images" / "coins.png") as image:
        image.rotate(90, expand=True).save(folder / "images" / "coins.png")  # a new scan of the coins
    coins = next(r for r in _records(COLLECTION) if r.get("id") == "coins" and r.get("kind") == "object")
    svc.store.media_rows = 0
    svc.imports.run([Record(coins, "one.jsonl", 1, folder)])
    files = [p for p in (svc.media_dir / "objects" / "coins").rglob("*") if p.is_file()]
    assert len(files) == 1 and old == {"coins.png"} and files[0].relative_to(svc.media_dir).as_posix() == \
        svc.store.get_object("coins").media[0].path  # the old scan's file is gone, the new one named
    assert svc.store.media_rows == 0  # no scan of the catalogue's media rows to decide it


def test_after_an_import_only_the_objects_with_images_of_their_own_are_read_to_cut_tiles(app):
    """Which changed objects need tiles is asked of the media rows: an import of 70,000 records
    without images decodes none of them again."""
    svc = Services(app.config, store=CountingStore(app.config["STORE_PATH"]))
    records = _records(COLLECTION)
    coins = next(r for r in records if r.get("id") == "coins" and r.get("kind") == "object")
    records += [{k: v for k, v in {**coins, "id": f"coins-card-{n}"}.items() if k != "media"} for n in range(3)]
    result = svc.imports.run(Record(r, str(COLLECTION), n, COLLECTION.parent) for n, r in enumerate(records, 1))
    objects = svc.store.get_objects(r["id"] for r in records if r.get("kind") == "object")
    with_images = {o.id for o in objects if any(not m.is_remote for m in o.images)}
    without = {o.id for o in objects if not o.media}
    assert with_images and without and len(with_images) < len(objects) - len(without)  # and a 3D-only one
    svc.store.objects_read = set()
    svc.keeper.catch_up(result.written.changes)  # the index is up to date: only the tiles' step reads
    assert svc.store.objects_read == with_images
    assert svc.store.media_of(sorted(without)) == {}
    media = svc.store.media_of(sorted(with_images))
    assert set(media) == with_images
    for object_id, files in media.items():
        assert [m.id for m in files] == [m.id for m in svc.store.get_object(object_id).media]
