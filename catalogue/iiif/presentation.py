"""IIIF Presentation 3.0 documents: manifests of objects and exhibitions, collections.

The builders return plain JSON-ready dicts shaped exactly as the specification
has them. Every shape is checked in the tests against the official JSON schema
and parsed with iiif-prezi3's models; building through prezi3's validating
constructors cost ~0.35 ms per canvas here (400 ms for a 1,000-page book),
twice the time budget, so they guard the shapes in tests instead of per request.
"""
from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from pathlib import Path

import nh3

from .. import display
from ..access import ANONYMOUS, Access, AccessPolicy
from ..catalogs import LANGUAGES
from ..catalogs import language_map as _
from ..model import (
    Concept,
    Creator,
    DigitalObject,
    Exhibition,
    Institution,
    LanguageMap,
    MediaFile,
    MetadataEntry,
    is_web_url,
)
from ..urls import Urls
from . import levels

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
MEDIA_TYPE = f'application/ld+json;profile="{CONTEXT}"'
IMAGE_PROFILE = "level2"
# The JSON Schema a record (seeAlso) conforms to: its own $id, so the profile names exactly that schema.
RECORD_PROFILE = json.loads((Path(__file__).parent.parent / "schemas" / "record.schema.json").read_text())["$id"]

# HTML the Presentation API allows in summary, metadata values and requiredStatement.
ALLOWED_TAGS = {"a", "b", "br", "i", "img", "p", "small", "span", "sub", "sup"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}

# Vitrine's own words in a document, from the Babel catalogs: a language map of every interface language.
LABELS = {
    "creator": _("Creator"),
    "date": _("Date"),
    "institution": _("Institution"),
    "subject": _("Subject"),
    "record": _("Catalogue record (JSON)"),
    "catalogue": _("Vitrine catalogue"),
    "download_image": _("Full image (JPEG)"),
    "download_file": _("Original file"),
    "curators": _("Curated by"),
    "source": _("Where this record comes from"),
    "accession_number": _("Accession number"),
    "classification": _("Classification"),
    "medium": _("Medium"),
    "dimensions": _("Dimensions"),
    "provenance": _("Provenance"),
    "credit_line": _("Credit line"),
    "acquired": _("Acquired"),
    "location": _("Location"),
}


# -- text ---------------------------------------------------------------------

def plain(lmap: LanguageMap) -> LanguageMap:
    """Labels carry no HTML: tags are dropped, entities decoded."""
    return {
        lang: [html.unescape(nh3.clean(text, tags=set())) if "<" in text else text for text in texts]
        for lang, texts in lmap.items()
    }


def sanitised(text: str) -> str:
    """One summary or metadata value as a viewer may show it.

    Text with ``<`` or ``&`` is HTML to some viewer whatever IIIF says (HTML only
    when it starts with ``<``), so it is cut down to the tags the specification
    allows and made one element, which every viewer reads as HTML; other text is
    plain and kept as it is.
    """
    if "<" not in text and "&" not in text:
        return text
    text = nh3.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel=None).strip()
    return text if text.startswith("<") and text.endswith(">") else f"<span>{text}</span>"


def rich(lmap: LanguageMap) -> LanguageMap:
    """Summary and metadata values: HTML kept only as the specification allows it."""
    return {lang: [sanitised(text) for text in texts] for lang, texts in lmap.items()}


def _entry(entry: MetadataEntry) -> dict:
    return {"label": plain(entry.label), "value": rich(entry.value)}


def _merge(maps: Iterable[LanguageMap]) -> LanguageMap:
    """Several language maps as one value: each language lists every map's text."""
    maps = list(maps)
    merged: LanguageMap = {}
    for lang in dict.fromkeys(lang for lmap in maps for lang in lmap):
        for lmap in maps:
            texts = lmap.get(lang) or lmap.get("none") or lmap.get("en") or next(iter(lmap.values()), [])
            merged.setdefault(lang, []).extend(texts)
    return merged


