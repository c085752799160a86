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
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar
from urllib.parse import urlsplit

from ..model import (
    ApiToken,
    CollectionInfo,
    Concept,
    DigitalObject,
    Exhibition,
    Institution,
    MediaFile,
    Revision,
    User,
)

# URL scheme -> module (in this package) whose ``from_url(url)`` opens such a store.
SCHEMES = {"sqlite": ".sqlite"}


class StoreError(Exception):
    """The store refused a write (it would break integrity) or the database failed (locked,
    full, corrupt); the message says which. A write that raised it wrote nothing."""


class StaleVersion(StoreError):
    """A save that started from a version that is no longer the latest: refused, nothing written
    (no lost update). ``current`` is the version stored now (0: the record does not exist)."""

    def __init__(self, kind: str, ref: str, expected: int, current: int):
        self.kind, self.ref, self.expected, self.current = kind, ref, expected, current
        super().__init__(f"{kind} {ref!r} is at version {current}, not {expected}: someone saved it meanwhile")


@dataclass(frozen=True, slots=True)  # an import of 69,000 objects keeps as many until they are indexed
class Change:
    """One committed change, as kept in the change log (IIIF Change Discovery's unit)."""

    seq: int
    time: str
    kind: str  # object | exhibition | institution | collection | concept
    ref: str
    action: str  # create | update | delete
    user: str | None = None  # who made it (the audit trail); None for a command or an import without one


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

    def compare(self, batch: Batch) -> WriteReport:
        """What :meth:`write` would do with the batch's objects and exhibitions, writing nothing (a dry run)."""

    def object_ids_within(self, scope: str, values: Iterable[str]) -> list[str]:
        """The catalogue's objects, by id, of these institutions (scope ``institution``), collections
        (``collection``), or whose ``source`` URL starts with one of these prefixes (``source``), as
        the transaction sees them: what an import stands for when it syncs with its source."""

    def withdraw(self, ids: Iterable[str], user: str | None = None) -> list[str]:
        """Withdraw these objects inside the transaction (as ``Store.withdraw_object``), logged as
        ``user``'s (else the writer's); returns those withdrawn."""

    def delete(self, ids: Iterable[str], user: str | None = None) -> list[str]:
        """Delete these objects inside the transaction (as ``Store.delete_object``), logged as
        ``user``'s (else the writer's); returns those deleted."""


