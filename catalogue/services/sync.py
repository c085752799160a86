"""Sync with the source: what an import stands for, and what of that its file no longer has.

An import of Tate's dump stands for Tate's objects in the catalogue (its *scope*: the institutions
of the file's objects, or their collections, or the objects whose source URL shares the prefix of
the file's sources); those the file lacks are *missing*. Every import reports them; ``withdraw``
(--prune) takes them out, restorable, and ``delete`` (--delete-missing) deletes them for good. Both
happen inside the import's transaction, so the import and its pruning commit together or not at
all, and both go through the change log, so the index, the tiles and the IIIF collections follow.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from ..ingest import ImportResult, IngestError, Problem, Record
from ..model import DigitalObject
from ..store import Batch, Store, Writer, WriteReport

SCOPES = ("institution", "collection", "source")
MISSING = ("keep", "withdraw", "delete")
OPTION = {"withdraw": "--prune", "delete": "--delete-missing"}
SHOWN = ("published", "scheduled")  # exhibitions visitors see, or will: pruning may not take works out of them


class Sync:
    """Follows one import's records: the object ids they name, and the scope their objects span."""

    def __init__(self, scope: str = "institution", missing: str = "keep"):
        if scope not in SCOPES:
            raise ValueError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
        if missing not in MISSING:
            raise ValueError(f"missing {missing!r} is not one of {', '.join(MISSING)}")
        self.scope, self.missing = scope, missing
        self.present: set[str] = set()
        self.spans: set[str] = set()  # institutions or collections
        self.sources: str | None = None  # the common prefix of the sources seen so far

    def saw(self, record: Record) -> None:
        """Every record that names an object counts as present, valid or not: an object is never
        pruned because its new record had a typo."""
        data = record.data
        if isinstance(data, dict) and data.get("kind", "object") == "object" and isinstance(data.get("id"), str):
            self.present.add(data["id"])

    def took(self, obj: DigitalObject) -> None:
        """A valid object of the import: its institution, collections or source widen the scope."""
        if self.scope == "institution":
            self.spans.add(obj.institution)
        elif self.scope == "collection":
            self.spans.update(obj.collections)
        elif obj.source:
            self.sources = obj.source if self.sources is None else os.path.commonprefix([self.sources, obj.source])

    def values(self) -> list[str]:
        """The scope's institutions or collections, or its one source prefix: the sources' common part
        up to its last ``/`` (a IIIF collection's manifests live under one path of one server)."""
        if self.scope != "source":
            return sorted(self.spans)
        if self.sources is None:
            raise _refused("--scope source", "no object of this import has a source URL to compare with")
        prefix = self.sources[: self.sources.rfind("/") + 1]
        parts = urlsplit(prefix)
        if not (parts.scheme and parts.netloc and prefix.startswith(f"{parts.scheme}://{parts.netloc}/")):
            raise _refused("--scope source", f"the sources of this import share no server ({self.sources!r})")
        return [prefix]

    def apply(self, writer: Writer, store: Store, result: ImportResult) -> None:
        """Find the missing objects, and withdraw or delete them in ``writer``'s transaction."""
        result.scope, result.missing_action = self.scope, self.missing
        result.scope_of = self.values()
        result.missing = [i for i in writer.object_ids_within(self.scope, result.scope_of) if i not in self.present]
        if self.missing == "keep" or not result.missing:
            return
        _check_exhibitions(store, result.missing, OPTION[self.missing])
        (writer.withdraw if self.missing == "withdraw" else writer.delete)(result.missing)


def _refused(option: str, message: str) -> IngestError:
    return IngestError([Problem(option, None, "", message)])


def _check_exhibitions(store: Store, missing: list[str], option: str) -> None:
    """Refuse to take out works that a published or scheduled exhibition shows (its route would lose
    them unseen), naming the exhibitions; a draft's curator sees the gap in the editor."""
    gone = set(missing)
    shown: dict[str, list[str]] = {}
    for exhibition in store.exhibitions():
        if exhibition.status in SHOWN:
            items = [*exhibition.items, *([exhibition.cover] if exhibition.cover else [])]
            for object_id in dict.fromkeys(i.object for i in items if i.object in gone):
                shown.setdefault(object_id, []).append(f"{exhibition.status} exhibition {exhibition.slug!r}")
    if shown:
        raise IngestError([
            Problem(option, None, "id", f"object {object_id!r} is not in this file but is shown by the "
                                        f"{', '.join(where)}: take it out of the exhibition first, or import "
                                        f"without {option}")
            for object_id, where in sorted(shown.items())
        ])


def tally(result: ImportResult, batch: Batch, done: WriteReport) -> None:
    """Add what writing ``batch`` did to each of its objects (created, updated, unchanged) to ``result``."""
    actions = {c.ref: c.action for c in done.changes if c.kind == "object"}
    for obj in batch.objects:
        action = actions.get(obj.id)
        (result.created if action == "create" else result.updated if action == "update" else result.unchanged
         ).append(obj.id)


def remove_media(media_dir: Path, ids: Iterable[str]) -> None:
    """After the commit: the files an import copied for objects now deleted, and only those."""
    top = (media_dir / "objects").resolve()
    for object_id in ids:
        folder = (top / object_id).resolve()
        if folder.is_relative_to(top) and folder != top:
            shutil.rmtree(folder, ignore_errors=True)
