"""Operations on single objects: update one, take it out of the catalogue, bring it back, delete it.

Withdrawn: the object leaves every public place (pages, manifests, search, collections, sitemap;
its page and manifest answer 410 Gone) and can be restored. Deleted: gone for good, with the
media files imported for it. Each logs its change; the index and the tiles follow (the keeper).
"""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from ..model import DigitalObject
from ..store import Store, WriteReport
from .keeper import Keeper
from .rules import References


class UnknownObjects(LookupError):
    """Ids that name nothing the operation could act on; nothing was changed."""

    def __init__(self, ids: list[str], what: str):
        self.ids = ids
        super().__init__(f"no {what} {', '.join(map(repr, ids))}; nothing was changed")


class Objects:
    def __init__(self, store: Store, media_dir: Path, keeper: Keeper):
        self.store, self.media_dir, self.keeper = store, media_dir, keeper

    def update(self, obj: DigitalObject) -> WriteReport:
        """Save one object (the editor's write), checked by the same rules as an import."""
        References(self.store).check("object", obj)
        return self.store.put_object(obj)

    def withdraw(self, ids: Iterable[str]) -> list[str]:
        return self._each(ids, self.store.get_object, "object in the catalogue", self.store.withdraw_object)

    def restore(self, ids: Iterable[str]) -> list[str]:
        return self._each(ids, self.store.get_withdrawn, "withdrawn object", self.store.restore_object)

    def delete(self, ids: Iterable[str]) -> list[str]:
        """Delete objects for good, withdrawn or not, and the media files imported for them."""
        def delete(object_id: str) -> bool:
            gone = self.store.delete_object(object_id) or self.store.forget_withdrawn(object_id)
            folder = (self.media_dir / "objects" / object_id).resolve()
            if gone and folder.is_relative_to((self.media_dir / "objects").resolve()):
                shutil.rmtree(folder, ignore_errors=True)  # the files an import copied for it, and only those
            return gone

        return self._each(ids, lambda i: self.store.get_object(i) or self.store.get_withdrawn(i), "object", delete)

    def _each(self, ids: Iterable[str], find: Callable[[str], object], what: str,
              act: Callable[[str], bool]) -> list[str]:
        """Check every id first, then act on each, holding the catalogue's write lock throughout."""
        ids = list(dict.fromkeys(ids))
        with self.store.exclusive():
            missing = [i for i in ids if find(i) is None]
            if missing:
                raise UnknownObjects(missing, what)
            return [i for i in ids if act(i)]
