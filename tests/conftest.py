"""Fixtures: a real, empty Vitrine instance in a temporary folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalogue import create_app
from support import COLLECTION, import_file


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


@pytest.fixture
def collection(app):
    """The test collection (tests/data/collection) imported into a fresh catalogue."""
    import_file(app, COLLECTION)
    return app