def language_order(default: str, interface: Iterable[str]) -> tuple[str, ...]:
    """The order languages are listed in: the catalogue's default, then the other interface languages."""
    return (default, *(lang for lang in interface if lang != default))


def in_language_order(doc, order: tuple[str, ...]):
    """The document with every language map (label, summary, value) listed in ``order``.

    Universal Viewer and Clover show the first language of a map when the browser's is
    missing, so the catalogue's default language comes first, other languages after
    in their order, and ``none`` last.
    """
    if isinstance(doc, list):
        return [in_language_order(item, order) for item in doc]
    if not isinstance(doc, dict):
        return doc
    if doc.get("type") == "AnnotationPage":  # a caption's annotations, one per language: in the same order
        doc = {**doc, "items": sorted(doc.get("items", []), key=lambda a: _language_rank(a.get("body"), order))}
    return {key: _ordered_map(value, order) if key in _LANGUAGE_MAPS and _is_language_map(value)
            else in_language_order(value, order) for key, value in doc.items()}


_LANGUAGE_MAPS = {"label", "summary", "value"}


def _is_language_map(value) -> bool:
    return isinstance(value, dict) and all(isinstance(texts, list) for texts in value.values())


def _ordered_map(lmap: LanguageMap, order: tuple[str, ...]) -> LanguageMap:
    rank = {lang: n for n, lang in enumerate(order)}
    langs = sorted(lmap, key=lambda lang: (lang == "none", rank.get(lang, len(rank))))
    return {lang: lmap[lang] for lang in langs}


def _language_rank(body, order: tuple[str, ...]) -> tuple[bool, int]:
    """Where an annotation's body comes in ``order``: a body in no language (or not text) last."""
    lang = body.get("language") if isinstance(body, dict) else None
    return lang is None, order.index(lang) if lang in order else len(order)


# -- pieces ---------------------------------------------------------------------

def provider(institution: Institution, urls: Urls) -> dict:
    agent: dict = {
        "id": urls.institution_page(institution.id),
        "type": "Agent",
        "label": plain(institution.label),
    }
    if is_web_url(institution.homepage):
        agent["homepage"] = [{"id": institution.homepage, "type": "Text",
                              "label": plain(institution.label), "format": "text/html"}]
    if is_web_url(institution.logo):
        agent["logo"] = [{"id": institution.logo, "type": "Image", "format": _image_format(institution.logo)}]
    return agent


def _image_format(url: str) -> str:
    lower = url.lower()
    return "image/png" if lower.endswith(".png") else "image/svg+xml" if lower.endswith(".svg") else "image/jpeg"


def image_service(media: MediaFile, urls: Urls, detail: str = "") -> list[dict]:
    """Image API 3.0, and 2.1 beside it for older clients (as the Presentation 3 specification recommends),
    of the image or of one of its details (``detail``: the path of the detail's own service below it).

    A remote image's service is the lending institution's, by reference, claiming no more than level 0
    (what every image service does)."""
    if media.is_remote:
        if not media.service:
            return []
        if media.service_type == "ImageService2":
            return [{"@id": media.service, "@type": "ImageService2", "profile": "http://iiif.io/api/image/2/level0.json"}]
        return [{"id": media.service, "type": "ImageService3", "profile": "level0"}]
    return [
        {"id": urls.image_service(media.id) + detail, "type": "ImageService3", "profile": IMAGE_PROFILE},
        {"@id": urls.image_service(media.id, version=2) + detail, "@type": "ImageService2",
         "profile": "http://iiif.io/api/image/2/level2.json"},
    ]


def public_access(policy: AccessPolicy, obj: DigitalObject, media: MediaFile) -> Access:
    """What everyone may see of one of a work's media files: IIIF documents are public (shared caches, static files)."""
    return policy.decide(ANONYMOUS, obj.rights, media)


