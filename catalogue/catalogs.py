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


def language_map(message: str, **values: object) -> dict[str, list[str]]:
    """``message`` in every interface language, as a IIIF language map (``%(name)s`` filled from ``values``).

    Mark a call's string for extraction by importing this as ``_``.
    """
    return {lang: [catalog(lang).gettext(message) % values if values else catalog(lang).gettext(message)]
            for lang in LANGUAGES}
