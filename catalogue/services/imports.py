"""Importing a batch: validate and commit it (catalogue/ingest), then bring the derived data along.

The one way records come in, for the CLI, the web and the editor alike. When ``run`` returns,
the batch is committed, searchable, and its objects' tiles are cut (or withdrawn).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from ..ingest import ImportResult, Record, run_import
from ..store import Store
from .keeper import Keeper, Progress, Silent


class Imports:
    def __init__(self, store: Store, media_dir: Path, keeper: Keeper):
        self.store, self.media_dir, self.keeper = store, media_dir, keeper

    def run(self, records: Iterable[Record], *, skip_invalid: bool = False, dry_run: bool = False,
            progress: Progress | None = None, waiting: Callable[[str], None] | None = None) -> ImportResult:
        """Import ``records`` in one transaction (see :func:`catalogue.ingest.run_import`), then index the
        changed objects and cut their tiles. ``waiting(who)`` hears once that another writer holds the
        catalogue; raises IngestError, writing nothing, for invalid records unless ``skip_invalid``."""
        progress = progress or Silent()
        progress.start("checking")
        with self.store.exclusive(waiting):
            result = run_import(self.store, records, self.media_dir, skip_invalid=skip_invalid, dry_run=dry_run,
                                progress=progress.advance, notify=False)
        if result.written and result.written.changes:
            result.tiles = self.keeper.catch_up(result.written.changes, progress).tiles
        return result
