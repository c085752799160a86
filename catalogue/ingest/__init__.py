"""Importers: parse → validate into model objects → commit one batch.

Every importer turns its input into *records* (Vitrine's JSON format, see
``catalogue/schemas/record.schema.json``) tagged with where they came from; this
module validates them all, checks and copies their media, and writes the batch in
one transaction. Nothing is written unless everything checked out, or, with
``skip_invalid``, exactly the valid records are written and the rest reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..model import (
    CollectionInfo,
    Concept,
    DigitalObject,
    Exhibition,
    Institution,
    ValidationError,
)
from ..store import Batch, Store, StoreError, WriteReport
from .media import MediaCopy, MediaError, inspect_media


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


@dataclass
class ImportResult:
    batch: Batch
    skipped: list[Problem] = field(default_factory=list)
    written: WriteReport | None = None


KINDS = {
    "institution": ("institutions", Institution.from_dict),
    "collection": ("collections", CollectionInfo.from_dict),
    "concept": ("concepts", Concept.from_dict),
    "object": ("objects", DigitalObject.from_dict),
    "exhibition": ("exhibitions", Exhibition.from_dict),
}


def _key(kind: str, item) -> str:
    return item.uri if kind == "concept" else item.slug if kind == "exhibition" else item.id


def run_import(
    store: Store,
    records: Iterable[Record],
    media_dir: Path,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate ``records``, copy their media and commit them as one batch.

    Raises :class:`IngestError` (and writes nothing) when a record is invalid,
    unless ``skip_invalid``; with ``dry_run`` only checks.
    """
    problems: list[Problem] = []
    accepted: list[tuple[Record, str, object, list[MediaCopy]]] = []
    seen: dict[tuple[str, str], int | None] = {}

    for record in records:
        try:
            kind, item, copies = _parse(record, media_dir)
            key = (kind, _key(kind, item))
            if key in seen:
                first = f"row {seen[key]}" if seen[key] is not None else "earlier"
                raise ValidationError(
                    "slug" if kind == "exhibition" else "uri" if kind == "concept" else "id",
                    f"{key[1]!r} appears twice in this import (first at {first})",
                )
            seen[key] = record.row
            accepted.append((record, kind, item, copies))
        except (ValidationError, MediaError) as exc:
            problems.append(Problem(record.file, record.row, exc.field, exc.message))
        if progress:
            progress(1)

    known = _Known(store, accepted)
    valid = []
    for record, kind, item, copies in accepted:
        try:
            known.check(kind, item)
            valid.append((kind, item, copies))
        except ValidationError as exc:
            problems.append(Problem(record.file, record.row, exc.field, exc.message))
    if problems and not skip_invalid:
        raise IngestError(problems)

    batch = Batch()
    for kind, item, _ in valid:
        getattr(batch, KINDS[kind][0]).append(item)
    result = ImportResult(batch=batch, skipped=problems)
    if dry_run:
        return result

    done: list[MediaCopy] = []
    try:
        for _, _, copies in valid:
            for copy in copies:
                if copy.run():
                    done.append(copy)
        result.written = store.write(batch)
    except (OSError, StoreError) as exc:
        for copy in done:
            copy.undo()
        raise IngestError([Problem(str(getattr(exc, "filename", "") or "(store)"), None, "", str(exc))]) from None
    return result


def _parse(record: Record, media_dir: Path) -> tuple[str, object, list[MediaCopy]]:
    data = record.data
    if not isinstance(data, dict):
        raise ValidationError("", "a record must be a JSON object")
    kind = data.get("kind", "object")
    if kind not in KINDS:
        raise ValidationError("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    fields = {k: v for k, v in data.items() if k != "kind"}
    copies = _media(fields, record, media_dir) if kind == "object" else []
    return kind, KINDS[kind][1](fields), copies


def _media(fields: dict, record: Record, media_dir: Path) -> list[MediaCopy]:
    """Replace the record's ``media`` file references by checked MediaFile records."""
    entries = fields.get("media") or []
    if not isinstance(entries, list):
        raise ValidationError("media", "must be a list")
    object_id = fields.get("id") if isinstance(fields.get("id"), str) else "object"
    media, copies = [], []
    for i, entry in enumerate(entries):
        if isinstance(entry, str):
            entry = {"file": entry}
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


class _Known:
    """What an object may refer to: declared in this import or already in the store."""

    def __init__(self, store: Store, accepted):
        def declared(kind):
            return {_key(kind, item) for _, k, item, _ in accepted if k == kind}

        self.institutions = declared("institution") | {i.id for i in store.institutions()}
        self.collections = declared("collection") | {c.id for c in store.collections()}
        self.concepts = declared("concept")
        self.objects = {item.id: item for _, k, item, _ in accepted if k == "object"}
        self.store = store

    def check(self, kind: str, item) -> None:
        if kind == "object":
            if item.institution not in self.institutions:
                raise ValidationError("institution", f"unknown institution {item.institution!r} (declare it first)")
            for i, collection in enumerate(item.collections):
                if collection not in self.collections:
                    raise ValidationError(f"collections[{i}]", f"unknown collection {collection!r}")
            missing = [s for s in item.subjects if s not in self.concepts]
            if missing:
                stored = {c.uri for c in self.store.concepts(missing)}
                self.concepts |= stored
                for i, subject in enumerate(item.subjects):
                    if subject not in self.concepts:
                        raise ValidationError(f"subjects[{i}]", f"unknown concept {subject!r}")
        elif kind == "collection" and item.institution not in self.institutions:
            raise ValidationError("institution", f"unknown institution {item.institution!r}")
        elif kind == "exhibition":
            for s, section in enumerate(item.sections):
                for i, entry in enumerate(section.items):
                    self._check_item(entry, f"sections[{s}].items[{i}]")

    def _check_item(self, entry, where: str) -> None:
        obj = self.objects.get(entry.object) or self.store.get_object(entry.object)
        if obj is None:
            raise ValidationError(f"{where}.object", f"unknown object {entry.object!r}")
        if entry.media >= len(obj.media):
            raise ValidationError(f"{where}.media", f"object {obj.id!r} has no media file {entry.media}")
        media = obj.media[entry.media]
        if entry.region:
            x, y, w, h = entry.region
            if not media.width or x + w > media.width or y + h > media.height:
                raise ValidationError(
                    f"{where}.region",
                    f"{entry.region} lies outside the {media.width}x{media.height} image of {obj.id!r}",
                )
