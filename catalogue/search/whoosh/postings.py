"""A writer's postings held compactly: Whoosh's posting pool, in flat arrays grouped by term.

Whoosh's own pool keeps each posting as a tuple (about 200 bytes), so a writer's memory budget
spills a run to disk every 170,000 postings or so, pickles and unpickles each posting on its own,
and merges the runs back a posting at a time: a third of the time a search index took to build.
This pool holds a posting in four numbers (term, document, weight, value), sorts them with numpy,
and spills a run of whole terms when its budget is full, so a rebuild's segment sorts in a few
runs and the merge takes a term at a time. It yields the postings Whoosh's pool would, in the same
order (``iter_postings``): all a ``SegmentWriter`` asks of its pool.
"""
from __future__ import annotations

import heapq
import pickle
from array import array
from collections.abc import Iterator

import numpy as np
from whoosh.util import random_name

# What the budget counts: a posting in the arrays (20 bytes) and what sorting them takes (44 more,
# while a run is sorted); a term's key, its bytes and its place in the dict.
POSTING_BYTES = 64
TERM_BYTES = 200
TERMS_PER_CHUNK = 2_000  # terms pickled together in a run: one call for many
MAX_RUNS = 64  # runs merged at once (each an open file); more are first merged into fewer

Posting = tuple[str, bytes, int, float, bytes]  # (fieldname, term, document number, weight, value)
_Term = tuple[str, bytes, bytes, bytes, list]  # (fieldname, term, documents, weights, values) of a run


class Postings:
    """Whoosh's ``PostingPool``, compact: ``add`` postings in any order, ``iter_postings`` sorted."""

    def __init__(self, tempstore, limitmb: float):
        self._tempstore = tempstore
        self._limit = limitmb * 1024 * 1024
        self._runs: list[str] = []
        self.fieldnames: set[str] = set()
        self._empty()

    def _empty(self) -> None:
        self._ids: dict[tuple[str, bytes], int] = {}
        self._keys: list[tuple[str, bytes]] = []
        self._values: dict[bytes, int] = {}
        self._value_list: list[bytes] = []
        self._term, self._doc, self._value = array("I"), array("I"), array("I")
        self._weight = array("d")
        self._size = 0

    def add(self, item: Posting) -> None:
        fieldname, text, docnum, weight, value = item
        key = (fieldname, text)
        term = self._ids.get(key)
        if term is None:
            term = self._ids[key] = len(self._keys)
            self._keys.append(key)
            self.fieldnames.add(fieldname)
            self._size += TERM_BYTES + len(text)
        number = self._values.get(value)
        if number is None:  # a posting's value is its frequency's bytes, or none: a few distinct ones
            number = self._values[value] = len(self._value_list)
            self._value_list.append(value)
            self._size += TERM_BYTES
        self._term.append(term)
        self._doc.append(docnum)
        self._weight.append(weight)
        self._value.append(number)
        self._size += POSTING_BYTES
        if self._size > self._limit:
            self._spill()

    def iter_postings(self) -> Iterator[Posting]:
        """Every posting, ordered by field, term and document, as Whoosh's pool yields them."""
        if not self._runs:
            return _postings(self._terms())
        self._spill()
        while len(self._runs) > MAX_RUNS:
            merging, self._runs = self._runs[:MAX_RUNS], self._runs[MAX_RUNS:]
            self._runs.insert(0, self._write_run(_merged([_read_run(self._tempstore, name) for name in merging])))
            for name in merging:
                self._tempstore.delete_file(name)
        return _postings(_merged([_read_run(self._tempstore, name) for name in self._runs]))

    def cleanup(self) -> None:
        for name in self._runs:
            if self._tempstore.file_exists(name):
                self._tempstore.delete_file(name)
        self._runs = []

    def _terms(self) -> Iterator[_Term]:
        """The postings held, a term at a time in order (each term's documents in order)."""
        if not self._keys:
            return
        keys, values = self._keys, self._value_list
        ranks = np.empty(len(keys), dtype=np.uint64)
        ranks[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(len(keys), dtype=np.uint64)
        terms, docs = np.frombuffer(self._term, dtype=np.uint32), np.frombuffer(self._doc, dtype=np.uint32)
        order = np.argsort((ranks[terms] << np.uint64(32)) | docs, kind="stable")
        terms = terms[order]
        docs, weights = docs[order], np.frombuffer(self._weight, dtype=np.float64)[order]
        value_numbers = np.frombuffer(self._value, dtype=np.uint32)[order]
        starts = np.flatnonzero(np.concatenate(([True], terms[1:] != terms[:-1]))).tolist()
        for start, end in zip(starts, [*starts[1:], len(terms)], strict=True):
            fieldname, text = keys[terms[start]]
            yield (fieldname, text, docs[start:end].tobytes(), weights[start:end].tobytes(),
                   [values[n] for n in value_numbers[start:end].tolist()])

    def _spill(self) -> None:
        """Write the postings held to a run of whole terms, in order, and hold none."""
        self._runs.append(self._write_run(self._terms()))
        self._empty()

    def _write_run(self, terms: Iterator[_Term]) -> str:
        name = f"{random_name()}.postings"
        with self._tempstore.create_file(name).raw_file() as handle:
            chunk: list[_Term] = []
            for term in terms:
                chunk.append(term)
                if len(chunk) == TERMS_PER_CHUNK:
                    pickle.dump(chunk, handle, pickle.HIGHEST_PROTOCOL)
                    chunk = []
            if chunk:
                pickle.dump(chunk, handle, pickle.HIGHEST_PROTOCOL)
        return name


def _read_run(tempstore, name: str) -> Iterator[_Term]:
    with tempstore.open_file(name).raw_file() as handle:
        while True:
            try:
                chunk = pickle.load(handle)
            except EOFError:
                return
            yield from chunk


def _merged(runs: list[Iterator[_Term]]) -> Iterator[_Term]:
    """The runs' terms in order; a term in several runs is one, its documents in order."""
    parts: list[_Term] = []
    for term in heapq.merge(*runs, key=lambda term: (term[0], term[1])):  # equal terms in run order
        if parts and (term[0], term[1]) != (parts[0][0], parts[0][1]):
            yield _joined(parts)
            parts = []
        parts.append(term)
    if parts:
        yield _joined(parts)


def _joined(parts: list[_Term]) -> _Term:
    if len(parts) == 1:
        return parts[0]
    docs = np.frombuffer(b"".join(p[2] for p in parts), dtype=np.uint32)
    weights = np.frombuffer(b"".join(p[3] for p in parts), dtype=np.float64)
    values = [v for p in parts for v in p[4]]
    if np.any(np.diff(docs.astype(np.int64)) < 0):  # a later run held earlier documents (a merged reader)
        order = np.argsort(docs, kind="stable")
        docs, weights, values = docs[order], weights[order], [values[i] for i in order.tolist()]
    return parts[0][0], parts[0][1], docs.tobytes(), weights.tobytes(), values


def _postings(terms: Iterator[_Term]) -> Iterator[Posting]:
    for fieldname, text, docs, weights, values in terms:
        yield from zip([fieldname] * len(values), [text] * len(values), array("I", docs).tolist(),
                       array("d", weights).tolist(), values, strict=True)
