"""Fixtures: a real, empty Vitrine instance in a temporary folder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from hypothesis import HealthCheck, settings

from flask import Flask
from flask.testing import FlaskClient

from catalogue import create_app
from catalogue.services import accounts
from support import COLLECTION, LOCAL_NETWORKS, import_file

# The tests import from servers of their own on 127.0.0.1, which the default setting refuses: every app,
# command and server process of the run may fetch from there (tests/test_remote_guard.py sets it aside).
os.environ["VITRINE_IMPORT_ALLOWED_NETWORKS"] = LOCAL_NETWORKS


class ClosingClient(FlaskClient):
    """A test client that reads every response whole and closes it, as a WSGI server does.

    Flask's client leaves a streamed body (a tile file, a render) open until the test closes the
    response; with warnings as errors, the file it holds would fail whichever test the garbage
    collector happens to run in.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


Flask.test_client_class = ClosingClient

# Fuzz tests run with a fixed seed and a bounded number of examples, so CI is repeatable;
# benchmarks/fuzz.py runs the same properties with VITRINE_FUZZ=long (VITRINE_FUZZ_EXAMPLES each, random seeds).
settings.register_profile(
    "ci", derandomize=True, max_examples=150, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long", max_examples=int(os.environ.get("VITRINE_FUZZ_EXAMPLES", "5000")), deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("long" if os.environ.get("VITRINE_FUZZ") == "long" else "ci")


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """The run's own apps hash passwords with argon2's cheapest parameters (argon2-cffi's profile for tests):
    the same argon2id code, without its 64 MB and 0.18 s per hash here, which over the run's thousand
    hashes and checks took 280 of its worker seconds. Servers the tests start as processes keep the
    shipped parameters; a test marked ``shipped_argon2`` does too (the decoy hash's cost is checked so)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
        accounts._nobody.cache_clear()
        yield
    accounts._nobody.cache_clear()


@pytest.fixture(autouse=True)
def _shipped_argon2(request):
    if request.node.get_closest_marker("shipped_argon2") is None:
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", PasswordHasher())
        accounts._nobody.cache_clear()
        yield
    accounts._nobody.cache_clear()


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    return tmp_path / "instance"


@pytest.fixture
def app(instance: Path):
    app = create_app({"INSTANCE": str(instance), "TESTING": True})
    yield app
    app.extensions["vitrine"].close()  # the search index's files and the store, not left to the garbage collector


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


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory):
    """The demo collection, loaded by the real `vitrine demo` command into a fresh instance (shared: read only)."""
    from click.testing import CliRunner

    from catalogue.cli import main

    instance = tmp_path_factory.mktemp("demo")
    loaded = CliRunner().invoke(main, ["demo"], env={"VITRINE_INSTANCE": str(instance)})
    assert loaded.exit_code == 0, loaded.output
    app = create_app({"INSTANCE": str(instance)})
    yield app
    app.extensions["vitrine"].store.close()
