"""Download and cite: the files a visitor may take away of a work, and how to credit it.

The image sizes offered are the access policy's (web/visitor.py): an open work at a few widths
and whole, through Vitrine's Image API; a work in copyright no image file, with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..iiif import presentation
from ..model import DigitalObject, Institution, pick
from ..urls import Urls
from .views import Rights, shown_date
from .visitor import access

WIDTHS = (800, 1600)  # the smaller downloads offered besides the whole image


@dataclass
class Download:
    label: str
    url: str
    kind: str  # "image", "record", "manifest"


@dataclass
class Reuse:
    downloads: list[Download] = field(default_factory=list)
    withheld: str | None = None  # why no image is offered
    citation: str = ""
    credit: str = ""


def reuse(obj: DigitalObject, institution: Institution | None, rights: Rights | None, lang: str,
          urls: Urls, manifest: str | None) -> Reuse:
    """What the object page's "Download and cite" box offers."""
    found = Reuse()
    image = obj.images[0] if obj.images else None
    if image is not None:
        seen = access(obj.rights, image)
        if image.is_remote:
            found.withheld = _("This image is served by the institution that lends the work: its downloads "
                               "are on that institution's own site.")
        elif seen.whole:
            found.downloads += _image_sizes(image.id, image.width, image.height, urls)
        elif seen.visible:
            found.withheld = _("This work is in copyright: it may be viewed here at reduced size, "
                               "but no image is offered for download.")
        else:
            found.withheld = _("No image of this work may be shown or downloaded here.")
    found.downloads.append(Download(_("Catalogue record (JSON)"), url_for("api.object_record", object_id=obj.id),
                                    "record"))
    if manifest:
        found.downloads.append(Download(_("IIIF manifest (JSON-LD)"), manifest, "manifest"))
    found.citation = citation(obj, institution, lang, urls)
    found.credit = credit(obj, institution, rights, lang)
    return found


def _image_sizes(media_id: str, width: int | None, height: int | None, urls: Urls) -> list[Download]:
    sizes = [w for w in WIDTHS if width and w < width]
    offered = [Download(_("Image, %(width)s × %(height)s px", width=w, height=round(w * height / width)),
                        urls.image(media_id, f"{w},"), "image") for w in sizes if width and height]
    whole = (_("Image, full size (%(width)s × %(height)s px)", width=width, height=height) if width and height
             else _("Image, full size"))
    return offered + [Download(whole, urls.image(media_id, "max"), "image")]


def citation(obj: DigitalObject, institution: Institution | None, lang: str, urls: Urls,
             today: date | None = None) -> Markup:
    """Maker, title, date. Institution. URL (accessed …): a citation in the visitor's language, as HTML
    (the date said in that language, what stays in the record's own marked with its ``lang``)."""
    makers = ", ".join(c.name for c in obj.creators)
    first = Markup(", ").join(p for p in (escape(makers), escape(pick(obj.label, lang)), shown_date(obj.date)) if p)
    parts = [first, escape(pick(institution.label, lang)) if institution else "", escape(urls.object_page(obj.id))]
    accessed = _("accessed %(day)s", day=format_date(today or date.today(), "long"))
    return Markup(". ").join(p for p in parts if p) + Markup(" (%s).") % accessed


def credit(obj: DigitalObject, institution: Institution | None, rights: Rights | None, lang: str) -> str:
    """The credit line: the record's required statement, else the institution and the rights."""
    if obj.required_statement:
        return pick(presentation.plain(obj.required_statement.value), lang)
    holder = pick(institution.label, lang) if institution else ""
    return " · ".join(p for p in (pick(obj.label, lang), holder, rights.label if rights else "") if p)
