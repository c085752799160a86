"""The one keeper of derived data: the search index and the tile pyramids follow the store's change log.

Each derived thing records how far it has followed the log, so whoever runs next (the
command after a commit, a server starting, any later writer) finishes what a killed
process left undone. The CLI, the web process and the editor all go through here.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from ..iiif.image import CutResult, ImageService
from ..search import SearchBackend
from ..store import Change, Store

REINDEX_AT = 5000  # changed objects from which indexing afresh in parallel beats one update at a time
PROCS = min(2, os.cpu_count() or 1)


class Progress(Protocol):
    """Hears how long work is: a command's progress bars (``start`` opens a phase, ``advance`` steps it)."""

    def start(self, phase: str, total: int | None = None) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class Silent:
    """Progress nobody watches."""

    def start(self, phase: str, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


@dataclass
class Kept:
    """What one catch-up did."""

    indexed: int = 0
    tiles: list[CutResult] = field(default_factory=list)


@dataclass
class IndexState:
    """How far the search index is behind the store."""

    indexed: int  # objects in the index
    stored: int  # objects in the store
    pending: int  # changes since the index last caught up


class Keeper:
    """Applies committed changes to the search index and the tile pyramids."""

    def __init__(self, store: Store, search: SearchBackend, images: ImageService):
        self.store, self.search, self.images = store, search, images

    def follow(self, changes: list[Change]) -> None:
        """The store's commit hook in a serving process: searchable at once, tiles cut in the background."""
        self.search.apply(changes)
        self.images.on_change(changes)

    def catch_up(self, changes: Iterable[Change] = (), progress: Progress | None = None) -> Kept:
        """After a commit made with ``notify=False`` (an import), or when a process starts: withdraw the
        tiles the log no longer allows, bring the index up to the store, then cut the tiles of the
        objects ``changes`` touched, here and now (only those objects are read)."""
        progress = progress or Silent()
        self.images.withdraw()  # a work now in copyright: its full-size tiles go first
        kept = Kept(indexed=self.index(progress))
        changed = list(dict.fromkeys(c.ref for c in changes if c.kind == "object"))
        if changed:
            kept.tiles = self.cut(self._with_tiles(changed), progress=progress)
        return kept

    def index(self, progress: Progress | None = None) -> int:
        """Bring the search index up to the store and clean what killed writers left; returns the objects indexed.

        Most of the catalogue changed, or an index that lost objects (a rebuild killed half-way):
        rebuild in parallel. Otherwise apply the changes since the index last stopped.
        """
        progress = progress or Silent()
        pending, in_store = self.search.pending(), self.store.count_objects()
        if (pending >= REINDEX_AT and 2 * pending >= in_store) or (not pending and self.search.count() != in_store):
            progress.start("indexing", in_store)
            done = self.search.rebuild(progress=progress.advance, procs=PROCS)
        else:
            progress.start("indexing", pending)
            self.search.apply(progress=progress.advance)
            done = pending
        self.search.clean()
        return done

    def rebuild(self, progress: Progress | None = None, procs: int = PROCS) -> Kept:
        """Recreate the index and every pyramid from the store and media/ alone."""
        kept = Kept(indexed=self.reindex(progress, procs))
        kept.tiles = self.tiles(None, force=True, progress=progress)
        return kept

    def reindex(self, progress: Progress | None = None, procs: int = PROCS) -> int:
        """Index every object of the store afresh (the tiles untouched); returns the objects indexed."""
        progress = progress or Silent()
        progress.start("indexing", self.store.count_objects())
        done = self.search.rebuild(progress=progress.advance, procs=procs)
        self.search.clean()
        return done

    def state(self) -> IndexState:
        return IndexState(self.search.count(), self.store.count_objects(), self.search.pending())

    def tiles(self, object_ids: list[str] | None, force: bool = False,
              progress: Progress | None = None) -> list[CutResult]:
        """Bring these objects' pyramids in line with the store, or the whole catalogue's (None: also
        removing the tiles of images gone from the store)."""
        if object_ids is None:
            return self.images.prune() + self.cut(self.objects_with_images(), force, progress)
        return self.cut(object_ids, force, progress)

    def objects_with_images(self) -> list[str]:
        """Every object that has an image of its own (for cutting the whole catalogue; a loan's are its lender's)."""
        return list(dict.fromkeys(object_id for media, object_id, _ in self.store.iter_media()
                                  if media.is_image and not media.is_remote))

    def cut(self, object_ids: list[str], force: bool = False, progress: Progress | None = None) -> list[CutResult]:
        """Bring these objects' pyramids in line with the store, one thread per core (Pillow works
        without the GIL): cut new or changed images, remove dropped ones."""
        progress = progress or Silent()
        progress.start("cutting tiles", len(object_ids))
        results: list[CutResult] = []
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            for done in pool.map(lambda object_id: self.images.cut_object(object_id, force), object_ids):
                results += done
                progress.advance()
        return results

    def _with_tiles(self, object_ids: list[str]) -> list[str]:
        """Those of these objects that have images now or had tiles cut before."""
        media = self.store.media_of(object_ids)  # the media rows only: an import may change 70,000 objects
        cut = set(self.images.tiles.object_ids())  # one listing, not a file looked for per object
        return [i for i in object_ids if i in cut or any(m.is_image and not m.is_remote for m in media.get(i, ()))]
