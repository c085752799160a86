"""Opening an import file: plain, or gzip-compressed (``.gz``) and decompressed as it is read; a CSV file's rows."""
from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from . import IngestError, Problem

csv.field_size_limit(10 * 1024 * 1024)

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


def csv_rows(path: Path, encoding: str, delimiter: str, header: Callable[[list[str]], object] = list
             ) -> Iterator[tuple[int, dict[str, str]]]:
    """A CSV file's (or its ``.gz``'s) rows, by the header's names, numbered as a spreadsheet shows
    them; ``header`` hears the header first. A row of more values than the header is an error."""
    name = str(path)
    with io.TextIOWrapper(open_binary(path), newline="", encoding=encoding) as handle:
        reader = csv.DictReader(handle, delimiter=delimiter, strict=True)
        number = 1
        try:
            names = reader.fieldnames
            if not names:
                raise IngestError([Problem(name, 1, "", "the file is empty: a header row is needed")])
            header(list(names))
            for number, row in enumerate(reader, start=2):
                if None in row:
                    message = f"row has {len(names) + len(row[None])} values, the header has {len(names)}"
                    raise IngestError([Problem(name, number, "", message)])
                yield number, row
        except csv.Error as exc:
            raise IngestError([Problem(name, number + 1, "", f"malformed CSV: {exc}")]) from None
        except UnicodeDecodeError as exc:
            raise IngestError([Problem(name, number + 1, "", f"not {encoding} text: {exc.reason}")]) from None
        except DAMAGED as exc:
            raise damaged(path, exc) from None
