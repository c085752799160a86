"""What the page templates show, prepared from model objects (templates never query)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .. import display
from ..i18n import language
from ..iiif import presentation
from ..model import (
    Concept,
    Creator,
    DigitalObject,
    Exhibition,
    Institution,
    LanguageMap,
    MediaFile,
    is_web_url,
    pick,
    picked,
)
from ..search.facets import TYPE
from .visitor import access

__all__ = ["language"]  # the reader's language, for the page modules


@dataclass
class Card:
    """An object as a list shows it."""

    id: str
    label: str
    thumbnail: str | None
    date: str | None  # as the reader's language says it (HTML: parts in another language are marked)
    creators: str
    type: str


def card(obj: DigitalObject, lang: str, urls: presentation.Urls) -> Card:
    first = access(obj.rights, obj.images[0]) if obj.images else None
    thumb = presentation.thumbnail(obj.images[0], urls, first.limit)[0]["id"] if first and first.visible else None
    shown = spoken(display.shown_date(obj.date, lang), lang) if obj.date else None
    return Card(obj.id, pick(obj.label, lang), thumb, shown, ", ".join(c.name for c in obj.creators), obj.type)


DETAIL_BOX = (660, 440)  # the route's picture frame on a wide screen, in CSS px (vitrine.css .route-image)


def detail_image(obj: DigitalObject, media: MediaFile, region: tuple[int, int, int, int],
                 urls: presentation.Urls, density: int = 1) -> str:
    """The Image API URL of the region a curator chose, drawn at the size the route shows it
    (``density`` device pixels per CSS pixel): a small region is enlarged by the Image API (``^``),
    so it is sharp, not a small crop stretched by the browser. A work in copyright is never
    enlarged past the reduced size it is served at."""
    limit = access(obj.rights, media).limit
    x, y, w, h = presentation.served_region(media, region, limit)
    scale = min(DETAIL_BOX[0] * density / w, DETAIL_BOX[1] * density / h)
    if limit:
        scale = min(scale, 1.0)
    size = f"{'^' if scale > 1 else ''}{max(1, round(w * scale))},"
    if media.is_remote:  # the lender's service cuts it, without enlarging (``^`` is level 2's at best)
        return media.remote_image(f"{min(w, round(w * scale))}," if media.service else "max", f"{x},{y},{w},{h}")
    return f"{urls.image_service(media.id)}/{x},{y},{w},{h}/{size}/0/default.jpg"


def detail_srcset(obj: DigitalObject, media: MediaFile, region: tuple[int, int, int, int],
                  urls: presentation.Urls) -> str:
    """The detail for 1x and 2x screens (``srcset``)."""
    return ", ".join(f"{detail_image(obj, media, region, urls, d)} {d}x" for d in (1, 2))


def route_card(obj: DigitalObject, item, lang: str, urls: presentation.Urls) -> Card:
    """A work on an exhibition's route: its card, showing the curator's detail when there is one."""
    view = card(obj, lang, urls)
    media = obj.media[item.media]
    if item.region and media.is_image and access(obj.rights, media).visible:
        view.thumbnail = detail_image(obj, media, item.region, urls)
    return view


@dataclass
class StopView:
    """A stop as the exhibition page shows it: its card, a sharp detail, and where the viewer has it."""

    number: int
    item: Any  # ExhibitionItem
    card: Card
    srcset: str | None  # a detail's 1x and 2x pictures
    canvas: int | None  # its canvas in the exhibition's manifest (None: not shown there)
    three_d: bool  # a 3D model, which deep-zoom viewers do not draw
    model: str | None  # its file, when this requester may have it
    link: str  # the work's page, on the route


def stop_views(route, lang: str, urls: presentation.Urls) -> list[StopView]:
    """The stops of a route (services.catalogue.Route) numbered as the manifest's canvases are:
    a stop whose media nobody may see has no canvas."""
    views, canvases = [], 0
    for stop in route.stops:
        obj, media, item = stop.obj, stop.media, stop.item
        seen = access(obj.rights, media)
        canvases += seen.visible
        detail = item.region and media.is_image and seen.visible
        views.append(StopView(
            stop.number, item, route_card(obj, item, lang, urls),
            detail_srcset(obj, media, item.region, urls) if detail else None,
            canvases if seen.visible else None,
            media.format.startswith("model/"),
            urls.media(media.id) if media.format.startswith("model/") and seen.whole else None,
            stop_link(route.exhibition.slug, stop.number, obj.id),
        ))
    return views


def stop_link(slug: str, number: int, object_id: str) -> str:
    """A work's page as a stop of an exhibition (the object page's canonical link names the work alone)."""
    return url_for("pages.object_page", object_id=object_id, exhibition=slug, stop=number)


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


def lang_of(lmap: LanguageMap | None) -> Markup:
    """`` lang="xx"`` for the element showing ``lmap`` when the fallback picked another language than
    the page's (WCAG 3.1.2); nothing otherwise."""
    shown = picked(lmap or {}, language())[1]
    return Markup(' lang="%s"') % shown if shown and shown != language() else Markup("")


