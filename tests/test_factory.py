"""The application factory opens nothing: no database, no file, no command line."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from catalogue import create_app
from support import COLLECTION, ROOT


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_create_app_leaves_a_fresh_instance_folder_empty(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app({"INSTANCE": str(instance)})
    assert app.config["STORE_PATH"].startswith(str(instance))
    assert _files(instance) == []


def test_the_first_request_makes_the_catalogue_and_its_secret_key(tmp_path):
    instance = tmp_path / "instance"
    client = create_app({"INSTANCE": str(instance)}).test_client()
    assert client.get("/").status_code == 200
    assert (instance / "secret_key").read_text().strip()
    key = (instance / "secret_key").read_text()
    again = create_app({"INSTANCE": str(instance)}).test_client()
    assert again.get("/").status_code == 200
    assert (instance / "secret_key").read_text() == key  # sessions survive a restart


def _vitrine(instance: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "VITRINE_INSTANCE": str(instance), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", "from catalogue.cli import main; main()", *args],
                          env=env, capture_output=True, text=True, timeout=120, cwd=instance.parent)


def test_vitrine_help_in_an_empty_instance_creates_nothing(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    for args in (["--help"], ["ingest", "--help"], ["institutions", "list", "--help"]):
        done = _vitrine(instance, *args)
        assert done.returncode == 0, done.stderr
        assert "Usage:" in done.stdout
    assert _files(instance) == []


def test_the_factory_does_not_import_the_command_line():
    probe = ("import sys, catalogue; catalogue.create_app({'TESTING': True}); "
             "print('catalogue.cli' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_first_import_brings_the_shipped_thesaurus(tmp_path):
    instance = tmp_path / "instance"
    done = _vitrine(instance, "ingest", "json", str(COLLECTION))
    assert done.returncode == 0, done.stderr
    app = create_app({"INSTANCE": str(instance)})
    store = app.extensions["vitrine"].store
    assert store.concepts_count() > 100  # the KBR thesaurus, with the collection's own two concepts
    assert store.concepts(["kbr:LEXICON_00000016"])
