"""Static copies of the IIIF documents, for a plain static host or CDN.

Each document is a ``.json`` file at the path of its id (``iiif/collection.json``,
``iiif/object/<id>/manifest.json``, ...), so any static server sends it without a
rewrite rule. Image services, media, pages and records stay on the live Vitrine
(or an image server): a static host has no info.json to give.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..store import Store
from ..urls import Urls
from .documents import Document, Documents

SUFFIX = ".json"


def static_urls(base: str, site: str, images: str | None = None) -> Urls:
    """The URLs of a static publication: documents under ``base``, the rest on the live ``site``."""
    return Urls(base, site=site, images=images, suffix=SUFFIX)


def _write(folder: Path, url: str, base: str, document: Document) -> Path:
    path = folder / url[len(base):].lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(document.body)
    os.replace(tmp, path)
    return path


@dataclass
class Published:
    written: int
    removed: int


def publish_all(documents: Documents, store: Store, urls: Urls, folder: Path,
                progress: Callable[[int], None] | None = None) -> Published:
    """Write the top collection, each institution's, each published exhibition's and every manifest,
    then remove the documents an earlier run wrote that are no longer published (a draft, a deletion).

    Given the documents builder and the store it reads (not the services), so a service can call it.
    """
    jobs: list[tuple[str, Document | None]] = [(urls.collection(), documents.top_collection(urls))]
    counts = documents.manifest_counts()
    for institution in store.institutions():
        count = counts.get(institution.id, 0)
        jobs.append((urls.collection(institution.id), documents.institution_collection(institution.id, urls)))
        if count > documents.page_size:
            for page in range(1, -(-count // documents.page_size) + 1):
                jobs.append((urls.collection(institution.id, page),
                             documents.institution_collection(institution.id, urls, page)))
    for exhibition in [e for e in store.exhibitions() if e.published]:
        jobs.append((urls.exhibition_manifest(exhibition.slug), documents.exhibition_manifest(exhibition.slug, urls)))
        slug = exhibition.slug
        jobs.append((urls.exhibition_collection(slug), documents.exhibition_collection(slug, urls)))
    written: set[Path] = set()
    for url, document in jobs:
        if document:
            written.add(_write(folder, url, urls.base, document))
    for institution in store.institutions():
        for object_id, _ in documents.listed(institution.id, 0, 10**9):
            document = documents.object_manifest(object_id, urls)
            if document:
                written.add(_write(folder, urls.manifest(object_id), urls.base, document))
            if progress:
                progress(1)
    return Published(len(written), _remove_unpublished(folder / "iiif", written))


def _remove_unpublished(root: Path, written: set[Path]) -> int:
    """Delete our documents (``*.json`` under iiif/) that this run did not write, and their empty folders."""
    removed = 0
    for path in sorted(root.rglob("*.json"), reverse=True) if root.is_dir() else []:
        if path not in written:
            path.unlink()
            removed += 1
            for parent in path.parents:
                if parent == root or any(parent.iterdir()):
                    break
                parent.rmdir()
    return removed