def has_manifest(policy: AccessPolicy, obj: DigitalObject) -> bool:
    """Whether a work has a manifest: some media everyone may see (its canvases). The one rule for the
    manifest, the record's link to it and the collections that list it."""
    return shows_any(policy, obj.rights, obj.media)


def shows_any(policy: AccessPolicy, rights: str | None, media: Iterable[MediaFile]) -> bool:
    """``has_manifest`` for a work known by its rights and media files (the store's media rows)."""
    return any(policy.decide(ANONYMOUS, rights, m).visible for m in media)


def _pixels(image: MediaFile) -> tuple[int, int]:
    """An image's stored size: ingest measures every image, so one without a size is a broken record."""
    if image.width is None or image.height is None:
        raise ValueError(f"image {image.id!r} has no width or height")
    return image.width, image.height


def served_size(media: MediaFile, max_width: int | None) -> tuple[int, int]:
    """The size of the image the Image API serves (a work in copyright's capped derivative); a remote
    image is served as its institution serves it."""
    if media.is_remote:
        return _pixels(media)
    return levels.capped_size(*_pixels(media), max_width)


def served_region(
    media: MediaFile, region: tuple[int, int, int, int], max_width: int | None
) -> tuple[int, int, int, int]:
    """A stored region (full-size pixels) in the coordinates of the image served, within it."""
    w, h = served_size(media, max_width)
    width, height = _pixels(media)
    sx, sy = w / width, h / height
    x, y = min(w - 1, int(region[0] * sx)), min(h - 1, int(region[1] * sy))
    return x, y, max(1, min(w - x, round(region[2] * sx))), max(1, min(h - y, round(region[3] * sy)))


def thumbnail(media: MediaFile, urls: Urls, max_width: int | None) -> list[dict]:
    """A thumbnail at one of the sizes the image service advertises (so it is a pre-cut file)."""
    if media.is_remote:
        url, w, h = media.remote_thumbnail()
        if not media.service:
            return [{"id": url, "type": "Image", "format": media.format, "width": w, "height": h}]
        return [{"id": url, "type": "Image", "format": "image/jpeg", "width": w, "height": h,
                 "service": image_service(media, urls)}]
    w, h = levels.thumbnail_size(*_pixels(media), max_width=max_width)
    return [{
        "id": urls.image(media.id, f"{w},{h}"),
        "type": "Image", "format": "image/jpeg", "width": w, "height": h,
        "service": image_service(media, urls),
    }]


def image_body(media: MediaFile, urls: Urls, max_width: int | None) -> dict:
    w, h = served_size(media, max_width)
    if media.is_remote:
        body = {"id": media.remote_image(), "type": "Image",
                "format": "image/jpeg" if media.service else media.format, "width": w, "height": h}
        return body | ({"service": image_service(media, urls)} if media.service else {})
    return {
        "id": urls.image(media.id),
        "type": "Image", "format": "image/jpeg", "width": w, "height": h,
        "service": image_service(media, urls),
    }


def media_body(media: MediaFile, urls: Urls, max_width: int | None) -> dict:
    """The painting body of a media file: an image with its service, a Model, a Sound or a Video."""
    if media.is_image:
        return image_body(media, urls, max_width)
    kind = {"model": "Model", "audio": "Sound", "video": "Video"}.get(media.format.split("/")[0], "Dataset")
    body: dict = {"id": urls.media(media.id), "type": kind, "format": media.format}
    if media.duration:
        body["duration"] = media.duration
    if kind == "Video" and media.width:
        body.update(width=media.width, height=media.height)
    return body


MODEL_STAGE = 1000  # a 3D model is painted on a square canvas: its stage, not its size


