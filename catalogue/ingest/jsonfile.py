"""Vitrine's own format: a JSON array (or one record), or JSON Lines, of records.

A file is hostile until read: JSON Lines are split on ``\\n`` only (a raw U+2028
or U+0085 inside a string is text, not a line end), bad UTF-8 and JSON errors
name the line and column, nesting too deep for the parser and numbers JSON does
not have (``NaN``, 5,000 digits) are invalid JSON, and no record may exceed
:data:`RECORD_MAX_BYTES`. Every such problem stops the import with its place.

Both formats stream: a JSON array is decoded one element at a time from a sliding
window of the file (:class:`_Array`), so memory is one read and one record
whatever the file's size.
"""
from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from . import IngestError, Problem, Record
from .files import DAMAGED, damaged, format_suffix, open_binary

RECORD_MAX_BYTES = 1_000_000  # one JSON Lines line, or one record of a JSON array (its text in the file)
READ_BYTES = 1 << 18  # how much of a JSON array file is read at a time
_BOM = b"\xef\xbb\xbf"
_SPACE = re.compile(r"[ \t\n\r]*")


WHOLE = object()  # what a ``fast`` decoder gives back for a line it leaves to the whole decode


def read_json(path: Path, fast: Callable[[bytes], Any] | None = None) -> Iterator[Record]:
    """Records of a ``.json`` or ``.jsonl`` file (or its ``.gz``); a syntax error stops the import with its line.

    ``fast`` may decode a JSON Lines line first (a mapping's projection, :class:`.mapping.Projection`);
    a line it gives back as :data:`WHOLE` is decoded, and judged, here as any other."""
    base = path.resolve().parent
    name = str(path)
    with open_binary(path) as handle:
        try:
            if format_suffix(path) in (".jsonl", ".ndjson"):
                for number, line in _lines(handle, name):
                    data: Any = WHOLE if fast is None else fast(line)
                    if data is WHOLE:
                        data = _parse(_decode(line, name, number), name, number)
                    yield Record(data, name, number, base)
                return
            for number, item in enumerate(_Array(handle, name), start=1):
                yield Record(item, name, number, base)
        except DAMAGED as exc:
            raise damaged(path, exc) from None


def _lines(handle, name: str) -> Iterator[tuple[int, bytes]]:
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
            yield number, content


class _Array:
    """The elements of a JSON array file, decoded one at a time (a file holding one other value
    gives that value); errors name the line and column of the whole file, as ``json.loads`` did."""

    def __init__(self, handle, name: str):
        self.handle, self.name = handle, name
        self.decoder = _DECODER
        self.utf8 = codecs.getincrementaldecoder("utf-8")()
        self.text, self.at, self.eof = "", 0, False  # the window of the file, and where reading is in it
        self.line, self.column = 1, 0  # where the window starts in the file (column: characters before it)
        self.first = True
        self.number = 0  # of the record being read: a record too long is named by it, like a record's other problems

    def __iter__(self) -> Iterator[Any]:
        if self._skip_space() and self.text[self.at] == "[":
            self.at += 1
            if self._skip_space() and self.text[self.at] == "]":
                self.at += 1
            else:
                while True:
                    yield self._value()
                    if not self._skip_space():
                        self._fail("Expecting ',' delimiter", self.at)
                    if self.text[self.at] == "]":
                        self.at += 1
                        break
                    if self.text[self.at] != ",":
                        self._fail("Expecting ',' delimiter", self.at)
                    self.at += 1
        else:
            yield self._value()  # one record, or whatever the file holds, for the importer to refuse
        if self._skip_space():
            self._fail("Extra data", self.at)

    def _value(self) -> Any:
        """The JSON value starting at ``at``, read on until it is whole (at most a record's limit)."""
        self.number += 1
        self._skip_space()
        while True:
            start = self.at  # reading on moves the window: the value starts at 0 then
            try:
                value, end = self.decoder.raw_decode(self.text, start)
                if end < len(self.text) or self.eof:  # a number at the window's end may go on
                    break
            except json.JSONDecodeError as exc:
                cut_off = exc.pos >= len(self.text) - 6 or exc.msg.startswith("Unterminated string")
                if self.eof or not cut_off:
                    self._fail(exc.msg, exc.pos)
            except RecursionError:
                self._fail("nested too deeply", None, start)
            except ValueError as exc:  # from the number and constant hooks
                self._fail(str(exc), None, start)
            if len(self.text) - start > RECORD_MAX_BYTES:  # each character is at least a byte
                self._too_long()
            self._read()
        if end - start > RECORD_MAX_BYTES // 4 and len(self.text[start:end].encode("utf-8")) > RECORD_MAX_BYTES:
            self._too_long()
        self.at = end
        return value

    def _skip_space(self) -> bool:
        """Move past whitespace; whether anything follows."""
        while True:
            self.at = _SPACE.match(self.text, self.at).end()  # type: ignore[union-attr]  # matches empty text too
            if self.at < len(self.text):
                return True
            if self.eof:
                return False
            self._read()

    def _read(self) -> None:
        """Drop what was read from the window and add the next part of the file to it."""
        if self.at:
            self.line, self.column = self._place(self.at)
            self.column -= 1
            self.text, self.at = self.text[self.at:], 0
        data = self.handle.read(READ_BYTES)
        if self.first:
            data, self.first = data.removeprefix(_BOM), False
        self.eof = not data
        try:
            self.text += self.utf8.decode(data, final=self.eof)
        except UnicodeDecodeError as exc:
            good = exc.object[:exc.start].decode("utf-8")
            line, column = self._place(len(self.text) + len(good), self.text + good)
            byte = exc.object[exc.start:exc.start + 1].hex()
            message = f"not UTF-8 text at column {column} (byte 0x{byte}: {exc.reason})"
            raise IngestError([Problem(self.name, line, "", message)]) from None

    def _place(self, at: int, text: str | None = None) -> tuple[int, int]:
        """The line and column (both from 1) of position ``at`` of the window."""
        text = self.text if text is None else text
        lines = text.count("\n", 0, at)
        if lines:
            return self.line + lines, at - text.rfind("\n", 0, at)
        return self.line, self.column + at + 1

    def _fail(self, message: str, at: int | None, start: int | None = None):
        if at is None:  # a problem of the value as a whole: named by the line it starts on
            raise IngestError([Problem(self.name, self._place(start or 0)[0], "", f"invalid JSON: {message}")])
        line, column = self._place(at)
        at_ = message if message.endswith(" at") else f"{message} at"
        raise IngestError([Problem(self.name, line, "", f"invalid JSON: {at_} column {column}")])

    def _too_long(self):
        raise IngestError([Problem(self.name, self.number, "", _too_long())])


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
        return _DECODER.decode(text)
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


_DECODER = json.JSONDecoder(parse_constant=_not_json, parse_int=_integer, parse_float=_real)  # made once
