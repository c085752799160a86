"""A work lent by another institution: its media are that institution's image service, by reference."""
from __future__ import annotations

import json

import pytest

from catalogue import create_app
from catalogue.ingest import IngestError
from support import import_file, serving


@pytest.fixture
def lender(collection):
    """Another institution's Vitrine (the test collection) serving its Image API on 127.0.0.1."""
    with serving(collection) as base:
        yield base


@pytest.fixture
def borrower(tmp_path):
    app = create_app({"INSTANCE": str(tmp_path / "borrower"), "TESTING": True})
    yield app
    app.extensions["vitrine"].close()


def loan(tmp_path, media: list) -> object:
    path = tmp_path / "loan.jsonl"
    records = [{"kind": "institution", "id": "lender", "label": {"en": ["Lender"]}},
               {"id": "loan-1", "label": {"en": ["A loan"]}, "institution": "lender", "media": media}]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path


def test_an_image_service_is_read_for_its_version_and_size_and_painted_by_reference(lender, borrower, collection,
                                                                                     tmp_path):
    served = collection.extensions["vitrine"].store.get_object("rocket")
    service = f"{lender}/iiif/image/{served.media[0].id}"
    import_file(borrower, loan(tmp_path, [{"service": service}]))
    media = borrower.extensions["vitrine"].store.get_object("loan-1").media[0]
    assert (media.service, media.service_type, media.width, media.height) == (
        service, "ImageService3", served.media[0].width, served.media[0].height)
    manifest = borrower.test_client().get("/iiif/object/loan-1/manifest").get_json()
    body = manifest["items"][0]["items"][0]["items"][0]["body"]
    assert body["id"] == f"{service}/full/max/0/default.jpg" and body["service"][0]["id"] == service


def test_an_image_service_that_is_not_there_is_refused_naming_the_url_and_nothing_is_written(lender, borrower,
                                                                                            tmp_path):
    missing = f"{lender}/iiif/image/no-such-image"
    with pytest.raises(IngestError, match=r"media\[0\]\.service: answered HTTP 404") as refused:
        import_file(borrower, loan(tmp_path, [{"service": missing}]))
    assert f"{missing}/info.json" in str(refused.value) or "loan.jsonl:2" in str(refused.value)
    assert borrower.extensions["vitrine"].store.get_object("loan-1") is None