def canvas(canvas_id: str, media: MediaFile, label: LanguageMap, urls: Urls, max_width: int | None,
           poster: MediaFile | None = None) -> dict:
    """A canvas painted with one media file, sized from the real file.

    A 3D model, sound or film shows ``poster`` (an image of the object) as its thumbnail and
    placeholder: without one Mirador draws an empty window, and Clover decodes the model as an image.
    """
    item: dict = {"id": canvas_id, "type": "Canvas", "label": plain(label)}
    if media.is_image:
        item.update(width=media.width, height=media.height, thumbnail=thumbnail(media, urls, max_width))
    elif media.format.startswith("model/"):
        item.update(width=MODEL_STAGE, height=MODEL_STAGE)
    else:
        if media.width:
            item.update(width=media.width, height=media.height)
        if media.duration:
            item["duration"] = media.duration
    if poster and not media.is_image:
        item["thumbnail"] = thumbnail(poster, urls, max_width)
        item["placeholderCanvas"] = placeholder(f"{canvas_id}/placeholder", poster, urls, max_width)
    item["items"] = [_painting(canvas_id, media_body(media, urls, max_width))]
    rendering = download(media, urls, max_width)
    if rendering:
        item["rendering"] = rendering
    return item


def placeholder(canvas_id: str, poster: MediaFile, urls: Urls, max_width: int | None) -> dict:
    """A canvas a viewer shows before (or instead of) a model or a sound: the poster image."""
    w, h = served_size(poster, max_width)
    return {"id": canvas_id, "type": "Canvas", "width": w, "height": h,
            "items": [_painting(canvas_id, image_body(poster, urls, max_width))]}


def download(media: MediaFile, urls: Urls, max_width: int | None) -> list[dict]:
    """The file a visitor may download: an open image in full, a model, sound or film; nothing of a work in
    copyright."""
    if max_width or media.is_remote:  # a loan's files are its institution's to offer
        return []
    if media.is_image:
        return [{"id": urls.image(media.id), "type": "Image",
                 "label": LABELS["download_image"], "format": "image/jpeg"}]
    return [{"id": urls.media(media.id), "type": media_body(media, urls, None)["type"],
             "label": LABELS["download_file"], "format": media.format}]


def _painting(canvas_id: str, body: dict) -> dict:
    return {
        "id": f"{canvas_id}/page",
        "type": "AnnotationPage",
        "items": [{"id": f"{canvas_id}/painting", "type": "Annotation",
                   "motivation": "painting", "body": body, "target": canvas_id}],
    }


def _nav_date(year: int | None) -> str | None:
    return f"{year:04d}-01-01T00:00:00Z" if year and year > 0 else None


def _homepage(url: str, label: LanguageMap) -> list[dict]:
    return [{"id": url, "type": "Text", "label": plain(label), "format": "text/html"}]


# -- documents -----------------------------------------------------------------

