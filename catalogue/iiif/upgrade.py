"""IIIF Presentation 2.x documents restated in Presentation 3.0, so another institution's manifest is read one way.

Written on the 3.0 specification and its upgrade notes (there is no maintained Python upgrader):
text becomes language maps (labels plain, values HTML cut to what IIIF allows), ``@id``/``@type``
become ``id``/``type``, a sequence's canvases become the manifest's items, each image annotation a
painting Annotation on an AnnotationPage, ``otherContent`` annotation pages by reference,
``structures`` nested Ranges, services references in 3.0 shape (an image service keeps its
id, so Vitrine's manifest of a loan still points at the lender's images).

What 3.0 has no place for is left out, not guessed: the sequence itself (its direction, hint and
start move to the manifest, its rendering joins the manifest's), later sequences (their canvases
become a Range with behavior ``sequence`` when they are the manifest's own, otherwise they are
dropped), a ``viewingHint`` of ``top``, stylesheets, services without an id, keys of no
specification. What 3.0 requires and the document lacks (a label, a canvas size, an image
annotation's resource) is an :class:`UpgradeError` naming the part, never an invented value.
"""
from __future__ import annotations

import mimetypes
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..model import ValidationError, check_rights
from .presentation import plain, rich

CONTEXT = "http://iiif.io/api/presentation/3/context.json"

# The P2 classes (the prefix's case varies in the wild: dctypes, dcTypes, dcterms) and their 3.0 types.
_TYPES = {
    "sc:manifest": "Manifest", "sc:collection": "Collection", "sc:canvas": "Canvas", "sc:range": "Range",
    "sc:annotationlist": "AnnotationPage", "sc:layer": "AnnotationCollection", "oa:annotation": "Annotation",
    "oa:choice": "Choice", "oa:specificresource": "SpecificResource", "cnt:contentastext": "TextualBody",
    "dctypes:image": "Image", "dctypes:stillimage": "Image", "dctypes:sound": "Sound", "dctypes:audio": "Sound",
    "dctypes:movingimage": "Video", "dctypes:text": "Text", "dctypes:dataset": "Dataset", "foaf:document": "Text",
}
_BEHAVIORS = {"paged", "continuous", "individuals", "non-paged", "facing-pages", "multi-part"}
_DIRECTIONS = {"left-to-right", "right-to-left", "top-to-bottom", "bottom-to-top"}
# A language map key the 3.0 schema accepts; anything else (``@none``, ``de_DE``, no tag) is ``none``.
_LANGUAGE = re.compile(r"[A-Za-z]+(-[A-Za-z]+)*")
# Services by what their profile or @context says, first match wins.
_SERVICES = (
    (re.compile(r"iiif\.io/api/image/3"), "ImageService3"),
    (re.compile(r"iiif\.io/api/image/2"), "ImageService2"),
    (re.compile(r"iiif\.io/api/image/1|library\.stanford\.edu/iiif/image-api"), "ImageService1"),
    (re.compile(r"iiif\.io/api/auth/1/login"), "AuthCookieService1"),
    (re.compile(r"iiif\.io/api/auth/1/token"), "AuthTokenService1"),
    (re.compile(r"iiif\.io/api/auth/1/logout"), "AuthLogoutService1"),
    (re.compile(r"iiif\.io/api/auth/1/probe"), "AuthProbeService1"),
    (re.compile(r"iiif\.io/api/search/\d/autocomplete|iiif\.io/api/autocomplete/"), "AutoCompleteService1"),
    (re.compile(r"iiif\.io/api/search/"), "SearchService1"),
    (re.compile(r"image/2/level\d\.json"), "ImageService2"),  # a misspelt host, the path still says it
)
# Text an Auth 1 service shows a person; language maps in 3.0 as every other text.
_SERVICE_TEXT = ("label", "header", "description", "confirmLabel", "failureHeader", "failureDescription")
_IMAGE_EXTRAS = {"formats": "extraFormats", "qualities": "extraQualities", "supports": "extraFeatures"}


