"""The one URL map: every public URL Vitrine names (pages, sitemap, IIIF documents, Image API, media,
records), from one base.

The base is the configured BASE_URL, else the request's root after the proxy headers the gate
trusts (``web.http.urls()`` decides; nothing else does). This module knows nothing of Flask, so
``iiif/`` and the static publication use it without a request.
"""
from __future__ import annotations


class Urls:
    """Every URL from one base.

    A static publication (``vitrine publish``) names its documents on the static host (``base``), as
    ``.json`` files a plain static server sends (``suffix``), and everything else (image services,
    media, pages, records) on the live Vitrine (``site``) or an image server (``images``).
    """

    def __init__(self, base: str, *, site: str | None = None, images: str | None = None, suffix: str = ""):
        self.base = base.rstrip("/")
        self.site = (site or base).rstrip("/")
        self.images = (images or f"{self.site}/iiif/image").rstrip("/")
        self.suffix = suffix

    @property
    def key(self) -> str:
        """What the documents built with these URLs depend on (a cache key)."""
        return f"{self.base}\x1f{self.site}\x1f{self.images}\x1f{self.suffix}"

    # -- pages for people ---------------------------------------------------------

    def page(self, path: str = "/") -> str:
        """A page of the site by its path (``/exhibitions``); the site's root for ``/``."""
        return f"{self.site}{path}"

    def object_page(self, object_id: str) -> str:
        return self.page(f"/object/{object_id}")

    def institution_page(self, institution: str) -> str:
        return self.page(f"/institution/{institution}")

    def collection_page(self, collection: str) -> str:
        return self.page(f"/collection/{collection}")

    def exhibition_page(self, slug: str) -> str:
        return self.page(f"/exhibition/{slug}")

    def sitemap(self, number: int | None = None) -> str:
        """The sitemap index, or its file ``number``."""
        return self.page("/sitemap.xml" if number is None else f"/sitemap-{number}.xml")

    # -- records and media --------------------------------------------------------

    def object_record(self, object_id: str) -> str:
        return self.page(f"/api/objects/{object_id}")

    def media(self, media_id: str) -> str:
        return self.page(f"/media/{media_id}")

    # -- IIIF Presentation --------------------------------------------------------

    @property
    def documents(self) -> str:
        """The prefix every Presentation document id starts with."""
        return f"{self.base}/iiif/"

    def manifest(self, object_id: str) -> str:
        return f"{self.base}/iiif/object/{object_id}/manifest{self.suffix}"

    def collection(self, institution: str | None = None, page: int | None = None) -> str:
        url = f"{self.base}/iiif/collection"
        if institution:
            url += f"/{institution}"
        if page:
            url += f"/{page}"
        return url + self.suffix

    def exhibition_manifest(self, slug: str) -> str:
        return f"{self.base}/iiif/exhibition/{slug}/manifest{self.suffix}"

    def exhibition_collection(self, slug: str) -> str:
        return f"{self.base}/iiif/exhibition/{slug}/collection{self.suffix}"

    # -- IIIF Image API -----------------------------------------------------------

    def image_service(self, media_id: str, version: int = 3) -> str:
        """The Image API service of an image: 3.0, or 2.1 (``version=2``) beside it for older clients."""
        return f"{self.images}{'2' if version == 2 else ''}/{media_id}"

    def image(self, media_id: str, size: str = "max", region: str = "full") -> str:
        """A JPEG of an image (or of ``region`` of it) at ``size``, in Image API 3.0 syntax."""
        return f"{self.image_service(media_id)}/{region}/{size}/0/default.jpg"
