"""Vitrine's own format: a JSON array (or one record), or JSON Lines, of records.

A file is hostile until read: JSON Lines are split on ``\\n`` only (a raw U+2028
or U+0085 inside a string is text, not a line end), bad UTF-8 and JSON errors
name the line and column, nesting too deep for the parser and numbers JSON does
not have (``NaN``, 5,000 digits) are invalid JSON, and no record may exceed
:data:`RECORD_MAX_BYTES`. Every such problem stops the import with its place.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import IngestError, Problem, Record
from .files import DAMAGED, damaged, format_suffix, open_binary

RECORD_MAX_BYTES = 1_000_000  # one JSON Lines line, or one record of a JSON array
_BOM = b"\xef\xbb\xbf"


def read_json(path: Path) -> Iterator[Record]:
    """Records of a ``.json`` or ``.jsonl`` file (or its ``.gz``); a syntax error stops the import with its line."""
    base = path.resolve().parent
    name = str(path)
    with open_binary(path) as handle:
        try:
            if format_suffix(path) in (".jsonl", ".ndjson"):
                for number, line in _lines(handle, name):
                    yield Record(_parse(line, name, number), name, number, base)
                return
            data = _parse(_decode(handle.read(), name, 1), name, None)
        except DAMAGED as exc:
            raise damaged(path, exc) from None
    records = data if isinstance(data, list) else [data]
    for number, item in enumerate(records, start=1):
        if len(json.dumps(item, ensure_ascii=False).encode("utf-8", "surrogatepass")) > RECORD_MAX_BYTES:
            raise IngestError([Problem(name, number, "", _too_long())])
        yield Record(item, name, number, base)


def _lines(handle, name: str) -> Iterator[tuple[int, str]]:
    """Numbered, non-blank lines of a JSON Lines file, split on ``\\n`` and read a bounded line at a time."""
    number = 0
    while raw := handle.readline(RECORD_MAX_BYTES + 1):
        number += 1
        if number == 1:
            raw = raw.removeprefix(_BOM)
        content = raw.rstrip(b"\r\n")
        if len(content) > RECORD_MAX_BYTES:
            raise IngestError([Problem(name, number, "", _too_long())])
        if content.strip():
            yield number, _decode(content, name, number)


def _too_long() -> str:
    return f"the record is over {RECORD_MAX_BYTES:,} bytes; the limit is {RECORD_MAX_BYTES:,} bytes per record"


def _decode(data: bytes, name: str, first_line: int) -> str:
    """UTF-8 text (a BOM allowed); bad bytes are named by line and column, as an editor shows them."""
    try:
        return data.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = first_line + data.count(b"\n", 0, exc.start)
        column = len(data[line_start:exc.start].decode("utf-8", errors="replace")) + 1
        byte = data[exc.start:exc.start + 1].hex()
        message = f"not UTF-8 text at column {column} (byte 0x{byte}: {exc.reason})"
        raise IngestError([Problem(name, line, "", message)]) from None


def _parse(text: str, name: str, line: int | None) -> Any:
    """One JSON value; ``line`` is the JSON Lines line (None: the whole file, lines counted by the parser)."""
    try:
        return json.loads(text, parse_constant=_not_json, parse_int=_integer, parse_float=_real)
    except json.JSONDecodeError as exc:
        at = exc.msg if exc.msg.endswith(" at") else f"{exc.msg} at"
        where = exc.lineno if line is None else line
        raise IngestError([Problem(name, where, "", f"invalid JSON: {at} column {exc.colno}")]) from None
    except RecursionError:
        problem = "invalid JSON: nested too deeply"
    except ValueError as exc:  # from the hooks below
        problem = f"invalid JSON: {exc}"
    raise IngestError([Problem(name, line or 1, "", problem)])


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON number")


def _integer(text: str) -> int:
    """An integer of at most 100 digits (Python refuses 4,300 with a hint about sys)."""
    if len(text) > 100:
        raise ValueError(f"a number of {len(text):,} digits; at most 100 are read")
    return int(text)


def _real(text: str) -> float:
    number = float(text[:400]) if len(text) <= 400 else float("inf")
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:20]}… is out of range")
    return number
