"""The catalogue's public view: what visitors, crawlers and API clients may read of the store.

Drafts and withdrawn objects are invisible here, and this is where that is decided for the
pages, the JSON API, the sitemap and content states: a name that shows nothing public raises
:class:`NotFound`, one that was withdrawn :class:`Gone` (its doors answer 410, not 404).
What a requester may see of a work's *media* is the access policy's (catalogue/access.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..model import (
    CollectionInfo,
    Concept,
    DigitalObject,
    Exhibition,
    ExhibitionItem,
    Institution,
    MediaFile,
    Section,
    User,
    is_id,
)
from ..roles import may_preview
from ..store import Store
from ..urls import Urls

SITEMAP_SIZE = 50_000  # URLs per sitemap file, the protocol's limit


class NotFound(LookupError):
    """Nothing public goes by this name (unknown, a draft, or not a valid id)."""


class Gone(NotFound):
    """An object that was in the catalogue and was withdrawn from it."""


@dataclass
class ObjectView:
    """An object with what its page names: its institution, collections and subjects."""

    obj: DigitalObject
    institution: Institution | None
    collections: list[CollectionInfo]
    concepts: list[Concept]


@dataclass
class Overview:
    """What the home page shows of the catalogue: who holds what, and how much."""

    institutions: list[tuple[Institution, int]]
    collections: list[tuple[CollectionInfo, int]]
    exhibitions: list[Exhibition]  # published only
    samples: dict[str, list[DigitalObject]]  # the first few objects of each institution
    total: int


@dataclass
class InstitutionView:
    institution: Institution
    collections: list[tuple[CollectionInfo, int]]
    total: int


@dataclass
class CollectionView:
    collection: CollectionInfo
    institution: Institution | None
    total: int


@dataclass
class Stop:
    """A work on an exhibition's route as visitors walk it: numbered from 1 along the whole route."""

    number: int
    section: Section
    item: ExhibitionItem
    obj: DigitalObject

    @property
    def media(self) -> MediaFile:
        return self.obj.media[self.item.media]


@dataclass
class Route:
    """An exhibition's stops in order, as visitors walk it (items whose work is not public are left out)."""

    exhibition: Exhibition
    stops: list[Stop]

    @property
    def sections(self) -> list[tuple[Section, list[Stop]]]:
        return [(s, [stop for stop in self.stops if stop.section is s]) for s in self.exhibition.sections]

    def stop(self, number: int, object_id: str) -> Stop | None:
        """Stop ``number`` if it shows ``object_id`` (a link from the route names both), else None."""
        found = self.stops[number - 1] if 1 <= number <= len(self.stops) else None
        return found if found and found.obj.id == object_id else None


