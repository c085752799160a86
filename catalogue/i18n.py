"""The visitor's language: Flask-Babel catalogs for every interface string.

The language comes from ``?lang=`` in the URL, then the one remembered in a
cookie (set whenever a page is asked for with ``?lang=``), then the browser's
Accept-Language, then English. Catalogs live in ``catalogue/translations``: the
``.po`` sources and their compiled ``.mo`` are both shipped, so an install needs
no build step; ``tests/test_i18n.py`` fails when a ``.mo`` is stale.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import Translations
from flask import Flask, request
from flask_babel import Babel, get_locale

LANGUAGES = ("en", "nl", "fr", "de")
NAMES = {"en": "English", "nl": "Nederlands", "fr": "Français", "de": "Deutsch"}
COOKIE = "lang"
COOKIE_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
_MACHINE = ("/api/", "/iiif/", "/assets/", "/static/", "/media/")


def select_language() -> str:
    """?lang=, else the remembered choice, else the browser's preference, else English."""
    for asked in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if asked in LANGUAGES:
            return asked
    return request.accept_languages.best_match(LANGUAGES) or "en"


def language() -> str:
    """The language of this request's pages (a code from LANGUAGES)."""
    return str(get_locale())


@lru_cache(maxsize=16)
def _catalog(lang: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [lang])


def translate(message: str, lang: str, **variables: object) -> str:
    """``message`` in ``lang`` from the interface catalogs, outside any request (search facets, documents)."""
    text = _catalog(lang).gettext(message)
    return text % variables if variables else text


def init_app(app: Flask) -> None:
    """Install Flask-Babel, and remember a language asked for in the URL."""
    Babel(app, locale_selector=select_language, default_translation_directories=str(TRANSLATIONS))

    @app.after_request
    def remember(response):
        if request.path.startswith(_MACHINE):
            return response
        asked = request.args.get("lang")
        if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=COOKIE_AGE, samesite="Lax")
        if response.mimetype == "text/html":
            response.vary.update(("Accept-Language", "Cookie"))
        return response
