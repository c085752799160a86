"""One index generation read as numpy arrays: postings, facet values, rows, lengths.

Whoosh answers a query by walking its postings one document at a time in
Python, which took 60-120 ms for a broad word at 69k objects. Here a term's
postings are decoded a block at a time into arrays, and the per-document data
(facet values, years, sort keys, field lengths) is read once per segment, so a
query, its facet counts and any page of it cost a few array operations over the
whole collection. Segments never change once written, so what is read from one
is cached by its id and shared by every thread of the process.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, W3LeafMatcher
from whoosh.util.numeric import byte_to_length

from .document import IMAGE, KEYWORD_FACETS, REAL_TITLE, ROW

_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
_POSTINGS_CACHE_BYTES = 96 * 2**20


@dataclass
class Values:
    """A multi-valued facet: its sorted vocabulary and one (doc, value) pair per posting."""

    vocab: np.ndarray  # str
    docs: np.ndarray  # int32 docnums
    values: np.ndarray  # int32 indexes into vocab


def decode_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """Every (docnum, weight) of one term in one segment.

    Reads Whoosh 2.7's W3 posting blocks directly (pickled, delta-coded ids);
    any other matcher is walked the slow, public way.
    """
    if not isinstance(matcher, W3LeafMatcher):
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)
    ids, weights = [], []
    while True:
        matcher._read_data()
        block_ids, block_weights = matcher._data[0], matcher._data[1]
        ids.append(np.cumsum(block_ids, dtype=np.int64))
        if isinstance(block_weights, tuple):
            weights.append(np.array(block_weights, dtype=np.float32))
        else:
            weights.append(np.full(len(block_ids), block_weights or 1.0, dtype=np.float32))
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    return np.concatenate(ids).astype(np.int32), np.concatenate(weights)


def _column_bytes(column_reader, itemsize: int, count: int) -> bytes:
    """A fixed-width column's values for a whole segment in one read."""
    stored = min(column_reader._count, count)
    data = column_reader._dbfile.get(column_reader._basepos, stored * itemsize)
    return data + b"\0" * ((count - stored) * itemsize)


class SegmentData:
    """What one segment holds per document, read once.

    The facet values (read back from the postings: seconds for a large
    segment) are also kept in a file beside the segment, named after it, so
    other processes load them at once and Whoosh deletes the file along with
    the segment.
    """

    def __init__(self, reader, directory: Path):
        self.size = reader.doc_count_all()
        self.rows = np.frombuffer(
            _column_bytes(reader.column_reader("row", translate=False), ROW.itemsize, self.size), dtype=ROW
        )
        path = directory / f"{reader.segment().segment_id()}.facets.npz"
        try:
            with np.load(path) as saved:
                self.values = {n: Values(saved[f"{n}.vocab"], saved[f"{n}.docs"], saved[f"{n}.values"])
                               for n in KEYWORD_FACETS}
        except (OSError, KeyError, ValueError):
            self.values = {name: self._values(reader, f"f_{name}") for name in KEYWORD_FACETS}
            _save(path, {f"{n}.{part}": getattr(v, part) for n, v in self.values.items()
                         for part in ("vocab", "docs", "values")})
        self._lengths: dict[str, np.ndarray] = {}
        for field in reader.schema.scorable_names():  # now, while the files are there (see View)
            self.lengths(reader, field)
        self._words: tuple[np.ndarray, np.ndarray] | None = None
        self._path = directory / f"{reader.segment().segment_id()}.words.npz"

    def words(self, reader) -> tuple[np.ndarray, np.ndarray]:
        """The neutral field's words, sorted, with their document frequencies (for spelling)."""
        if self._words is None:
            try:
                with np.load(self._path) as saved:
                    self._words = saved["words"], saved["df"]
            except (OSError, KeyError, ValueError):
                words, df = [], []
                for term, info in reader.iter_field("text"):
                    words.append(term.decode("utf-8"))
                    df.append(info.doc_frequency())
                self._words = np.array(words, dtype=str), np.array(df, dtype=np.int32)
                _save(self._path, {"words": self._words[0], "df": self._words[1]})
        return self._words

    def _values(self, reader, field: str) -> Values:
        vocab, docs, values = [], [], []
        for i, term in enumerate(reader.lexicon(field)):
            ids, _ = decode_postings(reader.postings(field, term))
            vocab.append(term.decode("utf-8"))
            docs.append(ids)
            values.append(np.full(len(ids), i, dtype=np.int32))
        if not vocab:
            empty = np.zeros(0, dtype=np.int32)
            return Values(np.array([], dtype=str), empty, empty)
        return Values(np.array(vocab), np.concatenate(docs), np.concatenate(values))

    def lengths(self, reader, field: str) -> np.ndarray:
        """Each document's length in ``field`` (Whoosh keeps it as one lossy byte)."""
        if field not in self._lengths:
            column = reader._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
            if column is None:
                self._lengths[field] = np.zeros(self.size, dtype=np.float32)
            else:
                raw = np.frombuffer(_column_bytes(column, 1, self.size), dtype=np.uint8)
                self._lengths[field] = _LENGTHS[raw]
        return self._lengths[field]


