"""A mapping file: how another institution's records become Vitrine records.

One spec language for two shapes of source. A CSV row gives the values at a *column*; a JSON
record (an API dump, JSON Lines) gives the values at a *path*: ``title``, ``dateRange.startYear``,
``contributors[].fc`` (every element of an array), ``images[0].url`` (one element). Both are a
:class:`Row`; building a record from a row, the transforms and the checks of the spec are here, and
``csvfile`` reads CSV, ``read_mapped`` reads JSON, nothing more. A mapping::

    {"declare": [{"kind": "institution", "id": "tate", "label": {"en": ["Tate"]}}],
     "defaults": {"institution": "tate", "type": "image"},
     "fields": {"id": {"path": "acno", "transform": ["slug"]},
                "label": {"path": "title", "language": "en"},
                "creators": {"path": "contributors[]", "name": "mda", "role": "role", "born": "birthYear"},
                "earliest": {"path": "dateRange.startYear", "extract": "year"}}}

A field's spec is a column or path, a constant (``{"value": ...}``), or an object of ``column`` /
``path``, ``language``, ``split``, ``pattern``, ``extract``, ``transform``, ``template``. Entries
(creators, media, dimensions, subjects) name their own values relative to each element of their path
(JSON) or as parallel columns that keep their positions (CSV). Subject entries with a label declare
the source's terms as concepts (:func:`concepts_of`), so an API dump brings its own thesaurus.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypedDict

import msgspec

from . import IngestError, Problem, Record, schema
from .files import csv_rows, format_suffix

TEXT_FIELDS = {"label", "summary", "medium", "provenance", "credit_line"}
PLAIN_FIELDS = {"id", "type", "institution", "date", "earliest", "latest", "rights", "homepage",
                "accession_number", "acquired", "location", "source"}
LIST_FIELDS = {"collections", "subjects", "classification"}
ENTRY_KEYS = {  # the values of one entry, each a spec of its own
    "creators": {"name", "role", "uri", "born", "died", "nationality", "authorities", "variants"},
    "media": {"file", "service", "service_type", "url", "format", "width", "height", "label"},
    "dimensions": {"type", "value", "unit", "part"},
    # a source's own terms: the concepts they declare (see concepts_of); "narrower": the terms under each, nested
    "subjects": {"uri", "label", "broader", "narrower"},
}
REQUIRED_KEYS = {"creators": "name", "dimensions": "value", "subjects": "uri"}  # an entry without it is no entry
LIST_KEYS = {"authorities", "variants"}  # an entry's values that are lists
LABELLED_FIELDS = {"metadata", "required_statement"}  # a label of the mapping's, a value of the row's
KNOWN_FIELDS = TEXT_FIELDS | PLAIN_FIELDS | LIST_FIELDS | set(ENTRY_KEYS) | LABELLED_FIELDS
MAPPING_KEYS = {"description", "attribution", "declare", "defaults", "fields", "lookups", "separator", "delimiter",
                "encoding"}
OPTIONS = {"language", "split", "pattern", "extract", "transform", "template", "value", "label"}
EXTRACTS = ("year",)
CHECKED_RECORDS = 1000  # a JSON path that names nothing in this many records is a mapping error
LOOKUP_MAX_RECORDS = 1_000_000  # records of one lookup file: its keys and the values taken are held in memory

_DIGITS = re.compile(r"\d+")
_SEGMENT = re.compile(r"([^\[\].]*)(?:\[(\d*)\])?")
_ALL = -1  # "[]": every element
_EMPTY: tuple[Any, ...] = (None, "", [], {})  # a value a record leaves out


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


_LETTERS = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})


def slug(text: str) -> str:
    """An id out of any text: "museum:things/3F2A" -> "museum-things-3f2a", "N 01498" -> "n-01498"
    (accents dropped, lower case, every run of other characters one "-", at most 128)."""
    letters = "".join(c for c in unicodedata.normalize("NFKD", text.lower().translate(_LETTERS))
                      if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9._]+", "-", letters).strip("-._")[:128].rstrip("-._")


class Row(Protocol):
    """One record of the source: a CSV row or a JSON record (or one entry of either)."""

    def values(self, spec: Spec) -> list[Any]:
        """The raw values at the spec's column or path: texts, and language maps (``{"nl": ...}``)."""

    def languages(self, spec: Spec) -> dict[str, list[str]]:
        """Language-tagged texts beside the values (a CSV's ``title@nl`` columns)."""

    def entries(self, spec: Spec) -> list[Row]:
        """The entries at the spec's column or path (its creators, images, dimensions), each a row."""


