"""Importers: parse → validate into model objects → commit one batch.

Every importer turns its input into *records* (Vitrine's JSON format, see
``catalogue/schemas/record.schema.json``) tagged with where they came from; this
module validates them, checks and copies their media, and streams them into one
transaction. Nothing is committed unless everything checked out, or, with
``skip_invalid``, exactly the valid records are and the rest are reported.
"""
from __future__ import annotations

import sqlite3
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
    check_id,
)
from ..services.rules import References
from ..store import Batch, Store, StoreError, WriteReport
from ..thesaurus import load_kbr
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
    counts: dict[str, int] = field(default_factory=dict)  # "objects": 12, "institutions": 1, ...
    skipped: list[Problem] = field(default_factory=list)
    written: WriteReport | None = None
    tiles: list = field(default_factory=list)  # what cutting the changed objects' tiles did (CutResult)


KINDS = {
    "institution": ("institutions", Institution.from_dict),
    "collection": ("collections", CollectionInfo.from_dict),
    "concept": ("concepts", Concept.from_dict),
    "object": ("objects", DigitalObject.from_dict),
    "exhibition": ("exhibitions", Exhibition.from_dict),
}
CHUNK = 2000


def _key(kind: str, item) -> str:
    return item.uri if kind == "concept" else item.slug if kind == "exhibition" else item.id


class _DryRun(Exception):
    """Leaves the write transaction without committing."""


def run_import(
    store: Store,
    records: Iterable[Record],
    media_dir: Path,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    notify: bool = True,
) -> ImportResult:
    """Validate ``records``, copy their media and commit them in one transaction.

    Records stream through in chunks, so memory stays flat however large the
    import; a record may only refer to what comes before it or is in the store.
    Raises :class:`IngestError` (and writes nothing) when a record is invalid,
    unless ``skip_invalid``; with ``dry_run`` only checks. ``notify=False`` leaves
    telling the store's listeners (the search index) to the caller.

    Media are copied under names of their own (see :mod:`.media`), so whatever stops
    the import before its commit leaves the files committed records point at as they
    were; the files it created are removed, those the commit stopped using go after it.
    """
    result = ImportResult(counts={attr: 0 for attr, _ in KINDS.values()})
    seen: dict[tuple[str, str], int | None] = {}
    copied: list[MediaCopy] = []
    kept: dict[str, set[str]] = {}  # object id → the media paths its new record has
    batch, copies = Batch(), []

    def flush(writer) -> None:
        nonlocal batch, copies
        if not dry_run and (skip_invalid or not result.skipped):
            for copy in copies:
                if copy.run():
                    copied.append(copy)
            writer.write(batch)
            kept.update((obj.id, {m.path for m in obj.media}) for obj in batch.objects)
        batch, copies = Batch(), []

    try:
        with store.writer(notify=False) as writer:
            try:
                if not store.concepts_count():  # a new catalogue's first import brings the shipped thesaurus
                    writer.write(Batch(concepts=load_kbr()))
                known = References(store)
                for record in records:
                    try:
                        kind, item, media = _parse(record, media_dir)
                        key = (kind, _key(kind, item))
                        if key in seen:
                            first = f"row {seen[key]}" if seen[key] is not None else "earlier"
                            raise ValidationError(
                                "slug" if kind == "exhibition" else "uri" if kind == "concept" else "id",
                                f"{key[1]!r} appears twice in this import (first at {first})",
                            )
                        known.check(kind, item)
                        seen[key] = record.row
                        known.add(kind, item)
                        attr = KINDS[kind][0]
                        getattr(batch, attr).append(item)
                        result.counts[attr] += 1
                        copies += media
                    except (ValidationError, MediaError) as exc:
                        result.skipped.append(Problem(record.file, record.row, exc.field, exc.message))
                    if progress:
                        progress(1)
                    if len(batch) >= CHUNK:
                        flush(writer)
                if result.skipped and not skip_invalid:
                    raise IngestError(result.skipped)
                flush(writer)
                if dry_run:
                    raise _DryRun
            except BaseException:
                _undo(copied)  # with the write lock still held: no other import can be using a new file yet
                raise
        result.written = writer.report
    except _DryRun:
        return result
    except (OSError, StoreError, sqlite3.Error) as exc:
        _undo(copied)  # the commit itself failed
        where = str(getattr(exc, "filename", None) or "(store)")
        raise IngestError([Problem(where, None, "", str(exc))]) from None
    except BaseException:
        _undo(copied)
        raise
    _remove_replaced(store, media_dir, kept)
    if notify:
        store.notify(writer.report.changes)
    return result


def _undo(copied: list[MediaCopy]) -> None:
    """Remove the files a rolled-back import created, newest first; the others were never touched."""
    while copied:
        copied.pop().undo()


def _remove_replaced(store: Store, media_dir: Path, kept: dict[str, set[str]]) -> None:
    """After the commit, delete the files under the imported objects' folders that no record uses
    any more (an image replaced, a copy an import killed before its commit left behind).

    It holds the write lock meanwhile, so no other import can be deciding to reuse one of
    them; when another import holds it, the files stay for the next import of those objects.
    """
    root = media_dir.resolve()
    stray = [
        path for object_id, paths in kept.items()
        for path in _files(root / "objects" / object_id)
        if path.relative_to(root).as_posix() not in paths
    ]
    if not stray:
        return
    try:
        with store.writer(notify=False):
            used = {media.path for media, _object, _rights in store.iter_media()}
            for path in stray:
                if path.relative_to(root).as_posix() not in used:
                    path.unlink(missing_ok=True)
                    _remove_empty(path.parent, root / "objects")
    except (OSError, StoreError, sqlite3.Error):
        pass  # the import is committed; what is left is only unused files


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []


def _remove_empty(folder: Path, top: Path) -> None:
    while folder != top and folder.is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _parse(record: Record, media_dir: Path) -> tuple[str, object, list[MediaCopy]]:
    data = record.data
    if not isinstance(data, dict):
        raise ValidationError("", "a record must be a JSON object")
    kind = data.get("kind", "object")
    if not isinstance(kind, str) or kind not in KINDS:  # a list is unhashable
        raise ValidationError("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    fields = {k: v for k, v in data.items() if k != "kind"}
    copies = _media(fields, record, media_dir) if kind == "object" else []
    return kind, KINDS[kind][1](fields), copies


def _media(fields: dict, record: Record, media_dir: Path) -> list[MediaCopy]:
    """Replace the record's ``media`` file references by checked MediaFile records."""
    entries = fields.get("media") or []
    if not isinstance(entries, list):
        raise ValidationError("media", "must be a list")
    object_id = check_id(fields.get("id"))  # before a path under media/ is built from it
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
