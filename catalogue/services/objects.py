"""Operations on single objects: update one, take it out of the catalogue, bring it back, delete it.

Withdrawn: the object leaves every public place (pages, manifests, search, collections, sitemap;
its page and manifest answer 410 Gone) and can be restored. Deleted: gone for good, with the
media files imported for it. Each logs its change; the index and the tiles follow (the keeper).
"""
from __future__ import annotations

import dataclasses
import shutil
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from ..model import Concept, DigitalObject, LanguageMap, MetadataEntry, Revision, User
from ..roles import is_admin, may_delete_object, may_edit_object
from ..store import Derived, Store, WriteReport
from .exhibitions import clean_html
from .keeper import Keeper
from .rules import References


class Forbidden(PermissionError):
    """The user may not change this object (web/: 403)."""


class Missing(LookupError):
    """No object (or version of one) by that name (web/: 404)."""


def _clean(lmap: LanguageMap) -> LanguageMap:
    return {lang: [clean_html(t) for t in texts] for lang, texts in lmap.items()}


def cleaned(obj: DigitalObject) -> DigitalObject:
    """The object with its rich text (summary, metadata values, required statement) sanitised to the
    HTML the IIIF Presentation API allows, as an exhibition's captions are."""
    statement = obj.required_statement
    if statement is not None:
        statement = MetadataEntry(statement.label, _clean(statement.value))
    return dataclasses.replace(
        obj, summary=_clean(obj.summary), required_statement=statement,
        metadata=[MetadataEntry(entry.label, _clean(entry.value)) for entry in obj.metadata],
    )


def _folded(text: str) -> str:
    """Text compared without case or accents ("Naissance" finds "naissance", "Geburt" "geburt")."""
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))


class UnknownObjects(LookupError):
    """Ids that name nothing the operation could act on; nothing was changed."""

    def __init__(self, ids: list[str], what: str):
        self.ids = ids
        super().__init__(f"no {what} {', '.join(map(repr, ids))}; nothing was changed")


class Objects:
    def __init__(self, store: Store, media_dir: Path, keeper: Keeper):
        self.store, self.media_dir, self.keeper = store, media_dir, keeper
        # every concept with its labels folded (a search of Tate's 16,632 took 150 ms folding them each time)
        self._thesaurus = Derived(store, lambda: [(c, tuple(_folded(t) for texts in c.label.values() for t in texts))
                                                  for c in store.concepts()])

    def update(self, obj: DigitalObject, user: User | None = None, expected: int | None = None) -> WriteReport:
        """Save one object (the editor's write), checked by the same rules as an import.

        With a user (an editor of the object's institution, before and after the edit, or an admin;
        Forbidden otherwise) a revision is kept and the change log names them. ``expected``: the
        version the edit started from (StaleVersion if another save came first).
        """
        if user is not None:
            current = self.store.get_object(obj.id)
            if not may_edit_object(user, obj) or (current is not None and not may_edit_object(user, current)):
                raise Forbidden(f"{user.name!r} may not edit object {obj.id!r}")
        obj = cleaned(obj)
        References(self.store).check("object", obj)
        return self.store.put_object(obj, user=user.name if user else None, expected=expected)

    # -- reads for the editor -------------------------------------------------------------

    def editable(self, object_id: str, user: User) -> DigitalObject:
        """An object ``user`` may edit; Missing when there is none in the catalogue, Forbidden when
        it belongs to an institution that is not theirs."""
        obj = self.store.get_object(object_id)
        if obj is None:
            raise Missing(f"no object {object_id[:200]!r}")
        if not may_edit_object(user, obj):
            raise Forbidden(f"{user.name!r} may not edit object {object_id!r}")
        return obj

    def institutions_of(self, user: User) -> list[str] | None:
        """The institutions whose objects ``user`` edits (None: every one, for an admin)."""
        return None if is_admin(user) else list(user.institutions) if user.has("editor") else []

    def withdrawn(self, user: User) -> list[DigitalObject]:
        """The withdrawn objects ``user`` may bring back, by id."""
        return [o for o in self.store.withdrawn_objects() if may_edit_object(user, o)]

    def withdrawn_one(self, object_id: str, user: User) -> DigitalObject:
        """One withdrawn object ``user`` may restore; Missing / Forbidden."""
        obj = self.store.get_withdrawn(object_id)
        if obj is None:
            raise Missing(f"no withdrawn object {object_id[:200]!r}")
        if not may_edit_object(user, obj):
            raise Forbidden(f"{user.name!r} may not restore object {object_id!r}")
        return obj

    def concepts(self, words: str, limit: int = 20) -> list[Concept]:
        """Thesaurus concepts whose label in any language contains ``words`` (case and accents aside)."""
        wanted = _folded(words.strip())
        if not wanted:
            return []
        found = [c for c, labels in self._thesaurus.get() if any(wanted in label for label in labels)]
        return found[:limit]

    def subjects(self, uris: Iterable[str]) -> dict[str, Concept]:
        """The thesaurus's concepts among ``uris``, by URI."""
        return {c.uri: c for c in self.store.concepts(list(uris))}

    def revisions(self, object_id: str) -> list[Revision]:
        """Every kept version of an object (those saved by an editor, and the one each replaced), newest first."""
        return self.store.revisions("object", object_id)

    def revision(self, object_id: str, version: int) -> Revision | None:
        """One kept version of an object, or None."""
        return self.store.get_revision("object", object_id, version)

    def restore_revision(self, object_id: str, version: int, user: User, expected: int | None) -> WriteReport:
        """Save an earlier version again, as a new revision (the versions in between stay kept)."""
        current = self.editable(object_id, user)
        revision = self.revision(object_id, version)
        if revision is None:
            raise Missing(f"no version {version} of object {object_id!r}")
        earlier = DigitalObject.from_dict({**revision.data, "version": current.version})
        return self.update(earlier, user, expected=expected)

    def withdraw(self, ids: Iterable[str], user: User | None = None) -> list[str]:
        ids = list(ids)
        self._allowed(ids, user, self.store.get_object)
        name = user.name if user else None
        return self._each(ids, self.store.get_object, "object in the catalogue",
                          lambda i: self.store.withdraw_object(i, user=name))

    def restore(self, ids: Iterable[str], user: User | None = None) -> list[str]:
        ids = list(ids)
        self._allowed(ids, user, self.store.get_withdrawn)
        name = user.name if user else None
        return self._each(ids, self.store.get_withdrawn, "withdrawn object",
                          lambda i: self.store.restore_object(i, user=name))

    def _allowed(self, ids: Iterable[str], user: User | None, find: Callable[[str], DigitalObject | None]) -> None:
        if user is None:
            return
        for object_id in ids:
            obj = find(object_id)
            if obj is not None and not may_edit_object(user, obj):
                raise Forbidden(f"{user.name!r} may not change object {object_id!r}")

    def delete(self, ids: Iterable[str], user: User | None = None) -> list[str]:
        """Delete objects for good, withdrawn or not, and the media files imported for them (admins only)."""
        if user is not None and not may_delete_object(user):
            raise Forbidden("deleting objects for good is for admins; withdraw them instead")
        name = user.name if user else None

        def delete(object_id: str) -> bool:
            gone = self.store.delete_object(object_id, user=name) or self.store.forget_withdrawn(object_id, user=name)
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
