"""Importing a batch: records parsed by catalogue/ingest are checked by the catalogue's rules,
committed in one transaction, and the derived data follows.

The one way records come in, for the CLI, the web and the editor alike: ``Imports.run``; when it
returns, the batch is committed, searchable, and its objects' tiles are cut (or withdrawn).
``run_import`` is the commit alone (tests, benchmarks, and the store's listeners do the rest).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..ingest import KINDS, ImportResult, IngestError, Problem, Record, RecordInvalid, Unknown, UnknownFields, parse
from ..ingest.media import MediaCopy, MediaError
from ..ingest.remote import Fetcher
from ..model import User, ValidationError
from ..processes import bulk_work
from ..store import Batch, Store, StoreError
from ..thesaurus import load_kbr
from .keeper import Keeper, Progress, Silent
from .rules import References
from .sync import Sync, remove_media, tally


class Imports:
    def __init__(self, store: Store, media_dir: Path, keeper: Keeper, fetcher: Callable[..., Fetcher] = Fetcher):
        self.store, self.media_dir, self.keeper = store, media_dir, keeper
        self.fetcher = fetcher  # a Fetcher under the catalogue's rule of what may be fetched, for each import

    def run(self, records: Iterable[Record], *, skip_invalid: bool = False, dry_run: bool = False,
            missing: str = "keep", scope: str = "institution", user: User | None = None,
            progress: Progress | None = None, waiting: Callable[[str], None] | None = None,
            unknown_fields: UnknownFields = "error") -> ImportResult:
        """Import ``records`` in one transaction (see :func:`run_import`), then index the
        changed objects and cut their tiles. ``waiting(who)`` hears once that another writer holds the
        catalogue; raises IngestError, writing nothing, for invalid records unless ``skip_invalid``;
        ``unknown_fields="warn"`` imports records without the fields the schema does not know, listed
        in ``result.warnings``."""
        progress = progress or Silent()
        progress.start("checking")
        with self.store.exclusive(waiting):
            result = run_import(self.store, records, self.media_dir, skip_invalid=skip_invalid, dry_run=dry_run,
                                missing=missing, scope=scope, user=user, progress=progress.advance, notify=False,
                                unknown_fields=unknown_fields, fetcher=self.fetcher())
        if result.written and result.written.changes:
            result.tiles = self.keeper.catch_up(result.written.changes, progress).tiles
        return result


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
    missing: str = "keep",
    scope: str = "institution",
    user: User | None = None,
    progress: Callable[[int], None] | None = None,
    notify: bool = True,
    unknown_fields: UnknownFields = "error",
    fetcher: Fetcher | None = None,
) -> ImportResult:
    """Validate ``records``, copy their media and commit them in one transaction.

    Records stream through in chunks, so memory stays flat however large the
    import; a record may only refer to what comes before it or is in the store.
    Raises :class:`IngestError` (and writes nothing) when a record is invalid,
    unless ``skip_invalid`` (each record with all its problems); with ``dry_run`` only checks, and
    counts what it would do; ``unknown_fields`` as in :func:`~catalogue.ingest.parse`.
    ``notify=False`` leaves telling the store's listeners (the search index) to the caller.
    ``fetcher`` reads remote media (default: a Fetcher that connects to public addresses only).
    The catalogue's objects of ``scope`` that the import lacks are reported, and withdrawn or
    deleted as ``missing`` says, as ``user`` (None: the operator of a command) may (:mod:`.sync`).

    Media are copied under names of their own (see :mod:`.media`), so whatever stops
    the import before its commit leaves the files committed records point at as they
    were; the files it created are removed, those the commit stopped using go after it.
    """
    result = ImportResult(counts={attr: 0 for attr, _ in KINDS.values()}, dry_run=dry_run)
    sync = Sync(scope, missing, user)
    seen: dict[str, dict[str, int | None]] = {kind: {} for kind in KINDS}  # kind → key → the row it came at
    copied: list[MediaCopy] = []
    kept: dict[str, frozenset[str]] = {}  # object id → the media paths its new record has, for objects with a folder
    objects_dir = media_dir / "objects"
    batch, copies = Batch(), list[MediaCopy]()
    fetcher = fetcher or Fetcher()  # one per import: remote media entries share its connections
    unknown = Unknown()

    def flush(writer) -> None:
        nonlocal batch, copies
        if skip_invalid or not result.skipped:
            for copy in [] if dry_run else copies:
                if copy.run():
                    copied.append(copy)
            tally(result, batch, writer.compare(batch) if dry_run else writer.write(batch))
            if not dry_run:  # an object without a folder of files has none to clean up (most loans)
                kept.update((obj.id, frozenset(m.path for m in obj.media)) for obj in batch.objects
                            if (objects_dir / obj.id).is_dir())
        batch, copies = Batch(), []

    try:
        with bulk_work(), store.writer(notify=False) as writer:
            try:
                if not store.concepts_count():  # a new catalogue's first import brings the shipped thesaurus
                    writer.write(Batch(concepts=load_kbr()))
                known = References(store)
                for record in records:
                    sync.saw(record)
                    try:
                        kind, item, media, ignored = parse(record, media_dir, fetcher, unknown_fields)
                        key, rows = _key(kind, item), seen[kind]
                        if key in rows:
                            first = f"row {rows[key]}" if rows[key] is not None else "earlier"
                            raise ValidationError(
                                "slug" if kind == "exhibition" else "uri" if kind == "concept" else "id",
                                f"{key!r} appears twice in this import (first at {first})",
                            )
                        known.check(kind, item)
                        rows[key] = record.row
                        known.add(kind, item)
                        sync.took(item)
                        attr = KINDS[kind][0]
                        getattr(batch, attr).append(item)
                        result.counts[attr] += 1
                        unknown.add(record, ignored)
                        copies += media
                    except RecordInvalid as exc:
                        result.skipped += exc.problems
                    except (ValidationError, MediaError) as exc:
                        result.skipped.append(Problem(record.file, record.row, exc.field, exc.message))
                    result.warnings += [Problem(record.file, record.row, *said) for said in record.warnings]
                    result.warnings += record.elsewhere
                    if progress:
                        progress(1)
                    if len(batch) >= CHUNK:
                        flush(writer)
                result.warnings += unknown.warnings()
                if result.skipped and not skip_invalid:
                    raise IngestError(result.skipped)
                flush(writer)
                sync.apply(writer, store, result)
                if dry_run:
                    raise _DryRun
            except BaseException:
                _undo(copied)  # with the write lock still held: no other import can be using a new file yet
                raise
        result.written = writer.report
    except _DryRun:
        return result
    except (OSError, StoreError) as exc:
        _undo(copied)  # the commit itself failed
        where = str(getattr(exc, "filename", None) or "(store)")
        raise IngestError([Problem(where, None, "", str(exc))]) from None
    except BaseException:
        _undo(copied)
        raise
    finally:
        fetcher.session.close()
    _remove_replaced(store, media_dir, kept)
    if missing == "delete":
        remove_media(media_dir, result.missing)
    if notify:
        store.notify(writer.report.changes)
    return result


def _undo(copied: list[MediaCopy]) -> None:
    """Remove the files a rolled-back import created, newest first; the others were never touched."""
    while copied:
        copied.pop().undo()


def _remove_replaced(store: Store, media_dir: Path, kept: dict[str, frozenset[str]]) -> None:
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
            # A file under objects/<id>/ is only ever named by object <id>: its record now, read under the
            # lock, says which of them stay (no scan of every media row of the catalogue).
            used = {media.path for obj in store.get_objects(kept) for media in obj.media}
            for path in stray:
                if path.relative_to(root).as_posix() not in used:
                    path.unlink(missing_ok=True)
                    _remove_empty(path.parent, root / "objects")
    except (OSError, StoreError):
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
