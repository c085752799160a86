"""The catalogue's rules about what a record may refer to (they read the store, so they live here).

An importer checks each record with them, and so will the exhibition editor: an object's
institution and collections exist, its subjects are known concepts, an exhibition's works exist
and a detail's region lies inside its image, and a withdrawn object is restored, not re-imported.
"""
from __future__ import annotations

from ..model import ValidationError
from ..store import Store


class References:
    """What a record may refer to: written earlier in the same batch or already in the store."""

    def __init__(self, store: Store):
        self.store = store
        self.institutions = {i.id for i in store.institutions()}
        self.collections = {c.id for c in store.collections()}
        self.concepts: set[str] = set()
        self.images: dict[str, tuple[tuple[int | None, int | None], ...]] = {}  # object id → media sizes

    def add(self, kind: str, item) -> None:
        """``item`` is part of the batch from now on: later records may refer to it."""
        if kind == "institution":
            self.institutions.add(item.id)
        elif kind == "collection":
            self.collections.add(item.id)
        elif kind == "concept":
            self.concepts.add(item.uri)
        elif kind == "object":
            self.images[item.id] = tuple((m.width, m.height) for m in item.media)  # none: the one empty tuple

    def check(self, kind: str, item) -> None:
        """Raise ValidationError (naming the field) for a reference to nothing."""
        if kind == "object":
            if self.store.is_withdrawn(item.id):
                raise ValidationError("id", f"object {item.id!r} was withdrawn: restore it (vitrine restore) "
                                            "or delete it for good before importing it again")
            if item.institution not in self.institutions:
                raise ValidationError("institution", f"unknown institution {item.institution!r} "
                                                     "(declare it before the objects, or: vitrine institutions add)")
            for i, collection in enumerate(item.collections):
                if collection not in self.collections:
                    raise ValidationError(f"collections[{i}]", f"unknown collection {collection!r}")
            missing = [s for s in item.subjects if s not in self.concepts]
            if missing:
                self.concepts |= {c.uri for c in self.store.concepts(missing)}
                for i, subject in enumerate(item.subjects):
                    if subject not in self.concepts:
                        raise ValidationError(f"subjects[{i}]", f"unknown concept {subject!r}")
        elif kind == "collection" and item.institution not in self.institutions:
            raise ValidationError("institution", f"unknown institution {item.institution!r}")
        elif kind == "exhibition":
            if item.venue is not None and item.venue not in self.institutions:
                raise ValidationError("venue", f"unknown institution {item.venue!r}")
            if item.cover is not None:
                self.check_item(item.cover, "cover")
            for s, section in enumerate(item.sections):
                for i, entry in enumerate(section.items):
                    self.check_item(entry, f"sections[{s}].items[{i}]")

    def check_item(self, entry, where: str) -> None:
        """An exhibition's item shows a media file the object has, and a detail lies inside its image."""
        sizes = self.images.get(entry.object)
        if sizes is None:
            obj = self.store.get_object(entry.object)
            if obj is None:
                raise ValidationError(f"{where}.object", f"unknown object {entry.object!r}")
            sizes = self.images[entry.object] = tuple((m.width, m.height) for m in obj.media)  # read once a save
        if entry.media >= len(sizes):
            raise ValidationError(f"{where}.media", f"object {entry.object!r} has no media file {entry.media}")
        width, height = sizes[entry.media]
        if entry.region:
            x, y, w, h = entry.region
            if not width or x + w > width or y + h > height:
                raise ValidationError(
                    f"{where}.region",
                    f"{entry.region} lies outside the {width}x{height} image of {entry.object!r}",
                )
