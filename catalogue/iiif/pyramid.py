"""Tile pyramids on disk: cut once, served as files, read back for any other view.

One folder per image under TILE_DIR, laid out as the URLs a viewer asks for
(``{id}/{region}/{w},{h}/0/default.jpg``), so the fast path and nginx find a
tile with a single path computation. ``pyramid.json`` beside the tiles records
what they were cut from; a pyramid whose source or rights changed is cut anew.
A work in copyright's pyramid is that of its capped derivative (the image its
service presents), so no file in it holds more than the capped resolution.
A pyramid appears and disappears whole: it is cut in a temporary folder and
renamed into place, and a lock file keeps two cutters (threads or processes)
from cutting the same image at once.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from math import ceil, floor
from pathlib import Path

from PIL import Image

from . import levels
from .source import image_size, open_source

VERSION = 1
# A work in copyright's layout changed in version 2 (one tile per level), and in 3 (the pyramid of its
# capped derivative, in the derivative's coordinates); open works' did not.
CAPPED_VERSION = 3
JPEG_QUALITY = 85
INDEX = "pyramid.json"
TILE_FILE = "0/default.jpg"
LOCK_FILES = 1024


def region_name(x: int, y: int, w: int, h: int, width: int, height: int) -> str:
    """A region as a viewer writes it: ``full`` for the whole image, else ``x,y,w,h``."""
    return "full" if (x, y, w, h) == (0, 0, width, height) else f"{x},{y},{w},{h}"


def file_name(region: str, w: int, h: int) -> str:
    """The path, inside an image's folder, of the pre-cut JPEG for a region at w x h."""
    return f"{region}/{w},{h}/{TILE_FILE}"


def signature(source: Path, limit: int | None) -> dict:
    """What a pyramid depends on: the source file's identity and the size limit it was cut for."""
    st = source.stat()
    return {
        "source": str(source),
        "bytes": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "limit": limit,
        "tile": levels.TILE_SIZE,
        "quality": JPEG_QUALITY,
        "version": VERSION if limit is None else CAPPED_VERSION,
    }


@dataclass(frozen=True)
class Pyramid:
    """An image's cut pyramid: its tile levels and whole-image sizes, readable region by region
    (``width``/``height``: the image served, a work in copyright's derivative)."""

    root: Path
    width: int
    height: int
    mode: str
    scale_factors: tuple[int, ...]
    sizes: tuple[tuple[int, int], ...]
    signature: dict

    @classmethod
    def load(cls, root: Path) -> Pyramid | None:
        try:
            data = json.loads((root / INDEX).read_text())
        except (OSError, ValueError):
            return None
        return cls(
            root,
            data["width"],
            data["height"],
            data["mode"],
            tuple(data["scale_factors"]),
            tuple(tuple(s) for s in data["sizes"]),
            data["signature"],
        )

    def file(self, region: tuple[int, int, int, int], size: tuple[int, int]) -> Path:
        """Where the pre-cut JPEG for this region at this size would be (it may not exist)."""
        return self.root / file_name(region_name(*region, self.width, self.height), *size)

    def level_size(self, factor: int) -> tuple[int, int]:
        return ceil(self.width / factor), ceil(self.height / factor)

    def levels(self) -> list[tuple[float, Reader]]:
        """Every tile level on disk, finest first, as (pixels per image pixel, reader)."""
        return [(1 / f, _TileLevel(self, f)) for f in self.scale_factors]


class Reader:
    """A whole image at one resolution that can hand out a box of itself."""

    size: tuple[int, int]

    def read(self, box: tuple[float, float, float, float]) -> tuple[Image.Image, tuple[int, int]]:
        """The pixels covering ``box`` (level coordinates) and the integer origin they start at."""
        raise NotImplementedError


