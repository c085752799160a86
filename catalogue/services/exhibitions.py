"""Saving and publishing exhibitions: the curator's writes, checked by the catalogue's rules."""
from __future__ import annotations

import dataclasses

from ..model import Exhibition
from ..store import Store, WriteReport
from .rules import References


class Exhibitions:
    def __init__(self, store: Store):
        self.store = store

    def save(self, exhibition: Exhibition) -> WriteReport:
        """Save a draft or published exhibition; ValidationError names the item that shows a work the
        catalogue does not have, or a detail outside its image."""
        References(self.store).check("exhibition", exhibition)
        return self.store.put_exhibition(exhibition)

    def publish(self, slug: str, published: bool = True) -> Exhibition | None:
        """Make an exhibition visible to visitors (or take it back to draft); None if there is none."""
        exhibition = self.store.get_exhibition(slug)
        if exhibition is None:
            return None
        exhibition = dataclasses.replace(exhibition, status="published" if published else "draft")
        self.save(exhibition)
        return exhibition
