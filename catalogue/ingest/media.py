"""Media files of an import: checked by content, never by name, then copied under media/.

A copy is content-addressed, ``objects/<object id>/<digest>/<file name>``: an import
never writes over a file a committed record points at, so an import that fails
(or is killed) before its commit leaves the catalogue's files as they were, and two
different files of the same name each keep their own stored file.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from ..iiif.source import image_size
from ..model import ValidationError

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff", "WEBP": "image/webp"}
# Signatures of the time-based and 3D formats Vitrine accepts (offset, bytes, MIME type).
SIGNATURES = [
    (0, b"glTF", "model/gltf-binary"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (8, b"WAVE", "audio/wav"),
    (4, b"ftyp", "video/mp4"),
    (0, b"\x1aE\xdf\xa3", "video/webm"),
]
DIGEST_CHARS = 32  # 128 bits of SHA-256: no two different files share a folder, by accident or on purpose
GLB_JSON, GLB_BIN = 0x4E4F534A, 0x004E4942
GLB_JSON_LIMIT = 64 << 20  # a model's scene description is kilobytes; its geometry is in the BIN chunk


class MediaError(ValidationError):
    """A media file that cannot enter the catalogue."""


@dataclass
class MediaCopy:
    """A checked media file and where it goes under media/."""

    source: Path
    target: Path
    path: str  # relative to the media folder
    format: str
    size: int
    width: int | None = None
    height: int | None = None
    _made: list[Path] = field(default_factory=list)  # what run() created, outermost folder first

    def describe(self) -> dict:
        return {"path": self.path, "format": self.format, "size": self.size,
                "width": self.width, "height": self.height}

    def run(self) -> bool:
        """Copy in under the target's new name; True when it created the file (undo removes it).

        A target that exists already holds these bytes (its folder is their digest, and a
        copy only gets its name once complete), so it is left as it is.
        """
        if self.target == self.source or self.target.exists():
            return False
        tmp = self.target.with_name(f".{self.target.name}.part")
        self._made = [*reversed([p for p in self.target.parents if not p.exists()]), tmp, self.target]
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            with self.source.open("rb") as src, tmp.open("wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())  # on disk before the commit that points at it
            os.replace(tmp, self.target)
        except BaseException:  # a full disk, Ctrl-C in a long copy: no half file stays
            self.undo()
            raise
        return True

    def undo(self) -> None:
        """Remove what run() created: the file (or its partial copy), then the folders made for it."""
        for made in reversed(self._made):
            try:
                made.rmdir() if made in self.target.parents else made.unlink(missing_ok=True)
            except OSError:
                break  # a folder another file still uses
        self._made = []


MAX_PATH = 1000  # characters of a media path in an import: more is no real file name


def inspect_media(file: str, base_dir: Path, media_dir: Path, object_id: str) -> MediaCopy:
    """Check one file named by an import and plan its copy under ``media_dir``.

    A file already inside ``media_dir`` is referenced where it is. Raises
    :class:`MediaError` for a path outside ``base_dir``, a missing file, or content
    that is not a readable image, glTF binary, sound or film.
    """
    shown = repr(file) if len(file) <= 80 else repr(file[:77] + "...")
    if "\x00" in file or len(file) > MAX_PATH or not _encodable(file):
        raise MediaError("file", f"{shown} is not a file path (a NUL byte, a lone surrogate, or longer than "
                                 f"{MAX_PATH} characters)")
    base = base_dir.resolve()
    try:
        source = (base / file).resolve()
        if not source.is_relative_to(base):
            raise MediaError("file", f"{shown} lies outside the import folder {base}")
        if not source.is_file():
            raise MediaError("file", f"{shown} does not exist")
        size = source.stat().st_size
    except OSError as exc:  # a name too long for the file system, a loop of links, no permission
        raise MediaError("file", f"{shown} cannot be read: {exc.strerror or exc}") from None
    fmt, width, height = _identify(source, file, size)
    media_root = media_dir.resolve()
    if source.is_relative_to(media_root):
        target = source
    else:
        target = media_root / "objects" / object_id / _digest(source) / source.name
    return MediaCopy(source, target, target.relative_to(media_root).as_posix(), fmt, size, width, height)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no file system can name it
        return False
    return True


def _digest(source: Path) -> str:
    with source.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()[:DIGEST_CHARS]


def _identify(source: Path, name: str, size: int) -> tuple[str, int | None, int | None]:
    with source.open("rb") as f:
        head = f.read(16)
    for offset, magic, mime in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if mime == "model/gltf-binary":
                _check_glb(source, name, size)
            return mime, None, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                if image.format not in IMAGE_FORMATS:
                    raise MediaError(
                        "file", f"{name!r} is a {image.format} image; Vitrine takes JPEG, PNG, TIFF or WebP"
                    )
                width, height = image.size
                if image.format == "JPEG":
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()  # decodes the data: a truncated file fails here, not in a viewer
            width, height = image_size(source)  # as displayed: EXIF orientation applied, as info.json has it
            return IMAGE_FORMATS[image.format], width, height
    except UnidentifiedImageError:
        raise MediaError(
            "file", f"{name!r} is not an image, glTF binary, sound or film (its content was checked, not its name)"
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError("file", f"{name!r} is too large to decode safely: {exc}") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError("file", f"{name!r} is truncated or damaged: {exc}") from None


def _check_glb(source: Path, name: str, size: int) -> None:
    """A glTF 2.0 binary as its specification lays it out: a header whose length is the file's,
    a JSON chunk describing a glTF 2.x asset, an optional BIN chunk, each chunk inside the file."""
    def damaged(why: str) -> MediaError:
        return MediaError("file", f"{name!r} is a damaged glTF binary: {why}")

    with source.open("rb") as f:
        header = f.read(12)
        if len(header) < 12:
            raise damaged("its 12-byte header is cut short")
        version, length = struct.unpack_from("<II", header, 4)
        if version != 2:
            raise MediaError("file", f"{name!r} is glTF version {version}; Vitrine takes glTF 2.0")
        if length != size:
            raise damaged(f"header says {length} bytes, file has {size}")
        offset, number = 12, 0
        while offset < size:
            chunk_length, chunk_type = _chunk_header(f, size - offset, number, damaged)
            if number == 0:
                if chunk_type != GLB_JSON:
                    raise damaged(f"its first chunk is of type 0x{chunk_type:08X}, not JSON (0x{GLB_JSON:08X})")
                if chunk_length > GLB_JSON_LIMIT:
                    raise damaged(
                        f"its JSON chunk is {chunk_length} bytes, over the {GLB_JSON_LIMIT >> 20} MB a scene takes"
                    )
                _check_gltf_json(f.read(chunk_length), damaged)
            elif chunk_type == GLB_JSON or (chunk_type == GLB_BIN and number > 1):
                raise damaged(f"chunk {number} is a second JSON chunk or a BIN chunk out of place")
            else:
                f.seek(chunk_length, os.SEEK_CUR)
            offset += 8 + chunk_length
            number += 1
        if number == 0:
            raise damaged("it has no JSON chunk")


def _chunk_header(f: BinaryIO, left: int, number: int, damaged: Callable[[str], MediaError]) -> tuple[int, int]:
    """The (length, type) of the chunk at the file's position, checked against the ``left`` bytes."""
    raw = f.read(8)
    if left < 8 or len(raw) < 8:
        raise damaged(f"chunk {number} has a cut-short header")
    chunk_length, chunk_type = struct.unpack("<II", raw)
    if chunk_length % 4:
        raise damaged(f"chunk {number} is {chunk_length} bytes long, not a multiple of 4")
    if chunk_length > left - 8:
        raise damaged(f"chunk {number} says {chunk_length} bytes, only {left - 8} are left")
    return chunk_length, chunk_type


def _check_gltf_json(raw: bytes, damaged: Callable[[str], MediaError]) -> None:
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise damaged("its JSON chunk is not UTF-8 JSON") from None
    asset = document.get("asset") if isinstance(document, dict) else None
    version = asset.get("version") if isinstance(asset, dict) else None
    if not isinstance(version, str) or not re.fullmatch(r"2\.[0-9]+", version):
        raise damaged('its JSON chunk has no "asset" with a "version" 2.x')
