"""What the page templates show, prepared from model objects (templates never query)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..i18n import language
from ..iiif import levels, presentation
from ..model import Concept, DigitalObject, Exhibition, Institution, LanguageMap, MediaFile, is_web_url, pick
from ..search.facets import TYPE
from .visitor import access

__all__ = ["language"]  # the reader's language, for the page modules


@dataclass
class Card:
    """An object as a list shows it."""

    id: str
    label: str
    thumbnail: str | None
    date: str | None
    creators: str
    type: str


def card(obj: DigitalObject, lang: str, urls: presentation.Urls) -> Card:
    first = access(obj.rights, obj.images[0]) if obj.images else None
    thumb = presentation.thumbnail(obj.images[0], urls, first.limit)[0]["id"] if first and first.visible else None
    return Card(obj.id, pick(obj.label, lang), thumb, obj.date,
                ", ".join(c.name for c in obj.creators), obj.type)


def detail_image(obj: DigitalObject, media: MediaFile, region: tuple[int, int, int, int],
                 urls: presentation.Urls) -> str:
    """The Image API URL of the region a curator chose, at most 400 px wide (less for works in copyright)."""
    served = presentation.served_region(media, region, access(obj.rights, media).limit)
    width = levels.region_size(served[2], served[3], 400)[0]
    return f"{urls.image_service(media.id)}/{','.join(map(str, served))}/{width},/0/default.jpg"


def route_card(obj: DigitalObject, item, lang: str, urls: presentation.Urls) -> Card:
    """A work on an exhibition's route: its card, showing the curator's detail when there is one."""
    view = card(obj, lang, urls)
    media = obj.media[item.media]
    if item.region and media.is_image and access(obj.rights, media).visible:
        view.thumbnail = detail_image(obj, media, item.region, urls)
    return view


def exhibition_covers(exhibitions: list[Exhibition], objects: dict[str, DigitalObject], lang: str,
                      urls: presentation.Urls) -> dict[str, str | None]:
    """Each exhibition's picture: its first work with an image (as the curator framed it)."""
    covers = {}
    for exhibition in exhibitions:
        views = (route_card(objects[i.object], i, lang, urls) for i in exhibition.items
                 if i.object in objects and i.media < len(objects[i.object].media))
        covers[exhibition.slug] = next((v.thumbnail for v in views if v.thumbnail), None)
    return covers


def type_label(kind: str) -> str:
    """An object type as a visitor reads it (shown where a work has no picture): the type facet's label."""
    return TYPE.label(kind, language())


def institution_label(institution: Institution | None, lang: str) -> str:
    return pick(institution.label, lang) if institution else ""


def rich_text(lmap: LanguageMap, lang: str) -> Markup:
    """A summary or metadata value: HTML only as IIIF allows it (sanitised, as in the manifest),
    anything else escaped."""
    text = pick(lmap, lang)
    if "<" in text or "&" in text:
        return Markup(presentation.sanitised(text))
    return escape(text)


def web_link(url: str | None) -> str | None:
    """A stored URL a page may link to: http(s) only (a ``javascript:`` link runs on click)."""
    return url if is_web_url(url) else None


# -- rights ---------------------------------------------------------------------

@dataclass
class Rights:
    uri: str
    label: str
    open: bool


_CC = re.compile(r"creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)")
_STATEMENT = re.compile(r"rightsstatements\.org/vocab/([A-Za-z-]+)/")


def _statements() -> dict[str, str]:
    return {
        "InC": _("In copyright"),
        "InC-OW-EU": _("In copyright – EU orphan work"),
        "InC-EDU": _("In copyright – educational use permitted"),
        "InC-NC": _("In copyright – non-commercial use permitted"),
        "InC-RUU": _("In copyright – rights-holder(s) unlocatable or unidentifiable"),
        "NoC-CR": _("No copyright – contractual restrictions"),
        "NoC-NC": _("No copyright – non-commercial use only"),
        "NoC-OKLR": _("No copyright – other known legal restrictions"),
        "NoC-US": _("No copyright – United States"),
        "CNE": _("Copyright not evaluated"),
        "UND": _("Copyright undetermined"),
        "NKC": _("No known copyright"),
    }


