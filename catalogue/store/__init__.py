"""The catalogue store: the source of truth, and the change log everything derived follows.

``Store`` is the interface the rest of Vitrine codes against; ``open_store(url)``
picks its implementation by the URL's scheme (the ``DATABASE_URL`` setting).
SQLite (``catalogue/store/sqlite.py``) is the first; a second one is a module with a
``from_url(url)`` function and an entry in ``SCHEMES``, nothing else.

The change log's rule, which every implementation keeps and every consumer (the
search index, the tile keeper, IIIF Change Discovery) relies on:

    A consumer that has read the changes up to number N never later finds a
    change numbered N or lower.

So a consumer keeps only the last number it applied and asks for ``changes(since)``.
Numbers are therefore handed out in commit order, not merely in increasing order: a
writer takes its numbers from a counter as the last step before it commits, and the
counter stays locked to other writers until that commit (a row lock in a database
with concurrent writers; SQLite has one writer at a time anyway). Numbers are dense:
a rolled-back transaction hands its numbers back.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from ..model import (
    CollectionInfo,
    Concept,
    DigitalObject,
    Exhibition,
    Institution,
    MediaFile,
)

# URL scheme -> module (in this package) whose ``from_url(url)`` opens such a store.
SCHEMES = {"sqlite": ".sqlite"}


class StoreError(Exception):
    """The store refused a write (it would break integrity) or the database failed (locked,
    full, corrupt); the message says which. A write that raised it wrote nothing."""


@dataclass(frozen=True)
class Change:
    """One committed change, as kept in the change log (IIIF Change Discovery's unit)."""

    seq: int
    time: str
    kind: str  # object | exhibition | institution | collection | concept
    ref: str
    action: str  # create | update | delete


@dataclass
class Batch:
    """Everything one import writes: committed together or not at all."""

    institutions: list[Institution] = field(default_factory=list)
    collections: list[CollectionInfo] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)
    objects: list[DigitalObject] = field(default_factory=list)
    exhibitions: list[Exhibition] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(getattr(self, k)) for k in self.__dataclass_fields__)