def object_manifest(
    obj: DigitalObject,
    institution: Institution | None,
    concepts: dict[str, Concept],
    urls: Urls,
    policy: AccessPolicy,
) -> dict:
    """The Manifest of one object: a canvas per media file, ranges from its table of contents."""
    manifest_id = urls.manifest(obj.id)
    poster = obj.images[0] if obj.images else None  # never the model: a manifest's thumbnail is an image
    canvases: list[dict] = []
    for n, media in enumerate(obj.media, start=1):
        access = public_access(policy, obj, media)
        if not access.visible:
            continue  # e.g. an original a work in copyright may not send
        label = media.label or ({"none": [f"p. {n}"]} if obj.type == "book" else obj.label)
        canvases.append(canvas(f"{manifest_id}/canvas/{n}", media, label, urls, access.limit, poster=poster))

    metadata: list[dict] = []
    if obj.creators:
        metadata.append({"label": LABELS["creator"], "value": rich({"none": [_creator(c) for c in obj.creators]})})
    if obj.date:
        metadata.append({"label": LABELS["date"], "value": rich({"none": [obj.date]})})
    if institution:
        metadata.append({"label": LABELS["institution"], "value": plain(institution.label)})
    subjects = [concepts[s].label for s in obj.subjects if s in concepts]
    if subjects:
        metadata.append({"label": LABELS["subject"], "value": plain(_merge(subjects))})
    # A record without a required statement gives its credit line as one (below), not twice.
    metadata += museum_metadata(obj, credit_line=bool(obj.required_statement))
    metadata += [_entry(e) for e in obj.metadata]

    manifest: dict = {"@context": CONTEXT, "id": manifest_id, "type": "Manifest", "label": plain(obj.label)}
    if obj.summary:
        manifest["summary"] = rich(obj.summary)
    manifest["metadata"] = metadata
    if obj.required_statement:
        manifest["requiredStatement"] = _entry(obj.required_statement)
    elif obj.credit_line:
        manifest["requiredStatement"] = {"label": LABELS["credit_line"], "value": rich(obj.credit_line)}
    if obj.rights:
        manifest["rights"] = obj.rights
    if institution:
        manifest["provider"] = [provider(institution, urls)]
    manifest["homepage"] = _homepage(urls.object_page(obj.id), obj.label)
    manifest["seeAlso"] = [{"id": urls.object_record(obj.id), "type": "Dataset",
                            "label": LABELS["record"], "format": "application/json", "profile": RECORD_PROFILE}]
    if obj.source:  # provenance: the record or manifest of the lending institution it was imported from
        manifest["seeAlso"].append({"id": obj.source, "type": "Dataset", "label": LABELS["source"]})
    manifest["rendering"] = [{"id": urls.object_record(obj.id), "type": "Dataset",
                              "label": LABELS["record"], "format": "application/json"}]
    manifest["partOf"] = [{"id": urls.collection(obj.institution), "type": "Collection"}]
    nav = _nav_date(obj.earliest)
    if nav:
        manifest["navDate"] = nav
    if obj.images and (first := public_access(policy, obj, obj.images[0])).visible:
        manifest["thumbnail"] = thumbnail(obj.images[0], urls, first.limit)
    if obj.type == "book":
        manifest["behavior"] = ["paged"]
        manifest["viewingDirection"] = "left-to-right"
    if obj.start and public_access(policy, obj, obj.media[obj.start - 1]).visible:
        manifest["start"] = {"id": f"{manifest_id}/canvas/{obj.start}", "type": "Canvas"}
    manifest["items"] = canvases
    if obj.toc:
        manifest["structures"] = [
            {"id": f"{manifest_id}/range/{r}", "type": "Range", "label": plain(entry.label),
             "items": [{"id": f"{manifest_id}/canvas/{p}", "type": "Canvas"} for p in entry.pages]}
            for r, entry in enumerate(obj.toc, start=1)
        ]
    return manifest


def _creator(creator: Creator) -> str:
    """"Name (role, 1775–1851, British)", the name a link to its authority record when it has one
    (HTML then, sanitised by ``rich`` as any value is)."""
    details = ", ".join(t for t in (creator.role, creator.life, creator.nationality) if t)
    authority = next((u for u in (creator.uri, *creator.authorities) if is_web_url(u)), None)
    if not authority:
        return f"{creator.name} ({details})" if details else creator.name
    words = html.escape(plain({"none": [creator.name]})["none"][0])  # a name is text, tags and all dropped
    name = f'<a href="{html.escape(authority)}">{words}</a>'
    return f"{name} ({details})" if details else name


def _in_every_language(say: Callable[[str], list[str]]) -> LanguageMap:
    return {lang: say(lang) for lang in LANGUAGES}


def museum_metadata(obj: DigitalObject, credit_line: bool = True) -> list[dict]:
    """The registrar's fields as metadata pairs: values Vitrine words (dimensions, dates) in every
    interface language, the record's own text as it gives it."""
    pairs: list[tuple[str, LanguageMap]] = []
    if obj.accession_number:
        pairs.append(("accession_number", {"none": [obj.accession_number]}))
    if obj.classification:
        pairs.append(("classification", {"none": obj.classification}))
    if obj.medium:
        pairs.append(("medium", obj.medium))
    if obj.dimensions:
        pairs.append(("dimensions", _in_every_language(
            lambda lang: ["".join(p.text for p in line) for line in display.dimensions(obj.dimensions, lang)])))
    if obj.provenance:
        pairs.append(("provenance", obj.provenance))
    if obj.credit_line and credit_line:
        pairs.append(("credit_line", obj.credit_line))
    if obj.acquired:
        acquired = obj.acquired
        pairs.append(("acquired", _in_every_language(lambda lang: [display.when(acquired, lang)])))
    if obj.location:
        pairs.append(("location", {"none": [obj.location]}))
    return [{"label": LABELS[key], "value": plain(value) if key in _PLAIN else rich(value)} for key, value in pairs]


