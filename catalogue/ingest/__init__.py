"""Importers: parse → validate into model objects.

Every importer turns its input into *records* (Vitrine's JSON format, see
``catalogue/schemas/record.schema.json``) tagged with where they came from; this
module checks one against that schema (:mod:`.schema`), parses it into a model object and
checks its media, reporting every problem of the record at once. Committing a batch of
them (the store, the catalogue's rules, the derived data) is the import service's
job: :mod:`catalogue.services.imports`.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

from ..model import (
    CollectionInfo,
    Concept,
    DigitalObject,
    Exhibition,
    Institution,
    ValidationError,
    check_id,
)
from ..store import WriteReport
from . import schema
from .media import MediaCopy, MediaError, inspect_media
from .remote import Fetcher, FetchError, image_service, image_size

UnknownFields = Literal["error", "warn"]  # what an unknown field is: a problem, or a warning and left out


@dataclass(frozen=True)
class Problem:
    """Why one record cannot be imported: the file, row (or line) and field."""

    file: str
    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row is not None else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class IngestError(Exception):
    """An import that wrote nothing, with every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s), nothing was imported:\n{shown}{more}")


class RecordInvalid(Exception):
    """One record that cannot be imported, with all its problems (the schema's and the model's)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass
class Record:
    """One record read from an import file, with its place in that file."""

    data: dict
    file: str
    row: int | None
    base_dir: Path  # media paths are resolved inside this folder
    problem: tuple[str, str] | None = None  # (field, message): a record its reader could not read (a URL that failed)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (field, message): parse() found, imported anyway
    elsewhere: list[Problem] = field(default_factory=list)  # warnings with places of their own (a lookup file's rows)
    read_form: bool = False  # already as the model reads it (a mapping's record: text trimmed, no empty value)


@dataclass
class ImportResult:
    """What an import did, or in a dry run would do: the same figures either way.

    ``created``, ``updated`` and ``unchanged`` are the ids of the file's objects, in file order;
    ``missing`` the ids of the catalogue's objects of the import's scope that the file does not
    have (a record skipped as invalid still counts as there), and ``missing_action`` what was done
    to them: ``keep`` (only reported), ``withdraw`` (--prune) or ``delete`` (--delete-missing).
    ``scope`` is ``institution``, ``collection`` or ``source`` and ``scope_of`` its values (the
    institutions or collections of the file's objects, or the source URL prefix they share).
    """

    counts: dict[str, int] = field(default_factory=dict)  # "objects": 12, "institutions": 1, ...
    skipped: list[Problem] = field(default_factory=list)
    # imported, but worth a look: unknown fields left out (with how many records had each), a service without CORS
    warnings: list[Problem] = field(default_factory=list)
    written: WriteReport | None = None  # None in a dry run
    tiles: list = field(default_factory=list)  # what cutting the changed objects' tiles did (CutResult)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    missing_action: str = "keep"
    scope: str = "institution"
    scope_of: list[str] = field(default_factory=list)
    dry_run: bool = False


KINDS = {
    "institution": ("institutions", Institution.from_dict),
    "collection": ("collections", CollectionInfo.from_dict),
    "concept": ("concepts", Concept.from_dict),
    "object": ("objects", DigitalObject.from_dict),
    "exhibition": ("exhibitions", Exhibition.from_dict),
}


class Parsed(NamedTuple):
    kind: str
    item: object
    media: list[MediaCopy]
    ignored: list[tuple[str, str]]  # (field path, message) of the unknown fields left out


def parse(record: Record, media_dir: Path, fetcher: Fetcher | None = None,
          unknown_fields: UnknownFields = "error") -> Parsed:
    """The record as a model object, checked against the published schema first (``fetcher`` reads
    what remote media entries do not say themselves, an image service's info.json); raises
    :class:`RecordInvalid` with every problem found. With ``unknown_fields="warn"`` the fields
    the schema does not know are left out and named in ``ignored`` instead."""
    if record.problem:
        field, message = record.problem
        raise RecordInvalid([Problem(record.file, record.row, field, message)])
    data = record.data
    if not isinstance(data, dict):
        raise RecordInvalid([Problem(record.file, record.row, "", "a record must be a JSON object")])
    kind = data.get("kind", "object")
    if not isinstance(kind, str) or kind not in KINDS:  # a list is unhashable
        raise RecordInvalid([Problem(record.file, record.row, "kind", f"{kind!r} is not one of {', '.join(KINDS)}")])
    ignored: list[tuple[str, str]] = []
    found = schema.problems(kind, data, read_form=record.read_form)
    if unknown_fields == "warn" and any(message.startswith(schema.UNKNOWN) for _, message in found):
        unknown = schema.unknown_fields(kind, data)
        data = _without(data, [parts for parts, _ in unknown])
        ignored = [(schema.path_of(parts), message) for parts, message in unknown]
        found = schema.problems(kind, data, read_form=record.read_form)
    try:
        fields = {k: v for k, v in data.items() if k != "kind"}
        copies = _media(fields, record, media_dir, fetcher) if kind == "object" else []
        item = KINDS[kind][1](fields)
    except ValidationError as exc:  # the model stops at its first problem; its words win for that field
        found = _merged(found, exc.field, exc.message)
    if found:
        raise RecordInvalid([Problem(record.file, record.row, f, m) for f, m in found])
    return Parsed(kind, item, copies, ignored)


def _merged(found: list[tuple[str, str]], field: str, message: str) -> list[tuple[str, str]]:
    """The schema's problems with the model's: one message per field, the model's in the place of the schema's."""
    if all(f != field for f, _ in found):
        return [*found, (field, message)]
    first = next(i for i, (f, _) in enumerate(found) if f == field)
    return [(field, message) if i == first else (f, m) for i, (f, m) in enumerate(found) if i == first or f != field]


def _without(data: dict, paths: list[list]) -> dict:
    """A copy of ``data`` without the fields at ``paths`` (the record as read stays as it was)."""
    data = copy.deepcopy(data)
    for path in paths:
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        parent.pop(path[-1], None)
    return data


class Unknown:
    """The unknown fields an import left out, counted once per record (``creators[].nam``)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], list] = {}  # (file, field) → [records, message]

    def add(self, record: Record, ignored: list[tuple[str, str]]) -> None:
        for path, message in {re.sub(r"\[\d+\]", "[]", p): m for p, m in ignored}.items():
            self.seen.setdefault((record.file, path), [0, message])[0] += 1

    def warnings(self) -> list[Problem]:
        return [Problem(file, None, path, f"{message}: left out of {n:,} record{'s' if n != 1 else ''}")
                for (file, path), (n, message) in self.seen.items()]


