"""A folder of media: one object per file, one book per sub-folder (pages in name order).

A file's object and its media share the file's name (its stem) as id; a book's pages are ``{book}-{n}``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from . import Record

MEDIA_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".glb", ".mp3", ".ogg", ".wav", ".mp4", ".webm"}


def _natural(name: str) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return slug[:128] or "object"


def _label(path: Path) -> str:
    return re.sub(r"[_-]+", " ", path.stem if path.is_file() else path.name).strip()


def read_folder(folder: Path, institution: str, rights: str | None = None, prefix: str = "") -> Iterator[Record]:
    """Records for every media file and sub-folder of ``folder`` (hidden files are skipped)."""
    base = folder.resolve()
    name = str(folder)
    entries = sorted((p for p in base.iterdir() if not p.name.startswith(".")), key=lambda p: _natural(p.name))
    for row, entry in enumerate(entries, start=1):
        common = {"institution": institution, "rights": rights, "label": {"none": [_label(entry)]}}
        if entry.is_dir():
            pages = sorted(
                (p for p in entry.iterdir() if p.suffix.lower() in MEDIA_SUFFIXES and not p.name.startswith(".")),
                key=lambda p: _natural(p.name),
            )
            media = [{"file": f"{entry.name}/{p.name}", "label": {"none": [f"p. {n}"]}} for n, p in enumerate(pages, 1)]
            yield Record({"id": prefix + _slug(entry.name), "type": "book", "media": media, **common}, name, row, base)
        elif entry.suffix.lower() in MEDIA_SUFFIXES:
            # A single file keeps its name as its media id (an image id a IIIF client may already know).
            kind = "3d" if entry.suffix.lower() == ".glb" else "image"
            object_id = prefix + _slug(entry.stem)
            media = [{"file": entry.name, "id": object_id}]
            yield Record({"id": object_id, "type": kind, "media": media, **common}, name, row, base)
