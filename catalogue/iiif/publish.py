"""Static copies of the IIIF documents, laid out as their URLs, for a static host or CDN.

``/iiif/collection`` is both a document and the prefix of others, so each
document is the ``index.json`` of its URL's folder (nginx: ``try_files $uri/index.json``).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from ..services import Services
from .documents import Document
from .presentation import Urls


def _write(folder: Path, url: str, base: str, document: Document) -> None:
    path = folder / url[len(base):].lstrip("/") / "index.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(document.body)
    os.replace(tmp, path)


def publish_all(services: Services, base: str, folder: Path, progress: Callable[[int], None] | None = None) -> int:
    """Write the top collection, each institution's, each published exhibition's and every manifest."""
    urls = Urls(base)
    documents, store = services.documents, services.store
    jobs: list[tuple[str, Document | None]] = [(urls.collection(), documents.top_collection(urls))]
    counts = store.digitised_counts()
    for institution in store.institutions():
        count = counts.get(institution.id, 0)
        jobs.append((urls.collection(institution.id), documents.institution_collection(institution.id, urls)))
        if count > documents.page_size:
            for page in range(1, -(-count // documents.page_size) + 1):
                jobs.append((urls.collection(institution.id, page),
                             documents.institution_collection(institution.id, urls, page)))
    for exhibition in store.exhibitions("published"):
        jobs.append((urls.exhibition_manifest(exhibition.slug), documents.exhibition_manifest(exhibition.slug, urls)))
        jobs.append((urls.exhibition_collection(exhibition.slug), documents.exhibition_collection(exhibition.slug, urls)))
    written = 0
    for url, document in jobs:
        if document:
            _write(folder, url, urls.base, document)
            written += 1
    for institution in store.institutions():
        for object_id, _ in store.object_labels(institution.id, 0, 10**9, digitised=True):
            _write(folder, urls.manifest(object_id), urls.base, documents.object_manifest(object_id, urls))
            written += 1
            if progress:
                progress(1)
    return written