_PLAIN = {"accession_number", "classification", "location", "dimensions", "acquired"}


def exhibition_manifest(exhibition: Exhibition, objects: dict[str, DigitalObject],
                        urls: Urls, policy: AccessPolicy) -> dict:
    """An exhibition as one Manifest: a canvas per item (a detail is a canvas of its region), a range per section."""
    manifest_id = urls.exhibition_manifest(exhibition.slug)
    canvases: list[dict] = []
    ranges: list[dict] = []
    for s, section in enumerate(exhibition.sections, start=1):
        members = []
        for item, obj, access in _shown_stops(section.items, objects, policy):
            canvas_id = f"{manifest_id}/canvas/{len(canvases) + 1}"
            canvases.append(_exhibition_canvas(canvas_id, obj, item, urls, access.limit))
            members.append({"id": canvas_id, "type": "Canvas"})
        rng: dict = {"id": f"{manifest_id}/range/{s}", "type": "Range", "label": plain(section.title)}
        if section.introduction:
            rng["summary"] = rich(section.introduction)
        rng["items"] = members
        ranges.append(rng)
    manifest: dict = {"@context": CONTEXT, "id": manifest_id, "type": "Manifest", "label": plain(exhibition.title)}
    if exhibition.summary:
        manifest["summary"] = rich(exhibition.summary)
    if exhibition.curators:
        curators = rich({"none": [", ".join(exhibition.curators)]})
        manifest["metadata"] = [{"label": LABELS["curators"], "value": curators}]
    manifest["homepage"] = _homepage(urls.exhibition_page(exhibition.slug), exhibition.title)
    manifest["partOf"] = [{"id": urls.exhibition_collection(exhibition.slug), "type": "Collection"}]
    if canvases and canvases[0].get("thumbnail"):
        manifest["thumbnail"] = canvases[0]["thumbnail"]
    manifest["items"] = canvases
    manifest["structures"] = ranges
    return manifest


def _shown_stops(items: list, objects: dict[str, DigitalObject], policy: AccessPolicy):
    """The stops of a route everyone may see, with their work and what they may see of it: the
    exhibition manifest's canvases."""
    for item in items:
        obj = objects.get(item.object)
        if obj is not None and item.media < len(obj.media):
            access = public_access(policy, obj, obj.media[item.media])
            if access.visible:
                yield item, obj, access


def _exhibition_canvas(canvas_id: str, obj: DigitalObject, item, urls: Urls, limit: int | None) -> dict:
    """A stop on the route: the whole work, or the detail the curator chose, captioned, linked to its work."""
    media = obj.media[item.media]
    if item.region and media.is_image:
        result = _detail_canvas(canvas_id, obj, media, item.region, urls, limit)
    else:
        result = canvas(canvas_id, media, obj.label, urls, limit, poster=obj.images[0] if obj.images else None)
    if item.caption:
        result["summary"] = rich(item.caption)
        result["annotations"] = [commentary(canvas_id, result["summary"])]
    if obj.required_statement:
        result["requiredStatement"] = _entry(obj.required_statement)
    if obj.rights:
        result["rights"] = obj.rights
    result["partOf"] = [{"id": urls.manifest(obj.id), "type": "Manifest"}]
    result["homepage"] = _homepage(urls.object_page(obj.id), obj.label)
    return result


