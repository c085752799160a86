"""CSV with a mapping file: columns → fields, ``title@nl``-style language columns, multi-values.

A mapping is JSON (see ``catalogue/mappings/tate.json``)::

    {"delimiter": ",", "separator": "|",
     "declare": [{"kind": "institution", "id": "tate", "label": {"en": ["Tate"]}}],
     "defaults": {"institution": "tate", "type": "image"},
     "fields": {"id": "accession_number",
                "label": {"column": "title", "language": "en"},
                "creators": {"column": "artist", "role": "artistRole"},
                "metadata": [{"label": {"en": ["Medium"]}, "column": "medium", "language": "en"}]}}

A field's spec is a column name or ``{"column", "language", "split", "template",
"extract"}``; ``"extract": "year"`` takes the first year out of text like ``c.1997-9``.
For language-map fields every ``column@xx`` column is read as language ``xx``.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from . import IngestError, Problem, Record, schema
from .files import DAMAGED, damaged, open_binary

TEXT_FIELDS = {"label", "summary"}
PLAIN_FIELDS = {"id", "type", "institution", "date", "earliest", "latest", "rights", "homepage"}
LIST_FIELDS = {"collections", "subjects", "media"}
KNOWN_FIELDS = TEXT_FIELDS | PLAIN_FIELDS | LIST_FIELDS | {"creators", "metadata", "required_statement"}

_DIGITS = re.compile(r"\d+")


def _first_year(text: str) -> str:
    """The year a free-text date starts with ("c.1997-9" -> "1997", "-500" -> "-500"); a first number
    of more than four digits ("71959-07-01") is no year: the text is given back whole, for the
    model to refuse naming the row and field, never read as some other number."""
    match = _DIGITS.search(text)
    if match is None:
        return ""
    if len(match.group(0)) > 4:
        return text
    negative = match.start() > 0 and text[match.start() - 1] == "-" and \
        (match.start() == 1 or not text[match.start() - 2].isalnum())
    return ("-" if negative else "") + match.group(0)
csv.field_size_limit(10 * 1024 * 1024)


class Mapping:
    """A parsed mapping file, checked against the CSV's header before any row is read."""

    def __init__(self, path: Path):
        self.path = str(path)
        try:
            spec = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise self.error("", f"cannot be read: {exc}") from None
        except json.JSONDecodeError as exc:
            raise IngestError([Problem(self.path, exc.lineno, "", f"invalid JSON: {exc.msg}")]) from None
        except RecursionError:
            raise IngestError([Problem(self.path, 1, "", "invalid JSON: nested too deeply")]) from None
        if not isinstance(spec, dict) or not isinstance(spec.get("fields"), dict):
            raise self.error("fields", "a mapping needs a \"fields\" object (field → column)")
        self._check_names(spec["fields"], spec.get("defaults", {}))
        self.fields: dict = spec["fields"]
        self.delimiter: str = spec.get("delimiter", ",")
        self.separator: str = spec.get("separator", "|")
        self.encoding: str = spec.get("encoding", "utf-8-sig")
        self.defaults: dict = spec.get("defaults", {})
        self.declare: list = spec.get("declare", [])
        self.languages: dict[str, list[str]] = {}  # column → languages of its column@xx variants

    def _check_names(self, fields: dict, defaults: object) -> None:
        """The mapping names only fields of the published schema (as the records it makes are checked
        against it), and maps from columns only those a CSV can fill."""
        problems = []
        known = schema.fields("object")
        for name in fields:
            if name not in known:
                problems.append(Problem(self.path, None, f"fields.{name}", schema.unknown_message(name, known)))
            elif name not in KNOWN_FIELDS:
                message = f"cannot be read from a CSV column (these can: {', '.join(sorted(KNOWN_FIELDS))})"
                problems.append(Problem(self.path, None, f"fields.{name}", message))
        for name in defaults if isinstance(defaults, dict) else ():
            if name not in known:
                problems.append(Problem(self.path, None, f"defaults.{name}", schema.unknown_message(name, known)))
        if problems:
            raise IngestError(problems)

    def error(self, field: str, message: str) -> IngestError:
        return IngestError([Problem(self.path, None, field, message)])

    def columns(self) -> list[tuple[str, dict]]:
        """Every (field, column spec) the mapping reads."""
        out = []
        for name, spec in self.fields.items():
            specs = spec if isinstance(spec, list) else [spec]
            for i, item in enumerate(specs):
                item = _spec(item)
                where = f"fields.{name}" + (f"[{i}]" if isinstance(spec, list) else "")
                for key in ("column", "role", "uri"):
                    if key in item:
                        sub = _spec(item[key])
                        if "column" in sub:
                            out.append((f"{where}.{key}" if key != "column" else where, sub))
        return out

    def check_header(self, header: Sequence[str]) -> None:
        """A mapping that names absent columns is refused before any row is read."""
        self.languages = {}
        for column in header:
            if "@" in column:
                name, lang = column.split("@", 1)
                self.languages.setdefault(name, []).append(lang)
        problems = []
        for where, spec in self.columns():
            column = spec["column"]
            if column not in header and not any(h.startswith(column + "@") for h in header):
                message = f"column {column!r} is not in the CSV (columns: {', '.join(header)})"
                problems.append(Problem(self.path, None, where, message))
        if problems:
            raise IngestError(problems)


