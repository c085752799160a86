"""IIIF documents assembled from the store, cached by version.

A repeat request for an unchanged object costs a version lookup (and a 304) or a
dictionary hit; only a new version builds again.
"""
from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

from ..access import AccessPolicy
from ..store import Store
from ..urls import Urls
from ..version import __version__
from . import presentation, presentation2


@dataclass(frozen=True)
class Document:
    body: bytes
    etag: str
    modified: str | None = None  # ISO time of the last change, for Last-Modified

    @cached_property
    def gzipped(self) -> bytes | None:
        """The body gzip-compressed, once per cached document; None when it is too small to gain."""
        return compressed(self.body)


GZIP_MIN = 1024  # bytes: below this, gzip saves less than a packet


def compressed(body: bytes) -> bytes | None:
    """``body`` gzip-compressed (deterministically: no time stamp), or None if it is not worth it."""
    return gzip.compress(body, compresslevel=6, mtime=0) if len(body) > GZIP_MIN else None


def versioned_etag(etag: str, version: int) -> str:
    """The ETag of a document in Presentation ``version``: each form its own tag, the 3.0 one unchanged."""
    return etag if version == 3 else f'{etag[:-1]}-p{version}"'


def _encode(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, (__version__, *parts))).encode()).hexdigest()[:20]


class _Lru:
    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


REREAD_ALL = 5000  # changed objects past which hidden() reads every media file again (faster than each object)


