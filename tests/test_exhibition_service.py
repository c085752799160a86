"""The exhibition operations the editor will call: saved only when every stop shows a real work."""
from __future__ import annotations

import dataclasses

import pytest

from catalogue.model import ValidationError


def test_an_exhibition_whose_detail_lies_outside_its_image_is_refused(collection):
    svc = collection.extensions["vitrine"]
    draft = svc.store.get_exhibition("secret-draft")
    section = draft.sections[0]
    item = dataclasses.replace(section.items[0], region=(0, 0, 100_000, 10))
    broken = dataclasses.replace(draft, sections=[dataclasses.replace(section, items=[item])])
    with pytest.raises(ValidationError) as caught:
        svc.exhibitions.save(broken)
    assert caught.value.field == "sections[0].items[0].region" and "lies outside" in caught.value.message
    assert svc.store.get_exhibition("secret-draft").version == draft.version


def test_publishing_a_draft_shows_it_to_visitors(collection):
    client = collection.test_client()
    assert client.get("/exhibition/secret-draft").status_code == 404
    published = collection.extensions["vitrine"].exhibitions.publish("secret-draft")
    assert published.published
    assert client.get("/exhibition/secret-draft").status_code == 200
    assert client.get("/iiif/exhibition/secret-draft/manifest").status_code == 200
    assert collection.extensions["vitrine"].exhibitions.publish("no-such") is None


def test_an_exhibition_whose_cover_or_venue_names_nothing_is_refused(collection):
    from catalogue.model import ExhibitionItem

    svc = collection.extensions["vitrine"]
    draft = svc.store.get_exhibition("secret-draft")
    with pytest.raises(ValidationError) as caught:
        svc.exhibitions.save(dataclasses.replace(draft, cover=ExhibitionItem(object="no-such-work")))
    assert caught.value.field == "cover.object"
    with pytest.raises(ValidationError) as caught:
        svc.exhibitions.save(dataclasses.replace(draft, venue="no-such-museum"))
    assert caught.value.field == "venue"
    assert svc.store.get_exhibition("secret-draft").version == draft.version
