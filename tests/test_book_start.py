"""A book that opens at its title page, not its cover: the record's `start`, the manifest's `start`."""
from __future__ import annotations

import dataclasses
import json

import jsonschema
import pytest

from catalogue.model import DigitalObject, ValidationError
from support import ROOT, assert_valid_presentation

SCHEMA = json.loads((ROOT / "catalogue" / "schemas" / "record.schema.json").read_text())


def test_a_book_with_a_start_page_tells_viewers_to_open_there(collection, client, store):
    album = store.get_object("album")
    store.put_object(dataclasses.replace(album, start=2))
    manifest = client.get("/iiif/object/album/manifest").get_json()
    assert manifest["start"] == {"id": "http://localhost/iiif/object/album/manifest/canvas/2", "type": "Canvas"}
    assert manifest["start"]["id"] in [canvas["id"] for canvas in manifest["items"]]
    assert_valid_presentation(manifest)


def test_a_presentation_2_client_is_told_the_same_start_canvas(collection, client, store):
    store.put_object(dataclasses.replace(store.get_object("album"), start=3))
    sequence = client.get("/iiif/2/object/album/manifest").get_json()["sequences"][0]
    assert sequence["startCanvas"] == "http://localhost/iiif/2/object/album/manifest/canvas/3"
    assert sequence["startCanvas"] in [canvas["@id"] for canvas in sequence["canvases"]]


def test_a_book_without_one_opens_at_its_first_page(collection, client):
    assert "start" not in client.get("/iiif/object/album/manifest").get_json()


@pytest.mark.parametrize("start", [0, 4, -1, "2", 2.0, True])
def test_a_start_that_is_not_a_page_of_the_object_is_refused(start):
    record = {"id": "b", "type": "book", "label": {"en": ["B"]}, "institution": "i", "start": start,
              "media": [{"path": f"p{n}.jpg", "format": "image/jpeg", "width": 10, "height": 10, "id": f"b-{n}"}
                        for n in (1, 2, 3)]}
    with pytest.raises(ValidationError) as refused:
        DigitalObject.from_dict(record)
    assert refused.value.field == "start"
    assert DigitalObject.from_dict({**record, "start": 3}).start == 3


def test_the_published_schema_names_start():
    start = SCHEMA["definitions"]["object"]["properties"]["start"]
    assert start["type"] == "integer" and start["minimum"] == 1
    jsonschema.validate(2, start)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(0, start)