class Catalogue:
    """Reads for the public: one object, a page's lists, published exhibitions, counts, sitemap files."""

    def __init__(self, store: Store, media_dir: Path):
        self.store, self.media_dir = store, media_dir

    # -- objects ---------------------------------------------------------------------

    def object(self, object_id: str) -> DigitalObject:
        """A public object; Gone when it was withdrawn, NotFound when there is none."""
        obj = self.store.get_object(object_id) if is_id(object_id) else None
        if obj is None:
            raise self._missing(object_id)
        return obj

    def object_version(self, object_id: str) -> tuple[int, str]:
        """(version, updated) of a public object without reading it: enough for a 304."""
        version = self.store.object_version(object_id) if is_id(object_id) else None
        if version is None:
            raise self._missing(object_id)
        return version

    def _missing(self, object_id: str) -> NotFound:
        return Gone(object_id) if is_id(object_id) and self.store.is_withdrawn(object_id) else NotFound(object_id)

    def object_view(self, object_id: str) -> ObjectView:
        obj = self.object(object_id)
        return ObjectView(
            obj,
            self.store.get_institution(obj.institution),
            [c for c in (self.store.get_collection(c) for c in obj.collections) if c],
            self.store.concepts(obj.subjects),
        )

    def objects(self, ids: Iterable[str]) -> dict[str, DigitalObject]:
        """The public objects among ``ids``, by id (unknown and withdrawn ones left out)."""
        return {o.id: o for o in self.store.get_objects(dict.fromkeys(ids))}

    def media(self, media_id: str) -> tuple[MediaFile, str | None]:
        """A media file of a public object, with its object's rights; NotFound when there is none."""
        found = self.store.get_media(media_id) if is_id(media_id) else None
        if found is None:
            raise NotFound(media_id)
        return found[0], found[2]

    def media_file(self, media: MediaFile) -> Path:
        """The file of a media entry, inside media/ only; FileNotFoundError when it is not there."""
        path = (self.media_dir / media.path).resolve()
        if not path.is_relative_to(self.media_dir.resolve()) or not path.is_file():
            raise FileNotFoundError(media.id)
        return path

    # -- who holds what ----------------------------------------------------------------

    def overview(self, samples: int = 4) -> Overview:
        institutions = self.store.institutions()
        counts = {i.id: self.store.count_objects(institution=i.id) for i in institutions}
        return Overview(
            institutions=[(i, counts[i.id]) for i in institutions],
            collections=self._counted(self.store.collections()),
            exhibitions=self.exhibitions(),
            samples={i.id: self.store.list_objects(institution=i.id, limit=samples) for i in institutions},
            total=sum(counts.values()),
        )

    def institution(self, institution_id: str) -> InstitutionView:
        institution = self.store.get_institution(institution_id)
        if institution is None:
            raise NotFound(institution_id)
        return InstitutionView(institution, self._counted(self.store.collections(institution_id)),
                               self.store.count_objects(institution=institution_id))

    def collection(self, collection_id: str) -> CollectionView:
        collection = self.store.get_collection(collection_id)
        if collection is None:
            raise NotFound(collection_id)
        return CollectionView(collection, self.store.get_institution(collection.institution),
                              self.store.count_objects(collection=collection_id))

    def _counted(self, collections: list[CollectionInfo]) -> list[tuple[CollectionInfo, int]]:
        return [(c, self.store.count_objects(collection=c.id)) for c in collections]

    # -- exhibitions -------------------------------------------------------------------

    def exhibitions(self) -> list[Exhibition]:
        """The published exhibitions (a draft is the curators' alone)."""
        return [e for e in self.store.exhibitions() if e.published]

    def exhibition(self, slug: str, user: User | None = None) -> Exhibition:
        """A published exhibition; NotFound for a draft (or one not open yet) as for a slug that names
        nothing, except to ``user`` when they may preview it (its curators, the admins: roles.may_preview)."""
        exhibition = self.store.get_exhibition(slug)
        if exhibition is None or not (exhibition.published or may_preview(user, exhibition)):
            raise NotFound(slug)
        return exhibition

    def route(self, slug: str, user: User | None = None) -> Route:
        """An exhibition's numbered stops, as visitors see them; NotFound as for :meth:`exhibition`
        (so a curator's preview is this same route, not a copy of it)."""
        exhibition = self.exhibition(slug, user)
        objects = self.works([exhibition])
        stops: list[Stop] = []
        for section in exhibition.sections:
            for item in section.items:
                obj = objects.get(item.object)
                if obj is not None and item.media < len(obj.media):
                    stops.append(Stop(len(stops) + 1, section, item, obj))
        return Route(exhibition, stops)

    def works(self, exhibitions: Iterable[Exhibition]) -> dict[str, DigitalObject]:
        """The public objects these exhibitions show, by id."""
        return self.objects(i.object for e in exhibitions for i in e.items)

    # -- for crawlers --------------------------------------------------------------------

    def version(self) -> str:
        """Names this state of this catalogue: it changes with every commit (a cache key)."""
        return f"{self.store.url} {self.store.last_seq()}"

    def sitemap_files(self) -> int:
        """How many sitemap files there are: the page list, then the objects in files of SITEMAP_SIZE."""
        return 1 + -(-self.store.count_objects() // SITEMAP_SIZE)

    def sitemap(self, number: int, urls: Urls) -> list[str]:
        """The URLs sitemap file ``number`` lists: the public pages first, then object pages."""
        if not 1 <= number <= self.sitemap_files():
            raise NotFound(str(number))
        if number == 1:
            return [
                urls.page("/"), urls.page("/exhibitions"),
                *(urls.institution_page(i.id) for i in self.store.institutions()),
                *(urls.collection_page(c.id) for c in self.store.collections()),
                *(urls.exhibition_page(e.slug) for e in self.exhibitions()),
            ]
        ids = self.store.object_labels(offset=(number - 2) * SITEMAP_SIZE, limit=SITEMAP_SIZE)
        return [urls.object_page(object_id) for object_id, _label in ids]
