"""The interface in Dutch, French, German and English: complete catalogs, current .mo files, the right language."""
from __future__ import annotations

import html
import re
from functools import lru_cache

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from catalogue.i18n import TRANSLATIONS
from support import ROOT

TRANSLATED = ("nl", "fr", "de")
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@lru_cache(maxsize=1)
def interface_strings() -> frozenset:
    """Every string the templates and the code pass through gettext."""
    found = set()
    for folder, method in (("catalogue", "python"), ("templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        found |= {message for _, _, message, _, _ in extract_from_dir(str(ROOT / folder), [(pattern, method)])}
    return frozenset(found)


def catalog(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_interface_string_is_translated_with_its_placeholders(lang):
    po = catalog(lang)
    for msgid in interface_strings():
        message = po.get(msgid)
        assert message is not None and all(message.string if isinstance(msgid, tuple) else [message.string]), (lang, msgid)
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strings = message.string if isinstance(msgid, tuple) else (message.string,)
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) == sorted(PLACEHOLDER.findall(ids[-1])), (lang, msgid, string)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_shipped_mo_file_is_compiled_from_the_po(lang):
    def entries(messages) -> dict:
        same = lambda value: tuple(value) if isinstance(value, (list, tuple)) else value  # noqa: E731
        return {same(m.id): same(m.string) for m in messages if m.id}

    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = entries(read_mo(f))
    assert compiled == entries(catalog(lang)), "run: pybabel compile -d catalogue/translations"


@pytest.mark.parametrize("lang, words", [
    ("en", ["Exhibitions", "Search the collections", "Institutions"]),
    ("nl", ["Tentoonstellingen", "Zoek in de collecties", "Instellingen"]),
    ("fr", ["Expositions", "Rechercher dans les collections", "Institutions"]),
    ("de", ["Ausstellungen", "In den Sammlungen suchen", "Institutionen"]),
])
def test_the_home_page_speaks_the_language_asked_in_the_url(collection, client, lang, words):
    page = text(client.get(f"/?lang={lang}"))
    assert f'<html lang="{lang}">' in page
    for word in words:
        assert word in page


def test_the_browser_language_is_the_default_and_english_the_last_resort(collection, client):
    assert '<html lang="de">' in text(client.get("/", headers={"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"}))
    assert '<html lang="en">' in text(client.get("/", headers={"Accept-Language": "es, it"}))


def test_a_switcher_link_leads_to_the_same_page_in_each_language(collection, client):
    page = text(client.get("/search?q=munten&type=image&lang=nl"))
    for code, name in (("en", "English"), ("fr", "Français"), ("de", "Deutsch")):
        assert f'href="/search?q=munten&type=image&lang={code}" hreflang="{code}" lang="{code}" aria-label="{name}"' in page


def test_error_pages_speak_the_visitors_language_and_never_show_a_trace(app, collection):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    missing = text(app.test_client().get("/nothing/here?lang=fr"))
    assert "Introuvable" in missing and "Cette page n'existe pas" in missing
    assert "requested URL" not in missing  # werkzeug's stock English text gives way
    response = app.test_client().get("/boom", headers={"Accept-Language": "nl"})
    page = text(response)
    assert response.status_code == 500 and "Er ging iets mis" in page
    assert "secret internals" not in page and "Traceback" not in page and '<html lang="nl">' in page


def test_object_metadata_follows_the_language_with_the_iiif_fallback(collection, client):
    german = text(client.get("/object/coins?lang=de"))
    assert "Urheber" in german  # the interface in German
    # the record has no German label: the IIIF fallback shows the English one
    assert "Greek coins from Pompeii" in german and "Griekse munten" not in german
