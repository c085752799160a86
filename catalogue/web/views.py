"""What the page templates show, prepared from model objects (templates never query)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

from ..iiif import presentation
from ..model import DigitalObject, Institution, pick

LANGUAGES = ("en", "nl", "fr", "de")


def language() -> str:
    """The reader's language: ?lang=, else the browser's preference, else English."""
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        return lang
    return request.accept_languages.best_match(LANGUAGES) or "en"


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
    images = obj.images
    thumb = None
    if images:
        limit = current_app.config["COPYRIGHT_MAX_WIDTH"] if obj.in_copyright else None
        thumb = presentation.thumbnail(images[0], urls, limit)[0]["id"]
    return Card(obj.id, pick(obj.label, lang), thumb, obj.date,
                ", ".join(c.name for c in obj.creators), obj.type)


def institution_label(institution: Institution | None, lang: str) -> str:
    return pick(institution.label, lang) if institution else ""
