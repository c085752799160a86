"""Publishing the IIIF documents as static files, for a static host or a CDN (``vitrine publish``)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..iiif.documents import Documents
from ..iiif.publish import publish_all, static_urls
from ..store import Store


@dataclass
class Publication:
    """What one publishing run wrote, and where a client enters it."""

    written: int
    removed: int  # documents an earlier run wrote that are no longer public
    entry_point: str  # the top collection's URL
    images: str  # where the documents say the image services are


class Publishing:
    def __init__(self, documents: Documents, store: Store):
        self.documents, self.store = documents, store

    def publish(self, folder: Path, base_url: str, site_url: str, image_service: str | None = None,
                progress: Callable[[int], None] | None = None) -> Publication:
        """Write every public collection and manifest under ``folder``, with ids under ``base_url``;
        a static host has no image server, so images, media and pages are named at the live
        ``site_url`` (or at ``image_service``). Files are replaced atomically."""
        urls = static_urls(base_url, site_url, image_service)
        done = publish_all(self.documents, self.store, urls, folder, progress=progress)
        return Publication(done.written, done.removed, urls.collection(), urls.images)
