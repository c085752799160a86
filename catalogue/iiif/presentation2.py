"""IIIF Presentation 2.1 for older clients, converted from Vitrine's Presentation 3 documents.

The 3.0 dict (presentation.py) is the one description of a manifest or collection; this
module only restates it in 2.1 terms, so both forms always say the same thing: the same
canvases, sizes (a work in copyright keeps its capped image size), details, ranges, rights.

Every document id is moved into the 2.1 URL space (``{base}/iiif/2/...``), so a 2.1 client
that follows ids walks 2.1 documents only; images point at the Image API 2.1 service
(``{images}2/{id}``). P2 has no Model, Sound or Video: such a canvas shows the object's image
(its 3.0 ``placeholderCanvas``), and without one it has no ``images``, only its download.
"""
from __future__ import annotations

from ..urls import Urls

CONTEXT = "http://iiif.io/api/presentation/2/context.json"
MEDIA_TYPE = f'application/ld+json;profile="{CONTEXT}"'
IMAGE_CONTEXT = "http://iiif.io/api/image/2/context.json"
IMAGE_PROFILE = "http://iiif.io/api/image/2/level2.json"
_DOCUMENTS = ("object/", "collection", "exhibition/")  # paths under /iiif/ that name Presentation documents
_TYPES = {"Manifest": "sc:Manifest", "Collection": "sc:Collection", "Canvas": "sc:Canvas", "Range": "sc:Range"}


def document(doc: dict, urls: Urls) -> dict:
    """The 2.1 form of a 3.0 Manifest or Collection."""
    return (_Converter(urls).manifest if doc["type"] == "Manifest" else _Converter(urls).collection)(doc)


def text(lmap: dict) -> str | list:
    """A language map as a 2.1 value: a plain string when it has no language, else ``@value``/``@language``
    pairs in the map's order (the catalogue's default language first)."""
    entries = [(lang, t) for lang, texts in lmap.items() for t in texts]
    if all(lang == "none" for lang, _ in entries):
        texts = [t for _, t in entries]
        return texts[0] if len(texts) == 1 else texts or ""
    return [t if lang == "none" else {"@value": t, "@language": lang} for lang, t in entries]