class Documents:
    """Builds and caches every Presentation document the catalogue serves."""

    def __init__(self, store: Store, policy: AccessPolicy, page_size: int, cache_size: int = 512,
                 languages: tuple[str, ...] = ("en", "nl", "fr", "de")):
        self.store = store
        self.policy = policy
        self.page_size = page_size
        self.languages = languages  # every language map lists these first, in this order
        self.cache = _Lru(cache_size)
        self._hidden: set[str] = set()  # hidden(), as of the change numbered _hidden_seq (-1: not read yet)
        self._hidden_seq = -1
        self._hidden_lock = threading.Lock()

    def _ordered(self, doc: dict) -> dict:
        return presentation.in_language_order(doc, self.languages)

    def object_etag(self, object_id: str, urls: Urls) -> tuple[str, str] | None:
        """(ETag, updated) of an object's manifest, without building it; None if unknown."""
        version = self.store.object_version(object_id)
        if version is None:
            return None
        return f'"{_digest(object_id, version[0], urls.key, self.policy.key, *self.languages)}"', version[1]

    def object_manifest(self, object_id: str, urls: Urls) -> Document | None:
        tag = self.object_etag(object_id, urls)
        if tag is None:
            return None
        cached = self.cache.get(("object", tag[0]))
        if cached:
            return cached
        obj = self.store.get_object(object_id)
        if obj is None or not presentation.has_manifest(self.policy, obj):
            return None
        institution = self.store.get_institution(obj.institution)
        concepts = {c.uri: c for c in self.store.concepts(obj.subjects)}
        doc = self._ordered(presentation.object_manifest(obj, institution, concepts, urls, self.policy))
        document = Document(_encode(doc), tag[0], tag[1])
        self.cache.put(("object", tag[0]), document)
        return document

    def _exhibition(self, slug: str, drafts: bool):
        exhibition = self.store.get_exhibition(slug)
        if exhibition is None or not (exhibition.published or drafts):
            return None, {}
        objects = {o.id: o for o in self.store.get_objects(dict.fromkeys(i.object for i in exhibition.items))}
        return exhibition, objects

    def _exhibition_document(self, kind: str, slug: str, urls: Urls, drafts: bool) -> Document | None:
        exhibition, objects = self._exhibition(slug, drafts)
        if exhibition is None:
            return None
        key = (kind, _digest(slug, exhibition.version, urls.key, self.policy.key, *self.languages,
                             *sorted((o.id, o.version) for o in objects.values())))
        cached = self.cache.get(key)
        if cached:
            return cached
        if kind == "exhibition-manifest":
            doc = presentation.exhibition_manifest(exhibition, objects, urls, self.policy)
            if not doc["items"]:
                return None  # no work of it everyone may see: no manifest (one has a canvas at least)
        else:
            doc = presentation.exhibition_collection(exhibition, objects, urls, self.policy)
        doc = self._ordered(doc)
        document = Document(_encode(doc), f'"{key[1]}"', exhibition.updated)
        self.cache.put(key, document)
        return document

    def exhibition_manifest(self, slug: str, urls: Urls, drafts: bool = False) -> Document | None:
        return self._exhibition_document("exhibition-manifest", slug, urls, drafts)

    def exhibition_collection(self, slug: str, urls: Urls, drafts: bool = False) -> Document | None:
        return self._exhibition_document("exhibition-collection", slug, urls, drafts)

    def hidden(self) -> frozenset[str]:
        """The works with media of which everyone may see nothing (a 3D model in copyright; every work
        under the deny policy): they have no manifest, so no collection lists them.

        Worked out from every media file once, then kept in step with the change log: a request after
        an edit reads the objects it changed, not every media file again (2 s for 100,000 of them)."""
        with self._hidden_lock:
            changed: set[str] = set()
            while self._hidden_seq >= 0 and len(changed) <= REREAD_ALL and \
                    (page := self.store.changes(since=self._hidden_seq, limit=1000)):
                changed.update(c.ref for c in page if c.kind == "object")
                self._hidden_seq = page[-1].seq
            if self._hidden_seq < 0 or len(changed) > REREAD_ALL:
                self._hidden_seq = self.store.last_seq()  # before reading: a change meanwhile is read again
                rows = itertools.groupby(self.store.iter_media(), key=lambda row: (row[1], row[2]))  # by object
                self._hidden = {object_id for (object_id, rights), media in rows
                                if not presentation.shows_any(self.policy, rights, (m for m, _, _ in media))}
            elif changed:
                self._hidden -= changed  # a deleted or withdrawn object is listed nowhere
                self._hidden.update(o.id for o in self.store.get_objects(changed)
                                    if o.media and not presentation.has_manifest(self.policy, o))
            return frozenset(self._hidden)

    def manifest_counts(self) -> dict[str, int]:
        """Works with a manifest, per institution: the size of each institution's IIIF Collection."""
        return self.store.digitised_counts(self.hidden())

    def listed(self, institution_id: str, offset: int = 0, limit: int = 1000) -> list[tuple[str, dict]]:
        """(id, label) of an institution's works with a manifest, in id order: what its Collection lists."""
        return self.store.object_labels(institution_id, offset, limit, digitised=True, hidden=self.hidden())

    def top_collection(self, urls: Urls) -> Document:
        counts = self.manifest_counts()
        institutions = [(i, counts.get(i.id, 0)) for i in self.store.institutions()]
        published = [e for e in self.store.exhibitions() if e.published]
        doc = presentation.top_collection(institutions, published, urls)
        return self._hashed(self._ordered(doc))

    def institution_collection(self, institution_id: str, urls: Urls, page: int | None = None) -> Document | None:
        institution = self.store.get_institution(institution_id)
        if institution is None:
            return None
        count = self.manifest_counts().get(institution_id, 0)
        if page is not None and not 1 <= page <= max(1, -(-count // self.page_size)):
            return None
        if page is None and count > self.page_size:
            entries = []
        else:
            offset = (page - 1) * self.page_size if page else 0
            entries = self.listed(institution_id, offset, self.page_size)
        first = entries[:1] or self.listed(institution_id, 0, 1)
        cover = presentation.cover(self.store.get_object(first[0][0]) if first else None, urls, self.policy)
        doc = presentation.institution_collection(institution, count, entries, urls, self.page_size, page, cover)
        return self._hashed(self._ordered(doc))

    def in_version(self, document: Document, version: int, urls: Urls) -> Document:
        """``document`` (3.0) in Presentation ``version``: the 2.1 form is converted once and cached beside it."""
        if version == 3:
            return document
        key = ("presentation2", document.body)  # not the ETag: an exhibition's manifest and collection share one
        cached = self.cache.get(key)
        if cached:
            return cached
        converted = Document(_encode(presentation2.document(json.loads(document.body), urls)),
                             versioned_etag(document.etag, version), document.modified)
        self.cache.put(key, converted)
        return converted

    @staticmethod
    def _hashed(doc: dict) -> Document:
        body = _encode(doc)
        return Document(body, f'"{hashlib.sha1(body).hexdigest()[:20]}"')