@dataclass
class ImportJob:
    """One import started from the curator pages: what it reads, where it stands, what it did.

    ``status``: queued, checking (the dry run), checked (waiting for its confirmation), running,
    done, failed, abandoned. ``heartbeat`` (a Unix time) moves on while a worker works at it; a job
    whose worker stopped (the process died) is shown as interrupted. ``report`` is the JSON the
    page renders: counts, every problem, what was (or would be) created, updated, withdrawn.
    ``params`` says what to read (the files kept under the instance folder, or the IIIF URL).
    """

    id: str
    user: str
    created: str
    source: str  # what a person reads: "records.csv with mapping.json", a URL
    kind: str  # csv | json | zip | iiif
    status: str = "queued"
    phase: str = ""
    done: int = 0
    total: int | None = None
    heartbeat: float = 0.0
    report: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    finished: str | None = None


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

    def writer(self, notify: bool = True, user: str | None = None) -> AbstractContextManager[Writer]:
        """One transaction for many batches: committed on leaving the block, rolled back on an exception.
        Its changes are logged as ``user``'s; with a user, each object written keeps a revision."""

    def write(self, batch: Batch, user: str | None = None) -> WriteReport:
        """Commit a batch in one transaction; an unchanged record keeps its version and logs nothing."""

    def put_object(self, obj: DigitalObject, user: str | None = None, expected: int | None = None) -> WriteReport:
        """Commit one object; ``expected``: the version the edit started from (StaleVersion if another
        was saved meanwhile; 0: the object must not exist yet). With a user, a revision is kept."""

    def put_exhibition(self, exhibition: Exhibition, user: str | None = None,
                       expected: int | None = None) -> WriteReport:
        """Commit one exhibition, keeping a revision; ``expected`` as for :meth:`put_object`."""

    def delete_exhibition(self, slug: str, user: str | None = None, expected: int | None = None) -> bool:
        """Remove an exhibition (its revisions stay), logging the deletion; False if unknown."""

    def delete_object(self, object_id: str, user: str | None = None) -> bool:
        """Remove an object with its media and memberships, logging the deletion; False if unknown."""

    def withdraw_object(self, object_id: str, user: str | None = None) -> bool:
        """Take an object out of the catalogue, its record kept aside to be restored; logs a delete."""

    def restore_object(self, object_id: str, user: str | None = None) -> bool:
        """Put a withdrawn object back, one version newer; logs a create. False if not withdrawn."""

    def get_withdrawn(self, object_id: str) -> DigitalObject | None:
        """A withdrawn object's record, as it was when withdrawn."""

    def withdrawn_objects(self) -> list[DigitalObject]:
        """Every withdrawn object's record, by id (the editor's list of what can come back)."""

    def is_withdrawn(self, object_id: str) -> bool:
        """Whether the id names a withdrawn object (410 Gone for visitors; an import is refused)."""

    def forget_withdrawn(self, object_id: str, user: str | None = None) -> bool:
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

    def changes_for(self, kind: str, ref: str, limit: int = 200) -> list[Change]:
        """The audit trail of one record: its changes, newest first."""

    # -- revisions: every saved version of an object (saved by a user) or an exhibition ----------

    def revisions(self, kind: str, ref: str) -> list[Revision]:
        """Every kept revision of a record, newest first."""

    def get_revision(self, kind: str, ref: str, version: int) -> Revision | None:
        """One kept revision, or None."""

    # -- accounts (not catalogue content: outside the change log) --------------------------

    def get_user(self, name: str) -> User | None:
        """One user, or None."""

    def user_by_identity(self, identity: str) -> User | None:
        """The user of an institutional sign-in identity ("<issuer>|<subject>"), or None."""

    def users(self) -> list[User]:
        """Every user, by name."""

    def put_user(self, user: User) -> None:
        """Create a user or update theirs in place, their tokens kept (StoreError if its identity is another's)."""

    def delete_user(self, name: str) -> bool:
        """Remove a user and their tokens; False if unknown."""

    def put_token(self, token: ApiToken) -> None:
        """Keep a new API token (its hash)."""

    def get_token(self, token_id: str) -> ApiToken | None:
        """One API token, or None."""

    def tokens(self, user: str) -> list[ApiToken]:
        """A user's API tokens, newest first (of two in one second, the later)."""

    def delete_token(self, token_id: str) -> bool:
        """Revoke an API token; False if unknown."""

    def touch_token(self, token_id: str, time: str) -> None:
        """Note when a token was last used."""

    def add_attempt(self, keys: Iterable[str], time: float) -> None:
        """Count one failed sign-in against each key (an account, an address); old ones are pruned."""

    def count_attempts(self, key: str, since: float) -> int:
        """Failed sign-ins counted against ``key`` since ``since`` (a Unix time)."""

    def clear_attempts(self, key: str) -> None:
        """Forget a key's failed sign-ins (after a good one)."""

    # -- import jobs (not catalogue content: outside the change log, and never inside an import's
    #    transaction, so a running import can say how far it is) ----------------------------------

    def put_import(self, job: ImportJob) -> None:
        """Create or replace an import job, in a short transaction of its own."""

    def get_import(self, job_id: str) -> ImportJob | None:
        """One import job, or None."""

    def imports(self, offset: int = 0, limit: int = 20, statuses: Iterable[str] | None = None) -> list[ImportJob]:
        """A page of import jobs (with one of ``statuses``), newest first (of two in one second, the later)."""

    def count_imports(self) -> int:
        """How many import jobs the history holds."""

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
        self, institution: str | None = None, offset: int = 0, limit: int = 1000, digitised: bool = False,
        hidden: Collection[str] = (),
    ) -> list[tuple[str, dict[str, list[str]]]]:
        """(id, label) pairs in id order, without decoding objects; ``digitised``: only objects with media,
        less those ``hidden`` names."""

    def digitised_counts(self, hidden: Collection[str] = ()) -> dict[str, int]:
        """Objects with media per institution, less those ``hidden`` names: the size of each institution's
        IIIF Collection."""

    def get_media(self, media_id: str) -> MediaEntry | None:
        """A media file with its object's id and rights URI: all the Image API needs."""

    def iter_media(self) -> Iterator[MediaEntry]:
        """Every media file with its object's id and rights, by object and position."""

    def media_of(self, object_ids: Iterable[str]) -> dict[str, list[MediaFile]]:
        """The media files of these objects (those that have any), by position, without decoding the
        objects: what the tile cutter asks of the objects an import changed."""

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

    def narrower(self, uri: str) -> list[Concept]:
        """The concepts whose broader concept is ``uri``, by URI (a subject's page: not the whole thesaurus)."""

    def descendants(self, uri: str, limit: int) -> list[str]:
        """The URIs of the concepts under ``uri``, all the way down, sorted; past ``limit`` of them,
        ``limit`` of those found by then (a level at a time, the nearest first)."""

    def concepts_count(self) -> int:
        """How many concepts the thesaurus holds."""

    def get_exhibition(self, slug: str) -> Exhibition | None:
        """One exhibition, draft or published, or None."""

    def exhibitions(self, status: str | None = None) -> list[Exhibition]:
        """Every exhibition (with that status), by slug."""


T = TypeVar("T")


class Derived(Generic[T]):
    """A value made from the store (the published exhibitions' words, the thesaurus folded), made
    again only when the store has changed since (its ``last_seq``, with ``also``: today's date for
    what opens at midnight). Safe to share between a web process's threads."""

    def __init__(self, store: Store, make: Callable[[], T], also: Callable[[], object] = lambda: None):
        self.store, self.make, self.also = store, make, also
        self._lock = threading.Lock()
        self._made: tuple[object, T] | None = None

    def get(self) -> T:
        version = (self.store.last_seq(), self.also())
        with self._lock:
            if self._made is None or self._made[0] != version:
                self._made = (version, self.make())
            return self._made[1]


def open_store(url: str) -> Store:
    """The store at ``url`` (``sqlite:///abs/path/vitrine.db``); opens nothing until first used."""
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        known = ", ".join(f"{name}:///..." for name in SCHEMES)
        raise StoreError(f"no store for database URL {url!r} (scheme {scheme!r}); known: {known}")
    store: Store = importlib.import_module(SCHEMES[scheme], __package__).from_url(url)
    return store
