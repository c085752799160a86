"""Every human-readable string Vitrine writes into a IIIF document comes from the Babel catalogs, as a
language map of every interface language, so a viewer shows it in its user's language."""
from __future__ import annotations

from functools import cache

import pytest
from babel.messages.pofile import read_po
from support import COLLECTION, assert_valid_presentation, import_file

from catalogue import create_app
from catalogue.i18n import TRANSLATIONS

TRANSLATED = ("nl", "fr", "de")


@cache
def _catalog(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def from_catalogs(msgid: str) -> dict[str, list[str]]:
    """The language map the .po files give for ``msgid``: English is the msgid itself."""
    lmap = {"en": [msgid]}
    for lang in TRANSLATED:
        message = _catalog(lang).get(msgid)
        assert message is not None and message.string, (lang, msgid)
        lmap[lang] = [message.string]
    return lmap


def fetch(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.data
    return response.get_json(force=True)


def test_a_manifests_metadata_labels_are_the_catalogs_translations(collection, client):
    manifest = fetch(client, "/iiif/object/coins/manifest")
    labels = {entry["label"]["en"][0]: entry["label"] for entry in manifest["metadata"]}
    for msgid in ("Creator", "Date", "Institution", "Subject"):
        assert labels[msgid] == from_catalogs(msgid)
    assert labels["Creator"]["nl"] != ["Creator"]  # really translated, not the msgid again
    assert_valid_presentation(manifest)


def test_a_manifests_links_are_labelled_in_every_language(collection, client):
    manifest = fetch(client, "/iiif/object/coins/manifest")
    assert manifest["seeAlso"][0]["label"] == from_catalogs("Catalogue record (JSON)")
    assert manifest["rendering"][0]["label"] == from_catalogs("Catalogue record (JSON)")
    download = manifest["items"][0]["rendering"][0]
    assert download["label"] == from_catalogs("Full image (JPEG)")


def test_an_exhibitions_curators_are_labelled_in_every_language(collection, client):
    manifest = fetch(client, "/iiif/exhibition/origins/manifest")
    assert manifest["metadata"][0]["label"] == from_catalogs("Curated by")
    assert manifest["metadata"][0]["value"] == {"none": ["A. Curator"]}
    assert_valid_presentation(manifest)


def test_the_top_collection_is_named_in_every_language(collection, client):
    top = fetch(client, "/iiif/collection")
    assert top["label"] == from_catalogs("Vitrine catalogue")
    assert_valid_presentation(top)


def test_a_label_lists_the_catalogues_default_language_first(instance):
    app = create_app({"INSTANCE": str(instance), "TESTING": True, "DEFAULT_LANGUAGE": "fr"})
    import_file(app, COLLECTION)
    manifest = fetch(app.test_client(), "/iiif/object/coins/manifest")
    assert [list(entry["label"]) for entry in manifest["metadata"][:4]] == [["fr", "en", "nl", "de"]] * 4
    app.extensions["vitrine"].store.close()


def test_presentation_2_labels_carry_every_language(collection, client):
    manifest = fetch(client, "/iiif/2/object/coins/manifest")
    creator = next(m["label"] for m in manifest["metadata"] if {"@value": "Creator", "@language": "en"} in m["label"])
    assert {"@value": from_catalogs("Creator")["nl"][0], "@language": "nl"} in creator
    assert {"@value": from_catalogs("Creator")["de"][0], "@language": "de"} in creator


@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_language_map_needs_no_request(lang):
    """The static publication builds documents outside any request: the catalogs are read directly."""
    from catalogue.catalogs import language_map

    assert language_map("Curated by")[lang] == from_catalogs("Curated by")[lang]
    assert list(language_map("Curated by")) == ["en", "nl", "fr", "de"]


def test_a_static_publication_outside_any_request_has_the_translated_labels(collection, tmp_path):
    """publish_all is given the documents builder and the store (what a service holds): no app context needed."""
    import json

    from catalogue.iiif.publish import publish_all, static_urls

    services = collection.extensions["vitrine"]
    urls = static_urls("https://static.example.be", "https://live.example.be")
    done = publish_all(services.documents, services.store, urls, tmp_path)
    assert done.written > 5
    manifest = json.loads((tmp_path / "iiif" / "object" / "coins" / "manifest.json").read_text())
    assert manifest["id"] == "https://static.example.be/iiif/object/coins/manifest.json"
    assert manifest["homepage"][0]["id"] == "https://live.example.be/object/coins"
    creator = next(entry["label"] for entry in manifest["metadata"] if entry["label"].get("en") == ["Creator"])
    assert creator == from_catalogs("Creator")
    assert_valid_presentation(manifest)