class _TileLevel(Reader):
    """A level assembled from the tiles it was cut into: only the tiles a box touches are decoded."""

    def __init__(self, pyramid: Pyramid, factor: int):
        self.pyramid, self.factor = pyramid, factor
        self.size = pyramid.level_size(factor)

    def read(self, box):
        t, s, p = levels.TILE_SIZE, self.factor, self.pyramid
        lw, lh = self.size
        x0, y0 = max(0, floor(box[0])), max(0, floor(box[1]))
        x1, y1 = min(lw, ceil(box[2])), min(lh, ceil(box[3]))
        canvas = Image.new(p.mode, (x1 - x0, y1 - y0))
        for row in range(y0 // t, (y1 - 1) // t + 1):
            for col in range(x0 // t, (x1 - 1) // t + 1):
                x, y = col * t * s, row * t * s
                region = (x, y, min(t * s, p.width - x), min(t * s, p.height - y))
                tile_size = (min(t, lw - col * t), min(t, lh - row * t))
                with Image.open(p.file(region, tile_size)) as tile:
                    canvas.paste(tile, (col * t - x0, row * t - y0))
                    canvas.info.setdefault("icc_profile", tile.info.get("icc_profile"))
        return canvas, (x0, y0)


class Claim:
    """A held pyramid lock (an flock on an open file: it can pass from one thread to another),
    with the original already decoded when the holder had to decode it anyway."""

    def __init__(self, fd: int):
        self.fd = fd
        self.image: Image.Image | None = None

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing the file releases the lock
            self.fd = -1
        self.image = None

    def __enter__(self) -> Claim:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class TileStore:
    """TILE_DIR: one pyramid folder per media id, plus per-object lists of the images cut for it."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def folder(self, media_id: str) -> Path:
        return self.root / media_id

    def load(self, media_id: str) -> Pyramid | None:
        return Pyramid.load(self.folder(media_id))

    def current(self, media_id: str, wanted: dict) -> Pyramid | None:
        """The pyramid if it was cut from this source for these limits, else None."""
        pyramid = self.load(media_id)
        return pyramid if pyramid and pyramid.signature == wanted else None

    def build(
        self,
        media_id: str,
        source: Path,
        limit: int | None,
        max_pixels: int,
        wait: float = 600,
        force: bool = False,
        claim: Claim | None = None,
    ) -> tuple[Pyramid, bool]:
        """The current pyramid of an image, cut now unless it already is; (pyramid, whether it was cut).

        With a ``claim`` the lock is already held, and the original may already be decoded.
        """
        with claim or self.lock(media_id, wait):
            wanted = signature(source, limit)
            existing = self.current(media_id, wanted)
            if existing and not force:
                return existing, False
            tmp = self.root / ".tmp" / f"{media_id}.{uuid.uuid4().hex}"
            try:
                _cut(source, tmp, limit, max_pixels, wanted, claim.image if claim else None)
                self._replace(media_id, tmp)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            pyramid = Pyramid.load(self.folder(media_id))
            assert pyramid is not None  # just renamed into place, under the lock every removal takes
            return pyramid, True

    def remove(self, media_id: str) -> None:
        """Take an image's tiles off the web at once, then delete them."""
        with self.lock(media_id):
            self._discard(self.folder(media_id))

    def being_cut(self, media_id: str) -> bool:
        """Whether a thread or process is cutting this image right now."""
        claim = self.claim(media_id)
        if claim is None:
            return True
        claim.release()
        return False

    def claim(self, media_id: str) -> Claim | None:
        """The right to cut one image's pyramid, held until released; None if someone else holds it."""
        fd = os.open(self._lock_path(media_id), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return Claim(fd)

    def lock(self, media_id: str, wait: float = 600) -> Claim:
        """Exclusive right to change one image's pyramid, across threads and processes (a context manager)."""
        deadline = time.monotonic() + wait
        while (claim := self.claim(media_id)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the pyramid of {media_id} is still being cut")
            time.sleep(0.01)
        return claim

    def media_ids(self) -> list[str]:
        """Every image that has a pyramid folder."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))

    def object_media(self, object_id: str) -> list[str]:
        """The images last cut for an object (so a deleted object's tiles can be found)."""
        try:
            return json.loads((self.root / ".objects" / object_id).read_text())
        except (OSError, ValueError):
            return []

    def set_object_media(self, object_id: str, media_ids: list[str]) -> None:
        path = self.root / ".objects" / object_id
        if not media_ids:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{object_id}.{uuid.uuid4().hex}")
        tmp.write_text(json.dumps(media_ids))
        os.replace(tmp, path)

    def withdrawn_upto(self) -> int | None:
        """The change-log entry up to which withdrawals are done (None: never recorded)."""
        try:
            return int((self.root / ".withdrawn").read_text())
        except (OSError, ValueError):
            return None

    def set_withdrawn_upto(self, seq: int) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".withdrawn.{uuid.uuid4().hex}"
        tmp.write_text(str(seq))
        os.replace(tmp, self.root / ".withdrawn")

    def cut_under(self) -> str | None:
        """The access policy (its key) the pyramids were cut for (None: never recorded)."""
        try:
            return (self.root / ".policy").read_text()
        except OSError:
            return None

    def set_cut_under(self, key: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".policy.{uuid.uuid4().hex}"
        tmp.write_text(key)
        os.replace(tmp, self.root / ".policy")

    def object_ids(self) -> list[str]:
        folder = self.root / ".objects"
        return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []

    def _lock_path(self, media_id: str) -> Path:
        # A fixed set of lock files, not one per image: two images sharing one only take turns.
        folder = self.root / ".locks"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{zlib.crc32(media_id.encode()) % LOCK_FILES}.lock"

    def _replace(self, media_id: str, tmp: Path) -> None:
        target = self.folder(media_id)
        self._discard(target)
        os.rename(tmp, target)

    def _discard(self, folder: Path) -> None:
        if not folder.exists():
            return
        trash = self.root / ".trash" / f"{folder.name}.{uuid.uuid4().hex}"
        trash.parent.mkdir(parents=True, exist_ok=True)
        os.rename(folder, trash)
        shutil.rmtree(trash, ignore_errors=True)


def decode_for_cutting(source: Path, limit: int | None, max_pixels: int) -> Image.Image:
    """The image a pyramid is cut from: the original whole, or for a work in copyright its capped
    derivative (JPEG then decodes at a fraction of the work), the only image its service knows."""
    if limit is None:
        return open_source(source, max_pixels)
    derivative = levels.capped_size(*image_size(source, max_pixels), limit)
    base = open_source(source, max_pixels, at_least=derivative)
    if base.size == derivative:
        return base
    icc = base.info.get("icc_profile")
    base = base.resize(derivative, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if icc:
        base.info["icc_profile"] = icc
    return base


def _cut(source: Path, dest: Path, limit: int | None, max_pixels: int, wanted: dict, base: Image.Image | None) -> None:
    """Write every tile and size info.json will advertise, from one decode of the original."""
    base = base or decode_for_cutting(source, limit, max_pixels)
    width, height = base.size
    tile = levels.TILE_SIZE
    factors = levels.scale_factors(width, height, tile)
    size_list = levels.sizes(width, height)
    icc = base.info.get("icc_profile")
    dest.mkdir(parents=True)

    def save(image: Image.Image, name: str) -> None:
        path = dest / name
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, "JPEG", quality=JPEG_QUALITY, icc_profile=icc)
        written.add(name)

    written: set[str] = set()
    pending = set(size_list)
    level, factor = base, 1
    while True:
        if factor in factors:
            for name, cut in _tiles(level, factor, width, height, tile):
                if name not in written:
                    save(cut, name)
        if level.size in pending:
            if file_name("full", *level.size) not in written:
                save(level, file_name("full", *level.size))
            pending.discard(level.size)
        if factor >= factors[-1] and not pending or level.size == (1, 1):
            break
        level, factor = level.reduce(2), factor * 2
    biggest = max(size_list)
    if biggest == (width, height):
        os.makedirs(dest / "full/max/0", exist_ok=True)
        os.link(dest / file_name("full", *biggest), dest / "full/max" / TILE_FILE)
    (dest / INDEX).write_text(
        json.dumps(
            {
                "width": width,
                "height": height,
                "mode": base.mode,
                "scale_factors": factors,
                "sizes": size_list,
                "signature": wanted,
            }
        )
    )


def _tiles(level: Image.Image, factor: int, width: int, height: int, t: int) -> Iterator[tuple[str, Image.Image]]:
    lw, lh = level.size
    for row in range(ceil(lh / t)):
        for col in range(ceil(lw / t)):
            box = (col * t, row * t, min(lw, (col + 1) * t), min(lh, (row + 1) * t))
            x, y = col * t * factor, row * t * factor
            region = region_name(x, y, min(t * factor, width - x), min(t * factor, height - y), width, height)
            yield file_name(region, box[2] - box[0], box[3] - box[1]), level.crop(box)
