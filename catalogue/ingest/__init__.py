"""Importers: parse → validate into model objects.

Every importer turns its input into *records* (Vitrine's JSON format, see
``catalogue/schemas/record.schema.json``) tagged with where they came from; this
module parses one into a model object and checks its media. Committing a batch of
them (the store, the catalogue's rules, the derived data) is the import service's
job: :mod:`catalogue.services.imports`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
from .media import MediaCopy, MediaError, inspect_media
from .remote import Fetcher, FetchError, image_service


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


@dataclass
class Record:
    """One record read from an import file, with its place in that file."""

    data: dict
    file: str
    row: int | None
    base_dir: Path  # media paths are resolved inside this folder
    problem: tuple[str, str] | None = None  # (field, message): a record its reader could not read (a URL that failed)


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
def parse(record: Record, media_dir: Path, fetcher: Fetcher | None = None) -> tuple[str, object, list[MediaCopy]]:
    """The record as a model object, with the copies its local media need; ``fetcher`` reads
    what remote media entries do not say themselves (an image service's info.json)."""
    if record.problem:
        raise ValidationError(*record.problem)
    data = record.data
    if not isinstance(data, dict):
        raise ValidationError("", "a record must be a JSON object")
    kind = data.get("kind", "object")
    if not isinstance(kind, str) or kind not in KINDS:  # a list is unhashable
        raise ValidationError("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    fields = {k: v for k, v in data.items() if k != "kind"}
    copies = _media(fields, record, media_dir, fetcher) if kind == "object" else []
    return kind, KINDS[kind][1](fields), copies


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
                          **_remote(entry, i, fetcher)})
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


def _remote(entry: dict, i: int, fetcher: Fetcher | None) -> dict:
    """A remote image as a MediaFile record: what the entry says, and what its service's info.json
    says where the entry does not (its Image API version, its size)."""
    described = {key: entry[key] for key in ("service", "service_type", "url", "format", "width", "height")
                 if entry.get(key) is not None}
    service = entry.get("service")
    if service and not ({"service_type", "width", "height"} <= described.keys()):
        try:
            described = image_service(service, fetcher or Fetcher()) | described
        except FetchError as exc:
            raise ValidationError(f"media[{i}].service", exc.message) from None
    return described
