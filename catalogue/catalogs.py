"""The interface languages and their Babel catalogs, read without Flask or a request.

Pages get their strings through Flask-Babel (i18n.py), which reads these same catalogs; IIIF
documents, built for every reader at once (and by ``vitrine publish`` outside any request), get
a language map of every interface language instead.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "nl", "fr", "de")  # English is the msgid itself: it has no catalog
NAMES = {"en": "English", "nl": "Nederlands", "fr": "Français", "de": "Deutsch"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@cache
def catalog(lang: str) -> NullTranslations:
    """The compiled catalog of ``lang`` (the msgids themselves for English)."""
    return Translations.load(str(TRANSLATIONS), [lang])


def translate(message: str, lang: str, **values: object) -> str:
    """``message`` in ``lang`` (``%(name)s`` filled from ``values``), outside any request (facets, documents)."""
    text = catalog(lang).gettext(message)
    return text % values if values else text


def language_map(message: str, **values: object) -> dict[str, list[str]]:
    """``message`` in every interface language, as a IIIF language map.

    Mark a call's string for extraction by importing this as ``_``.
    """
    return {lang: [translate(message, lang, **values)] for lang in LANGUAGES}
