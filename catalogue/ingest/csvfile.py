"""CSV through a mapping file (:mod:`.mapping`): a column per field, ``title@nl``-style language
columns, multi-values split on the mapping's ``separator``.

A mapping is JSON (see ``catalogue/mappings/tate.json``)::

    {"delimiter": ",", "separator": "|",
     "declare": [{"kind": "institution", "id": "tate", "label": {"en": ["Tate"]}}],
     "defaults": {"institution": "tate", "type": "image"},
     "fields": {"id": "accession_number",
                "label": {"column": "title", "language": "en"},
                "creators": {"column": "artist", "role": "artistRole"}}}

For language-map fields every ``column@xx`` column is read as language ``xx``.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from . import IngestError, Problem, Record
from .files import csv_rows
from .mapping import Mapping, Row, Spec, build, mapped, told


def check_header(mapping: Mapping, header: Sequence[str]) -> dict[str, list[str]]:
    """A mapping that names absent columns is refused before any row is read; gives, for each
    column, the languages of its ``column@xx`` variants."""
    languages: dict[str, list[str]] = {}
    for column in header:
        if "@" in column:
            name, lang = column.split("@", 1)
            languages.setdefault(name, []).append(lang)
    problems = []
    for spec in mapping.specs():
        if spec.at and spec.at not in header and spec.at not in languages:
            message = f"column {spec.at!r} is not in the CSV (columns: {', '.join(header)})"
            problems.append(Problem(mapping.path, None, spec.where, message))
    if problems:
        raise IngestError(problems)
    return languages


class CsvRow:
    """A CSV row as a mapping's :class:`~.mapping.Row`: a column's value is one text; an entry is
    one position of parallel multi-value columns, empty entries included, so that makers, their
    roles and their URIs keep in step (";after" is no role, then "after")."""

    __slots__ = ("row", "languages_of")

    def __init__(self, row: dict, languages_of: dict[str, list[str]]):
        self.row = row
        self.languages_of = languages_of

    def values(self, spec: Spec) -> list[str]:
        return [self.row.get(spec.at) or ""]

    def languages(self, spec: Spec) -> dict[str, list[str]]:
        out = {}
        for lang in self.languages_of.get(spec.at or "", ()):
            raw = (self.row.get(f"{spec.at}@{lang}") or "").strip()
            if raw:
                out[lang] = [raw]
        return out

    def entries(self, spec: Spec) -> list[Row]:
        if spec.at is None:
            return [self]
        columns = {"": spec.at} | {key: sub.at for key, sub in spec.keys.items() if sub.at}
        parts = {}
        for key, column in columns.items():
            raw = (self.row.get(column) or "").strip()
            parts[key] = [p.strip() for p in raw.split(spec.split)] if spec.split else [raw]
        rows: list[Row] = []
        for i in range(len(parts[""])):
            entry = {}
            for key, column in columns.items():
                values = parts[key]
                shared = key == "role" and len(values) == 1  # one role for every maker
                entry[column if key else ""] = values[i] if i < len(values) else (values[0] if shared else "")
            rows.append(CsvRow(entry, {}))
        return rows


def read_csv(path: Path, mapping_path: Path) -> Iterator[Record]:
    """Records of a CSV file (or its ``.gz``) read through a mapping; rows are numbered as a spreadsheet shows them."""
    base = path.resolve().parent
    mapping = Mapping(mapping_path, at="column", base=base)
    yield from told(_read_csv(path, mapping, base), mapping.warnings)


def _read_csv(path: Path, mapping: Mapping, base: Path) -> Iterator[Record]:
    for number, record in enumerate(mapping.declare, start=1):
        yield Record(record, mapping.path, number, base)
    concepts = mapping.declared_concepts()  # and then those the rows' subject entries declared
    languages: dict[str, list[str]] = {}
    for number, row in csv_rows(path, mapping.encoding, mapping.delimiter,
                                lambda header: languages.update(check_header(mapping, header))):
        yield from mapped(build(CsvRow(row, languages), mapping), mapping, concepts, str(path), number, base)
