"""The media files an import writes: committed files are never overwritten, each file keeps its own
stored copy, and a glTF binary is checked as its specification lays it out."""
from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from PIL import Image

from catalogue.ingest import IngestError
from catalogue.services.imports import run_import
from catalogue.ingest.jsonfile import read_json
from catalogue.ingest.media import MediaError, inspect_media
from support import DATA, ROOT, import_file

IMAGES = DATA / "collection" / "images"
GLB = DATA / "collection" / "3d" / "lamp_post.glb"
OPEN = "http://creativecommons.org/publicdomain/zero/1.0/"
INSTITUTION = {"kind": "institution", "id": "kbr", "label": {"fr": ["KBR"]}}


def cup(media: list | None = None) -> dict:
    return {"id": "cup", "label": {"en": ["Coffee"]}, "institution": "kbr", "rights": OPEN,
            "media": media or ["skimage_coffee.png"]}


def concepts(n: int) -> list[dict]:
    """Cheap valid records: enough of them make the importer copy and write a chunk before the end."""
    return [{"kind": "concept", "uri": f"test:c{i}", "label": {"en": [f"c{i}"]}} for i in range(n)]


def write_import(folder: Path, image: Path, records: list) -> Path:
    """An import folder holding ``image`` as skimage_coffee.png and ``records`` as JSON Lines."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(image, folder / "skimage_coffee.png")
    return write_records(folder, records)


def write_records(folder: Path, records: list) -> Path:
    path = folder / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def listing(media_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(media_dir).as_posix(): p.read_bytes() for p in media_dir.rglob("*") if p.is_file()}


def names(media_dir: Path) -> set[str]:
    """What is in the media folder by name only: a copy in progress may be renamed meanwhile."""
    return {p.relative_to(media_dir).as_posix() for p in media_dir.rglob("*") if not p.is_dir()}


def served_pixels(client, media_id: str) -> bytes:
    response = client.get(f"/media/{media_id}")
    assert response.status_code == 200
    with Image.open(io.BytesIO(response.data)) as image:
        return image.convert("RGB").tobytes()


def pixels(path: Path) -> bytes:
    with Image.open(path) as image:
        return image.convert("RGB").tobytes()


@pytest.fixture
def committed(app, store, tmp_path):
    """Object "cup" imported with image A (coins.png as skimage_coffee.png); returns the media folder."""
    import_file(app, write_import(tmp_path / "a", IMAGES / "coins.png", [INSTITUTION, cup()]))
    return app.extensions["vitrine"].media_dir


# -- defect 16: a failed import leaves committed media as they were -------------------

@pytest.mark.parametrize("invalid", [
    {"id": "bad", "institution": "nowhere", "label": {"en": ["x"]}},  # found while checking
    {"id": "thief", "label": {"en": ["x"]}, "institution": "kbr",  # found by the store, at write time
     "media": [{"file": "skimage_coffee.png", "id": "cup-1"}]},
], ids=["invalid-record", "store-error"])
def test_a_failed_reimport_leaves_the_committed_image_on_disk_and_served(app, client, store, committed, tmp_path, invalid):
    before = listing(committed)
    path = store.get_object("cup").media[0].path
    records = [cup(), *concepts(2000), invalid]  # the first chunk (with image B) is copied and written first
    with pytest.raises(IngestError, match="nothing was imported"):
        import_file(app, write_import(tmp_path / "b", IMAGES / "horse.png", records))
    assert listing(committed) == before
    assert store.get_object("cup").media[0].path == path
    assert (committed / path).read_bytes() == (IMAGES / "coins.png").read_bytes()
    assert served_pixels(client, "cup-1") == pixels(IMAGES / "coins.png")


def test_an_import_interrupted_after_copying_removes_only_the_files_it_created(app, store, committed, tmp_path):
    before = listing(committed)
    records = [cup(), *concepts(3000)]
    checked, during = itertools.count(1), []

    def interrupt(_records: int) -> None:
        if next(checked) == 2500:  # the first chunk, with image B, is copied and written
            during.append(listing(committed))
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_file(app, write_import(tmp_path / "b", IMAGES / "horse.png", records), progress=interrupt)
    assert during[0] != before
    assert listing(committed) == before


KILLED_IMPORT = """
import json, sys
from pathlib import Path
from catalogue import create_app
from catalogue.ingest import Record
from catalogue.services.imports import run_import
app = create_app({"INSTANCE": sys.argv[1]})
svc = app.extensions["vitrine"]
base = Path(sys.argv[2])
records = (Record(json.loads(line), "stdin", n, base) for n, line in enumerate(sys.stdin, 1))
run_import(svc.store, records, svc.media_dir)
"""


def test_an_import_killed_before_its_commit_leaves_the_committed_image_untouched(app, client, store, committed, instance, tmp_path):
    before = listing(committed)
    path = store.get_object("cup").media[0].path
    folder = tmp_path / "b"
    write_import(folder, IMAGES / "horse.png", [])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    importer = subprocess.Popen([sys.executable, "-c", KILLED_IMPORT, str(instance), str(folder)],
                                stdin=subprocess.PIPE, env=env, cwd=ROOT, text=True)
    try:
        # one chunk: cup with image B and 1,999 concepts; the importer copies B, writes the chunk
        # and waits for more records on stdin, its transaction open
        importer.stdin.write("".join(json.dumps(r) + "\n" for r in [cup(), *concepts(1999)]))
        importer.stdin.flush()

        def copied() -> bool:  # a new file beside the committed one, or (the defect) over it
            return names(committed) != set(before) or (committed / path).read_bytes() != before[path]

        deadline = time.monotonic() + 60
        while not copied() and importer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert importer.poll() is None, "the importer ended before it was killed"
        assert copied(), "the importer copied nothing within a minute"
        time.sleep(0.3)  # the chunk's write follows its copies
    finally:
        importer.send_signal(signal.SIGKILL)
        importer.wait()
        importer.stdin.close()
    after = listing(committed)
    assert {k: v for k, v in after.items() if k in before} == before  # same names, same bytes
    assert store.get_object("cup").media[0].path == path
    assert (committed / path).read_bytes() == (IMAGES / "coins.png").read_bytes()
    assert served_pixels(client, "cup-1") == pixels(IMAGES / "coins.png")
    # the next import of that object clears what the killed one left
    import_file(app, write_import(tmp_path / "a", IMAGES / "coins.png", [INSTITUTION, cup()]))
    assert listing(committed) == before


def test_a_successful_reimport_serves_the_new_image_and_removes_the_replaced_file(app, client, store, committed, tmp_path):
    old = store.get_object("cup").media[0].path
    import_file(app, write_import(tmp_path / "b", IMAGES / "horse.png", [INSTITUTION, cup()]))
    new = store.get_object("cup").media[0]
    assert new.path != old and new.path.endswith("/skimage_coffee.png")
    assert new.size == (IMAGES / "horse.png").stat().st_size
    assert listing(committed) == {new.path: (IMAGES / "horse.png").read_bytes()}
    assert served_pixels(client, "cup-1") == pixels(IMAGES / "horse.png")


def test_reimporting_an_unchanged_file_copies_nothing_and_leaves_the_record_unchanged(app, store, committed, tmp_path):
    path = store.get_object("cup").media[0].path
    stat = (committed / path).stat()
    result = import_file(app, write_import(tmp_path / "again", IMAGES / "coins.png", [INSTITUTION, cup()]))
    assert (result.written.unchanged, result.written.updated) == (1, 0)
    assert store.get_object("cup").version == 1
    again = (committed / path).stat()
    assert (again.st_ino, again.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)


def test_a_file_inside_the_media_folder_is_referenced_where_it_is(app, store):
    media_dir = app.extensions["vitrine"].media_dir
    path = write_import(media_dir / "scans", IMAGES / "coins.png", [INSTITUTION, cup()])
    import_file(app, path)
    assert store.get_object("cup").media[0].path == "scans/skimage_coffee.png"
    assert not (media_dir / "objects").exists()


# -- defect 17: two files of one name keep their own stored files ---------------------

def test_two_images_of_the_same_name_in_two_folders_each_keep_their_own_file(app, client, store, tmp_path):
    folder = tmp_path / "import"
    for sub, image in (("a", "coins.png"), ("b", "horse.png")):
        (folder / sub).mkdir(parents=True)
        shutil.copy(IMAGES / image, folder / sub / "001.png")
    record = {**cup(["a/001.png", "b/001.png"]), "type": "book"}
    import_file(app, write_records(folder, [INSTITUTION, record]))
    media_dir = app.extensions["vitrine"].media_dir
    first, second = store.get_object("cup").media
    assert first.path != second.path
    for media, image in ((first, "coins.png"), (second, "horse.png")):
        assert (media_dir / media.path).read_bytes() == (IMAGES / image).read_bytes()
        assert media.size == (IMAGES / image).stat().st_size
        assert served_pixels(client, media.id) == pixels(IMAGES / image)


# -- defect 15: a glTF binary is checked chunk by chunk -------------------------------

def glb(*chunks: tuple[int, bytes], length: int | None = None, version: int = 2) -> bytes:
    body = b"".join(struct.pack("<II", len(data), kind) + data for kind, data in chunks)
    return b"glTF" + struct.pack("<II", version, 12 + len(body) if length is None else length) + body


def json_chunk(document) -> tuple[int, bytes]:
    raw = json.dumps(document).encode()
    return 0x4E4F534A, raw + b" " * (-len(raw) % 4)


ASSET = {"asset": {"version": "2.0"}}
HTML = b"<html><script>alert(1)</script></html>"


GLB_CASES = [
    (b"glTF" + struct.pack("<II", 2, 20) + b"\0" * 8, "first chunk is of type 0x00000000, not JSON"),
    (b"glTF" + struct.pack("<II", 2, 12), "no JSON chunk"),
    (b"glTF" + struct.pack("<II", 2, 12 + len(HTML)) + HTML, "chunk 0"),
    (glb((0x004E4942, b"\0" * 8)), "first chunk is of type 0x004E4942, not JSON"),
    (glb((0x4E4F534A, b"{}  ")), 'no "asset"'),
    (glb(json_chunk({"asset": {"version": "1.0"}})), 'no "asset"'),
    (glb(json_chunk({"asset": "2.0"})), 'no "asset"'),
    (glb((0x4E4F534A, b"<p>")), "not a multiple of 4"),
    (glb((0x4E4F534A, b"[" * 4000)), "not UTF-8 JSON"),
    (glb((0x4E4F534A, b"\xff\xfe{}")), "not UTF-8 JSON"),
    (glb(json_chunk(ASSET), (0x004E4942, b"\0" * 8))[:-4], "header says"),
    (glb(json_chunk(ASSET), length=100), "header says 100 bytes"),
    (glb(json_chunk(ASSET), (0x004E4942, b"\0" * 8), (0x004E4942, b"\0" * 4)), "BIN chunk out of place"),
    (glb(json_chunk(ASSET), json_chunk(ASSET)), "second JSON chunk"),
    (glb(json_chunk(ASSET), version=1), "glTF version 1"),
]


@pytest.mark.parametrize("content, why", GLB_CASES, ids=[why for _, why in GLB_CASES])
def test_a_glb_that_is_not_a_whole_gltf_binary_is_refused_naming_the_file(tmp_path, content, why):
    path = tmp_path / "model.glb"
    path.write_bytes(content)
    with pytest.raises(MediaError, match="'model.glb' is") as error:
        inspect_media("model.glb", tmp_path, tmp_path / "media", "lamp")
    assert why in error.value.message


def test_a_chunk_length_past_the_end_of_the_file_is_refused(tmp_path):
    content = bytearray(glb(json_chunk(ASSET), (0x004E4942, b"\0" * 8)))
    struct.pack_into("<I", content, 12 + 8 + len(json_chunk(ASSET)[1]), 4096)  # the BIN chunk's length
    (tmp_path / "model.glb").write_bytes(content)
    with pytest.raises(MediaError, match="chunk 1 says 4096 bytes, only 8 are left"):
        inspect_media("model.glb", tmp_path, tmp_path / "media", "lamp")


def test_real_and_minimal_glbs_are_accepted(tmp_path):
    (tmp_path / "minimal.glb").write_bytes(glb(json_chunk(ASSET)))
    (tmp_path / "extended.glb").write_bytes(glb(json_chunk({"asset": {"version": "2.1"}}), (0x004E4942, b"\0" * 4), (0x12345678, b"")))
    shutil.copy(GLB, tmp_path / "lamp_post.glb")
    for name in ("minimal.glb", "extended.glb", "lamp_post.glb"):
        assert inspect_media(name, tmp_path, tmp_path / "media", "lamp").format == "model/gltf-binary"


def test_a_glb_header_followed_by_html_stops_the_import_with_file_and_field(app, store, tmp_path):
    folder = tmp_path / "import"
    folder.mkdir()
    (folder / "lamp.glb").write_bytes(b"glTF" + struct.pack("<II", 2, 12 + len(HTML)) + HTML)
    lamp = {"id": "lamp", "type": "3d", "label": {"en": ["Lamp"]}, "institution": "kbr", "media": ["lamp.glb"]}
    path = write_records(folder, [INSTITUTION, lamp])
    with pytest.raises(IngestError, match=r"records.jsonl:2: media\[0\].file: 'lamp.glb' is a damaged glTF binary"):
        run_import(store, read_json(path), app.extensions["vitrine"].media_dir)
    assert store.count_objects() == 0


@settings(max_examples=100)
@given(st.binary(max_size=64), st.integers(0, 2 ** 32 - 1))
def test_any_bytes_after_a_glb_header_are_accepted_or_refused_with_a_media_error(tmp_path_factory, body, first_length):
    folder = tmp_path_factory.mktemp("fuzz")
    content = glb() + struct.pack("<I", first_length) + body
    content = content[:8] + struct.pack("<I", len(content)) + content[12:]
    (folder / "model.glb").write_bytes(content)
    try:
        inspect_media("model.glb", folder, folder / "media", "lamp")
    except MediaError as exc:
        assert "'model.glb'" in exc.message


def test_a_glb_json_chunk_over_64_mb_is_refused_without_reading_it(tmp_path):
    length = (64 << 20) + 4
    path = tmp_path / "model.glb"
    with path.open("wb") as f:  # sparse: the chunk's bytes take no disk
        f.write(b"glTF" + struct.pack("<IIII", 2, 20 + length, length, 0x4E4F534A))
        f.truncate(20 + length)
    with pytest.raises(MediaError, match="JSON chunk is 67108868 bytes, over the 64 MB"):
        inspect_media("model.glb", tmp_path, tmp_path / "media", "lamp")


@pytest.mark.parametrize("file, field", [
    ("\x00", "media[0].file"),
    ("images/\x00coins.png", "media[0].file"),
    ("\ud800", "media[0].file"),  # found by benchmarks/fuzz.py
    ("x" * 20_000, "media[0].file"),
    ("a/" * 3000 + "b.png", "media[0].file"),
])
def test_a_media_path_no_file_system_can_hold_is_refused_naming_the_record(app, store, tmp_path, file, field):
    path = write_records(tmp_path, [INSTITUTION, cup([file])])
    with pytest.raises(IngestError) as refused:
        import_file(app, path)
    [problem] = refused.value.problems
    assert (Path(problem.file).name, problem.row, problem.field) == ("records.jsonl", 2, field)
    assert len(str(problem)) < 400
    assert store.get_object("cup") is None


@pytest.mark.parametrize("object_id", ["//evil.example", "../../etc", "a/b", "x" * 200])
def test_an_object_id_that_is_no_id_is_refused_before_any_media_path_is_built_from_it(app, store, tmp_path, object_id):
    folder = tmp_path / "imp"
    path = write_import(folder, IMAGES / "coins.png", [INSTITUTION, {**cup(), "id": object_id}])
    with pytest.raises(IngestError) as refused:
        import_file(app, path)
    assert [(p.row, p.field) for p in refused.value.problems] == [(2, "id")]
    assert not (app.extensions["vitrine"].media_dir / "objects").exists()
