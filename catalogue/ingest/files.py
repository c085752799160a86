"""Opening an import file: plain, or gzip-compressed (``.gz``) and decompressed as it is read."""
from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import BinaryIO

from . import IngestError, Problem

# What reading a damaged .gz raises: a bad header (OSError), a cut-off end (EOFError), bad data (zlib).
DAMAGED = (gzip.BadGzipFile, EOFError, zlib.error)


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, decompressed on the fly for ``.gz``; an unreadable file stops the import."""
    try:
        return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else path.open("rb")  # type: ignore[return-value]
    except OSError as exc:
        raise IngestError([Problem(str(path), None, "", f"cannot be read: {exc}")]) from None


def format_suffix(path: Path) -> str:
    """The suffix naming the format: ``.jsonl`` for ``records.jsonl.gz`` as for ``records.jsonl``."""
    return (path.with_suffix("") if path.suffix.lower() == ".gz" else path).suffix.lower()


def damaged(path: Path, exc: Exception) -> IngestError:
    return IngestError([Problem(str(path), None, "", f"the compressed file is damaged: {exc}")])