def _save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]  # numpy types allow_pickle among the names
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # a read-only index still searches, only slower to open


class SegmentCache:
    """Segment data and decoded postings, keyed by segment id, for the whole process."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._lock = threading.Lock()
        self._segments: dict[str, SegmentData] = {}
        self._postings: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._postings_bytes = 0
        self._arrays: OrderedDict[tuple, Arrays] = OrderedDict()

    def segment(self, reader) -> SegmentData:
        key = reader.segment().segment_id()
        with self._lock:
            data = self._segments.get(key)
            if data is None:
                data = self._segments[key] = SegmentData(reader, self.directory)
            return data

    def arrays(self, leaves) -> Arrays:
        """The arrays of the generation made of ``leaves`` (built once, kept for the latest few)."""
        key = tuple((r.segment().segment_id(), r.segment().deleted_count()) for r, _ in leaves)
        with self._lock:
            found = self._arrays.get(key)
        if found is None:
            found = Arrays(leaves, self)
            with self._lock:
                self._arrays[key] = found
                while len(self._arrays) > 3:
                    self._arrays.popitem(last=False)
                live = {seg_id for k in self._arrays for seg_id, _ in k}
            self.forget_except(live)
        return found

    def forget_except(self, segment_ids: set[str]) -> None:
        """Drop what belongs to segments merged away."""
        with self._lock:
            for key in [k for k in self._segments if k not in segment_ids]:
                del self._segments[key]
            for posting in [k for k in self._postings if k[0] not in segment_ids]:
                ids, weights = self._postings.pop(posting)
                self._postings_bytes -= ids.nbytes + weights.nbytes

    def postings(self, reader, field: str, term: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        key = (reader.segment().segment_id(), field, term)
        with self._lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        if (field, term) not in reader:
            return None
        found = decode_postings(reader.postings(field, term))
        with self._lock:
            self._postings[key] = found
            self._postings_bytes += found[0].nbytes + found[1].nbytes
            while self._postings_bytes > _POSTINGS_CACHE_BYTES and len(self._postings) > 1:
                _, (ids, weights) = self._postings.popitem(last=False)
                self._postings_bytes -= ids.nbytes + weights.nbytes
        return found


class Arrays:
    """The per-document arrays of one generation (its segments laid end to end)."""

    def __init__(self, leaves, cache: SegmentCache):
        self.leaves_base = [base for _, base in leaves]
        self.parts = [cache.segment(r) for r, _ in leaves]
        self.size = sum(p.size for p in self.parts)
        self.live = np.ones(self.size, dtype=bool)
        for (reader, base) in leaves:
            if reader.has_deletions():
                self.live[base + np.fromiter(reader.segment().deleted_docs(), dtype=np.int64)] = False
        self.count = int(self.live.sum())
        rows = np.concatenate([p.rows for p in self.parts]) if self.parts else np.zeros(0, dtype=ROW)
        self.idhash = rows["idhash"]
        self.earliest = rows["earliest"].astype(np.int32)
        self.latest = rows["latest"].astype(np.int32)
        self.type = rows["type"]
        self.rights = rows["rights"]
        self.has3d = rows["has3d"]
        self.hasimage = (rows["flags"] & IMAGE).astype(np.uint8)
        # the default browse order: works with an image and a real title first, then image, title, neither
        self.browse_rank = (np.where(self.hasimage, 0, 2) + np.where(rows["flags"] & REAL_TITLE, 0, 1)).astype(np.int8)
        self.title = rows["title"]
        self.acquired = rows["acquired"]
        self.accession = rows["accession"]
        self.values = {name: self._merge_values(name) for name in KEYWORD_FACETS}
        self.field_lengths: dict[str, np.ndarray] = {}  # filled by View.lengths
        self.averages: dict[str, float] = {}

    def _merge_values(self, name: str) -> Values:
        parts = [(p.values[name], base) for p, base in zip(self.parts, self.leaves_base, strict=True)]
        if not parts:
            empty = np.zeros(0, dtype=np.int32)
            return Values(np.array([], dtype=str), empty, empty)
        vocab = np.unique(np.concatenate([v.vocab for v, _ in parts]))
        docs = np.concatenate([v.docs + base for v, base in parts]).astype(np.int32)
        values = np.concatenate(
            [np.searchsorted(vocab, v.vocab)[v.values] if len(v.vocab) else v.values for v, _ in parts]
        ).astype(np.int32)
        return Values(vocab, docs, values)


class View:
    """A searcher's generation of the index, with its arrays over global docnums.

    The searcher (and so the files it reads) belongs to one thread; the arrays
    are shared by every thread that sees the same generation.
    """

    def __init__(self, searcher, cache: SegmentCache):
        self.searcher = searcher
        self.cache = cache
        # an index never written to has one EmptyReader, without a segment: no leaves at all
        self.leaves = [(r, base) for r, base in searcher.reader().leaf_readers() if r.segment() is not None]
        self.arrays = cache.arrays(self.leaves)
        # Whoosh opens a segment's column files when first read, and a rebuild deletes the generation
        # it replaces: a search begun on it reads on from files opened here (the lengths are read
        # with the segment's data). A file gone already is an OSError: the caller reads the newer one.
        for reader, _ in self.leaves:
            if reader.doc_count_all() and reader._perdoc._cached_reader("_stored", STORED_COLUMN) is None:
                raise FileNotFoundError(f"segment {reader.segment().segment_id()} was deleted by a newer generation")

    def __getattr__(self, name: str):
        return getattr(self.arrays, name)

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Global docnums and weights (term frequencies) of ``term`` in ``field``."""
        btext = term.encode("utf-8")
        ids, weights = [], []
        for reader, base in self.leaves:
            found = self.cache.postings(reader, field, btext)
            if found is not None:
                ids.append(found[0] + base if base else found[0])
                weights.append(found[1])
        if not ids:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        if len(ids) == 1:
            return ids[0], weights[0]
        return np.concatenate(ids), np.concatenate(weights)

    def has(self, field: str, term: str) -> bool:
        """Whether any live segment holds ``term`` in ``field``."""
        btext = term.encode("utf-8")
        return any((field, btext) in reader for reader, _ in self.leaves)

    def lengths(self, field: str) -> np.ndarray:
        """Each document's length in ``field``, for BM25."""
        found = self.arrays.field_lengths.get(field)
        if found is None:
            parts = [p.lengths(r, field) for p, (r, _) in zip(self.arrays.parts, self.leaves, strict=True)]
            found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
            self.arrays.field_lengths[field] = found
        return found

    def average_length(self, field: str) -> float:
        """Mean length of ``field`` over the live documents that have it (BM25's yardstick)."""
        found = self.arrays.averages.get(field)
        if found is None:
            lengths = self.lengths(field)[self.arrays.live]
            present = lengths[lengths > 0]
            found = self.arrays.averages[field] = float(present.mean()) if len(present) else 1.0
        return found

    def frequencies(self, words: list[str]) -> np.ndarray:
        """How many documents have each of ``words`` in the neutral field."""
        wanted = np.array(words, dtype=str)
        total = np.zeros(len(words), dtype=np.int64)
        for part, (reader, _) in zip(self.arrays.parts, self.leaves, strict=True):
            known, df = part.words(reader)
            if len(known):
                at = np.minimum(np.searchsorted(known, wanted), len(known) - 1)
                total += np.where(known[at] == wanted, df[at], 0)
        return total

    def stored(self, docnum: int) -> dict:
        return self.searcher.stored_fields(docnum)
