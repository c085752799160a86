"""Declaring institutions and collections on the command line, validated like an import."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from catalogue import create_app
from catalogue.cli import main
from support import DATA


@pytest.fixture
def run(tmp_path):
    env = {"VITRINE_INSTANCE": str(tmp_path / "instance")}

    def invoke(*args, input=None):
        return CliRunner().invoke(main, list(args), env=env, input=input)

    return invoke


def test_a_newcomer_declares_an_institution_then_imports_a_folder_for_it(run, tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    shutil.copy(DATA / "collection" / "images" / "rocket.jpg", scans / "rocket.jpg")
    added = run("institutions", "add", "kbr", "--name", "fr=KBR", "--name", "nl=KBR",
                "--name", "en=Royal Library of Belgium", "--homepage", "https://www.kbr.be/")
    assert added.exit_code == 0, added.output
    assert "kbr" in added.output
    imported = run("ingest", "folder", str(scans), "--institution", "kbr")
    assert imported.exit_code == 0, imported.output
    store = create_app({"INSTANCE": str(tmp_path / "instance")}).extensions["vitrine"].store
    institution = store.get_institution("kbr")
    assert institution.label == {"fr": ["KBR"], "nl": ["KBR"], "en": ["Royal Library of Belgium"]}
    assert institution.homepage == "https://www.kbr.be/"
    assert store.get_object("rocket").institution == "kbr"


def test_institutions_and_collections_are_listed_with_their_names(run):
    assert run("institutions", "add", "kbr", "--name", "fr=KBR").exit_code == 0
    assert run("institutions", "add", "kmkg", "--name", "nl=Kunst en Geschiedenis").exit_code == 0
    added = run("collections", "add", "prints", "--institution", "kbr", "--name", "en=Prints", "--name", "fr=Estampes")
    assert added.exit_code == 0, added.output
    listed = run("institutions", "list")
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == ["kbr\tKBR", "kmkg\tKunst en Geschiedenis"]
    collections = run("collections", "list")
    assert collections.output.splitlines() == ["prints\tkbr\tPrints"]
    assert run("collections", "list", "--institution", "kmkg").output == ""


def test_renaming_an_institution_is_adding_it_again(run, tmp_path):
    assert run("institutions", "add", "kbr", "--name", "fr=KBR").exit_code == 0
    assert run("institutions", "add", "kbr", "--name", "fr=Bibliothèque royale").exit_code == 0
    assert run("institutions", "list").output.splitlines() == ["kbr\tBibliothèque royale"]


@pytest.mark.parametrize("args, message", [
    (["institutions", "add", "bad id", "--name", "fr=X"], "id"),
    (["institutions", "add", "kbr"], "--name"),
    (["institutions", "add", "kbr", "--name", "KBR"], "LANG=TEXT"),
    (["institutions", "add", "kbr", "--name", "fr=KBR", "--homepage", "javascript:alert(1)"], "homepage"),
    (["collections", "add", "prints", "--institution", "nowhere", "--name", "en=Prints"], "unknown institution 'nowhere'"),
])
def test_a_bad_declaration_is_refused_with_the_field_and_writes_nothing(run, args, message):
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert run("institutions", "list").output == ""