@dataclass
class Spec:
    """One field's (or one entry value's) spec, checked and compiled once."""

    where: str  # "fields.creators.born": how errors name it
    at: str | None = None  # the column or path; None for a constant
    value: Any = None
    language: str = "none"
    split: str | None = None  # the separator of multi-values
    pattern: re.Pattern | None = None
    extract: str | None = None
    transforms: list[Callable[[str], str]] = field(default_factory=list)
    template: str | None = None
    label: Any = None  # metadata and required statement
    keys: dict[str, Spec] = field(default_factory=dict)  # an entry's values
    steps: tuple = ()  # a JSON path, compiled
    keys_only: tuple[str, ...] | None = None  # the same, when it has no array in it
    parent: Spec | None = None  # the entries spec a relative path is read in
    as_is: bool = False  # no pattern, extract, transform or template: the value trimmed

    def clean(self, text: str) -> str:
        """A source value as the field keeps it: trimmed, its pattern, year, transforms and template."""
        text = text.strip()
        if not text or self.as_is:
            return text
        if self.pattern is not None:
            match = self.pattern.search(text)
            text = (match.group(1) if self.pattern.groups else match.group(0)) if match else ""
        if text and self.extract == "year":
            text = _first_year(text)
        for transform in self.transforms:
            text = transform(text)
        if text and self.template is not None:
            text = self.template.format(value=text)
        return text.strip()  # a replacement or a template may leave spaces: a record is in read form