def commentary(canvas_id: str, caption: LanguageMap) -> dict:
    """A caption (as ``rich`` gives it: sanitised) as the canvas's commenting annotations, one per
    language, on the whole canvas (cookbook 0266 and 0019): what Mirador lists in its annotation panel.

    One annotation per language (per text, should a language have several), not one of several
    bodies: Mirador joins an annotation's bodies into one run of text, so four languages would read
    as one caption. The page is embedded (its id need not dereference); every id is below the
    canvas's, so unique in the manifest.
    """
    annotations = []
    for lang, texts in caption.items():
        for n, value in enumerate(texts, start=1):
            body: dict = {"type": "TextualBody"}
            if lang != "none":
                body["language"] = lang
            body.update(format="text/html" if value.startswith("<") else "text/plain", value=value)
            annotations.append({"id": f"{canvas_id}/caption/{lang}" + (f"/{n}" if n > 1 else ""),
                                "type": "Annotation", "motivation": "commenting", "body": body, "target": canvas_id})
    return {"id": f"{canvas_id}/captions", "type": "AnnotationPage", "items": annotations}


def _detail_canvas(canvas_id: str, obj: DigitalObject, media: MediaFile, region: tuple[int, int, int, int],
                   urls: Urls, limit: int | None) -> dict:
    """A detail as a canvas the size of its region, painted with the region as an image of its own: the
    detail's image service (``/iiif/image/{id}/detail/{x,y,w,h}``), whose whole image is the region.

    Every viewer draws a plain image with a service on a canvas, and tiles it; none draws a
    SpecificResource with a selector (Mirador, Universal Viewer and Clover show nothing, or crash), and
    the whole work's service would make them tile the whole work into the region's canvas. Regions are
    stored in full-size pixels and stated in the coordinates of the image served (a work in copyright's
    capped derivative, so its detail shows no more than the cap); the canvas keeps the stored size.
    """
    x, y, w, h = served_region(media, region, limit)
    if media.is_remote:
        return _remote_detail_canvas(canvas_id, obj, media, (x, y, w, h))
    detail = f"/detail/{x},{y},{w},{h}"
    service = urls.image_service(media.id) + detail
    thumb = levels.region_size(w, h, 400)
    return {
        "id": canvas_id, "type": "Canvas", "label": plain(obj.label), "width": region[2], "height": region[3],
        "thumbnail": [{"id": f"{service}/full/{thumb[0]},{thumb[1]}/0/default.jpg", "type": "Image",
                       "format": "image/jpeg", "width": thumb[0], "height": thumb[1]}],
        "items": [_painting(canvas_id, {"id": f"{service}/full/max/0/default.jpg", "type": "Image",
                                        "format": "image/jpeg", "width": w, "height": h,
                                        "service": image_service(media, urls, detail)})],
    }


def _remote_detail_canvas(canvas_id: str, obj: DigitalObject, media: MediaFile,
                          region: tuple[int, int, int, int]) -> dict:
    """A detail of a loan: the region cut by the lender's own service (no service block, which would make
    a viewer tile the whole work into the region's canvas); a plain image cannot be cut, so it is shown whole."""
    x, y, w, h = region
    if not media.service:
        w, h = _pixels(media)
        body = {"id": media.remote_image(), "type": "Image", "format": media.format, "width": w, "height": h}
        return {"id": canvas_id, "type": "Canvas", "label": plain(obj.label), "width": w, "height": h,
                "items": [_painting(canvas_id, body)]}
    tw, th = levels.region_size(w, h, 400)
    area = f"{x},{y},{w},{h}"
    small = f"{tw},{th}" if media.service_type == "ImageService3" else f"{tw},"
    return {
        "id": canvas_id, "type": "Canvas", "label": plain(obj.label), "width": w, "height": h,
        "thumbnail": [{"id": media.remote_image(small, area), "type": "Image", "format": "image/jpeg",
                       "width": tw, "height": th}],
        "items": [_painting(canvas_id, {"id": media.remote_image("max", area), "type": "Image",
                                        "format": "image/jpeg", "width": w, "height": h})],
    }