def rights(uri: str | None) -> Rights | None:
    """A rights URI as a visitor reads it: "CC BY 4.0", "Public domain", "In copyright"."""
    if not uri:
        return None
    if "publicdomain/mark" in uri:
        return Rights(uri, _("Public domain"), True)
    if "publicdomain/zero" in uri:
        return Rights(uri, _("Public domain (CC0)"), True)
    licence = _CC.search(uri)
    if licence:
        return Rights(uri, f"CC {licence.group(1).upper()} {licence.group(2)}", True)
    statement = _STATEMENT.search(uri)
    if statement:
        code = statement.group(1)
        return Rights(uri, _statements().get(code, code), not code.startswith("InC"))
    return Rights(uri, uri, False)


# -- exhibitions ----------------------------------------------------------------

def exhibition_status(exhibition: Exhibition, today: date | None = None) -> str:
    """"current", "upcoming" or "past" by the exhibition's dates (no dates: always current)."""
    day = (today or date.today()).isoformat()
    if exhibition.opens and exhibition.opens > day:
        return "upcoming"
    if exhibition.closes and exhibition.closes < day:
        return "past"
    return "current"


def exhibitions_by_status(exhibitions: list[Exhibition], today: date | None = None) -> dict[str, list[Exhibition]]:
    """Published exhibitions grouped current / upcoming / past; soonest first, most recent past first."""
    groups: dict[str, list[Exhibition]] = {"current": [], "upcoming": [], "past": []}
    for exhibition in exhibitions:
        groups[exhibition_status(exhibition, today)].append(exhibition)
    groups["current"].sort(key=lambda e: e.closes or "9999")
    groups["upcoming"].sort(key=lambda e: e.opens or "")
    groups["past"].sort(key=lambda e: e.closes or "", reverse=True)
    return groups


def status_label(status: str) -> str:
    return {"current": _("Now on"), "upcoming": _("Coming soon"), "past": _("Past")}[status]


# -- schema.org -----------------------------------------------------------------

def artwork_jsonld(obj: DigitalObject, institution: Institution | None, concepts: list[Concept],
                   lang: str, urls: presentation.Urls) -> dict:
    """schema.org VisualArtwork (a book or 3D model: CreativeWork) for search engines."""
    card_ = card(obj, lang, urls)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "VisualArtwork" if obj.type == "image" else "CreativeWork",
        "@id": urls.object_page(obj.id),
        "url": urls.object_page(obj.id),
        "name": card_.label,
        "inLanguage": lang,
    }
    if obj.summary:
        data["description"] = pick(presentation.plain(obj.summary), lang)
    if obj.creators:
        data["creator"] = [
            {"@type": "Person", "name": c.name, **({"sameAs": c.uri} if web_link(c.uri) else {})} for c in obj.creators
        ]
    if obj.date:
        data["dateCreated"] = obj.date
    if card_.thumbnail:
        data["image"] = card_.thumbnail
        data["thumbnailUrl"] = card_.thumbnail
    if obj.rights:
        data["license"] = obj.rights
    if obj.required_statement:
        data["creditText"] = pick(obj.required_statement.value, lang)
    if concepts:
        data["about"] = [{"@type": "Thing", "name": pick(c.label, lang)} for c in concepts]
    if institution:
        data["provider"] = {"@type": "Organization", "name": pick(institution.label, lang),
                            **({"url": institution.homepage} if web_link(institution.homepage) else {})}
    media = [m for m in obj.media if access(obj.rights, m).visible]
    if media:
        data["subjectOf"] = {"@type": "WebPage", "name": "IIIF manifest", "url": urls.manifest(obj.id),
                             "encodingFormat": "application/ld+json"}
    model = next((m for m in media if m.format.startswith("model/")), None)
    if model:
        data["encoding"] = {"@type": "3DModel", "contentUrl": urls.media(model.id), "encodingFormat": model.format}
    return data