class Mapping:
    """A parsed mapping file: its errors name the file and the spec (``fields.creators.born``)."""

    def __init__(self, path: Path, at: str = "column", base: Path | None = None):
        """``base``: the folder of the file the mapping reads, where its lookup files are (None: the
        mapping is read, and checked, without them)."""
        self.path = str(path)
        self.at = at  # "column" (CSV) or "path" (JSON)
        try:
            spec = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise self.error("", f"cannot be read: {exc}") from None
        except json.JSONDecodeError as exc:
            raise IngestError([Problem(self.path, exc.lineno, "", f"invalid JSON: {exc.msg}")]) from None
        except RecursionError:
            raise IngestError([Problem(self.path, 1, "", "invalid JSON: nested too deeply")]) from None
        if not isinstance(spec, dict) or not isinstance(spec.get("fields"), dict):
            raise self.error("fields", f"a mapping needs a \"fields\" object (field → {at})")
        unknown = set(spec) - MAPPING_KEYS
        if unknown:
            known = ", ".join(sorted(MAPPING_KEYS))
            raise self.error("", f"unknown key(s) {', '.join(sorted(unknown))}; known: {known}")
        self._check_names(spec["fields"], spec.get("defaults", {}))
        self.separator: str = spec.get("separator", "|")
        self.delimiter: str = spec.get("delimiter", ",")
        self.encoding: str = spec.get("encoding", "utf-8-sig")
        self.defaults: dict = schema.as_read(spec.get("defaults", {}))  # so are its records (read_form)
        self.declare: list = spec.get("declare", [])
        if not isinstance(self.defaults, dict) or not isinstance(self.declare, list):
            raise self.error("defaults", "\"defaults\" is an object and \"declare\" a list of records")
        lookups = spec.get("lookups", {})
        if not isinstance(lookups, dict):
            raise self.error("lookups", "must be an object: name → {\"file\": ..., \"key\": ...}")
        self.lookups = {name: self._lookup(name, raw) for name, raw in lookups.items()}
        self.fields: dict[str, Spec | list[Spec]] = {}
        for name, raw in spec["fields"].items():
            where = f"fields.{name}"
            if name in ("metadata", "dimensions"):
                items = raw if isinstance(raw, list) else [raw]
                self.fields[name] = [self._spec(item, f"{where}[{i}]", name) for i, item in enumerate(items)]
            else:
                self.fields[name] = self._spec(raw, where, name)
        subjects = self.fields.get("subjects")
        self.declares_concepts = isinstance(subjects, Spec) and bool(subjects.keys)
        self.warnings: list[Problem] = []  # the lookup files': reported with the import's first record
        for lookup in self.lookups.values():
            if lookup.takes and base is not None:
                self.warnings += lookup.load(base, self)

    def declared_concepts(self) -> set[str]:
        """The URIs of the concepts ``declare`` holds: subject entries naming them declare nothing more."""
        return {r["uri"] for r in self.declare
                if isinstance(r, dict) and r.get("kind") == "concept" and isinstance(r.get("uri"), str)}

    def _check_names(self, fields: dict, defaults: object) -> None:
        """The mapping names only fields of the published schema (as the records it makes are checked
        against it), and maps from the source only those a mapping can fill."""
        problems = []
        known = schema.fields("object")
        for name in fields:
            if name not in known:
                problems.append(Problem(self.path, None, f"fields.{name}", schema.unknown_message(name, known)))
            elif name not in KNOWN_FIELDS:
                message = f"cannot be read through a mapping (these can: {', '.join(sorted(KNOWN_FIELDS))})"
                problems.append(Problem(self.path, None, f"fields.{name}", message))
        for name in defaults if isinstance(defaults, dict) else ():
            if name not in known:
                problems.append(Problem(self.path, None, f"defaults.{name}", schema.unknown_message(name, known)))
        if problems:
            raise IngestError(problems)

    def error(self, field: str, message: str) -> IngestError:
        return IngestError([Problem(self.path, None, field, message)])

    def specs(self) -> Iterator[Spec]:
        """Every spec that reads the source, entries' values included."""
        def walk(spec: Spec) -> Iterator[Spec]:
            if spec.at is not None:
                yield spec
            for sub in spec.keys.values():
                yield from walk(sub)
        for spec in self.fields.values():
            for item in spec if isinstance(spec, list) else [spec]:
                yield from walk(item)

    def _spec(self, raw: Any, where: str, name: str, parent: Spec | None = None) -> Spec:
        other = "path" if self.at == "column" else "column"
        if isinstance(raw, str):
            raw = {self.at: raw}
        elif not isinstance(raw, dict):
            raw = {"value": raw}
        if other in raw and self.at not in raw:
            source = "CSV" if self.at == "column" else "JSON"
            raise self.error(where, f"a {source} mapping names a \"{self.at}\", not a \"{other}\"")
        nested = name == "narrower" and parent is not None  # subject entries inside subject entries
        keys = ENTRY_KEYS.get("subjects" if nested else name, set()) if parent is None or nested else set()
        unknown = set(raw) - OPTIONS - keys - {self.at}
        if unknown:
            known = ", ".join(sorted(OPTIONS | keys | {self.at}))
            raise self.error(where, f"unknown key(s) {', '.join(sorted(unknown))}; known: {known}")
        if nested and self.at == "column":
            raise self.error(where, "a CSV row has no nested terms: \"narrower\" is for JSON paths")
        at = raw.get(self.at)
        if at is not None and not isinstance(at, str):
            raise self.error(where, f"\"{self.at}\" must be text")
        if at is None and "value" not in raw and not (keys & set(raw)):
            raise self.error(where, f"names no \"{self.at}\" and no \"value\"")
        spec = Spec(where, at, value=schema.as_read(raw.get("value")), language=raw.get("language", "none"),
                    label=raw.get("label"), parent=parent)
        if not isinstance(spec.language, str) or not spec.language:
            raise self.error(f"{where}.language", "must be a language tag such as \"en\" (or \"none\")")
        split = raw.get("split", self.at == "column" and (name in LIST_FIELDS or name in ENTRY_KEYS))
        spec.split = (split if isinstance(split, str) and split else self.separator) if split else None
        if "pattern" in raw:
            try:
                spec.pattern = re.compile(raw["pattern"])
            except (re.error, TypeError) as exc:
                raise self.error(f"{where}.pattern", f"is not a regular expression: {exc}") from None
        spec.extract = raw.get("extract")
        if spec.extract is not None and spec.extract not in EXTRACTS:
            raise self.error(f"{where}.extract", f"{spec.extract!r} is not one of {', '.join(EXTRACTS)}")
        spec.transforms = self._transforms(raw.get("transform", []), f"{where}.transform")
        spec.template = raw.get("template")
        if spec.template is not None:
            try:
                spec.template.format(value="")
            except (AttributeError, IndexError, KeyError, ValueError):
                raise self.error(f"{where}.template", "must be text with {value} where the value goes") from None
        if name in LABELLED_FIELDS and not isinstance(spec.label, dict):
            raise self.error(f"{where}.label", "is required: a language map such as {\"en\": [\"Medium\"]}")
        if at is not None and self.at == "path":
            walk = self._path(at, where)
            spec.steps, spec.keys_only = walk.steps, walk.keys_only
        for key in keys & set(raw):
            spec.keys[key] = self._spec(raw[key], f"{where}.{key}", key, parent=spec)
        if name == "creators" and parent is None and "name" not in spec.keys:
            spec.keys["name"] = Spec(f"{where}.name", "", parent=spec)  # the entry itself
        if name in ("subjects", "narrower") and spec.keys and "uri" not in spec.keys:
            spec.keys["uri"] = Spec(f"{where}.uri", "", parent=spec)
        spec.as_is = spec.pattern is None and spec.extract is None and not spec.transforms and spec.template is None
        return spec

    def _transforms(self, raw: Any, where: str) -> list[Callable[[str], str]]:
        out: list[Callable[[str], str]] = []
        for i, item in enumerate(raw if isinstance(raw, list) else [raw]):
            if item == "slug":
                out.append(slug)
            elif isinstance(item, dict) and set(item) == {"lookup", "take"}:
                out.append(self._take(item, f"{where}[{i}]" if isinstance(raw, list) else where))
            elif isinstance(item, dict) and set(item) == {"replace"} and isinstance(item["replace"], list) \
                    and all(isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
                            and p[0] for p in item["replace"]):
                out.append(_replacer([tuple(p) for p in item["replace"]]))
            else:
                raise self.error(f"{where}[{i}]" if isinstance(raw, list) else where,
                                 f"{item!r} is not a transform: \"slug\", {{\"replace\": [[\"old\", \"new\"], ...]}} "
                                 "or {\"lookup\": name, \"take\": path}")
        return out

    def _lookup(self, name: str, raw: Any) -> Lookup:
        where = f"lookups.{name}"
        if not isinstance(raw, dict) or not {"file", "key"} <= set(raw) <= {"file", "key", "optional"} or not all(
                isinstance(raw[k], str) and raw[k] for k in ("file", "key")) or raw.get("optional", False) not in (
                True, False):
            raise self.error(where, "must be {\"file\": a file beside the records, \"key\": the path of its id, "
                                    "\"optional\": true or false}")
        return Lookup(name, raw["file"], self._path(raw["key"], f"{where}.key"), raw.get("optional", False))

    def _take(self, item: dict, where: str) -> Callable[[str], str]:
        """The transform ``{"lookup": name, "take": path}``: a key becomes the value at ``path`` of the
        lookup file's record with that key (no such record: no value)."""
        lookup = self.lookups.get(item["lookup"]) if isinstance(item["lookup"], str) else None
        if lookup is None:
            known = ", ".join(sorted(self.lookups)) or "none"
            raise self.error(f"{where}.lookup", f"names no lookup of the mapping's \"lookups\" (these: {known})")
        if not isinstance(item["take"], str) or not item["take"]:
            raise self.error(f"{where}.take", "must be the path of a value in the lookup file's records")
        taken = lookup.takes.setdefault(item["take"], (self._path(item["take"], f"{where}.take"), {}))
        table = taken[1]
        return lambda key: table.get(key, "")

    def _path(self, path: str, where: str) -> Spec:
        """A spec of ``path`` alone, compiled: a JSON field's, or one into a lookup file's records (a CSV
        lookup file's columns are one-key paths)."""
        spec = Spec(where, path, steps=self._steps(path, where))
        if all(index is None for _, index in spec.steps):
            spec.keys_only = tuple(key for key, _ in spec.steps)
        return spec

    def _steps(self, path: str, where: str) -> tuple:
        if path == "":
            return ()
        steps = []
        for segment in path.split("."):
            match = _SEGMENT.fullmatch(segment)
            if match is None or not (match.group(1) or match.group(2) is not None):
                raise self.error(where, f"{path!r} is not a path (keys joined by '.', '[]' for every element, "
                                        "'[0]' for the first)")
            index = match.group(2)
            steps.append((match.group(1), None if index is None else (_ALL if index == "" else int(index))))
        return tuple(steps)


