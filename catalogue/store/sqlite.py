"""The first store: SQLite in WAL mode, every write one transaction, a change log.

All SQL of the project lives here, and every ``sqlite3.Error`` leaves it as a
``StoreError``. Records are stored as JSON documents with the few columns that
queries need beside them; the search index, the tile pyramid and the IIIF
documents are derived from this and can be rebuilt from it.

The change log's numbers come from the one-row ``change_counter`` table, which a
writing transaction updates as its last step before COMMIT (the rule is in
``catalogue/store/__init__.py``). SQLite lets one transaction write at a time, so
that alone keeps numbers in commit order; the counter row keeps the rule in the
schema rather than in that property, for a port of these statements to a
database with concurrent writers.
"""
from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urlsplit

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
from . import Batch, Change, ImportJob, MediaEntry, StaleVersion, Store, StoreError, WriteReport

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    institution TEXT NOT NULL,
    version INTEGER NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS objects_institution ON objects (institution, id);
CREATE TABLE IF NOT EXISTS memberships (
    collection TEXT NOT NULL,
    object TEXT NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
    PRIMARY KEY (collection, object)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS memberships_object ON memberships (object);
CREATE TABLE IF NOT EXISTS media (
    id TEXT PRIMARY KEY,
    object TEXT NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS media_object ON media (object, position);
CREATE TABLE IF NOT EXISTS institutions (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS collections (
    id TEXT PRIMARY KEY, institution TEXT NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS concepts (uri TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS concepts_broader ON concepts (json_extract(data, '$.broader'));
CREATE TABLE IF NOT EXISTS exhibitions (
    slug TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS withdrawn (
    id TEXT PRIMARY KEY,
    time TEXT NOT NULL,
    version INTEGER NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    action TEXT NOT NULL,
    user TEXT
);
CREATE INDEX IF NOT EXISTS changes_record ON changes (kind, ref, seq);
-- every saved version of an exhibition, and of an object saved by a user (an editor, the API)
CREATE TABLE IF NOT EXISTS revisions (
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    version INTEGER NOT NULL,
    user TEXT,
    time TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, ref, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, identity TEXT UNIQUE, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_user ON tokens (user);
-- failed sign-ins, per account and per address (key), for slowing down guessing
CREATE TABLE IF NOT EXISTS attempts (key TEXT NOT NULL, time REAL NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_key ON attempts (key, time);
-- one row: the number of the latest change handed out (see SqliteStore._log)
CREATE TABLE IF NOT EXISTS change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
"""

# Import jobs live in a database file of their own beside the catalogue's (``<name>.imports.db``): an
# import holds the catalogue's one write lock for its whole transaction, and its job row must be
# written meanwhile (progress, heartbeat) from another connection.
JOBS_SCHEMA = """
CREATE TABLE IF NOT EXISTS imports (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    created TEXT NOT NULL,
    status TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS imports_created ON imports (created);  -- ties: rowid, the order started
"""

_STAMPS = ("version", "created", "updated")
# keys handed as one JSON array: one statement whatever their number (a statement per length of an
# IN list filled sqlite3's statement cache: 13 MB held by an import whose batches' sizes vary)
_IN_KEYS = "IN (SELECT value FROM json_each(?))"
# an object with media that a JSON array of ids (hidden: media of which everyone may see nothing) leaves out
_DIGITISED = f"id IN (SELECT object FROM media) AND id NOT {_IN_KEYS}"
_BROADER = "json_extract(data, '$.broader')"  # a concept's broader one, as the index concepts_broader has it
ATTEMPTS_KEPT = 24 * 3600  # seconds a failed sign-in is remembered

Row = tuple[Any, ...]
Record = TypeVar("Record", DigitalObject, Exhibition)


def from_url(url: str) -> Store:
    """The store at ``sqlite:///abs/path`` (``sqlite:////abs/path``, SQLAlchemy's spelling, too)."""
    parts = urlsplit(url)
    if parts.netloc or not parts.path.startswith("/") or parts.query:
        raise StoreError(f"a SQLite database URL is sqlite:///absolute/path/to/vitrine.db, not {url!r}")
    return SqliteStore("/" + unquote(parts.path).lstrip("/"))


@contextmanager
def _failures(path: Path) -> Iterator[None]:
    """Let no sqlite3.Error out: callers catch StoreError only, whatever the database."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError(f"catalogue database {path}: {exc}") from exc


class SqliteWriter:
    """Writes batches inside one open transaction (see :meth:`SqliteStore.writer`)."""

    def __init__(self, store: SqliteStore, db: sqlite3.Connection, user: str | None = None):
        self.store = store
        self.db = db
        self.user = user
        self.report = WriteReport()

    def write(self, batch: Batch) -> WriteReport:
        """Write one batch; returns what it did (also added up in ``self.report``)."""
        store, db, now = self.store, self.db, _now()
        done = WriteReport()
        # Names (institutions, collections, concepts) are logged too when they change, so whatever
        # is keyed by the store's version (facet labels) follows a rename made on its own.
        _write_names(db, "institutions", "id", "institution",
                     [(i.id, _dumps(i.to_dict()), ()) for i in batch.institutions], now, done)
        _write_names(db, "collections", "id", "collection",
                     [(c.id, _dumps(c.to_dict()), (c.institution,)) for c in batch.collections], now, done)
        _write_names(db, "concepts", "uri", "concept",
                     [(c.uri, _dumps(c.to_dict()), ()) for c in batch.concepts], now, done)
        store._check_media_ids(db, batch.objects)
        for start in range(0, len(batch.objects), 2000):
            store._write_objects(db, batch.objects[start : start + 2000], now, done, self.user)
        for exhibition in batch.exhibitions:
            store._write_exhibition(db, exhibition, now, done, self.user)
        self.report.created += done.created
        self.report.updated += done.updated
        self.report.unchanged += done.unchanged
        self.report.changes += done.changes
        return done

    def compare(self, batch: Batch) -> WriteReport:
        """What writing the batch's objects and exhibitions would do, writing nothing (a dry run's
        figures: the rule of :meth:`write`, a record whose content is the stored one is unchanged)."""
        done, now = WriteReport(), _now()
        objects = [(o.id, o) for o in batch.objects]
        exhibitions = [(e.slug, e) for e in batch.exhibitions]
        for table, key, kind, items in (("objects", "id", "object", objects),
                                        ("exhibitions", "slug", "exhibition", exhibitions)):
            keys = json.dumps([ref for ref, _ in items])
            stored: dict[str, str] = dict(self.db.execute(f"SELECT {key}, data FROM {table} WHERE {key} {_IN_KEYS}",
                                                          (keys,)).fetchall())
            for ref, item in items:
                old = stored.get(ref)
                if old == _dumps(_content(item.to_dict())):
                    done.unchanged += 1
                    continue
                if old is None:
                    done.created += 1
                else:
                    done.updated += 1
                done.changes.append(Change(0, now, kind, ref, "create" if old is None else "update"))
        return done

    def object_ids_within(self, scope: str, values: Iterable[str]) -> list[str]:
        values = list(values)
        if not values:
            return []
        if scope == "source":  # a prefix compared as text: LIKE would read % and _ in URLs
            clause = " OR ".join("substr(json_extract(data, '$.source'), 1, ?) = ?" for _ in values)
            params: list[Any] = [p for prefix in values for p in (len(prefix), prefix)]
        else:
            clause = (f"institution {_IN_KEYS}" if scope == "institution"
                      else f"id IN (SELECT object FROM memberships WHERE collection {_IN_KEYS})")
            params = [json.dumps(values)]
        return [row[0] for row in self.db.execute(f"SELECT id FROM objects WHERE {clause} ORDER BY id", params)]

    def withdraw(self, ids: Iterable[str], user: str | None = None) -> list[str]:
        now, done = _now(), []
        for object_id in ids:
            row = self.db.execute(
                "SELECT version, created, updated, data FROM objects WHERE id = ?", (object_id,)
            ).fetchone()
            if row:
                self.db.execute("INSERT OR REPLACE INTO withdrawn VALUES (?, ?, ?, ?, ?, ?)", (object_id, now, *row))
                self.db.execute("DELETE FROM objects WHERE id = ?", (object_id,))
                self.report.changes.append(Change(0, now, "object", object_id, "delete", user))
                done.append(object_id)
        return done

    def delete(self, ids: Iterable[str], user: str | None = None, table: str = "objects") -> list[str]:
        now, done = _now(), []
        for object_id in ids:
            if self.db.execute(f"DELETE FROM {table} WHERE id = ?", (object_id,)).rowcount:
                self.report.changes.append(Change(0, now, "object", object_id, "delete", user))
                done.append(object_id)
        return done


def _write_names(db: sqlite3.Connection, table: str, key: str, kind: str,
                 rows: list[tuple[str, str, tuple[str, ...]]], now: str, report: WriteReport) -> None:
    """Write the (key, data, other columns) rows whose data differs from what is stored, logging each."""
    keys = json.dumps([row[0] for row in rows])
    stored: dict[str, str] = dict(db.execute(f"SELECT {key}, data FROM {table} WHERE {key} {_IN_KEYS}",
                                             (keys,)).fetchall())
    changed = [row for row in dict((row[0], row) for row in rows).values() if stored.get(row[0]) != row[1]]
    if not changed:
        return
    columns = 2 + len(changed[0][2])
    db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({','.join('?' * columns)})",
                   [(ref, *others, data) for ref, data, others in changed])
    report.changes += [Change(0, now, kind, ref, "update" if ref in stored else "create") for ref, _, _ in changed]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _stamp(item: Record, kind: str, ref: str, old: Row | None, data: str, now: str, report: WriteReport) -> bool:
    """Set version and times from the stored row ``old`` (version, created, data, updated); False if unchanged."""
    if old and old[2] == data:
        report.unchanged += 1
        item.version, item.created = old[0], old[1]
        return False
    item.version = old[0] + 1 if old else 1
    item.created = old[1] if old else now
    item.updated = now
    if old:
        report.updated += 1
    else:
        report.created += 1
    report.changes.append(Change(0, now, kind, ref, "update" if old else "create"))
    return True


def _check_version(db: sqlite3.Connection, table: str, key: str, kind: str, ref: str, expected: int) -> None:
    """StaleVersion unless the record stands at ``expected`` (0: not there), read inside the write's
    transaction, so no other save can come between the check and the write."""
    row = db.execute(f"SELECT version FROM {table} WHERE {key} = ?", (ref,)).fetchone()
    current = row[0] if row else 0
    if current != expected:
        raise StaleVersion(kind, ref, expected, current)


def _keep_revision(db: sqlite3.Connection, kind: str, ref: str, old: Row | None, version: int,
                   user: str | None, now: str, data: str) -> None:
    """Keep the version just written, and the one it replaces if no revision holds it yet (an object
    imported, then edited: its imported version can be restored)."""
    if old is not None:
        db.execute("INSERT OR IGNORE INTO revisions VALUES (?, ?, ?, ?, ?, ?)",
                   (kind, ref, old[0], None, old[3], old[2]))
    db.execute("INSERT OR REPLACE INTO revisions VALUES (?, ?, ?, ?, ?, ?)", (kind, ref, version, user, now, data))


def _decode(row: Row, kind: type[Record]) -> Record:
    """A stored (version, created, updated, data) row as a model object of ``kind``."""
    data = json.loads(row[3])
    data.update(version=row[0], created=row[1], updated=row[2])
    return kind.from_dict(data)


def _content(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in _STAMPS}


class SqliteStore:
    """The catalogue's SQLite database (a ``Store``). Safe to share between threads.

    Constructing it touches no file: the first query creates the folder and the schema.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path).absolute()
        self._local = threading.local()
        self._listeners: list[Callable[[list[Change]], None]] = []
        self._schema_ready = False

    @property
    def url(self) -> str:
        return "sqlite://" + quote(str(self.path))

    # -- connections -------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        """This thread's connection; the first one of the store also creates the folder and schema."""
        db = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _failures(self.path):
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("PRAGMA foreign_keys=ON")
                db.execute("PRAGMA journal_size_limit=67108864")  # a big import must not leave a huge WAL
                if not self._schema_ready:
                    db.executescript(SCHEMA)
                    if "user" not in {row[1] for row in db.execute("PRAGMA table_info(changes)")}:
                        db.execute("ALTER TABLE changes ADD COLUMN user TEXT")  # a store from before issue 12
                    self._schema_ready = True
            self._local.db = db
        return db

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """The rows of one read."""
        with _failures(self.path):
            return self._db().execute(sql, tuple(params)).fetchall()

    def _one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """The first row of one read, or None."""
        rows = self._query(sql, params)
        return rows[0] if rows else None

    def close(self) -> None:
        for name in ("db", "jobs"):
            db = getattr(self._local, name, None)
            if db is not None:
                db.close()
                setattr(self._local, name, None)

    @contextmanager
    def exclusive(self, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
        """Be the catalogue's one writer, across processes, for the whole block (re-entrant).

        A long import holds SQLite's write lock for minutes; a second writer would fail with
        "database is locked" after the busy timeout. Here it waits its turn instead, and
        ``waiting(who)`` hears once that it does (a command says so).
        """
        if getattr(self._local, "exclusive", 0):
            self._local.exclusive += 1
            try:
                yield
            finally:
                self._local.exclusive -= 1
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting:
                    lock.seek(0)
                    waiting(lock.read().strip() or "another process")
                fcntl.flock(lock, fcntl.LOCK_EX)
            lock.truncate(0)
            lock.write(f"process {os.getpid()}")
            lock.flush()
            self._local.exclusive = 1
            try:
                yield
            finally:
                self._local.exclusive = 0
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def _transaction(self, user: str | None = None) -> Iterator[SqliteWriter]:
        """One write transaction; its changes are numbered as the last step before COMMIT."""
        with self.exclusive(), _failures(self.path):
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                writer = SqliteWriter(self, db, user)
                yield writer
                writer.report.changes = self._log(db, writer.report.changes, user)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:  # also when COMMIT itself failed (disk full, I/O error)
                    db.execute("ROLLBACK")
                raise

    def subscribe(self, listener: Callable[[list[Change]], None]) -> None:
        """Call ``listener(changes)`` after every commit that changed something."""
        self._listeners.append(listener)

    def notify(self, changes: list[Change]) -> None:
        """Tell the listeners about committed changes (for a writer that committed with ``notify=False``)."""
        if changes:
            for listener in self._listeners:
                listener(changes)

    # -- writes ------------------------------------------------------------

    def write(self, batch: Batch, user: str | None = None) -> WriteReport:
        """Commit a whole batch in one transaction; re-importing an id updates it.

        An object whose content is unchanged keeps its version and logs nothing.
        """
        with self.writer(user=user) as writer:
            writer.write(batch)
        return writer.report

    @contextmanager
    def writer(self, notify: bool = True, user: str | None = None) -> Iterator[SqliteWriter]:
        """One transaction for many batches (a long import streams through it).

        Leaving the block normally commits and then tells the listeners (unless
        ``notify`` is off: a command that shows their progress calls them itself);
        an exception rolls everything back and tells no one.
        """
        with self._transaction(user) as writer:
            yield writer
        if notify:
            self.notify(writer.report.changes)

    def _check_media_ids(self, db: sqlite3.Connection, objects: list[DigitalObject]) -> None:
        """Media ids are global (they name images in the Image API): one owner each."""
        owners: dict[str, str] = {}
        for obj in objects:
            for media in obj.media:
                if owners.setdefault(media.id, obj.id) != obj.id:
                    raise StoreError(f"media id {media.id!r} is used by both {owners[media.id]!r} and {obj.id!r}")
        stored = db.execute(f"SELECT id, object FROM media WHERE id {_IN_KEYS}", (json.dumps(list(owners)),))
        for media_id, owner in stored:
            if owners[media_id] != owner:
                raise StoreError(f"media id {media_id!r} already belongs to object {owner!r}")

    def _write_objects(
        self, db: sqlite3.Connection, objects: list[DigitalObject], now: str, report: WriteReport,
        user: str | None = None,
    ) -> None:
        ids = json.dumps([o.id for o in objects])
        existing = {row[0]: row[1:] for row in db.execute(
            f"SELECT id, version, created, data, updated FROM objects WHERE id {_IN_KEYS}", (ids,))}
        rows: list[Row] = []
        members: list[Row] = []
        media: list[Row] = []
        replaced: list[Row] = []
        for obj in objects:
            data = _dumps(_content(obj.to_dict()))
            old = existing.get(obj.id)
            if not _stamp(obj, "object", obj.id, old, data, now, report):
                continue
            if old:
                replaced.append((obj.id,))
            if user is not None:  # an edit, not an import: kept, and the version it replaced too
                _keep_revision(db, "object", obj.id, old, obj.version, user, now, data)
            rows.append((obj.id, obj.type, obj.institution, obj.version, obj.created, now, data))
            members.extend((c, obj.id) for c in obj.collections)
            media.extend((m.id, obj.id, i, _dumps(m.to_dict())) for i, m in enumerate(obj.media))
        db.executemany("DELETE FROM memberships WHERE object = ?", replaced)
        db.executemany("DELETE FROM media WHERE object = ?", replaced)
        db.executemany("INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT OR IGNORE INTO memberships VALUES (?, ?)", members)
        db.executemany("INSERT INTO media VALUES (?, ?, ?, ?)", media)

    def _write_exhibition(self, db: sqlite3.Connection, exhibition: Exhibition, now: str, report: WriteReport,
                          user: str | None = None) -> None:
        data = _dumps(_content(exhibition.to_dict()))
        old = db.execute(
            "SELECT version, created, data, updated FROM exhibitions WHERE slug = ?", (exhibition.slug,)
        ).fetchone()
        if _stamp(exhibition, "exhibition", exhibition.slug, old, data, now, report):
            _keep_revision(db, "exhibition", exhibition.slug, old, exhibition.version, user, now, data)
            db.execute(
                "INSERT OR REPLACE INTO exhibitions VALUES (?, ?, ?, ?, ?, ?)",
                (exhibition.slug, exhibition.status, exhibition.version, exhibition.created, now, data),
            )

    def _log(self, db: sqlite3.Connection, changes: list[Change], user: str | None = None) -> list[Change]:
        """Number ``changes`` from the counter row and append them to the log.

        The UPDATE takes the row's write lock, held until this transaction ends: a
        concurrent writer gets the next numbers only after this one has committed
        (or rolled back, handing its numbers back), so numbers commit in order.
        """
        if not changes:
            return []
        counted = db.execute(
            "UPDATE change_counter SET seq = seq + ? RETURNING seq", (len(changes),)
        ).fetchone() or db.execute(  # the first change since the counter exists: start after the log
            "INSERT INTO change_counter SELECT 1, COALESCE(MAX(seq), 0) + ? FROM changes RETURNING seq",
            (len(changes),),
        ).fetchone()
        first = counted[0] - len(changes) + 1
        changes = [Change(first + i, c.time, c.kind, c.ref, c.action, c.user or user) for i, c in enumerate(changes)]
        db.executemany(
            "INSERT INTO changes (seq, time, kind, ref, action, user) VALUES (?, ?, ?, ?, ?, ?)",
            [(c.seq, c.time, c.kind, c.ref, c.action, c.user) for c in changes],
        )
        return changes

    def put_object(self, obj: DigitalObject, user: str | None = None, expected: int | None = None) -> WriteReport:
        return self._put("objects", "id", "object", obj.id, Batch(objects=[obj]), user, expected)

    def put_exhibition(self, exhibition: Exhibition, user: str | None = None,
                       expected: int | None = None) -> WriteReport:
        return self._put("exhibitions", "slug", "exhibition", exhibition.slug,
                         Batch(exhibitions=[exhibition]), user, expected)

    def _put(self, table: str, key: str, kind: str, ref: str, batch: Batch, user: str | None,
             expected: int | None) -> WriteReport:
        """Write one record in its own transaction, first checking it is still at ``expected``."""
        with self.writer(user=user) as writer:
            if expected is not None:
                _check_version(writer.db, table, key, kind, ref, expected)
            writer.write(batch)
        return writer.report

    def delete_exhibition(self, slug: str, user: str | None = None, expected: int | None = None) -> bool:
        with self._transaction(user) as writer:
            if expected is not None:
                _check_version(writer.db, "exhibitions", "slug", "exhibition", slug, expected)
            gone = writer.db.execute("DELETE FROM exhibitions WHERE slug = ?", (slug,)).rowcount
            if gone:
                writer.report.changes.append(Change(0, _now(), "exhibition", slug, "delete"))
        self.notify(writer.report.changes)
        return bool(gone)

    def delete_object(self, object_id: str, user: str | None = None) -> bool:
        """Remove an object (its media rows and memberships go with it)."""
        return self._delete("objects", object_id, user)

    def _delete(self, table: str, object_id: str, user: str | None = None) -> bool:
        """Delete an object's row from ``table`` (objects, withdrawn) and log the deletion."""
        with self._transaction(user) as writer:
            gone = writer.delete([object_id], table=table)
        self.notify(writer.report.changes)
        return bool(gone)

    # -- reads -------------------------------------------------------------

    def get_object(self, object_id: str) -> DigitalObject | None:
        row = self._one("SELECT version, created, updated, data FROM objects WHERE id = ?", (object_id,))
        return _decode(row, DigitalObject) if row else None

    def get_objects(self, ids: Iterable[str]) -> list[DigitalObject]:
        """Objects in the order of ``ids``; unknown ids are left out."""
        ids = list(ids)
        found = {row[4]: _decode(row, DigitalObject) for row in self._query(
            f"SELECT version, created, updated, data, id FROM objects WHERE id {_IN_KEYS}", (json.dumps(ids),))}
        return [found[i] for i in ids if i in found]

    def object_version(self, object_id: str) -> tuple[int, str] | None:
        """(version, updated) of an object without decoding it: enough for an ETag."""
        row = self._one("SELECT version, updated FROM objects WHERE id = ?", (object_id,))
        return (row[0], row[1]) if row else None

    def iter_objects(self, batch_size: int = 1000) -> Iterator[DigitalObject]:
        """Every object, in id order, read in batches (for index rebuilds)."""
        last = ""
        while rows := self._query(
            "SELECT version, created, updated, data, id FROM objects WHERE id > ? ORDER BY id LIMIT ?",
            (last, batch_size),
        ):
            for row in rows:
                yield _decode(row, DigitalObject)
            last = rows[-1][4]

    def _filter(self, institution: str | None, collection: str | None) -> tuple[str, list[str]]:
        clauses, params = [], []
        if institution:
            clauses.append("institution = ?")
            params.append(institution)
        if collection:
            clauses.append("id IN (SELECT object FROM memberships WHERE collection = ?)")
            params.append(collection)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def list_objects(
        self,
        institution: str | None = None,
        collection: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> list[DigitalObject]:
        """A page of objects in id order, optionally within one institution or collection."""
        where, params = self._filter(institution, collection)
        rows = self._query(
            f"SELECT version, created, updated, data FROM objects{where} ORDER BY id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_decode(row, DigitalObject) for row in rows]

    def object_labels(
        self, institution: str | None = None, offset: int = 0, limit: int = 1000, digitised: bool = False,
        hidden: Collection[str] = (),
    ) -> list[tuple[str, dict[str, list[str]]]]:
        """(id, label) pairs in id order: what a IIIF Collection page lists, without decoding objects.

        ``digitised`` keeps only objects with media, less those ``hidden`` names (those that have a manifest).
        """
        where, params = self._filter(institution, None)
        if digitised:
            where += (" AND " if where else " WHERE ") + _DIGITISED
            params = [*params, json.dumps(sorted(hidden))]
        rows = self._query(
            f"SELECT id, json_extract(data, '$.label') FROM objects{where} ORDER BY id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [(row[0], json.loads(row[1])) for row in rows]

    def digitised_counts(self, hidden: Collection[str] = ()) -> dict[str, int]:
        """Objects with media per institution, less those ``hidden`` names: each institution's Collection's size."""
        return dict(self._query(
            f"SELECT institution, COUNT(*) FROM objects WHERE {_DIGITISED} GROUP BY institution",
            (json.dumps(sorted(hidden)),),
        ))

    def count_objects(self, institution: str | None = None, collection: str | None = None) -> int:
        where, params = self._filter(institution, collection)
        return int(self._query(f"SELECT COUNT(*) FROM objects{where}", params)[0][0])

    def get_media(self, media_id: str) -> MediaEntry | None:
        """A media file with its object's id and rights URI: all the Image API needs."""
        row = self._one(
            "SELECT media.data, media.object, json_extract(objects.data, '$.rights') "
            "FROM media JOIN objects ON objects.id = media.object WHERE media.id = ?",
            (media_id,),
        )
        if not row:
            return None
        return MediaFile.from_dict(json.loads(row[0])), row[1], row[2]

    def iter_media(self) -> Iterator[MediaEntry]:
        """Every media file with its object id and rights (for pre-building tiles)."""
        rows = self._query(
            "SELECT media.data, media.object, json_extract(objects.data, '$.rights') "
            "FROM media JOIN objects ON objects.id = media.object ORDER BY media.object, media.position"
        )
        for data, object_id, rights in rows:
            yield MediaFile.from_dict(json.loads(data)), object_id, rights

    def media_of(self, object_ids: Iterable[str]) -> dict[str, list[MediaFile]]:
        found: dict[str, list[MediaFile]] = {}
        for object_id, data in self._query(f"SELECT object, data FROM media WHERE object {_IN_KEYS} "
                                           "ORDER BY object, position", (json.dumps(list(object_ids)),)):
            found.setdefault(object_id, []).append(MediaFile.from_dict(json.loads(data)))
        return found

    def institutions(self) -> list[Institution]:
        rows = self._query("SELECT data FROM institutions ORDER BY id")
        return [Institution.from_dict(json.loads(r[0])) for r in rows]

    def get_institution(self, institution_id: str) -> Institution | None:
        row = self._one("SELECT data FROM institutions WHERE id = ?", (institution_id,))
        return Institution.from_dict(json.loads(row[0])) if row else None

    def collections(self, institution: str | None = None) -> list[CollectionInfo]:
        where, params = (" WHERE institution = ?", [institution]) if institution else ("", [])
        rows = self._query(f"SELECT data FROM collections{where} ORDER BY id", params)
        return [CollectionInfo.from_dict(json.loads(r[0])) for r in rows]

    def get_collection(self, collection_id: str) -> CollectionInfo | None:
        row = self._one("SELECT data FROM collections WHERE id = ?", (collection_id,))
        return CollectionInfo.from_dict(json.loads(row[0])) if row else None

    def concepts(self, uris: Iterable[str] | None = None) -> list[Concept]:
        """The given concepts (unknown URIs left out), or the whole thesaurus."""
        if uris is None:
            rows = self._query("SELECT data FROM concepts ORDER BY uri")
        else:
            rows = self._query(f"SELECT data FROM concepts WHERE uri {_IN_KEYS} ORDER BY uri",
                               (json.dumps(list(uris)),))
        return [Concept.from_dict(json.loads(r[0])) for r in rows]

    def narrower(self, uri: str) -> list[Concept]:
        rows = self._query(f"SELECT data FROM concepts WHERE {_BROADER} = ? ORDER BY uri", (uri,))
        return [Concept.from_dict(json.loads(r[0])) for r in rows]

    def descendants(self, uri: str, limit: int) -> list[str]:
        found: set[str] = set()
        level = [uri]
        while level and len(found) < limit:  # a level at a time, each one read from the index concepts_broader
            rows = self._query(f"SELECT uri FROM concepts WHERE {_BROADER} {_IN_KEYS}", (json.dumps(level),))
            level = [r[0] for r in rows if r[0] not in found and r[0] != uri]  # a thesaurus that loops ends
            found.update(level)
        return sorted(found)[:limit]

    def concepts_count(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM concepts")[0][0])

    def get_exhibition(self, slug: str) -> Exhibition | None:
        row = self._one("SELECT version, created, updated, data FROM exhibitions WHERE slug = ?", (slug,))
        return _decode(row, Exhibition) if row else None

    def exhibitions(self, status: str | None = None) -> list[Exhibition]:
        where, params = (" WHERE status = ?", [status]) if status else ("", [])
        rows = self._query(f"SELECT version, created, updated, data FROM exhibitions{where} ORDER BY slug", params)
        return [_decode(row, Exhibition) for row in rows]

    def object_ids(self) -> list[str]:
        """Every object id, in order (to split a full index rebuild between processes)."""
        return [row[0] for row in self._query("SELECT id FROM objects ORDER BY id")]

    # -- the change log (its rule: catalogue/store/__init__.py) -------------

    def last_seq(self) -> int:
        """The number of the latest committed change (0 before any): where a derived index stands."""
        return int(self._query("SELECT COALESCE(MAX(seq), 0) FROM changes")[0][0])

    def changes(self, since: int = 0, limit: int = 1000) -> list[Change]:
        """The change log after number ``since``, oldest first, read in one snapshot."""
        rows = self._query(
            "SELECT seq, time, kind, ref, action, user FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
            (since, limit),
        )
        return [Change(*row) for row in rows]

    def changes_for(self, kind: str, ref: str, limit: int = 200) -> list[Change]:
        rows = self._query(
            "SELECT seq, time, kind, ref, action, user FROM changes WHERE kind = ? AND ref = ? "
            "ORDER BY seq DESC LIMIT ?", (kind, ref, limit),
        )
        return [Change(*row) for row in rows]

    # -- revisions -----------------------------------------------------------

    def revisions(self, kind: str, ref: str) -> list[Revision]:
        rows = self._query(
            "SELECT kind, ref, version, user, time, data FROM revisions WHERE kind = ? AND ref = ? "
            "ORDER BY version DESC", (kind, ref),
        )
        return [Revision(row[0], row[1], row[2], row[3], row[4], json.loads(row[5])) for row in rows]

    def get_revision(self, kind: str, ref: str, version: int) -> Revision | None:
        row = self._one(
            "SELECT kind, ref, version, user, time, data FROM revisions WHERE kind = ? AND ref = ? AND version = ?",
            (kind, ref, version),
        )
        return Revision(row[0], row[1], row[2], row[3], row[4], json.loads(row[5])) if row else None

    # -- accounts --------------------------------------------------------------

    def _account_write(self, sql: str, params: Iterable[Any]) -> int:
        """One write to the accounts' tables, in its own short transaction (the change log is not
        involved: users and tokens are not catalogue content)."""
        with _failures(self.path):
            db = self._db()
            try:
                return db.execute(sql, tuple(params)).rowcount
            except sqlite3.IntegrityError as exc:
                raise StoreError(f"refused: {exc}") from exc

    def get_user(self, name: str) -> User | None:
        row = self._one("SELECT data FROM users WHERE name = ?", (name,))
        return User.from_dict(json.loads(row[0])) if row else None

    def user_by_identity(self, identity: str) -> User | None:
        row = self._one("SELECT data FROM users WHERE identity = ?", (identity,))
        return User.from_dict(json.loads(row[0])) if row else None

    def users(self) -> list[User]:
        return [User.from_dict(json.loads(row[0])) for row in self._query("SELECT data FROM users ORDER BY name")]

    def put_user(self, user: User) -> None:
        if user.created is None:
            user.created = _now()
        self._account_write(  # an update in place: REPLACE would delete the row, and its tokens with it
            "INSERT INTO users VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET identity = excluded.identity,"
            " data = excluded.data", (user.name, user.identity, _dumps(user.to_dict())))

    def delete_user(self, name: str) -> bool:
        return self._account_write("DELETE FROM users WHERE name = ?", (name,)) > 0

    def put_token(self, token: ApiToken) -> None:
        self._account_write("INSERT INTO tokens VALUES (?, ?, ?)", (token.id, token.user, _dumps(vars(token))))

    def get_token(self, token_id: str) -> ApiToken | None:
        row = self._one("SELECT data FROM tokens WHERE id = ?", (token_id,))
        return ApiToken(**json.loads(row[0])) if row else None

    def tokens(self, user: str) -> list[ApiToken]:
        rows = self._query("SELECT data FROM tokens WHERE user = ? ORDER BY json_extract(data, '$.created') DESC,"
                           " rowid DESC", (user,))
        return [ApiToken(**json.loads(r[0])) for r in rows]

    def delete_token(self, token_id: str) -> bool:
        return self._account_write("DELETE FROM tokens WHERE id = ?", (token_id,)) > 0

    def touch_token(self, token_id: str, time: str) -> None:
        self._account_write("UPDATE tokens SET data = json_set(data, '$.last_used', ?) WHERE id = ?", (time, token_id))

    def add_attempt(self, keys: Iterable[str], time: float) -> None:
        with _failures(self.path):
            db = self._db()
            with db:  # one short transaction
                db.execute("BEGIN IMMEDIATE")
                db.execute("DELETE FROM attempts WHERE time < ?", (time - ATTEMPTS_KEPT,))
                db.executemany("INSERT INTO attempts VALUES (?, ?)", [(key, time) for key in keys])

    def count_attempts(self, key: str, since: float) -> int:
        return int(self._query("SELECT COUNT(*) FROM attempts WHERE key = ? AND time >= ?", (key, since))[0][0])

    def clear_attempts(self, key: str) -> None:
        self._account_write("DELETE FROM attempts WHERE key = ?", (key,))

    # -- import jobs (their own database file: see JOBS_SCHEMA) -------------------------------------

    def _jobs(self) -> sqlite3.Connection:
        db = getattr(self._local, "jobs", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _failures(self.path):
                db = sqlite3.connect(self.path.with_name(self.path.name + ".imports.db"), timeout=30,
                                     isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(JOBS_SCHEMA)
            self._local.jobs = db
        return db

    def put_import(self, job: ImportJob) -> None:
        with _failures(self.path):
            self._jobs().execute(  # an update keeps the row's rowid: the order jobs were started in
                "INSERT INTO imports VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET user = excluded.user,"
                " created = excluded.created, status = excluded.status, data = excluded.data",
                (job.id, job.user, job.created, job.status, _dumps(vars(job))))

    def get_import(self, job_id: str) -> ImportJob | None:
        with _failures(self.path):
            row = self._jobs().execute("SELECT data FROM imports WHERE id = ?", (job_id,)).fetchone()
        return ImportJob(**json.loads(row[0])) if row else None

    def imports(self, offset: int = 0, limit: int = 20, statuses: Iterable[str] | None = None) -> list[ImportJob]:
        wanted = list(statuses or ())
        where = f" WHERE status {_IN_KEYS}" if wanted else ""
        with _failures(self.path):
            rows = self._jobs().execute(
                f"SELECT data FROM imports{where} ORDER BY created DESC, rowid DESC LIMIT ? OFFSET ?",
                (*([json.dumps(wanted)] if wanted else []), limit, offset),
            ).fetchall()
        return [ImportJob(**json.loads(row[0])) for row in rows]

    def count_imports(self) -> int:
        with _failures(self.path):
            return int(self._jobs().execute("SELECT COUNT(*) FROM imports").fetchone()[0])

    # -- withdrawal: an object out of the public catalogue, kept aside so it can come back --------

    def withdraw_object(self, object_id: str, user: str | None = None) -> bool:
        """Take an object out of the catalogue (its media rows and memberships go), keeping its record
        aside for :meth:`restore_object`; logs a delete, which every derived thing follows."""
        with self._transaction(user) as writer:
            gone = writer.withdraw([object_id])
        self.notify(writer.report.changes)
        return bool(gone)

    def restore_object(self, object_id: str, user: str | None = None) -> bool:
        """Put a withdrawn object back, one version newer; logs a create. StoreError if its id or
        a media id of it was taken meanwhile."""
        now = _now()
        with self._transaction(user) as writer:
            db = writer.db
            row = db.execute(
                "SELECT version, created, updated, data FROM withdrawn WHERE id = ?", (object_id,)
            ).fetchone()
            if not row:
                return False
            if db.execute("SELECT 1 FROM objects WHERE id = ?", (object_id,)).fetchone():
                raise StoreError(f"an object {object_id!r} is in the catalogue again; it cannot be restored over it")
            obj = _decode(row, DigitalObject)
            self._check_media_ids(db, [obj])
            self._write_objects(db, [obj], now, writer.report)
            db.execute("UPDATE objects SET version = ?, created = ? WHERE id = ?", (row[0] + 1, row[1], object_id))
            db.execute("DELETE FROM withdrawn WHERE id = ?", (object_id,))
        self.notify(writer.report.changes)
        return True

    def get_withdrawn(self, object_id: str) -> DigitalObject | None:
        """A withdrawn object's record, as it was when withdrawn."""
        row = self._one("SELECT version, created, updated, data FROM withdrawn WHERE id = ?", (object_id,))
        return _decode(row, DigitalObject) if row else None

    def withdrawn_objects(self) -> list[DigitalObject]:
        rows = self._query("SELECT version, created, updated, data FROM withdrawn ORDER BY id", ())
        return [_decode(row, DigitalObject) for row in rows]

    def is_withdrawn(self, object_id: str) -> bool:
        """Whether the id names a withdrawn object (a visitor gets 410 Gone, an import is refused)."""
        return self._one("SELECT 1 FROM withdrawn WHERE id = ?", (object_id,)) is not None

    def forget_withdrawn(self, object_id: str, user: str | None = None) -> bool:
        """Delete a withdrawn object for good; logs a delete."""
        return self._delete("withdrawn", object_id, user)