class UpgradeError(ValueError):
    """A document that is not Presentation 2 or 3, or a part 3.0 cannot state: ``path: reason``."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def presentation_version(document: Any) -> int | None:
    """2 or 3 by the Presentation ``@context``; a document without one is placed by its type (2 for ``sc:``)."""
    if not isinstance(document, dict):
        return None
    for context in _list(document.get("@context")):
        found = re.search(r"iiif\.io/api/presentation/(\d)/", context) if isinstance(context, str) else None
        if found:
            return int(found[1]) if found[1] in "23" else None
    if document.get("@type") in ("sc:Manifest", "sc:Collection"):
        return 2
    if document.get("type") in ("Manifest", "Collection") and isinstance(document.get("id"), str):
        return 3
    return None


def upgrade(document: dict) -> dict:
    """A Presentation 3.0 document (Manifest or Collection) for a 2.x one; a 3.0 one is returned as it is.

    Raises UpgradeError (a ValueError with a plain-words message and the JSON path of the offending
    part, e.g. ``sequences[0].canvases[3].images[0]: no resource``) for a document that is not IIIF
    Presentation 2 or 3 at all, or a 2.x one missing what 3.0 requires.
    """
    version = presentation_version(document)
    if version == 3:
        return document
    if version is None:
        raise UpgradeError("", "not a IIIF Presentation 2 or 3 document (no Presentation @context, "
                               "and no sc:Manifest or sc:Collection @type)")
    return _Upgrade(document).document()


def _list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _items(value: Any, path: str):
    """Each item of a P2 value that is one thing or a list, with its JSON path."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield item, _at(path, index)
    elif value is not None:
        yield value, path


def _id(value: Any, path: str) -> str:
    found = value.get("@id") or value.get("id") if isinstance(value, dict) else value
    if not isinstance(found, str) or not found:
        raise UpgradeError(path, "no @id")
    return found


