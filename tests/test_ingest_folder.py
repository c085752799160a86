"""A folder of media: one object per file, one book per sub-folder, checked by content."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalogue.ingest import IngestError
from catalogue.services.imports import run_import
from catalogue.ingest.folder import read_folder
from catalogue.model import Institution
from catalogue.store import Batch
from support import DATA

IMAGES = DATA / "collection" / "images"
SHARED_IIIF = Path(__file__).resolve().parents[2] / "shared" / "iiif"
VALIDATOR_ID = "67352ccc-d1b0-11e1-89ae-279075081939"  # the official Image API validator's fixed identifier


@pytest.fixture
def folder(tmp_path: Path, store) -> Path:
    store.write(Batch(institutions=[Institution("kbr", {"fr": ["KBR"]})]))
    root = tmp_path / "scans"
    (root / "book_of_hours").mkdir(parents=True)
    shutil.copy(IMAGES / "rocket.jpg", root / "Rocket_launch.jpg")
    shutil.copy(DATA / "collection" / "3d" / "lamp_post.glb", root / "lamp.glb")
    for n, name in enumerate(["brick.png", "coins.png", "horse.png"], start=1):
        shutil.copy(IMAGES / name, root / "book_of_hours" / f"page{n * 5}.png")
    (root / ".DS_Store").write_text("hidden")
    return root


def ingest_folder(app, folder: Path, **options):
    svc = app.extensions["vitrine"]
    return run_import(svc.store, read_folder(folder, "kbr", "http://creativecommons.org/publicdomain/zero/1.0/"), svc.media_dir, **options)


def test_files_become_objects_and_subfolders_books(app, store, folder):
    ingest_folder(app, folder)
    assert sorted(o.id for o in store.list_objects()) == ["Rocket_launch", "book_of_hours", "lamp"]
    book = store.get_object("book_of_hours")
    assert book.type == "book" and book.label == {"none": ["book of hours"]}
    assert [m.path.rsplit("/", 1)[-1] for m in book.media] == ["page5.png", "page10.png", "page15.png"]
    assert [m.label for m in book.media] == [{"none": ["p. 1"]}, {"none": ["p. 2"]}, {"none": ["p. 3"]}]
    assert store.get_object("lamp").type == "3d"
    rocket = store.get_object("Rocket_launch")
    assert (rocket.media[0].width, rocket.media[0].height) == (640, 427)
    assert rocket.rights == "http://creativecommons.org/publicdomain/zero/1.0/"


def test_a_text_file_named_like_an_image_stops_the_whole_folder(app, store, folder):
    (folder / "book_of_hours" / "page20.png").write_text("not an image")
    with pytest.raises(IngestError, match=r"scans:1: media\[3\].file: 'book_of_hours/page20.png' is not an image"):
        ingest_folder(app, folder)
    assert store.count_objects() == 0


def test_a_page_replaced_in_a_subfolder_is_served_and_its_old_file_removed(app, client, store, folder):
    ingest_folder(app, folder)
    media_dir = app.extensions["vitrine"].media_dir
    old = store.get_object("book_of_hours").media[1]
    shutil.copy(IMAGES / "rocket.jpg", folder / "book_of_hours" / "page10.png")  # a rescan, same name
    ingest_folder(app, folder)
    new = store.get_object("book_of_hours").media[1]
    assert new.path != old.path and new.path.endswith("/page10.png") and new.format == "image/jpeg"
    assert not (media_dir / old.path).exists()
    assert (media_dir / new.path).read_bytes() == (IMAGES / "rocket.jpg").read_bytes()
    assert client.get(f"/media/{new.id}").data == (IMAGES / "rocket.jpg").read_bytes()


def test_a_single_image_keeps_its_file_name_as_image_id_and_book_pages_are_numbered(app, client, store, folder):
    shutil.copy(SHARED_IIIF / f"{VALIDATOR_ID}.png", folder / f"{VALIDATOR_ID}.png")
    ingest_folder(app, folder)
    assert [m.id for m in store.get_object("Rocket_launch").media] == ["Rocket_launch"]
    assert [m.id for m in store.get_object(VALIDATOR_ID).media] == [VALIDATOR_ID]
    assert [m.id for m in store.get_object("book_of_hours").media] == [f"book_of_hours-{n}" for n in (1, 2, 3)]
    info = client.get(f"/iiif/image/{VALIDATOR_ID}/info.json")
    assert info.status_code == 200 and (info.json["width"], info.json["height"]) == (1000, 1000)
