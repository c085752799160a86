"""The `vitrine` command: help everywhere, clear failures, real imports."""
from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from catalogue.cli import main
from support import COLLECTION, DATA, ROOT


def _commands(command: click.Command = main, path: tuple[str, ...] = ()):
    """``vitrine`` and every command and subcommand under it, walked from the group itself."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))


COMMANDS = list(_commands())


@pytest.fixture
def run(tmp_path):
    env = {"VITRINE_INSTANCE": str(tmp_path / "instance")}

    def invoke(*args):
        return CliRunner().invoke(main, list(args), env=env)

    return invoke


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(("vitrine", *p)) for p, _ in COMMANDS])
def test_every_command_has_help_that_starts_with_its_docstring(run, path, command):
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    usage = result.output.splitlines()[0]
    assert usage.startswith("Usage: ") and usage.split()[2:2 + len(path)] == list(path)
    first_line = command.help.strip().splitlines()[0]
    assert " ".join(first_line.split()) in " ".join(result.output.split())  # click rewraps long lines


def test_ingest_json_reports_what_it_did(run):
    result = run("ingest", "json", str(COLLECTION))
    assert result.exit_code == 0, result.output
    assert "5 objects" in result.output and "objects: 5 created" in result.output


def test_ingest_csv_with_the_tate_mapping(run):
    result = run("ingest", "csv", str(DATA / "tate" / "sample.csv"), "--mapping", str(ROOT / "catalogue/mappings/tate.json"))
    assert result.exit_code == 0, result.output
    assert "130 objects" in result.output


def test_a_failed_import_exits_1_with_the_problems_and_no_traceback(run, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "institution": "nowhere"}\n')
    result = run("ingest", "json", str(bad))
    assert result.exit_code == 1
    assert "bad.jsonl:1: label: is required" in result.output
    assert "Traceback" not in result.output


def test_skip_invalid_writes_a_report(run, tmp_path):
    bad = tmp_path / "mixed.jsonl"
    bad.write_text('{"kind": "institution", "id": "i", "label": "I"}\n{"id": "ok", "label": "Ok", "institution": "i"}\n'
                   '{"id": "bad", "institution": "i"}\n')
    report = tmp_path / "report.tsv"
    result = run("ingest", "json", str(bad), "--skip-invalid", "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "skipped 1 invalid record(s)" in result.output
    assert report.read_text().splitlines()[1].endswith("3\tlabel\tis required")


LIVE = ("--base-url", "https://static.example.be", "--site-url", "https://iiif.example.be")


def test_publish_writes_each_document_as_the_json_file_its_id_names(run, tmp_path):
    import json

    assert run("ingest", "json", str(COLLECTION)).exit_code == 0
    target = tmp_path / "static"
    result = run("publish", *LIVE, "--to", str(target))
    assert result.exit_code == 0, result.output
    manifest = json.loads((target / "iiif/object/album/manifest.json").read_text())
    assert manifest["id"] == "https://static.example.be/iiif/object/album/manifest.json"
    service = manifest["items"][0]["items"][0]["items"][0]["body"]["service"][0]
    assert service["id"] == "https://iiif.example.be/iiif/image/album-1"  # the live image server
    assert manifest["homepage"][0]["id"] == "https://iiif.example.be/object/album"
    top = json.loads((target / "iiif/collection.json").read_text())
    for item in top["items"]:
        assert (target / item["id"].removeprefix("https://static.example.be/")).is_file()
    assert not (target / "iiif/exhibition/secret-draft").exists()


def test_publish_names_the_image_server_it_is_given(run, tmp_path):
    import json

    assert run("ingest", "json", str(COLLECTION)).exit_code == 0
    target = tmp_path / "static"
    result = run("publish", *LIVE, "--image-service", "https://images.example.be/iiif/3", "--to", str(target))
    assert result.exit_code == 0, result.output
    manifest = json.loads((target / "iiif/object/coins/manifest.json").read_text())
    assert manifest["thumbnail"][0]["service"][0]["id"] == "https://images.example.be/iiif/3/coins-1"


def test_publish_removes_what_is_no_longer_published(run, tmp_path):
    import dataclasses

    from catalogue.store.sqlite import SqliteStore

    assert run("ingest", "json", str(COLLECTION)).exit_code == 0
    target = tmp_path / "static"
    (target / "robots.txt").parent.mkdir(parents=True)
    (target / "robots.txt").write_text("not ours")
    assert run("publish", *LIVE, "--to", str(target)).exit_code == 0
    origins = target / "iiif/exhibition/origins/manifest.json"
    assert "Origins" in origins.read_text()

    store = SqliteStore(tmp_path / "instance" / "vitrine.db")
    store.put_exhibition(dataclasses.replace(store.get_exhibition("origins"), status="draft"))
    store.delete_object("rocket")
    result = run("publish", *LIVE, "--to", str(target))
    assert result.exit_code == 0, result.output
    assert not (target / "iiif/exhibition/origins").exists()
    assert not (target / "iiif/object/rocket").exists()
    assert (target / "iiif/object/album/manifest.json").is_file()
    assert "origins" not in (target / "iiif/collection.json").read_text()
    assert (target / "robots.txt").read_text() == "not ours"  # only our own documents are removed
    assert "removed 3" in result.output


def test_publish_needs_a_base_url(run):
    result = run("publish")
    assert result.exit_code == 1 and "--base-url" in result.output


def test_publish_needs_the_live_site_that_serves_the_images(run):
    result = run("publish", "--base-url", "https://static.example.be")
    assert result.exit_code == 1 and "--site-url" in result.output and "Traceback" not in result.output


def test_rebuild_recreates_the_index_and_the_tiles_from_the_store_alone(run, tmp_path):
    import shutil

    from catalogue import create_app

    assert run("ingest", "json", str(COLLECTION)).exit_code == 0
    instance = tmp_path / "instance"
    shutil.rmtree(instance / "index")
    shutil.rmtree(instance / "tiles")
    result = run("rebuild")
    assert result.exit_code == 0, result.output
    assert "5 objects indexed" in result.output
    assert "tiles: 6 cut" in result.output  # coins, horse, rocket, and the album's three pages
    client = create_app({"INSTANCE": str(instance)}).test_client()
    hits = client.get("/api/search?q=pompeii").get_json()
    assert [h["id"] for h in hits["hits"]] == ["coins"]
    assert client.get("/iiif/image/coins-1/full/384,/0/default.jpg").status_code == 200


def test_a_command_closes_the_search_index_and_store_it_opened(run):
    """Nothing a command opened is left to the garbage collector (an unclosed index file is a ResourceWarning)."""
    import gc
    import warnings

    assert run("ingest", "json", str(COLLECTION)).exit_code == 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for args in (["index"], ["index", "--catch-up"], ["index", "--rebuild", "--procs", "1"]):
            done = run(*args)
            assert done.exit_code == 0, done.output
            gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_an_import_without_a_terminal_prints_progress_lines_with_count_rate_and_phase(tmp_path):
    """Issue 13's reproduction: with output to a file, a 9-15 minute import said nothing until it ended."""
    env = {"VITRINE_INSTANCE": str(tmp_path / "instance"), "VITRINE_PROGRESS_INTERVAL": "0"}
    result = CliRunner().invoke(main, ["ingest", "csv", str(DATA / "tate" / "sample.csv"),
                                       "--mapping", str(ROOT / "catalogue/mappings/tate.json")], env=env)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith(("checking", "indexing"))]
    assert any(re.fullmatch(r"checking .*: [\d,]+ records \([\d,.]+/s, \d+:\d\d\)", line) for line in lines), lines
    assert any(line.startswith("indexing: ") for line in lines), lines
    assert "\r" not in result.output and "\x1b[" not in result.output  # lines for a log, not a bar
