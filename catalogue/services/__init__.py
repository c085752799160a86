"""The application services: what web/, the CLI and the JSON API call, and what they stand on.

``Services`` is a container on ``app.extensions["vitrine"]``; each member is built on its first
use (once, even when threads ask together), so the factory opens no database and writes no file.
The operations live in modules of their own: :mod:`.catalogue` (the public view: what visitors
may read, drafts and withdrawn objects left out), :mod:`.searching` (search), :mod:`.publishing`
(the IIIF documents as static files), :mod:`.imports` (a batch in), :mod:`.objects` (update,
withdraw, restore, delete), :mod:`.exhibitions` (save, publish, revisions), :mod:`.accounts` (users,
tokens), :mod:`.audit` (who changed what), :mod:`.institutions` (declare who
holds the works), :mod:`.rules` (what a record may refer to) and :mod:`.keeper` (the derived data
follows the store). web/ and cli.py call these; only they touch the store and the search backend.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from flask import current_app

if TYPE_CHECKING:
    from ..access import AccessPolicy
    from ..iiif.documents import Documents
    from ..iiif.image import ImageService
    from ..ingest.remote import Fetcher
    from ..search import SearchBackend
    from ..store import Change, Store
    from .accounts import Accounts
    from .audit import Audit
    from .catalogue import Catalogue
    from .discovery import Discovery
    from .exhibitions import Exhibitions
    from .importing import Importing
    from .imports import Imports
    from .institutions import Institutions
    from .keeper import Keeper
    from .mirroring import Mirroring
    from .objects import Objects
    from .publishing import Publishing
    from .searching import Searching

T = TypeVar("T")


class _member(Generic[T]):
    """A member built on first use, once per container even when threads ask together."""

    def __init__(self, build: Callable[[Services], T]):
        self.build, self.name, self.__doc__ = build, build.__name__, build.__doc__

    @overload
    def __get__(self, services: None, owner: type | None = None) -> _member[T]: ...

    @overload
    def __get__(self, services: Services, owner: type | None = None) -> T: ...

    def __get__(self, services: Services | None, owner: type | None = None) -> T | _member[T]:
        if services is None:
            return self
        try:
            return services.__dict__[self.name]
        except KeyError:
            pass
        with services._building:
            if self.name not in services.__dict__:
                services.__dict__[self.name] = self.build(services)
            return services.__dict__[self.name]


class Services:
    """One catalogue's services, from its configuration; ``members`` hands in ready ones (tests)."""

    def __init__(self, config: dict[str, Any], **members: Any):
        from ..ingest.remote import allowed_networks
        from ..search.facets import FACETS, offered

        self.config = config
        # checked here, when the application is made: a mistyped facet name or network stops it at start
        self.facets = offered(str(config.get("FACETS") or ",".join(FACETS)))
        self.allowed_networks = allowed_networks(config.get("IMPORT_ALLOWED_NETWORKS"))
        self._building = threading.RLock()
        self.__dict__.update(members)
        if "store" in members:
            members["store"].subscribe(self._follow)

    def fetcher(self, **limits: Any) -> Fetcher:
        """A Fetcher under this catalogue's rule of what an import may connect to (IMPORT_ALLOWED_NETWORKS)."""
        from ..ingest.remote import Fetcher

        return Fetcher(allowed=self.allowed_networks, **limits)

    @_member
    def media_dir(self) -> Path:
        return Path(self.config["MEDIA_DIR"])

    @_member
    def store(self) -> Store:
        from ..store import open_store

        store = open_store(self.config["DATABASE_URL"])
        store.subscribe(self._follow)
        return store

    def _follow(self, changes: list[Change]) -> None:
        """Every commit made without ``notify=False``: the index and the tiles follow at once."""
        self.keeper.follow(changes)

    @_member
    def search(self) -> SearchBackend:
        from ..search import open_search

        return open_search(self.config, self.store)

    @_member
    def documents(self) -> Documents:
        from ..catalogs import LANGUAGES
        from ..iiif.documents import Documents
        from ..iiif.presentation import language_order

        return Documents(
            self.store,
            policy=self.access,
            page_size=int(self.config["COLLECTION_PAGE_SIZE"]),
            cache_size=int(self.config["MANIFEST_CACHE_SIZE"]),
            languages=language_order(str(self.config["DEFAULT_LANGUAGE"]).strip() or "en", LANGUAGES),
        )

    @_member
    def images(self) -> ImageService:
        from ..iiif.image import ImageService

        # Touches no file: what a process killed right after its commit left undone (its tile
        # withdrawal) is finished before this process's first image (ImageService.catch_up).
        return ImageService(self.store, self.config, self.access)

    @_member
    def access(self) -> AccessPolicy:
        """What a requester may see of a work: the one access policy (catalogue/access.py)."""
        from ..access import open_policy

        return open_policy(self.config)

    def close(self) -> None:
        """Close what this process opened (the search index's files, the store's connection); a command
        ends with it, so nothing is left to the garbage collector. Members not built stay unbuilt."""
        for name in ("images", "search", "store"):  # the tile thread first: it reads the store
            member = self.__dict__.get(name)
            if member is not None:
                member.close()

    def serve(self) -> None:
        """This process is about to serve (``vitrine serve``, wsgi.py): before the first request, the tiles
        a writer killed right after its commit left at full size go (nginx serves tile files as they are)."""
        self.images.catch_up()
        self.store.close()  # workers forked from here open their own connections

    @_member
    def keeper(self) -> Keeper:
        from .keeper import Keeper

        return Keeper(self.store, self.search, self.images)

    @_member
    def catalogue(self) -> Catalogue:
        """The public view of the catalogue: what pages, the JSON API and crawlers may read."""
        from .catalogue import Catalogue

        return Catalogue(self.store, self.media_dir)

    @_member
    def discovery(self) -> Discovery:
        """Related works, a results list walked work by work, makers' and subjects' pages."""
        from .discovery import Discovery

        return Discovery(self.store, self.search)

    @_member
    def searching(self) -> Searching:
        from .searching import Searching

        return Searching(self.search, self.store, self.facets)

    @_member
    def publishing(self) -> Publishing:
        from .publishing import Publishing

        return Publishing(self.documents, self.store)

    @_member
    def imports(self) -> Imports:
        from .imports import Imports

        return Imports(self.store, self.media_dir, self.keeper, self.fetcher)

    @_member
    def importing(self) -> Importing:
        """Imports from the curator pages: uploads, the dry run, the import in the background, the history."""
        from .importing import Importing

        return Importing(self.store, self.imports, self.config)

    @_member
    def objects(self) -> Objects:
        from .objects import Objects

        return Objects(self.store, self.media_dir, self.keeper)

    @_member
    def mirroring(self) -> Mirroring:
        """Copying loans' remote images into this catalogue's files and tiles, where their rights allow."""
        from .mirroring import Mirroring

        return Mirroring(self.store, self.media_dir, self.objects, self.keeper, self.fetcher)

    @_member
    def exhibitions(self) -> Exhibitions:
        from .exhibitions import Exhibitions

        return Exhibitions(self.store)

    @_member
    def accounts(self) -> Accounts:
        """Users, roles, passwords, API tokens, failed sign-ins."""
        from .accounts import Accounts

        return Accounts(self.store)

    @_member
    def audit(self) -> Audit:
        """Who changed what and when (the change log and the revisions), for the admins."""
        from .audit import Audit

        return Audit(self.store)

    @_member
    def institutions(self) -> Institutions:
        from .institutions import Institutions

        return Institutions(self.store, self.imports)


def services() -> Services:
    """The running application's services."""
    return current_app.extensions["vitrine"]