def _type(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    prefix, _, name = value.lower().partition(":")
    return _TYPES.get("dctypes:" + name if prefix in ("dctypes", "dcterms") else value.lower())


def _by_format(media_type: Any) -> str | None:
    if not isinstance(media_type, str):
        return None
    major = media_type.partition("/")[0]
    if major in ("image", "audio", "video"):
        return {"image": "Image", "audio": "Sound", "video": "Video"}[major]
    if major == "text" or media_type == "application/pdf":
        return "Text"
    return "Dataset" if media_type.startswith("application/") else None


def _format(value: Any) -> str | None:
    return value if isinstance(value, str) and re.fullmatch(r"[a-z][a-z]*/.+", value) else None


def _image_format(url: str) -> str | None:
    guessed = mimetypes.guess_type(urlsplit(url).path)[0]
    return guessed if guessed and guessed.startswith("image/") else None


def _dimension(value: Any) -> int | None:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _rights(value: str) -> str | None:
    """A Creative Commons or RightsStatements.org URI as the rights vocabulary spells it (http), else None."""
    uri = re.sub(r"^https://(creativecommons\.org|rightsstatements\.org)/", r"http://\1/", value.strip())
    try:
        return check_rights(uri)
    except ValidationError:
        return None


def _behaviors(value: Any) -> list[str]:
    return [hint for hint in _list(value) if hint in _BEHAVIORS]


class _Upgrade:
    """One document's upgrade: it knows every service the document describes, to type bare references."""

    def __init__(self, document: dict):
        self.source = document
        self.base = document.get("@id") if isinstance(document.get("@id"), str) else ""
        self.service_types: dict[str, str] = {}
        self._collect_services(document)

    def _ref(self, value: Any, path: str) -> str:
        """An id, made absolute against the document's (``/media/1.pdf`` names a file of its host)."""
        found = _id(value, path)
        return found if re.match(r"https?://", found) or not self.base else urljoin(self.base, found)

    def _collect_services(self, value: Any) -> None:
        if isinstance(value, dict):
            for service in _list(value.get("service")):
                if isinstance(service, dict) and isinstance(service.get("@id"), str):
                    kind = self._service_type(service)
                    if kind != "Service":
                        self.service_types[service["@id"]] = kind
            for item in value.values():
                self._collect_services(item)
        elif isinstance(value, list):
            for item in value:
                self._collect_services(item)

    # -- the documents -----------------------------------------------------------

    def document(self) -> dict:
        doc = self.source
        kind = _type(doc.get("@type"))
        if kind not in ("Manifest", "Collection"):
            raise UpgradeError("@type", f"{doc.get('@type')!r} is not sc:Manifest or sc:Collection")
        upgraded: dict[str, Any] = {"@context": CONTEXT}
        upgraded.update(self.manifest(doc, "") if kind == "Manifest" else self.collection(doc, ""))
        return upgraded

    def manifest(self, doc: dict, path: str) -> dict:
        manifest: dict[str, Any] = {"id": self._ref(doc, _at(path, "@id")), "type": "Manifest"}
        manifest.update(self.described(doc, path, required_label=True, part_of="Collection"))
        sequences = list(_items(doc.get("sequences"), _at(path, "sequences")))
        first, first_path = sequences[0] if sequences else ({}, "")
        if not isinstance(first, dict):
            raise UpgradeError(first_path, "a sequence is not an object")
        manifest["items"] = [self.canvas(c, p) for c, p in _items(first.get("canvases"), _at(first_path, "canvases"))]
        self._sequence_properties(first, first_path, manifest)
        structures = self.structures(doc.get("structures"), _at(path, "structures"))
        own = {canvas["id"] for canvas in manifest["items"]}
        for sequence, sequence_path in sequences[1:]:
            structures.extend(self._sequence_range(sequence, sequence_path, own))
        if structures:
            manifest["structures"] = structures
        return manifest

    def _sequence_properties(self, sequence: dict, path: str, manifest: dict) -> None:
        """What 3.0 keeps of the first sequence moves up to the manifest (the manifest's own win)."""
        if "viewingDirection" not in manifest and sequence.get("viewingDirection") in _DIRECTIONS:
            manifest["viewingDirection"] = sequence["viewingDirection"]
        if "behavior" not in manifest and _behaviors(sequence.get("viewingHint")):
            manifest["behavior"] = _behaviors(sequence["viewingHint"])
        start = sequence.get("startCanvas") or self.source.get("startCanvas")
        if start is not None:
            manifest["start"] = {"id": self._ref(start, _at(path, "startCanvas")), "type": "Canvas"}
        rendering = self.linked(sequence.get("rendering"), _at(path, "rendering"), "Text")
        if rendering:
            manifest["rendering"] = manifest.get("rendering", []) + rendering

    def _sequence_range(self, sequence: Any, path: str, own: set[str]) -> list[dict]:
        """A later sequence: another order of the manifest's canvases is a Range with behavior ``sequence``."""
        if not isinstance(sequence, dict) or not isinstance(sequence.get("@id"), str):
            return []
        canvases = [self._ref(c, p) for c, p in _items(sequence.get("canvases"), _at(path, "canvases"))]
        if not canvases or not set(canvases) <= own:
            return []
        sequence_range: dict[str, Any] = {"id": sequence["@id"], "type": "Range", "behavior": ["sequence"]}
        if sequence.get("label") is not None:
            sequence_range["label"] = self.label(sequence["label"], _at(path, "label"))
        sequence_range["items"] = [{"id": canvas, "type": "Canvas"} for canvas in canvases]
        return [sequence_range]

    def collection(self, doc: dict, path: str) -> dict:
        collection: dict[str, Any] = {"id": self._ref(doc, _at(path, "@id")), "type": "Collection"}
        collection.update(self.described(doc, path, required_label=True, part_of="Collection"))
        items: dict[str, dict] = {}
        for key in ("members", "collections", "manifests"):
            for member, member_path in _items(doc.get(key), _at(path, key)):
                upgraded = self.member(member, member_path)
                items.setdefault(upgraded["id"], upgraded)
        if items or "members" in doc or "collections" in doc or "manifests" in doc:
            collection["items"] = list(items.values())
        return collection

    def member(self, member: Any, path: str) -> dict:
        if not isinstance(member, dict):
            raise UpgradeError(path, "a member is not an object with @id, @type and label")
        kind = _type(member.get("@type"))
        if kind == "Collection" and any(key in member for key in ("members", "collections", "manifests")):
            return self.collection(member, path)  # embedded with its own members: kept embedded
        if kind not in ("Manifest", "Collection"):
            raise UpgradeError(_at(path, "@type"), f"{member.get('@type')!r} is not sc:Manifest or sc:Collection")
        reference: dict[str, Any] = {"id": self._ref(member, _at(path, "@id")), "type": kind}
        if member.get("label") is not None:
            reference["label"] = self.label(member["label"], _at(path, "label"))
        elif kind == "Collection":
            raise UpgradeError(_at(path, "label"), "missing (a Collection is referenced with its label)")
        thumbnail = self.thumbnail(member.get("thumbnail"), _at(path, "thumbnail"))
        if thumbnail:
            reference["thumbnail"] = thumbnail
        return reference

    # -- canvases and their content ---------------------------------------------

    def canvas(self, canvas: Any, path: str) -> dict:
        if not isinstance(canvas, dict):
            raise UpgradeError(path, "a canvas is not an object")
        canvas_id = self._ref(canvas, _at(path, "@id"))
        upgraded: dict[str, Any] = {"id": canvas_id, "type": "Canvas"}
        upgraded.update(self.described(canvas, path, part_of="Manifest"))
        images = _items(canvas.get("images"), _at(path, "images"))
        annotations = [self.painting(a, canvas_id, n, p) for n, (a, p) in enumerate(images, 1)]
        width, height = _dimension(canvas.get("width")), _dimension(canvas.get("height"))
        if not (width and height):
            sized = next((b for b in map(_sized, (a["body"] for a in annotations)) if b), None)
            if not sized:
                raise UpgradeError(path, "no width and height, on the canvas or its image (3.0 requires a size)")
            width, height = sized
        upgraded["width"], upgraded["height"] = width, height
        page = {"id": f"{canvas_id}/page", "type": "AnnotationPage", "items": annotations}
        upgraded["items"] = [page] if annotations else []
        pages = [self.page_reference(p, pp) for p, pp in _items(canvas.get("otherContent"), _at(path, "otherContent"))]
        if [page for page in pages if page]:
            upgraded["annotations"] = [page for page in pages if page]
        return upgraded

    def page_reference(self, page: Any, path: str) -> dict | None:
        if isinstance(page, dict) and not isinstance(page.get("@id"), str):
            return None  # an embedded list without an id cannot be referenced
        reference: dict[str, Any] = {"id": self._ref(page, path), "type": "AnnotationPage"}
        if isinstance(page, dict) and page.get("label") is not None:
            reference["label"] = self.label(page["label"], _at(path, "label"))
        return reference

    def painting(self, annotation: Any, canvas_id: str, number: int, path: str) -> dict:
        if not isinstance(annotation, dict):
            raise UpgradeError(path, "an image annotation is not an object")
        if not annotation.get("resource"):
            raise UpgradeError(path, "no resource")
        target = annotation.get("on", canvas_id)
        given = annotation.get("@id")
        painting = {
            "id": given if isinstance(given, str) else f"{canvas_id}/annotation/{number}",
            "type": "Annotation",
            "motivation": "painting",
            "body": self.body(annotation["resource"], _at(path, "resource")),
            "target": self.target(target, _at(path, "on")),
        }
        stylesheet = annotation.get("stylesheet")
        if isinstance(stylesheet, dict) and isinstance(stylesheet.get("chars"), str):
            painting["stylesheet"] = {"type": "CssStylesheet", "value": stylesheet["chars"]}
        return painting

    def target(self, target: Any, path: str) -> str:
        """A canvas, or a region of one as a ``#xywh=`` fragment (P2's SpecificResource with a selector)."""
        if isinstance(target, dict) and "full" in target:
            selector = target.get("selector")
            fragment = selector.get("value") if isinstance(selector, dict) else None
            full = self._ref(target["full"], _at(path, "full"))
            return f"{full}#{fragment}" if isinstance(fragment, str) and fragment else full
        return self._ref(target, path)

    def body(self, resource: Any, path: str) -> dict:
        if not isinstance(resource, dict):
            return {"id": self._ref(resource, path), "type": "Image"}
        kind = _type(resource.get("@type"))
        if kind == "Choice":
            options = [resource.get("default"), *_list(resource.get("item"))]
            items = [self.body(o, _at(path, "item")) for o in options if isinstance(o, dict)]
            return {"type": "Choice", "items": items}
        if kind == "SpecificResource":
            full = resource.get("full")
            source = {"id": full, "type": "Image"} if isinstance(full, str) else full
            upgraded: dict[str, Any] = {"type": "SpecificResource", "source": self.body(source, _at(path, "full"))}
            if isinstance(resource.get("@id"), str):
                upgraded["id"] = self._ref(resource, path)
            selector: dict = resource["selector"] if isinstance(resource.get("selector"), dict) else {}
            chosen = {k: str(selector[k]) for k in ("region", "rotation") if k in selector}
            if chosen:
                upgraded["selector"] = {"type": "ImageApiSelector", **chosen}
            if isinstance(resource.get("style"), str):
                upgraded["styleClass"] = resource["style"]  # a class of the annotation's stylesheet
            return upgraded
        if kind == "TextualBody":
            textual = {"type": "TextualBody", "value": str(resource.get("chars", ""))}
            if _format(resource.get("format")):
                textual["format"] = resource["format"]
            return textual
        media_type = _format(resource.get("format"))
        body: dict[str, Any] = {"id": self._ref(resource, path), "type": kind or _by_format(media_type) or "Image"}
        if media_type:
            body["format"] = media_type
        for key in ("width", "height"):
            if _dimension(resource.get(key)):
                body[key] = _dimension(resource[key])
        if resource.get("label") is not None:
            body["label"] = self.label(resource["label"], _at(path, "label"))
        services = self.services(resource.get("service"), _at(path, "service"))
        if services:
            body["service"] = services
        return body

    # -- structures -------------------------------------------------------------

    def structures(self, value: Any, path: str) -> list[dict]:
        """P2 ranges (a flat list linked by ``ranges``, ``members`` or ``within``) as nested 3.0 Ranges."""
        ranges = {r["@id"]: (r, p) for r, p in _items(value, path)
                  if isinstance(r, dict) and isinstance(r.get("@id"), str)}
        children: dict[str, list[str]] = {}
        for range_id, (source, _) in ranges.items():
            for parent in _list(source.get("within")):
                if isinstance(parent, str) and parent in ranges and parent != range_id:
                    children.setdefault(parent, []).append(range_id)
        nested = {child for range_id, (source, _) in ranges.items()
                  for child in self._child_ranges(source, children) if child != range_id}
        built: set[str] = set()
        top = [self.range(range_id, ranges, children, built) for range_id in ranges if range_id not in nested]
        top += [self.range(range_id, ranges, children, built) for range_id in ranges if range_id not in built]  # cycles
        return top

    @staticmethod
    def _child_ranges(source: dict, children: dict[str, list[str]]) -> list[str]:
        members = [m.get("@id") for m in _list(source.get("members"))
                   if isinstance(m, dict) and _type(m.get("@type")) == "Range"]
        listed = [r if isinstance(r, str) else r.get("@id") for r in _list(source.get("ranges"))
                  if isinstance(r, (str, dict))]
        return [r for r in members + listed + children.get(source["@id"], []) if isinstance(r, str)]

    def range(self, range_id: str, ranges: dict, children: dict, built: set[str]) -> dict:
        built.add(range_id)
        source, path = ranges[range_id]
        upgraded: dict[str, Any] = {"id": range_id, "type": "Range"}
        upgraded.update(self.described(source, path, part_of=None))
        upgraded.pop("behavior", None)
        if _behaviors(source.get("viewingHint")):
            upgraded["behavior"] = _behaviors(source["viewingHint"])
        items = []

        def add_range(child: str) -> None:
            if child in ranges and child not in built:
                items.append(self.range(child, ranges, children, built))
            elif child not in ranges:
                items.append({"id": child, "type": "Range"})

        if "members" in source:
            for member, member_path in _items(source["members"], _at(path, "members")):
                kind = _type(member.get("@type")) if isinstance(member, dict) else "Canvas"
                if kind == "Range":
                    add_range(self._ref(member, member_path))
                else:
                    items.append({"id": self._ref(member, member_path), "type": "Canvas"})
        else:
            for child, child_path in _items(source.get("ranges"), _at(path, "ranges")):
                add_range(self._ref(child, child_path))
            canvases = _items(source.get("canvases"), _at(path, "canvases"))
            items += [{"id": self._ref(c, p), "type": "Canvas"} for c, p in canvases]
        for child in children.get(range_id, []):
            add_range(child)
        upgraded["items"] = items
        return upgraded

    # -- what every resource may say about itself --------------------------------

    def label(self, value: Any, path: str) -> dict:
        return plain(self.text(value, path))

    def text(self, value: Any, path: str) -> dict[str, list[str]]:
        """A P2 value as a language map: plain strings in no language, each ``@value`` in its ``@language``."""
        lmap: dict[str, list[str]] = {}
        for item, item_path in _items(value, path):
            language = "none"
            if isinstance(item, dict):
                if not isinstance(item.get("@value"), (str, int, float)):
                    continue  # not text (a database record, a language without a value): nothing to read
                tag, item = item.get("@language"), item["@value"]
                language = tag if isinstance(tag, str) and _LANGUAGE.fullmatch(tag) and tag != "none" else "none"
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if item is None:
                continue
            if not isinstance(item, str):
                raise UpgradeError(item_path, "is not text")
            lmap.setdefault(language, []).append(item)
        return lmap

    def described(self, source: dict, path: str, required_label: bool = False, part_of: str | None = None) -> dict:
        """The descriptive and linking properties 2.x and 3.0 share, in their 3.0 form."""
        out: dict[str, Any] = {}
        if source.get("label") is not None:
            out["label"] = self.label(source["label"], _at(path, "label"))
        elif required_label:
            kind = _type(source.get("@type"))
            raise UpgradeError(_at(path, "label"), f"missing (a {kind} needs a label, in 2.x as in 3.0)")
        pairs = (self.pair(p, pp) for p, pp in _items(source.get("metadata"), _at(path, "metadata")))
        metadata = [pair for pair in pairs if pair]
        summary = rich(self.text(source.get("description"), _at(path, "description")))
        if any(text.strip() for texts in summary.values() for text in texts):
            out["summary"] = summary
        attribution = rich(self.text(source.get("attribution"), _at(path, "attribution")))
        if attribution:
            out["requiredStatement"] = {"label": {"none": ["Attribution"]}, "value": attribution}
        for license_, license_path in _items(source.get("license"), _at(path, "license")):
            if not isinstance(license_, str):
                raise UpgradeError(license_path, "is not a URI")
            rights = _rights(license_)
            if rights and "rights" not in out:
                out["rights"] = rights
            else:
                metadata.append({"label": {"none": ["License"]}, "value": rich({"none": [license_]})})
        if metadata:
            out["metadata"] = metadata
        if source.get("navDate") is not None and isinstance(source["navDate"], str):
            out["navDate"] = source["navDate"]
        if source.get("viewingDirection") in _DIRECTIONS:
            out["viewingDirection"] = source["viewingDirection"]
        if _behaviors(source.get("viewingHint")):
            out["behavior"] = _behaviors(source["viewingHint"])
        linked = {
            "thumbnail": self.thumbnail(source.get("thumbnail"), _at(path, "thumbnail")),
            "provider": self.provider(source, path),
            "homepage": self.linked(source.get("related"), _at(path, "related"), "Text"),
            "seeAlso": self.linked(source.get("seeAlso"), _at(path, "seeAlso"), "Dataset"),
            "rendering": self.linked(source.get("rendering"), _at(path, "rendering"), "Text"),
            "service": self.services(source.get("service"), _at(path, "service")),
            "partOf": self.linked(source.get("within"), _at(path, "within"), part_of, typed=part_of) if part_of else [],
        }
        out.update({key: value for key, value in linked.items() if value})
        return out

    def pair(self, pair: Any, path: str) -> dict | None:
        """A metadata pair; one whose value holds no text (``[{"@language": "la"}]``) says nothing and is left out."""
        if not isinstance(pair, dict) or pair.get("label") is None:
            raise UpgradeError(path, "a metadata pair needs a label and a value")
        value = rich(self.text(pair.get("value"), _at(path, "value")))
        return {"label": self.label(pair["label"], _at(path, "label")), "value": value} if value else None

    def linked(self, value: Any, path: str, default: str, typed: str | None = None) -> list[dict]:
        """``related``, ``seeAlso``, ``rendering``, ``within``: typed references (by class, format or role)."""
        out = []
        for item, item_path in _items(value, path):
            if item in ("", {}):
                continue  # an empty link ("seeAlso": ""): nothing to follow
            reference: dict[str, Any] = {"id": self._ref(item, item_path)}
            if isinstance(item, dict):
                reference["type"] = typed or _type(item.get("@type")) or _by_format(item.get("format")) or default
                if _format(item.get("format")):
                    reference["format"] = item["format"]
                if isinstance(item.get("profile"), str):
                    reference["profile"] = item["profile"]
                if item.get("label") is not None:
                    reference["label"] = self.label(item["label"], _at(item_path, "label"))
            else:
                reference["type"] = typed or default
            out.append(reference)
        return out

    def thumbnail(self, value: Any, path: str) -> list[dict]:
        out = []
        for item, item_path in _items(value, path):
            if item in ("", {}):
                continue
            image = self.body(item, item_path)
            if image.get("type") in ("Choice", "SpecificResource", "TextualBody"):
                continue
            if "format" not in image and _image_format(image["id"]):
                image["format"] = _image_format(image["id"])
            out.append(image)
        return out

    def provider(self, source: dict, path: str) -> list[dict]:
        """A 2.x ``logo`` is the logo of the institution that the ``attribution`` names: a 3.0 provider."""
        logos = self.thumbnail(source.get("logo"), _at(path, "logo"))
        if not logos:
            return []
        agent: dict[str, Any] = {"id": f"{self._ref(source, _at(path, '@id'))}#provider", "type": "Agent"}
        if source.get("attribution") is not None:
            agent["label"] = self.label(source["attribution"], _at(path, "attribution"))
        agent["logo"] = logos
        return [agent]

    # -- services ---------------------------------------------------------------

    def _service_type(self, service: dict) -> str:
        profile = next((p for p in _list(service.get("profile")) if isinstance(p, str)), "")
        for said in (profile, str(service.get("@context") or ""), str(service.get("@type") or "")):
            for pattern, kind in _SERVICES:
                if pattern.search(said):
                    return kind
        declared = service.get("@type") or service.get("type")
        return declared if isinstance(declared, str) and ":" not in declared else "Service"

    def services(self, value: Any, path: str) -> list[dict]:
        out = []
        for service, service_path in _items(value, path):
            if isinstance(service, str):
                out.append({"id": service, "type": self.service_types.get(service, "Service")})
            elif isinstance(service, dict) and isinstance(service.get("@id") or service.get("id"), str):
                out.append(self.service(service, service_path))
        return out

    def service(self, service: dict, path: str) -> dict:
        kind = self._service_type(service)
        upgraded: dict[str, Any] = {"id": service.get("@id") or service.get("id"), "type": kind}
        profiles = _list(service.get("profile"))
        profile = next((p for p in profiles if isinstance(p, str)), None)
        if kind.startswith("ImageService"):
            level = re.search(r"level([0-2])", profile or "")
            if level or profile:
                upgraded["profile"] = f"level{level[1]}" if level else profile
            for extra in (p for p in profiles if isinstance(p, dict)):
                upgraded.update({_IMAGE_EXTRAS[k]: v for k, v in extra.items() if k in _IMAGE_EXTRAS})
            upgraded.update({k: service[k] for k in ("width", "height", "tiles", "sizes") if k in service})
        else:
            if profile:
                upgraded["profile"] = profile
            skip = {"@context", "@id", "@type", "id", "type", "profile", "service"}
            for key, value in service.items():
                if key in skip:
                    continue
                upgraded[key] = plain(self.text(value, _at(path, key))) if key in _SERVICE_TEXT else value
        nested = self.services(service.get("service"), _at(path, "service"))
        if nested:
            upgraded["service"] = nested
        return upgraded


def _sized(body: dict) -> tuple[int, int] | None:
    """The size of a painting body (a Choice's first option, a SpecificResource's source)."""
    if body.get("type") == "Choice":
        body = body["items"][0] if body["items"] else {}
    elif body.get("type") == "SpecificResource":
        body = body["source"]
    width, height = body.get("width"), body.get("height")
    return (width, height) if width and height else None
