"""Media files of an import: checked by content, never by name, then copied under media/."""
from __future__ import annotations

import os
import shutil
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

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
    _created: bool = False

    def describe(self) -> dict:
        return {"path": self.path, "format": self.format, "size": self.size,
                "width": self.width, "height": self.height}

    def run(self) -> bool:
        """Copy into place atomically; True when a new file was created (undo removes it)."""
        if self.target == self.source:
            return False
        self.target.parent.mkdir(parents=True, exist_ok=True)
        existed = self.target.exists()
        tmp = self.target.with_name(f".{self.target.name}.part")
        shutil.copyfile(self.source, tmp)
        os.replace(tmp, self.target)
        self._created = not existed
        return self._created

    def undo(self) -> None:
        if self._created:
            self.target.unlink(missing_ok=True)
            try:
                self.target.parent.rmdir()  # the object's folder, if this import made it
            except OSError:
                pass


def inspect_media(file: str, base_dir: Path, media_dir: Path, object_id: str) -> MediaCopy:
    """Check one file named by an import and plan its copy under ``media_dir``.

    Raises :class:`MediaError` for a path outside ``base_dir``, a missing file, or
    content that is not a readable image, glTF binary, sound or film.
    """
    base = base_dir.resolve()
    source = (base / file).resolve()
    if not source.is_relative_to(base):
        raise MediaError("file", f"{file!r} lies outside the import folder {base}")
    if not source.is_file():
        raise MediaError("file", f"{file!r} does not exist")
    size = source.stat().st_size
    fmt, width, height = _identify(source, file, size)
    media_root = media_dir.resolve()
    if source.is_relative_to(media_root):
        target = source
    else:
        target = media_root / "objects" / object_id / source.name
    return MediaCopy(source, target, target.relative_to(media_root).as_posix(), fmt, size, width, height)


def _identify(source: Path, name: str, size: int) -> tuple[str, int | None, int | None]:
    with source.open("rb") as f:
        head = f.read(16)
    for offset, magic, mime in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if mime == "model/gltf-binary":
                _check_glb(head, name, size)
            return mime, None, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                if image.format not in IMAGE_FORMATS:
                    raise MediaError("file", f"{name!r} is a {image.format} image; Vitrine takes JPEG, PNG, TIFF or WebP")
                width, height = image.size
                if image.format == "JPEG":
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()  # decodes the data: a truncated file fails here, not in a viewer
            width, height = image_size(source)  # as displayed: EXIF orientation applied, as info.json has it
            return IMAGE_FORMATS[image.format], width, height
    except UnidentifiedImageError:
        raise MediaError("file", f"{name!r} is not an image, glTF binary, sound or film (its content was checked, not its name)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError("file", f"{name!r} is too large to decode safely: {exc}") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError("file", f"{name!r} is truncated or damaged: {exc}") from None


def _check_glb(head: bytes, name: str, size: int) -> None:
    if len(head) < 12:
        raise MediaError("file", f"{name!r} is a truncated glTF binary")
    version, length = struct.unpack_from("<II", head, 4)
    if version != 2:
        raise MediaError("file", f"{name!r} is glTF version {version}; Vitrine takes glTF 2.0")
    if length != size:
        raise MediaError("file", f"{name!r} is a damaged glTF binary: header says {length} bytes, file has {size}")