@dataclass
class Lookup:
    """A second file of the source, keyed (an API dump's makers beside its works): the transform
    ``{"lookup": name, "take": path}`` turns a key into the value at ``path`` of the record it keys."""

    name: str
    file: str  # beside the records file
    key: Spec
    optional: bool = False  # without the file, the values taken from it are left out (a warning), not an error
    takes: dict[str, tuple[Spec, dict[str, str]]] = field(default_factory=dict)  # path → (its spec, key → value)

    def load(self, base: Path, mapping: Mapping) -> list[Problem]:
        """Read the file once for every value the mapping takes from it; gives the warnings. A key in
        several records takes each value from the first record that has it; where a later record's
        value differs, that is a warning."""
        where = f"lookups.{self.name}"
        path = base / self.file
        if not path.resolve().is_relative_to(base.resolve()):  # an absolute path, "..", or a link out
            raise mapping.error(f"{where}.file", f"{self.file!r} must name a file in the records file's folder")
        if not path.is_file():
            missing = f"{self.file} is not in the records file's folder"  # no server path on the import page
            if self.optional:
                return [Problem(mapping.path, None, f"{where}.file", f"{missing}: what is taken from it is left out")]
            raise mapping.error(f"{where}.file", missing)
        first: dict[str, int] = {}
        named: set[str] = set()
        warnings = []
        for number, data in _lookup_rows(path, mapping):
            if len(first) == LOOKUP_MAX_RECORDS:
                raise IngestError([Problem(str(path), number, "", f"a lookup file holds at most "
                                                                  f"{LOOKUP_MAX_RECORDS:,} records")])
            node = Node(data, None)
            key = next((v.strip() for v in node.values(self.key) if isinstance(v, str) and v.strip()), None)
            if key is None:
                continue  # nothing can refer to it
            first.setdefault(key, number)
            for take, (spec, table) in self.takes.items():
                value = next((v.strip() for v in node.values(spec) if isinstance(v, str) and v.strip()), None)
                if value is None:
                    continue
                if key not in table:
                    table[key] = value
                    named.add(take)
                elif value != table[key]:
                    warnings.append(Problem(str(path), number, take, f"key {key!r} is also at row {first[key]}, "
                                            f"with another value: {table[key]!r} is taken, not {value!r}"))
        problems = [Problem(mapping.path, None, spec.where, f"path {take!r} names nothing in {path}")
                    for take, (spec, _) in self.takes.items() if take not in named]
        if problems:
            raise IngestError(problems)
        return warnings


def _lookup_rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, Any]]:
    """A lookup file's numbered records: a CSV's rows (as a spreadsheet numbers them), or JSON's."""
    from .jsonfile import read_json

    if format_suffix(path) == ".csv":
        yield from csv_rows(path, mapping.encoding, mapping.delimiter)
        return
    for record in read_json(path):
        yield record.row or 0, record.data


