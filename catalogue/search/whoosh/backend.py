"""The Whoosh search backend: an index on disk, kept in step with the store, safe for many processes.

How it stays safe:

- Whoosh writes new segment files first and then switches to them by renaming
  one table of contents, so a searcher always reads a complete generation,
  never a half-written one; each thread keeps its own searcher and moves to
  the newest generation before it searches.
- One writer at a time, across processes, by Whoosh's lock file. A writer that
  finds it taken waits (up to a limit) instead of failing with ``LockError``,
  and Whoosh's ``AsyncWriter`` is not used: it would buffer changes in a
  thread and lose them if the process ended.
- The index remembers the last change-log entry it applied. Whoever holds the
  lock applies every store change since then, so a change another process
  could not index (lock busy, crash) is picked up by the next writer.
- A rebuild writes a whole new generation while searches go on over the old
  one, replaces it in one commit, then applies the changes made meanwhile.
- Constructing it touches no file: the index folder is made by the first
  write; until then searches read an empty index in memory.
"""
from __future__ import annotations

import fcntl
import json
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import RamStorage
from whoosh.index import LockError
from whoosh.reading import SegmentReader

from ...model import DigitalObject
from ...processes import die_with_parent
from ..budget import Limits
from ..facets import FacetValue, Names
from ..request import SearchRequest, SearchResult
from . import engine
from .arrays import SegmentCache, SegmentData, View
from .document import document, schema
from .postings import compact

if TYPE_CHECKING:
    from ...store import Change

log = logging.getLogger(__name__)

SCHEMA_VERSION = 7  # a different version is rebuilt: the next writer indexes the store from the start
WAIT_TO_WRITE = 15.0  # seconds a change waits for another process's writer
WAIT_TO_REBUILD = 120.0
SLICE = 25_000  # objects per rebuilt segment
# Memory a writer's posting pool (a rebuild's segment, or the changes after an import; postings.py)
# holds before it spills a run to disk, what sorting it takes counted: a Tate segment process peaks
# at about 107 MB, the import at 127 MB (benchmarks/import_mapping.py).
LIMIT_MB = 32
_CODEC = W3Codec(blocklimit=1024)  # bigger posting blocks: fewer to decode per term
_CODEC.length_stats = False  # per-block length statistics serve Whoosh's scorer only, not ours
_STATE = "vitrine-index.json"


