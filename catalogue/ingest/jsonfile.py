"""Vitrine's own format: a JSON array (or one record), or JSON Lines, of records."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from ..model import ValidationError
from . import IngestError, Problem, Record


def read_json(path: Path) -> Iterator[Record]:
    """Records of a ``.json`` or ``.jsonl`` file; a syntax error stops the import with its line."""
    base = path.resolve().parent
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError([Problem(name, None, "", f"cannot be read: {exc}")]) from None
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise IngestError([Problem(name, number, "", f"invalid JSON: {exc.msg} at column {exc.colno}")]) from None
            yield Record(data, name, number, base)
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError([Problem(name, exc.lineno, "", f"invalid JSON: {exc.msg} at column {exc.colno}")]) from None
    records = data if isinstance(data, list) else [data]
    for number, item in enumerate(records, start=1):
        yield Record(item, name, number, base)