def _replacer(pairs: list[tuple[str, str]]) -> Callable[[str], str]:
    def replace(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return text
    return replace


# -- a record out of a row ----------------------------------------------------

def build(row: Row, mapping: Mapping) -> dict:
    """The Vitrine record a source row makes through the mapping (the model checks it next)."""
    record = dict(mapping.defaults)
    for name, spec in mapping.fields.items():
        value: object  # a language map, a string, a list of strings or of entries: the field's shape
        form = _form(name, spec)
        if isinstance(spec, list):
            value = _labelled(row, spec) if form == "labelled" else [d for s in spec for d in _entries(row, s, name)]
        elif form == "statement":
            entries = _labelled(row, [spec])
            value = entries[0] if entries else None
        else:
            value = _entries(row, spec, name) if form == "entries" else _READ[form](row, spec)
        if value not in _EMPTY:
            record[name] = value
    return record


def mapped(data: dict, mapping: Mapping, declared: set[str], file: str, row: int | None, base: Path
           ) -> Iterator[Record]:
    """The records one source row makes: the concepts its subject entries declare first, then the row's own."""
    if mapping.declares_concepts:
        for concept in concepts_of(data, declared):
            yield Record(concept, file, row, base, read_form=True)
    yield Record(data, file, row, base, read_form=True)


def concepts_of(record: dict, declared: set[str]) -> list[dict]:
    """The concept records ``record``'s subject entries declare, each the first time a file names it
    (``declared``); an entry's narrower entries declare theirs with it as their broader concept. The
    record is left with the URIs of its most specific entries (those without narrower ones) as its
    subjects. An entry without a label only refers to a concept, which must then be known."""
    entries = record.get("subjects")
    if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
        return []
    concepts: list[dict] = []
    uris: list = []

    def walk(entries: list[dict], above: str | None) -> None:
        for entry in entries:
            uri = entry["uri"]
            broader = entry.get("broader", above)
            if "label" in entry and isinstance(uri, str) and uri not in declared:
                declared.add(uri)
                concepts.append({"kind": "concept", "uri": uri, "label": entry["label"],
                                 **({"broader": broader} if broader is not None else {})})
            if entry.get("narrower"):
                walk(entry["narrower"], uri if isinstance(uri, str) else None)
            elif uri not in uris:
                uris.append(uri)

    walk(entries, None)
    record["subjects"] = uris
    return concepts


def _form(name: str, spec: Spec | list[Spec]) -> str:
    """How a field is read: a language map ("text"), one value ("plain"), a list of values ("many"),
    entries with values of their own, labelled texts (metadata), or the required statement."""
    if isinstance(spec, list):
        return "labelled" if name == "metadata" else "entries"
    if name in TEXT_FIELDS:
        return "text"
    if name in PLAIN_FIELDS:
        return "plain"
    if (name in LIST_FIELDS or name == "media") and not spec.keys:  # media: a list of files; subjects: URIs
        return "many"
    return "entries" if name in ENTRY_KEYS else "statement"


def _texts(row: Row, spec: Spec) -> list[str]:
    out: list[str] = []
    for raw in row.values(spec):
        if isinstance(raw, str):
            text = spec.clean(raw)
            if spec.split is not None:
                out.extend(part.strip() for part in text.split(spec.split))
            else:
                out.append(text)
    return out


def _plain(row: Row, spec: Spec) -> Any:
    if spec.at is None:
        return spec.value
    values = row.values(spec)
    for raw in values:
        if isinstance(raw, str):
            text = spec.clean(raw)
            for part in (text.split(spec.split) if spec.split is not None else (text,)):
                part = part.strip()
                if part:
                    return part
    other = [v for v in values if not isinstance(v, str) and v != {}]
    return schema.as_read(other[0]) if other else None  # an object where a value should be: the model names it


def _many(row: Row, spec: Spec) -> list:
    if spec.at is None:
        return spec.value if isinstance(spec.value, list) else [spec.value]
    return [t for t in _texts(row, spec) if t]


def _text(row: Row, spec: Spec) -> dict:
    if spec.at is None:
        return spec.value if not isinstance(spec.value, str) else {spec.language: [spec.value]}
    out: dict[str, list] = {lang: list(texts) for lang, texts in row.languages(spec).items()}
    for raw in row.values(spec):
        if isinstance(raw, dict):  # a language map: {"en": "..."} or {"en": ["..."]}
            for lang, texts in raw.items():
                texts = texts if isinstance(texts, list) else [texts]
                kept = [spec.clean(t) if isinstance(t, str) else schema.as_read(t)
                        for t in texts if t not in (None, "")]
                if kept:
                    out.setdefault(lang, []).extend(kept)
        elif isinstance(raw, str):
            text = spec.clean(raw)
            if text:
                out.setdefault(spec.language, []).append(text)
    return out


_READ: dict[str, Callable[[Row, Spec], Any]] = {"text": _text, "plain": _plain, "many": _many}


def _labelled(row: Row, specs: list[Spec]) -> list[dict]:
    out = []
    for spec in specs:
        text = _text(row, spec)
        if text:
            out.append({"label": spec.label, "value": text})
    return out


def _entries(row: Row, spec: Spec, name: str) -> list[dict]:
    """Creators, media or dimensions: one dict per entry, each with its own values."""
    out = []
    for entry in row.entries(spec):
        values: dict[str, Any] = {}
        for key, sub in spec.keys.items():
            if key == "label":
                value: Any = _text(entry, sub)
            elif key == "narrower":
                value = _entries(entry, sub, "subjects")
            elif key in LIST_KEYS:
                value = _many(entry, sub)
            else:
                value = _plain(entry, sub)
                if key in ("width", "height") and isinstance(value, str) and value.isdigit():
                    value = int(value)
            if value not in _EMPTY:
                values[key] = value
        required = REQUIRED_KEYS.get(name)
        if values.get(required) if required else values:
            out.append(values)
    return out


# -- the same, compiled for JSON records ---------------------------------------

Reader = Callable[[Any], Any]
_NUMBERS = (int, float, bool)  # read as their text (:func:`_scalar`)


def compiled(mapping: Mapping) -> Callable[[Any], dict]:
    """:func:`build` for a JSON mapping whose paths are checked, as one function per field: a value of
    the shape its path says (text at a key, a list of objects) is read directly, any other by the
    general code above, so the record is the one ``build(Node(data, None), mapping)`` makes. A Tate
    record is built in about 0.6 of the time (no Node, no dispatch per value)."""
    fields = [(name, _field(name, spec)) for name, spec in mapping.fields.items()]
    defaults = mapping.defaults

    def make(data: Any) -> dict:
        record = dict(defaults)
        for name, read in fields:
            value = read(data)
            if value not in _EMPTY:
                record[name] = value
        return record
    return make


def _field(name: str, spec: Spec | list[Spec]) -> Reader:
    form = _form(name, spec)
    if isinstance(spec, list):
        if form == "labelled":
            texts = [(s.label, _text_reader(s)) for s in spec]
            return lambda data: [{"label": label, "value": t} for label, read in texts if (t := read(data))]
        entries = [_entries_reader(s, name) for s in spec]
        return lambda data: [d for read in entries for d in read(data)]
    if form == "statement":
        text = _text_reader(spec)
        return lambda data: {"label": spec.label, "value": t} if (t := text(data)) else None
    return _entries_reader(spec, name) if form == "entries" else _READERS[form](spec)


def _reader(spec: Spec, general: Callable[[Row, Spec], Any], empty: Callable[[], Any],
            finish: Callable[[str], Any]) -> Reader:
    """What ``general(Node(data, None), spec)`` reads, read directly where the spec's keys reach
    text or a number (``finish`` makes the value of the cleaned text; ``empty()`` is the value
    where they reach nothing), by ``general`` for anything else."""
    if spec.at is None and general is _plain:  # a constant: the value itself, as _plain gives it
        value = spec.value
        return lambda data: value
    if spec.at is None or spec.keys_only is None or (general is _plain and spec.split is not None):
        return lambda data: general(Node(data, None), spec)
    keys, clean = spec.keys_only, str.strip if spec.as_is else spec.clean
    # a whole number read as a year is its own text (_first_year gives "1828", "-500", "71959" back)
    year = spec.extract == "year" and spec.pattern is None and not spec.transforms and spec.template is None

    def read(data: Any) -> Any:
        value = data
        for key in keys:  # Node.values' walk, once checked
            value = value.get(key) if type(value) is dict else None
            if value is None:
                return empty()
        kind = type(value)
        if kind is str:
            return finish(clean(value))
        if kind is int and year:
            return finish(str(value))
        if kind in _NUMBERS:
            return finish(clean(_scalar(value)))
        return general(Node(data, None), spec)
    return read


def _plain_reader(spec: Spec) -> Reader:
    return _reader(spec, _plain, lambda: None, lambda text: text.strip() or None)


def _text_reader(spec: Spec) -> Reader:
    language = spec.language
    return _reader(spec, _text, dict, lambda text: {language: [text]} if text else {})


def _many_reader(spec: Spec) -> Reader:
    split = spec.split

    def finish(text: str) -> list[str]:
        if split is None:
            return [text] if text else []
        return [part for part in (p.strip() for p in text.split(split)) if part]
    return _reader(spec, _many, list, finish)


_READERS: dict[str, Callable[[Spec], Reader]] = {"text": _text_reader, "plain": _plain_reader, "many": _many_reader}


# entries' values kept per entries spec, then forgotten all at once (Tate: 16,632 subjects, some 4,000
# makers; a source of ever new entries holds at most some 8 MB per spec)
MEMO_ENTRIES = 20_000
_MEMO_TYPES = frozenset((str, int, type(None)))  # raw values that are their own key (a bool is not: True == 1)


def _entries_reader(spec: Spec, name: str) -> Reader:
    # An entry's values read at one key of it, or constants, are made once per distinct raw values at
    # those keys ("once"): a subject or a maker recurs across thousands of records. The others (its
    # narrower entries, deeper paths, the entry itself) are read afresh.
    once: list[tuple[str, Reader, bool]] = []
    fresh: list[tuple[str, Reader, bool]] = []
    memo_keys: list[str] = []
    for key, sub in spec.keys.items():
        reader = (_text_reader(sub) if key == "label" else _entries_reader(sub, "subjects") if key == "narrower"
                else _many_reader(sub) if key in LIST_KEYS else _plain_reader(sub))
        at_key = sub.keys_only[0] if sub.at is not None and sub.keys_only and len(sub.keys_only) == 1 else None
        (once if sub.at is None or at_key is not None else fresh).append((key, reader, key in ("width", "height")))
        if at_key is not None:
            memo_keys.append(at_key)
    required = REQUIRED_KEYS.get(name)
    memo: dict[tuple, dict] = {}

    def made(item: Any, values: list[tuple[str, Reader, bool]]) -> dict:
        out: dict[str, Any] = {}
        for key, read, number in values:
            value = read(item)
            if number and isinstance(value, str) and value.isdigit():
                value = int(value)
            if value not in _EMPTY:
                out[key] = value
        return out

    def entry(item: Any) -> dict | None:
        raw = tuple(map(item.get, memo_keys)) if type(item) is dict else None
        if raw is None or not _MEMO_TYPES.issuperset(map(type, raw)):
            out = {**made(item, once), **made(item, fresh)}
        else:
            known = memo.get(raw)
            if known is None:
                if len(memo) >= MEMO_ENTRIES:
                    memo.clear()
                known = memo[raw] = made(item, once)
            out = {**known, **made(item, fresh)} if fresh else dict(known)
        return out if (out.get(required) if required else out) else None

    if spec.at is None:
        return lambda data: [one] if (one := entry(data)) else []
    steps = spec.steps
    if not steps or steps[-1][1] != _ALL or any(index not in (None, _ALL) for _, index in steps):
        return lambda data: _entries(Node(data, None), spec, name)

    def read(data: Any) -> list:
        # Node's walk for keys and "[]" (Tate's subjects.children[].children[].children[]), where every
        # step meets the shape it names; anything else (a list where an object was) by the general code
        current = [data]
        for key, index in steps:
            if key:
                found = []
                for value in current:
                    if type(value) is not dict:
                        return _entries(Node(data, None), spec, name)
                    if (child := value.get(key)) is not None:
                        found.append(child)
                current = found
            if index is not None:
                items: list = []
                for value in current:
                    if type(value) is not list:
                        return _entries(Node(data, None), spec, name)
                    items += value
                current = items
        if not all(type(item) is dict for item in current):
            return _entries(Node(data, None), spec, name)
        return [one for item in current if (one := entry(item))]
    return read


# -- JSON records -------------------------------------------------------------

def _scalar(value: Any) -> Any:
    """A JSON leaf as text (numbers stored as numbers or as strings read alike); objects kept."""
    if isinstance(value, (str, dict)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Node:
    """A JSON record (or one element of an array in it) as a :class:`Row`; while the mapping is
    being checked, it notes which paths name something."""

    __slots__ = ("data", "seen")

    def __init__(self, data: Any, seen: set[int] | None):
        self.data = data
        self.seen = seen  # ids of the specs whose path named something; None once checked

    def _walk(self, spec: Spec) -> list[Any]:
        """What the path reaches; a key missing along it names nothing (a null, ``{}`` or an empty
        array does: the record simply has no value)."""
        if spec.keys_only is not None:  # "a.b.c", the common case, walked without lists
            value = self.data
            for key in spec.keys_only:
                if not isinstance(value, dict) or key not in value:
                    if value != {}:  # the key is not there ({} is a record without the value)
                        return []
                    value = None
                    break
                value = value[key]
                if value is None:
                    break
            current = [] if value is None else [value]
        else:
            current = [self.data]
            for key, index in spec.steps:
                if key:
                    found = [v[key] for v in current if isinstance(v, dict) and key in v]
                    if not found and any(v != {} for v in current):
                        return []
                    current = [v for v in found if v is not None]
                if index is not None:
                    lists = [v for v in current if isinstance(v, list)]
                    current = [x for items in lists for x in items] if index == _ALL else \
                        [items[index] for items in lists if index < len(items)]
                if not current:
                    break
        if self.seen is not None:
            self.seen.add(id(spec))
        if len(current) == 1 and not isinstance(current[0], list):
            return current
        return [leaf for value in current for leaf in (value if isinstance(value, list) else [value])
                if leaf is not None]

    def values(self, spec: Spec) -> list[Any]:
        if spec.keys_only is not None and self.seen is None:  # the common case, once the mapping is checked
            value = self.data
            for key in spec.keys_only:
                value = value.get(key) if type(value) is dict else None
                if value is None:
                    return []
            if type(value) is str:
                return [value]
        return [leaf if isinstance(leaf, str) else _scalar(leaf) for leaf in self._walk(spec)
                if not isinstance(leaf, list)]

    def languages(self, spec: Spec) -> dict[str, list[str]]:
        return {}  # a JSON language map is a value of its own

    def entries(self, spec: Spec) -> list[Row]:
        if spec.at is None:
            return [self]
        items = self._walk(spec)
        if items and self.seen is not None:
            self.seen.add(-id(spec))  # it had elements: its relative paths can be judged
        return [Node(item, self.seen) for item in items]


def read_mapped(path: Path, mapping_path: Path) -> Iterator[Record]:
    """Records of a JSON array or JSON Lines file (or its ``.gz``) in another institution's shape,
    read through a mapping; a path that names nothing in the first records is a mapping error."""
    base = path.resolve().parent
    mapping = Mapping(mapping_path, at="path", base=base)
    yield from told(_read_mapped(path, mapping, base), mapping.warnings)


def told(records: Iterator[Record], warnings: list[Problem]) -> Iterator[Record]:
    """``records``, the first carrying ``warnings`` (a mapping's, about its lookup files) to the import's report."""
    for record in records:
        record.elsewhere += warnings
        warnings = []
        yield record


def _read_mapped(path: Path, mapping: Mapping, base: Path) -> Iterator[Record]:
    from .jsonfile import read_json

    for number, declared in enumerate(mapping.declare, start=1):
        yield Record(declared, mapping.path, number, base)
    declared_concepts = mapping.declared_concepts()
    seen: set[int] | None = set()
    projection = Projection(mapping)
    count = 0
    make: Callable[[Any], dict] | None = None  # once the paths are checked
    for record in read_json(path, projection):
        count += 1
        data = make(record.data) if make is not None else build(Node(record.data, seen), mapping)
        yield from mapped(data, mapping, declared_concepts, record.file, record.row, record.base_dir)
        if count == CHECKED_RECORDS and seen is not None:
            _check_paths(mapping, seen, count, path)
            seen, make = None, compiled(mapping)
            projection.project()
    if seen is not None:
        _check_paths(mapping, seen, count, path)


class _Shape:
    """What a mapping reads at one place of a record: keys under it, its elements, or all of it."""

    def __init__(self) -> None:
        self.keys: dict[str, _Shape] = {}
        self.items: _Shape | None = None
        self.whole = False

    def add(self, steps: tuple) -> _Shape:
        node = self
        for key, index in steps:
            if key:
                node = node.keys.setdefault(key, _Shape())
            if index is not None:
                node.items = node.items or _Shape()
                node = node.items
        return node

    def type(self, name: str = "Record") -> Any:
        """The msgspec type that decodes this much: a TypedDict of the keys read (any others are
        skipped, never built), a list of the elements read, ``Any`` for a value read whole."""
        if self.whole or (self.keys and self.items is not None):
            return Any
        if self.items is not None:
            return list[self.items.type(name + "Item")] | None  # type: ignore[misc]  # built at run time
        fields = {key: shape.type(f"{name}_{i}") for i, (key, shape) in enumerate(self.keys.items())}
        return TypedDict(name, fields, total=False) | None  # type: ignore[operator]


class Projection:
    """JSON Lines decoded for a mapping with msgspec: until the mapping's paths are checked, each
    line whole; then (:meth:`project`) only what the mapping reads, with a record shape made from
    its paths, so Tate's 1.9 kB lines, mostly subjects the mapping does not read, decode some six
    times faster and hold less. The values read are those of the whole decode; the rest of a line
    is still checked to be JSON, but a number there is never converted, so never out of range.
    A line msgspec refuses or the shape does not fit (a value of another shape than its path
    says, bad UTF-8, invalid JSON, numbers beyond 64 bits) is left to :mod:`.jsonfile`'s own
    decode, so the mapping and the errors see what they always saw. Paths are checked on whole
    records because a projection cannot tell a missing key from an object of keys not read."""

    def __init__(self, mapping: Mapping):
        from .jsonfile import WHOLE

        root = _Shape()
        for spec in mapping.specs():
            node = root.add(_absolute(spec))
            node.whole = node.whole or not spec.keys  # entries are read in, by their own values
        self.projected = msgspec.json.Decoder(root.type().__args__[0])  # the record itself: an object
        self.decoder: msgspec.json.Decoder = msgspec.json.Decoder()
        self.whole = WHOLE

    def project(self) -> None:
        self.decoder = self.projected

    def __call__(self, line: bytes) -> Any:
        try:
            return self.decoder.decode(line)
        except (msgspec.MsgspecError, RecursionError, ValueError):
            return self.whole


def _absolute(spec: Spec) -> tuple:
    """A spec's path from the record's root: an entry's values are read in each of its entries."""
    steps = spec.steps
    parent = spec.parent
    while parent is not None:
        steps = parent.steps + steps if parent.at is not None else steps
        parent = parent.parent
    return steps


def _check_paths(mapping: Mapping, seen: set[int], count: int, path: Path) -> None:
    problems = []
    for spec in mapping.specs():
        if id(spec) in seen or not spec.steps:
            continue
        if spec.parent is not None and spec.parent.at is not None and -id(spec.parent) not in seen:
            continue  # its entries were never there: nothing to judge it by
        where = f" (in each element of {spec.parent.at!r})" if spec.parent is not None and spec.parent.at else ""
        problems.append(Problem(mapping.path, None, spec.where,
                                f"path {spec.at!r}{where} names nothing in the first {count:,} records of {path}"))
    if problems:
        raise IngestError(problems)