class WhooshSearch:
    """Full-text search over the catalogue with Whoosh: follow the store's change log, search, rebuild."""

    def __init__(self, directory: str | Path, store, settings: Mapping | None = None):
        """``settings`` (an app's config) may set the ``SEARCH_*`` budgets (search/budget.py)."""
        self.directory = Path(directory)
        self.store = store
        self.limits = Limits.from_settings(settings)
        self.names = Names(store)
        self._cache = SegmentCache(self.directory)
        self._local = threading.local()
        self._searchers: dict[int, Any] = {}  # thread id -> its searcher
        self._write_lock = threading.Lock()
        self._opened: Any = None  # the Whoosh index, once opened

    @classmethod
    def from_config(cls, config: Mapping, store) -> WhooshSearch:
        """The backend ``open_search`` makes: the index in ``INDEX_DIR``."""
        return cls(config["INDEX_DIR"], store, config)

    # -- opening -----------------------------------------------------------

    @property
    def _ix(self):
        """The index on disk, made (empty) by the first use that needs it."""
        if self._opened is None:
            self._opened = self._open()
        return self._opened

    def _reading(self):
        """The index to search: the one on disk, or an empty one in memory while none exists yet."""
        if self._opened is None and not whoosh_index.exists_in(str(self.directory)):
            return _empty_index()
        return self._ix

    def _open(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.directory / "create.lock"):
            if whoosh_index.exists_in(str(self.directory)) and self._state().get("schema") == SCHEMA_VERSION:
                return whoosh_index.open_dir(str(self.directory))
            ix = whoosh_index.create_in(str(self.directory), schema())
            # an empty index over a non-empty store stands at the log's start: every object is still to index
            self._save_state(0 if self.store.count_objects() else self.store.last_seq())
        log.info("new search index in %s: the next writer indexes the store's changes from the start", self.directory)
        return ix

    def _state(self) -> dict:
        try:
            return json.loads((self.directory / _STATE).read_text())
        except (OSError, ValueError):
            return {}

    def _save_state(self, seq: int) -> None:
        # A name of this writer's own: two processes (or threads) saving at once must not share one.
        tmp = self.directory / f"{_STATE}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(json.dumps({"schema": SCHEMA_VERSION, "seq": seq}))
        os.replace(tmp, self.directory / _STATE)

    # -- writing -----------------------------------------------------------

    @contextmanager
    def _writer(self, wait: float, **options) -> Iterator:
        with self._write_lock:
            writer = compact(self._ix.writer(timeout=wait, delay=0.05, codec=_CODEC, **options))
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise

    def _write(self, objects: list[DigitalObject], removed: list[str], writer) -> None:
        """Replace ``objects`` and take out ``removed`` within ``writer``'s generation."""
        concepts = {c.uri: c for c in self.store.concepts({u for o in objects for u in o.subjects})}
        for obj in objects:
            writer.update_document(**document(obj, concepts))
        for object_id in removed:
            writer.delete_by_term("id", object_id)

    def apply(self, changes: list[Change] | None = None, progress: Callable[[int], None] | None = None) -> None:
        """The store's commit hook: apply every change the index has not seen yet.

        ``changes`` (what the store just committed) is not needed: the change
        log is read from where the index stands, which includes them. Never
        raises: the store has committed already, and a change left out here is
        applied by the next writer (or ``vitrine index --rebuild``). ``progress``
        hears how many objects each step indexed (a command's progress bar).
        """
        try:
            with self._writer(WAIT_TO_WRITE, limitmb=LIMIT_MB) as writer:
                since = self._state().get("seq", 0)
                latest, touched = since, {}
                while True:
                    page = self.store.changes(since=latest, limit=1000)
                    if not page:
                        break
                    for change in page:
                        if change.kind == "object":
                            touched[change.ref] = change.action
                    latest = page[-1].seq
                if latest == since:
                    writer.cancel()
                    return
                ids = [ref for ref, action in touched.items() if action != "delete"]
                for start in range(0, len(ids), 1000):
                    objects = self.store.get_objects(ids[start : start + 1000])
                    found = {o.id for o in objects}
                    gone = [i for i in ids[start : start + 1000] if i not in found]
                    self._write(objects, gone, writer)
                    if progress:
                        progress(len(objects) + len(gone))
                self._write([], [ref for ref, action in touched.items() if action == "delete"], writer)
                writer.commit()
                self._save_state(latest)
        except LockError:
            log.warning("search index busy for %.0f s; these changes will be indexed by the next writer", WAIT_TO_WRITE)
        except Exception:
            log.exception("search index update failed; run `vitrine index --rebuild`")

    def rebuild(self, progress: Callable[[int], None] | None = None, procs: int = 1, slice_size: int = SLICE) -> int:
        """Index every object of the store afresh, in ``procs`` processes.

        The objects are indexed in slices, each into a segment of its own, small
        enough to be sorted in memory; one commit then replaces the whole index
        with those segments, so searches see the old index until that moment.
        """
        with self._writer(WAIT_TO_REBUILD) as writer:
            seq = self.store.last_seq()
            ids = self.store.object_ids()
            # equal slices, as many as a multiple of the processes: none waits idle for the last
            count = -(-len(ids) // slice_size)
            count = -(-count // procs) * procs
            size = max(1, -(-len(ids) // count)) if ids else 1
            jobs = [(str(self.directory), self.store.url, ids[i : i + size]) for i in range(0, len(ids), size)]
            if procs > 1 and len(jobs) > 1:
                segments = _in_processes(jobs, min(procs, len(jobs)), progress)
            else:
                segments = [_build_segment(*job, progress) for job in jobs]
            # Whoosh's own parallel writer commits its processes' segments this way
            writer._close_segment()
            writer._commit_toc(segments)
            writer._finish()
            self._save_state(seq)
        self.apply()
        return len(ids)

    def pending(self) -> int:
        """How many objects changed in the store since the index last applied the change log."""
        since, refs = self._state().get("seq", 0), set()
        while page := self.store.changes(since=since, limit=5000):
            refs |= {c.ref for c in page if c.kind == "object"}
            since = page[-1].seq
        return len(refs)

    def orphans(self) -> list[str]:
        """Index files that no generation names: segments of a writer killed before its commit."""
        if self._opened is None and not whoosh_index.exists_in(str(self.directory)):
            return []
        toc = self._ix._read_toc()
        current = {segment.segment_id() for segment in toc.segments}
        generation = whoosh_index.TOC._pattern(self._ix.indexname)
        segment = whoosh_index.TOC._segment_pattern(self._ix.indexname)
        found = []
        for name in self._ix.storage.list():
            toc_match, segment_match = generation.match(name), segment.match(name)
            if (toc_match and int(toc_match.group(1)) != toc.generation) or (
                    segment_match and not toc_match and segment_match.group(1) not in current):
                found.append(name)
        return sorted(found)

    def clean(self) -> int:
        """Delete the orphans, under the write lock (a live writer's new segment is no orphan)."""
        if self._opened is None and not whoosh_index.exists_in(str(self.directory)):
            return 0  # no index, no orphans: and no folder made for nothing
        with self._write_lock:
            lock = self._ix.lock("WRITELOCK")  # the lock every Whoosh writer takes, without opening a segment
            if not lock.acquire(blocking=False):
                return 0  # someone is writing; the next clean gets them
            try:
                orphans = self.orphans()
                for name in orphans:
                    with suppress(OSError):
                        self._ix.storage.delete_file(name)
            finally:
                lock.release()
        return len(orphans)

    # -- searching ---------------------------------------------------------

    def _view(self) -> View:
        """This thread's searcher, moved to the newest complete generation, as arrays."""
        searcher = getattr(self._local, "searcher", None)
        for attempt in range(3):
            try:
                if searcher is not None and not searcher.up_to_date():
                    # Not refresh(): Whoosh 2.7.4 keys the readers it would reuse by generation rather
                    # than by segment, so it closes one of them and leaves the others' files to the
                    # garbage collector. This thread's searcher is done with: close it whole.
                    searcher.close()
                    searcher = None
                if searcher is None:
                    ix = self._reading()
                    if ix is not self._opened:
                        return View(ix.searcher(), self._cache)  # nothing indexed yet
                    searcher = ix.searcher()
                self._local.searcher = self._searchers[threading.get_ident()] = searcher
                return View(searcher, self._cache)
            except OSError:
                # another process's commit removed a segment between our reading
                # the table of contents and opening the segment's files: read it again
                if searcher is not None:
                    searcher.close()
                    self._searchers.pop(threading.get_ident(), None)
                searcher = self._local.searcher = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    def search(self, request: SearchRequest) -> SearchResult:
        """Answer a visitor's search; RequestError or CursorError for a bad request, SearchTimeout past the deadline."""
        request.check(self.limits)
        return engine.run(self._view(), request, self.names, self.limits)

    def facet_values(self, request: SearchRequest, name: str, prefix: str, size: int
                     ) -> tuple[list[FacetValue], bool]:
        """Values of facet ``name`` for ``request``'s search whose label has a word starting with ``prefix``."""
        request.check(self.limits)
        return engine.facet_values(self._view(), request, name, prefix, size, self.names, self.limits)

    def count(self) -> int:
        """Objects in the index."""
        return self._view().count

    def close(self) -> None:
        """Close every thread's searcher (their files stay open otherwise)."""
        for searcher in self._searchers.values():
            searcher.close()
        self._searchers.clear()
        self._local = threading.local()



def _empty_index():
    """An empty index in memory: what a search reads before anything was indexed."""
    return RamStorage().create_index(schema())


def _build_segment(directory: str, store_url: str, ids: list[str], progress=None):
    """Index ``ids`` into a new segment of the index (not yet part of it); the store reopened by its URL."""
    from ...store import open_store

    ix = whoosh_index.open_dir(directory)
    writer = compact(ix.writer(_lk=False, codec=_CODEC, limitmb=LIMIT_MB, compound=False))
    store = open_store(store_url)
    concepts = {c.uri: c for c in store.concepts()}
    for start in range(0, len(ids), 500):
        for obj in store.get_objects(ids[start : start + 500]):
            writer.add_document(**document(obj, concepts))
        if progress:
            progress(min(500, len(ids) - start))
    store.close()
    segment = writer._finalize_segment()
    # read its facet values and words now, in this worker, rather than at the first search
    reader = SegmentReader(writer.storage, writer.schema, segment)
    SegmentData(reader, Path(directory)).words(reader)
    reader.close()
    return segment


_done: Any = None  # objects indexed so far, shared by the processes of a rebuild


def _count_done(n: int) -> None:
    with _done.get_lock():
        _done.value += n


def _build_in_child(job: tuple[str, str, list[str]]):
    directory, store_url, ids = job
    return _build_segment(directory, store_url, ids, _count_done)


def _child(parent: int, done) -> None:
    global _done
    die_with_parent(parent)
    _done = done


def _in_processes(jobs: list, procs: int, progress) -> list:
    """Build one segment per job in ``procs`` processes; report progress meanwhile.

    The processes are spawned, not forked: a forked child starts with (and counts) all the memory
    of the import that forked it; a spawned one holds only what indexing needs."""
    global _done
    context = multiprocessing.get_context("spawn")
    _done = context.Value("q", 0)
    reported = 0
    with context.Pool(procs, initializer=_child, initargs=(os.getpid(), _done)) as pool:
        result = pool.map_async(_build_in_child, jobs)
        while True:
            result.wait(0.25)
            if progress and _done.value > reported:
                progress(_done.value - reported)
                reported = _done.value
            if result.ready():
                return result.get()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