class _Converter:
    def __init__(self, urls: Urls):
        self.urls = urls
        self.documents = urls.documents
        self.images = f"{urls.images}/"

    def id(self, url: str) -> str:
        """A 3.0 document URL as its 2.1 twin; any other URL unchanged (images: see ``image``)."""
        rest = url[len(self.documents):] if url.startswith(self.documents) else None
        if rest is not None and rest.startswith(_DOCUMENTS):
            return f"{self.documents}2/{rest}"
        return self.image(url)

    def image(self, url: str) -> str:
        """An Image API 3.0 URL as the same request to the 2.1 service (same syntax for what Vitrine names)."""
        return self.urls.image_service(url[len(self.images):], version=2) if url.startswith(self.images) else url

    # -- shared properties -----------------------------------------------------

    def common(self, doc: dict) -> dict:
        """What manifests, canvases, ranges and collections share: label, description, rights, links."""
        out: dict = {"@id": self.id(doc["id"]), "@type": _TYPES[doc["type"]]}
        if "label" in doc:
            out["label"] = text(doc["label"])
        if "summary" in doc:
            out["description"] = text(doc["summary"])
        if doc.get("metadata"):
            out["metadata"] = [{"label": text(m["label"]), "value": text(m["value"])} for m in doc["metadata"]]
        if "requiredStatement" in doc:
            out["attribution"] = text(doc["requiredStatement"]["value"])
        if "rights" in doc:
            out["license"] = doc["rights"]
        logos = [logo for agent in doc.get("provider", []) for logo in agent.get("logo", [])]
        if logos:
            out["logo"] = self.image(logos[0]["id"])
        if "thumbnail" in doc:
            out["thumbnail"] = self.thumbnail(doc["thumbnail"][0])
        if "homepage" in doc:
            out["related"] = [self.link(h) for h in doc["homepage"]]
        if "seeAlso" in doc:
            out["seeAlso"] = [self.link(s) for s in doc["seeAlso"]]
        if "rendering" in doc:
            out["rendering"] = [self.link(r) for r in doc["rendering"]]
        if "partOf" in doc:
            out["within"] = self.id(doc["partOf"][0]["id"])
        if "paged" in doc.get("behavior", []):
            out["viewingHint"] = "paged"
        for key in ("viewingDirection", "navDate"):
            if key in doc:
                out[key] = doc[key]
        return out

    def link(self, ref: dict) -> dict:
        out: dict = {"@id": self.id(ref["id"])}
        if "label" in ref:
            out["label"] = text(ref["label"])
        for key in ("format", "profile"):
            if key in ref:
                out[key] = ref[key]
        return out

    def service(self, services: list[dict]) -> dict | None:
        """The Image API 2 service among them, claiming what it claims (a loan's lender may offer level 0);
        a loan served by Image API 3 only has none a 2.1 client reads, so its images are painted whole."""
        for service in services:
            if service.get("@type") == "ImageService2" or service.get("type") == "ImageService2":
                return {"@context": IMAGE_CONTEXT, "@id": service.get("@id") or service["id"],
                        "profile": service.get("profile") or IMAGE_PROFILE}
        return None

    def thumbnail(self, thumb: dict) -> dict:
        out: dict = {"@id": self.image(thumb["id"]), "@type": "dctypes:Image"}
        out.update({k: thumb[k] for k in ("format", "width", "height") if k in thumb})
        service = self.service(thumb.get("service", []))
        if service:
            out["service"] = service
        return out

    # -- manifests ---------------------------------------------------------------

    def manifest(self, doc: dict) -> dict:
        out = {"@context": CONTEXT, **self.common(doc)}
        sequence: dict = {"@id": f"{out['@id']}/sequence/normal", "@type": "sc:Sequence"}
        for key in ("viewingHint", "viewingDirection"):
            if key in out:
                sequence[key] = out[key]
        if doc.get("start"):
            sequence["startCanvas"] = self.id(doc["start"]["id"])  # 3.0's start: the page a viewer opens at
        sequence["canvases"] = [self.canvas(c) for c in doc["items"]]
        out["sequences"] = [sequence]
        if doc.get("structures"):
            out["structures"] = [r for top in doc["structures"] for r in self.ranges(top)]
        return out

    def canvas(self, doc: dict) -> dict:
        """A canvas of the same size, painted with the same image; a model or sound with its placeholder image."""
        out = self.common(doc)
        body = _painted(doc)
        shown = doc if body and body["type"] == "Image" else doc.get("placeholderCanvas")
        size = shown or doc
        if "width" in size:
            out.update(width=size["width"], height=size["height"])
        painted = _painted(shown) if shown else None
        if painted:
            out["images"] = [self.painting(out["@id"], painted)]
        return out

    def painting(self, canvas_id: str, body: dict) -> dict:
        resource = {"@id": self.image(body["id"]), "@type": "dctypes:Image", "format": body["format"],
                    "width": body["width"], "height": body["height"]}
        service = self.service(body.get("service", []))
        if service:
            resource["service"] = service
        return {"@id": f"{canvas_id}/painting", "@type": "oa:Annotation", "motivation": "sc:painting",
                "resource": resource, "on": canvas_id}

    def ranges(self, doc: dict) -> list[dict]:
        """A 3.0 Range and the Ranges inside it, as the flat list of sc:Range 2.1 ``structures`` holds."""
        out = self.common(doc)
        members = doc.get("items", [])
        out["canvases"] = [self.id(m["id"]) for m in members if m["type"] == "Canvas"]
        inner = [m for m in members if m["type"] == "Range"]
        if inner:
            out["ranges"] = [self.id(m["id"]) for m in inner]
        return [out, *(r for m in inner for r in self.ranges(m))]

    # -- collections ---------------------------------------------------------------

    def collection(self, doc: dict) -> dict:
        out = {"@context": CONTEXT, **self.common(doc)}
        for key, kind in (("collections", "Collection"), ("manifests", "Manifest")):
            members = [self.common(m) for m in doc["items"] if m["type"] == kind]
            if members:
                out[key] = members
        return out


def _painted(canvas: dict) -> dict | None:
    """The body a 3.0 canvas paints, if any."""
    for page in canvas.get("items", []):
        for annotation in page.get("items", []):
            return annotation["body"]
    return None