@dataclass
class WriteReport:
    """What a write did; ``changes`` are numbered once the transaction has committed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)


class Writer(Protocol):
    """One open transaction of a store (see ``Store.writer``)."""

    report: WriteReport  # what every batch of the transaction did, added up

    def write(self, batch: Batch) -> WriteReport:
        """Write one batch inside the transaction; returns what that batch did."""


MediaEntry = tuple[MediaFile, str, str | None]  # a media file, its object's id, the object's rights URI


class Store(Protocol):
    """The catalogue's database: records in, committed changes out. Safe to share between threads.

    Its change log keeps this module's rule: a consumer that has read the changes up to N
    never later finds one numbered N or lower (numbers are taken just before COMMIT, from a
    counter no other writer can take from until that commit).
    """

    @property
    def url(self) -> str:
        """Where the store lives: ``open_store(store.url)`` opens it again, in any process."""

    def close(self) -> None:
        """Close this thread's connection; the next call opens a new one."""

    # -- writes ------------------------------------------------------------

    def exclusive(self, waiting: Callable[[str], None] | None = None) -> AbstractContextManager[None]:
        """Be the catalogue's one writer across processes for the block; ``waiting(who)`` hears if it waits."""

    def writer(self, notify: bool = True) -> AbstractContextManager[Writer]:
        """One transaction for many batches: committed on leaving the block, rolled back on an exception."""

    def write(self, batch: Batch) -> WriteReport:
        """Commit a batch in one transaction; an unchanged record keeps its version and logs nothing."""

    def put_object(self, obj: DigitalObject) -> WriteReport:
        """Commit one object."""

    def put_exhibition(self, exhibition: Exhibition) -> WriteReport:
        """Commit one exhibition."""

    def delete_object(self, object_id: str) -> bool:
        """Remove an object with its media and memberships, logging the deletion; False if unknown."""

    def withdraw_object(self, object_id: str) -> bool:
        """Take an object out of the catalogue, its record kept aside to be restored; logs a delete."""

    def restore_object(self, object_id: str) -> bool:
        """Put a withdrawn object back, one version newer; logs a create. False if not withdrawn."""

    def get_withdrawn(self, object_id: str) -> DigitalObject | None:
        """A withdrawn object's record, as it was when withdrawn."""

    def is_withdrawn(self, object_id: str) -> bool:
        """Whether the id names a withdrawn object (410 Gone for visitors; an import is refused)."""

    def forget_withdrawn(self, object_id: str) -> bool:
        """Delete a withdrawn object's record for good; logs a delete."""

    def subscribe(self, listener: Callable[[list[Change]], None]) -> None:
        """Call ``listener(changes)`` after every commit that changed something."""

    def notify(self, changes: list[Change]) -> None:
        """Tell the listeners about committed changes (for a writer that committed with ``notify=False``)."""

    # -- the change log ----------------------------------------------------

    def changes(self, since: int = 0, limit: int = 1000) -> list[Change]:
        """The changes numbered above ``since``, oldest first; none numbered <= since will ever appear."""

    def last_seq(self) -> int:
        """The number of the latest committed change (0 before any): where a derived index stands."""

    # -- reads -------------------------------------------------------------

    def get_object(self, object_id: str) -> DigitalObject | None:
        """One object, or None."""

    def get_objects(self, ids: Iterable[str]) -> list[DigitalObject]:
        """Objects in the order of ``ids``; unknown ids are left out."""

    def object_version(self, object_id: str) -> tuple[int, str] | None:
        """(version, updated) of an object without decoding it: enough for an ETag."""

    def iter_objects(self, batch_size: int = 1000) -> Iterator[DigitalObject]:
        """Every object, in id order, read in batches."""

    def object_ids(self) -> list[str]:
        """Every object id, in order (to split a full index rebuild between processes)."""

    def list_objects(
        self, institution: str | None = None, collection: str | None = None, offset: int = 0, limit: int = 50
    ) -> list[DigitalObject]:
        """A page of objects in id order, optionally within one institution or collection."""

    def count_objects(self, institution: str | None = None, collection: str | None = None) -> int:
        """How many objects, optionally within one institution or collection."""

    def object_labels(
        self, institution: str | None = None, offset: int = 0, limit: int = 1000, digitised: bool = False
    ) -> list[tuple[str, dict[str, list[str]]]]:
        """(id, label) pairs in id order, without decoding objects; ``digitised``: only objects with media."""

    def digitised_counts(self) -> dict[str, int]:
        """Objects with media per institution: the size of each institution's IIIF Collection."""

    def get_media(self, media_id: str) -> MediaEntry | None:
        """A media file with its object's id and rights URI: all the Image API needs."""

    def iter_media(self) -> Iterator[MediaEntry]:
        """Every media file with its object's id and rights, by object and position."""

    def institutions(self) -> list[Institution]:
        """Every institution, by id."""

    def get_institution(self, institution_id: str) -> Institution | None:
        """One institution, or None."""

    def collections(self, institution: str | None = None) -> list[CollectionInfo]:
        """Every collection (of one institution), by id."""

    def get_collection(self, collection_id: str) -> CollectionInfo | None:
        """One collection, or None."""

    def concepts(self, uris: Iterable[str] | None = None) -> list[Concept]:
        """The given concepts (unknown URIs left out), or the whole thesaurus."""

    def concepts_count(self) -> int:
        """How many concepts the thesaurus holds."""

    def get_exhibition(self, slug: str) -> Exhibition | None:
        """One exhibition, draft or published, or None."""

    def exhibitions(self, status: str | None = None) -> list[Exhibition]:
        """Every exhibition (with that status), by slug."""


def open_store(url: str) -> Store:
    """The store at ``url`` (``sqlite:///abs/path/vitrine.db``); opens nothing until first used."""
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        known = ", ".join(f"{name}:///..." for name in SCHEMES)
        raise StoreError(f"no store for database URL {url!r} (scheme {scheme!r}); known: {known}")
    store: Store = importlib.import_module(SCHEMES[scheme], __package__).from_url(url)
    return store