def _collection(collection_id: str, label: LanguageMap, items: list[dict], **extra) -> dict:
    return {"@context": CONTEXT, "id": collection_id, "type": "Collection", "label": label, **extra, "items": items}


def manifest_ref(object_id: str, label: LanguageMap, urls: Urls) -> dict:
    return {"id": urls.manifest(object_id), "type": "Manifest", "label": plain(label)}


def cover(obj: DigitalObject | None, urls: Urls, policy: AccessPolicy) -> dict:
    """A collection's ``thumbnail``: its first work's first image (as the policy lets everyone see it), or nothing."""
    if obj is None or not obj.images or not (access := public_access(policy, obj, obj.images[0])).visible:
        return {}
    return {"thumbnail": thumbnail(obj.images[0], urls, access.limit)}


def exhibition_collection(exhibition: Exhibition, objects: dict[str, DigitalObject], urls: Urls,
                          policy: AccessPolicy) -> dict:
    """An exhibition as a Collection: the exhibition's own Manifest first (so a harvester walking
    from the top collection reaches it), then the works' manifests in route order."""
    seen = dict.fromkeys(item.object for item in exhibition.items
                         if item.object in objects and has_manifest(policy, objects[item.object]))
    extra: dict = {"summary": rich(exhibition.summary)} if exhibition.summary else {}
    extra.update(cover(next((objects[oid] for oid in seen if objects[oid].images), None), urls, policy))
    extra["homepage"] = _homepage(urls.exhibition_page(exhibition.slug), exhibition.title)
    # the route's own manifest, when it has a canvas (a manifest has at least one)
    route = [{"id": urls.exhibition_manifest(exhibition.slug), "type": "Manifest", "label": plain(exhibition.title)}
             ] if any(_shown_stops(exhibition.items, objects, policy)) else []
    return _collection(
        urls.exhibition_collection(exhibition.slug), plain(exhibition.title),
        [*route, *(manifest_ref(oid, objects[oid].label, urls) for oid in seen)], **extra,
    )


def top_collection(institutions: list[tuple[Institution, int]], exhibitions: list[Exhibition], urls: Urls) -> dict:
    """The entry point: a Collection per institution, then the published exhibitions."""
    items = [
        {"id": urls.collection(inst.id), "type": "Collection", "label": plain(inst.label)}
        for inst, count in institutions
        if count
    ]
    items += [
        {"id": urls.exhibition_collection(e.slug), "type": "Collection", "label": plain(e.title)}
        for e in exhibitions
    ]
    return _collection(urls.collection(), LABELS["catalogue"], items)


def institution_collection(
    institution: Institution,
    count: int,
    entries: list[tuple[str, LanguageMap]],
    urls: Urls,
    page_size: int,
    page: int | None = None,
    thumbnail: dict | None = None,
) -> dict:
    """An institution's objects: their manifests, or pages of them when there are many.

    ``thumbnail`` is what ``cover`` gives for one of its works."""
    extra = {**(thumbnail or {}), "provider": [provider(institution, urls)],
             "partOf": [{"id": urls.collection(), "type": "Collection"}]}
    if page is None and count > page_size:
        pages = (count + page_size - 1) // page_size
        items = []
        for p in range(1, pages + 1):
            first, last = (p - 1) * page_size + 1, min(p * page_size, count)
            page_label = {lang: [f"{texts[0]}: {first}–{last}"] for lang, texts in plain(institution.label).items()}
            items.append({"id": urls.collection(institution.id, p), "type": "Collection", "label": page_label})
        return _collection(urls.collection(institution.id), plain(institution.label), items, **extra)
    label = plain(institution.label)
    collection_id = urls.collection(institution.id, page)
    if page is not None:
        extra["partOf"] = [{"id": urls.collection(institution.id), "type": "Collection"}]
    return _collection(collection_id, label, [manifest_ref(oid, lbl, urls) for oid, lbl in entries], **extra)