def _spec(spec) -> dict:
    if isinstance(spec, str):
        return {"column": spec}
    if isinstance(spec, dict):
        return spec
    return {"value": spec}


class _Row:
    def __init__(self, row: dict, mapping: Mapping):
        self.row = row
        self.mapping = mapping

    def value(self, spec) -> str:
        spec = _spec(spec)
        if "value" in spec:
            return spec["value"]
        raw = (self.row.get(spec["column"]) or "").strip()
        if raw and spec.get("extract") == "year":
            raw = _first_year(raw)
        if raw and "template" in spec:
            raw = spec["template"].format(value=raw)
        return raw

    def values(self, spec, positions: bool = False) -> list[str]:
        """The column's values; with ``positions``, empty entries stay as "" so that parallel columns
        (makers, their roles, their URIs) keep in step: ";after" is no role, then "after"."""
        spec = _spec(spec)
        raw = self.value(spec)
        if not raw:
            return []
        if spec.get("split", True):
            values = [v.strip() for v in raw.split(self.mapping.separator)]
            return values if positions else [v for v in values if v]
        return [raw]

    def text(self, spec) -> dict[str, list[str]]:
        spec = _spec(spec)
        if "value" in spec:
            return spec["value"]
        column = spec["column"]
        out = {}
        for lang in self.mapping.languages.get(column, ()):
            raw = (self.row.get(f"{column}@{lang}") or "").strip()
            if raw:
                out[lang] = [raw]
        bare = (self.row.get(column) or "").strip()
        if bare:
            out.setdefault(spec.get("language", "none"), []).append(bare)
        return out


def _record(row: _Row, mapping: Mapping) -> dict:
    record = dict(mapping.defaults)
    for name, spec in mapping.fields.items():
        value: object  # a language map, a string, a list of strings or of entries: the field's shape
        if name in TEXT_FIELDS:
            value = row.text(spec)
        elif name in PLAIN_FIELDS:
            value = row.value(spec)
        elif name in LIST_FIELDS:
            value = row.values(spec)
        elif name == "creators":
            spec = _spec(spec)
            names = row.values(spec, positions=True)
            roles = row.values(spec["role"], positions=True) if "role" in spec else []
            uris = row.values(spec["uri"], positions=True) if "uri" in spec else []
            value = [
                {"name": n, "role": (roles[i] if i < len(roles) else (roles[0] if len(roles) == 1 else "")) or None,
                 "uri": (uris[i] if i < len(uris) else "") or None}
                for i, n in enumerate(names) if n
            ]
        elif name == "metadata":
            value = [
                {"label": entry["label"], "value": row.text(entry)}
                for entry in spec
                if row.text(entry)
            ]
        else:  # required_statement
            text = row.text(spec)
            value = {"label": spec["label"], "value": text} if text else None
        if value not in (None, "", [], {}):
            record[name] = value
    return record


def read_csv(path: Path, mapping_path: Path) -> Iterator[Record]:
    """Records of a CSV file (or its ``.gz``) read through a mapping; rows are numbered as a spreadsheet shows them."""
    mapping = Mapping(mapping_path)
    name = str(path)
    base = path.resolve().parent
    for number, declared in enumerate(mapping.declare, start=1):
        yield Record(declared, mapping.path, number, base)
    with io.TextIOWrapper(open_binary(path), newline="", encoding=mapping.encoding) as handle:
        reader = csv.DictReader(handle, delimiter=mapping.delimiter, strict=True)
        number = 1
        try:
            header = reader.fieldnames
            if not header:
                raise IngestError([Problem(name, 1, "", "the file is empty: a header row is needed")])
            mapping.check_header(header)
            for number, row in enumerate(reader, start=2):
                if None in row:
                    message = f"row has {len(header) + len(row[None])} values, the header has {len(header)}"
                    raise IngestError([Problem(name, number, "", message)])
                yield Record(_record(_Row(row, mapping), mapping), name, number, base)
        except csv.Error as exc:
            raise IngestError([Problem(name, number + 1, "", f"malformed CSV: {exc}")]) from None
        except UnicodeDecodeError as exc:
            raise IngestError([Problem(name, number + 1, "", f"not {mapping.encoding} text: {exc.reason}")]) from None
        except DAMAGED as exc:
            raise damaged(path, exc) from None