def spoken(pieces: list[display.Said], lang: str) -> Markup:
    """Pieces of text as HTML for a page in ``lang``, each in another language inside a ``<span lang>``."""
    return Markup("").join(
        Markup('<span lang="%s">%s</span>') % (p.lang, p.text) if p.lang and p.lang != lang else escape(p.text)
        for p in pieces
    )


def shown_date(text: str | None) -> Markup:
    """A record's date in the reader's language (display.shown_date), as HTML."""
    return spoken(display.shown_date(text, language()), language()) if text else Markup("")


def shown_role(text: str | None) -> Markup:
    """A creator's role in the reader's language (display.role), as HTML."""
    return spoken([display.role(text, language())], language()) if text else Markup("")


def creator_details(creator: Creator) -> Markup:
    """What follows a creator's name on a page: "(artist, 1775–1851, British)" (display.creator_details)."""
    pieces = display.creator_details(creator, language())
    return Markup("(%s)") % spoken(pieces, language()) if pieces else Markup("")


def authorities(creator: Creator) -> list[str]:
    """A creator's authority records a page links to: http(s) only, each once."""
    return [u for u in dict.fromkeys((creator.uri, *creator.authorities)) if is_web_url(u)]


@dataclass
class Detail:
    """One of the fields museums keep, as the object page lists it: its label and its shown value(s)."""

    label: str
    values: list[Markup]


def museum_details(obj: DigitalObject) -> tuple[list[Detail], list[Detail]]:
    """The registrar's fields in the reader's language: what the work is (classification, medium,
    dimensions), then where it comes from and where it is (accession number, acquisition, location,
    provenance, credit line). Record text is escaped or sanitised; Vitrine's words are translated."""
    lang = language()

    def text(lmap: LanguageMap) -> list[Markup]:
        shown = picked(lmap, lang)[1]
        value = rich_text(lmap, lang)
        return [Markup('<span lang="%s">%s</span>') % (shown, value) if shown and shown != lang else value]

    what: list[Detail] = []
    if obj.classification:
        what.append(Detail(_("Classification"), [escape(c) for c in obj.classification]))
    if obj.medium:
        what.append(Detail(_("Medium"), text(obj.medium)))
    if obj.dimensions:
        what.append(Detail(_("Dimensions"), [spoken(line, lang) for line in display.dimensions(obj.dimensions, lang)]))
    where: list[Detail] = []
    if obj.accession_number:
        where.append(Detail(_("Accession number"), [escape(obj.accession_number)]))
    if obj.acquired:
        where.append(Detail(_("Acquired"), [escape(display.when(obj.acquired, lang))]))
    if obj.location:
        where.append(Detail(_("Location"), [escape(obj.location)]))
    if obj.provenance:
        where.append(Detail(_("Provenance"), text(obj.provenance)))
    if obj.credit_line:
        where.append(Detail(_("Credit line"), text(obj.credit_line)))
    return what, where


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
            {"@type": "Person", "name": c.name, **({"sameAs": c.uri} if web_link(c.uri) else {}),
             **{key: value for key, value in (("birthDate", c.born), ("deathDate", c.died),
                                              ("nationality", c.nationality)) if value}}
            for c in obj.creators
        ]
    if obj.date:
        data["dateCreated"] = obj.date
    if card_.thumbnail:
        data["image"] = card_.thumbnail
        data["thumbnailUrl"] = card_.thumbnail
    if obj.rights:
        data["license"] = obj.rights
    if obj.required_statement or obj.credit_line:
        data["creditText"] = pick(presentation.plain(obj.required_statement.value if obj.required_statement
                                                     else obj.credit_line), lang)
    if obj.accession_number:
        data["identifier"] = obj.accession_number
    if obj.medium:
        data["artMedium"] = pick(presentation.plain(obj.medium), lang)
    if obj.classification:
        data["artform"] = obj.classification
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

