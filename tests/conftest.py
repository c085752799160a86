"""Fixtures: a real, empty Vitrine instance in a temporary folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalogue import create_app

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    return tmp_path / "instance"


@pytest.fixture
def app(instance: Path):
    app = create_app({"INSTANCE": str(instance), "TESTING": True})
    yield app
    app.extensions["vitrine"].store.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def store(app):
    return app.extensions["vitrine"].store


COLLECTION = DATA / "collection" / "records.jsonl"


def import_file(app, path: Path, **options):
    """Import a Vitrine JSON/JSONL file into the app's catalogue, as `vitrine ingest json` does."""
    from catalogue.ingest import run_import
    from catalogue.ingest.jsonfile import read_json

    svc = app.extensions["vitrine"]
    return run_import(svc.store, read_json(path), svc.media_dir, **options)


@pytest.fixture
def collection(app):
    """The test collection (tests/data/collection) imported into a fresh catalogue."""
    import_file(app, COLLECTION)
    return app


SCHEMA_PATH = SHARED / "iiif" / "iiif_presentation_3_0.schema.json"


def assert_valid_presentation(doc: dict) -> None:
    """The official Presentation 3 schema, plus what it misses: an exact type and the @context."""
    import json

    import iiif_prezi3
    import jsonschema

    validator = jsonschema.Draft7Validator(json.loads(SCHEMA_PATH.read_text()))
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(doc)]
    assert not errors, errors
    assert doc["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert doc["type"] in ("Manifest", "Collection")
    model = getattr(iiif_prezi3, doc["type"])
    model(**{k: v for k, v in doc.items() if k != "@context"})  # iiif-prezi3 accepts it too
