"""Keeps what is derived from the store in step with its change log: the search index and the tiles.

Each derived thing records how far it has followed the log, so whoever runs next (the
command after a commit, a server starting, any later writer) finishes what a killed
process left undone.
"""
from __future__ import annotations

import os
from typing import Callable

from .search import SearchBackend
from .store import Store

REINDEX_AT = 5000  # changed objects from which indexing afresh in parallel beats one update at a time
PROCS = min(2, os.cpu_count() or 1)


def catch_up_index(search: SearchBackend, store: Store, progress: Callable[[int], None] | None = None,
                   total: Callable[[int], None] | None = None) -> int:
    """Bring the search index up to the store and clean what killed writers left; returns the objects indexed.

    Most of the catalogue changed, or an index that lost objects (a rebuild killed half-way):
    rebuild in parallel. Otherwise apply the changes since the index last stopped.
    ``total`` hears how many objects the work will cover (a progress bar's length).
    """
    pending, in_store = search.pending(), store.count_objects()
    if (pending >= REINDEX_AT and 2 * pending >= in_store) or (not pending and search.count() != in_store):
        if total:
            total(in_store)
        done = search.rebuild(progress=progress, procs=PROCS)
    else:
        if total:
            total(pending)
        search.apply(progress=progress)
        done = pending
    search.clean()
    return done