def _media(fields: dict, record: Record, media_dir: Path, fetcher: Fetcher | None) -> list[MediaCopy]:
    """Replace the record's ``media`` file references by checked MediaFile records; a remote
    image (``service`` or ``url``) is kept by reference, with its size."""
    entries = fields.get("media") or []
    if not isinstance(entries, list):
        raise ValidationError("media", "must be a list")
    object_id = check_id(fields.get("id"))  # before a path under media/ is built from it
    media, copies = [], []
    for i, entry in enumerate(entries):
        if isinstance(entry, str):
            entry = {"file": entry}
        if isinstance(entry, dict) and ("service" in entry or "url" in entry) and "file" not in entry:
            media.append({"id": entry.get("id") or f"{object_id}-{i + 1}", "label": entry.get("label"),
                          **_remote(entry, i, fetcher, record)})
            continue
        if not isinstance(entry, dict) or not entry.get("file"):
            raise ValidationError(f"media[{i}].file", "is required")
        try:
            copy = inspect_media(str(entry["file"]), record.base_dir, media_dir, object_id)
        except MediaError as exc:
            raise MediaError(f"media[{i}].{exc.field}", exc.message) from None
        media.append({
            "id": entry.get("id") or f"{object_id}-{i + 1}",
            "label": entry.get("label"),
            "duration": entry.get("duration"),
            **copy.describe(),
        })
        copies.append(copy)
    fields["media"] = media
    return copies


def _remote(entry: dict, i: int, fetcher: Fetcher | None, record: Record) -> dict:
    """A remote image as a MediaFile record: what the entry says, and what the network says where the
    entry does not (an image service's version, size and sizes from its info.json; a plain image's size
    and format from its first bytes). A service a viewer elsewhere cannot read (no CORS) is a warning."""
    described = {key: entry[key] for key in ("service", "service_type", "url", "format", "width", "height")
                 if entry.get(key) is not None}
    service, url = entry.get("service"), entry.get("url")
    try:
        if service and not ({"service_type", "width", "height"} <= described.keys()):
            found = image_service(service, fetcher or Fetcher())
            if not found.pop("cors"):
                record.warnings.append((f"media[{i}].service", f"{service}/info.json sends no "
                                        "Access-Control-Allow-Origin header: viewers on other sites cannot load it"))
            described = found | described
        elif url and not service and not {"width", "height"} <= described.keys():
            described = image_size(url, fetcher or Fetcher()) | described
    except FetchError as exc:
        raise ValidationError(f"media[{i}].{'service' if service else 'url'}", exc.message) from None
    return described
