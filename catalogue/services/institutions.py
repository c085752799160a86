"""Declaring who holds the works: institutions and their collections, validated like an import."""
from __future__ import annotations

from pathlib import Path

from ..ingest import Record
from ..model import CollectionInfo, Institution, LanguageMap
from ..store import Store
from .imports import Imports


class Institutions:
    def __init__(self, store: Store, imports: Imports):
        self.store, self.imports = store, imports

    def add_institution(self, institution_id: str, label: LanguageMap, homepage: str | None = None,
                        source: str = "command line") -> Institution:
        """Declare (or rename) an institution; IngestError naming the field when it is invalid."""
        record = {"kind": "institution", "id": institution_id, "label": label}
        if homepage:
            record["homepage"] = homepage
        self.imports.run([Record(record, source, None, Path.cwd())])
        declared = self.store.get_institution(institution_id)
        assert declared is not None  # committed just now
        return declared

    def add_collection(self, collection_id: str, label: LanguageMap, institution: str,
                       source: str = "command line") -> CollectionInfo:
        """Declare (or rename) a collection of an institution that exists."""
        record = {"kind": "collection", "id": collection_id, "label": label, "institution": institution}
        self.imports.run([Record(record, source, None, Path.cwd())])
        declared = self.store.get_collection(collection_id)
        assert declared is not None  # committed just now
        return declared

    def institutions(self) -> list[Institution]:
        return self.store.institutions()

    def collections(self, institution: str | None = None) -> list[CollectionInfo]:
        return self.store.collections(institution)
