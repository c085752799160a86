"""Sync with the source (issue 13, item 11): an import reports the objects of its scope that its file
no longer has; --prune withdraws them, --delete-missing deletes them, inside the import's transaction;
and every import says what it created, updated and left unchanged, in a dry run as well."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import COLLECTION

from catalogue import create_app
from catalogue.cli import main
from catalogue.ingest import IngestError
from catalogue.ingest.jsonfile import read_json

SHIPPED = {r.get("id") or r.get("slug") or r.get("uri"): r
           for r in map(json.loads, COLLECTION.read_text().splitlines())}


def _file(folder: Path, *records: dict | str, name: str = "sync.jsonl") -> Path:
    """A JSONL import beside a copy of the test collection's media: shipped records by id, or new ones."""
    for media in ("images", "3d"):
        if not (folder / media).exists():
            shutil.copytree(COLLECTION.parent / media, folder / media)
    path = folder / name
    path.write_text("".join(json.dumps(SHIPPED[r] if isinstance(r, str) else r) + "\n" for r in records))
    return path


def _changed(record: str, **fields) -> dict:
    return {**SHIPPED[record], **fields}


NEW = {"id": "sketch", "type": "image", "label": {"en": ["A new sketch"]}, "institution": "brooklyn"}


def _state(app) -> dict:
    """Everything an import could change: the store's objects and log, the index, the files under media/."""
    svc = app.extensions["vitrine"]
    return {
        "objects": {o.id: o.to_dict() for o in svc.store.iter_objects()},
        "withdrawn": [o.id for o in svc.store.withdrawn_objects()],
        "last_seq": svc.store.last_seq(),
        "search": sorted(h["id"] for h in app.test_client().get("/api/search?size=100").get_json()["hits"]),
        "media": sorted(str(p.relative_to(svc.media_dir)) for p in svc.media_dir.rglob("*")),
    }


def _run(app, path: Path, **options):
    return app.extensions["vitrine"].imports.run(read_json(path), **options)


def test_a_dry_run_says_what_would_be_created_updated_unchanged_and_withdrawn_and_changes_nothing(collection, tmp_path):
    path = _file(tmp_path, "coins", _changed("horse", label={"en": ["A horse, renamed"]}), NEW)
    before = _state(collection)
    result = _run(collection, path, dry_run=True, missing="withdraw")
    assert (result.created, result.updated, result.unchanged) == (["sketch"], ["horse"], ["coins"])
    assert result.missing == ["album"] and result.missing_action == "withdraw"
    assert (result.scope, result.scope_of) == ("institution", ["brooklyn"])
    assert result.dry_run and result.written is None
    assert _state(collection) == before


def test_a_real_import_reports_the_same_as_its_dry_run(collection, tmp_path):
    path = _file(tmp_path, "coins", _changed("horse", label={"en": ["A horse, renamed"]}), NEW)
    dry = _run(collection, path, dry_run=True)
    real = _run(collection, path)
    assert (real.created, real.updated, real.unchanged, real.missing) == (
        dry.created, dry.updated, dry.unchanged, dry.missing) == (["sketch"], ["horse"], ["coins"], ["album"])
    assert real.missing_action == "keep" and not real.dry_run
    svc = collection.extensions["vitrine"]
    assert svc.store.get_object("album") is not None  # only reported: --prune was not asked for


def _public(client, object_id: str) -> dict:
    listed = client.get("/iiif/collection/brooklyn").get_json()
    return {
        "page": client.get(f"/object/{object_id}").status_code,
        "manifest": client.get(f"/iiif/object/{object_id}/manifest").status_code,
        "search": object_id in [h["id"] for h in client.get("/api/search?size=100").get_json()["hits"]],
        "collection": object_id in [item["id"].rsplit("/", 2)[-2] for item in listed.get("items", [])],
    }


def test_prune_withdraws_exactly_the_missing_objects_and_restore_brings_them_back(collection, tmp_path):
    svc, client = collection.extensions["vitrine"], collection.test_client()
    assert _public(client, "album") == {"page": 200, "manifest": 200, "search": True, "collection": True}
    others = {o.id: o.version for o in svc.store.iter_objects() if o.id != "album"}
    seq = svc.store.last_seq()
    result = _run(collection, _file(tmp_path, "coins", "horse"), missing="withdraw")
    assert result.missing == ["album"] and result.unchanged == ["coins", "horse"]
    assert svc.store.is_withdrawn("album") and svc.store.get_object("album") is None
    assert {o.id: o.version for o in svc.store.iter_objects()} == others
    assert _public(client, "album") == {"page": 410, "manifest": 410, "search": False, "collection": False}
    assert [(c.kind, c.ref, c.action, c.user) for c in svc.store.changes(since=seq)] == [
        ("object", "album", "delete", None)]
    assert svc.objects.restore(["album"]) == ["album"]
    assert _public(client, "album") == {"page": 200, "manifest": 200, "search": True, "collection": True}


def test_delete_missing_deletes_the_missing_objects_with_their_media_files_and_tiles(collection, tmp_path):
    svc, client = collection.extensions["vitrine"], collection.test_client()
    svc.keeper.tiles(["album"])
    album = svc.store.get_object("album")
    files = [svc.media_dir / m.path for m in album.media]
    assert files and all(f.is_file() for f in files)
    assert svc.images.tiles.object_media("album")
    seq = svc.store.last_seq()
    result = _run(collection, _file(tmp_path, "coins", "horse"), missing="delete")
    assert result.missing == ["album"] and result.missing_action == "delete"
    assert svc.store.get_object("album") is None and not svc.store.is_withdrawn("album")
    assert not any(f.exists() for f in files)
    assert not svc.images.tiles.object_media("album")
    assert _public(client, "album") == {"page": 404, "manifest": 404, "search": False, "collection": False}
    assert [(c.ref, c.action, c.user) for c in svc.store.changes(since=seq)] == [("album", "delete", None)]


def test_a_record_skipped_as_invalid_still_counts_as_present_and_is_not_pruned(collection, tmp_path):
    svc = collection.extensions["vitrine"]
    typo = {k: v for k, v in SHIPPED["album"].items() if k != "label"}  # its new record lost its label
    result = _run(collection, _file(tmp_path, "coins", "horse", typo), missing="withdraw", skip_invalid=True)
    assert [p.field for p in result.skipped] == ["label"]
    assert result.missing == []
    assert svc.store.get_object("album") is not None and not svc.store.is_withdrawn("album")


def test_an_import_of_another_institution_prunes_nothing_of_the_first(collection, tmp_path):
    svc = collection.extensions["vitrine"]
    before = {o.id for o in svc.store.iter_objects()}
    tate = [{"kind": "institution", "id": "tate", "label": {"en": ["Tate"]}},
            {"id": "t1", "type": "image", "label": {"en": ["A Tate work"]}, "institution": "tate"}]
    result = _run(collection, _file(tmp_path, *tate), missing="delete")
    assert result.missing == [] and result.scope_of == ["tate"] and result.created == ["t1"]
    assert {o.id for o in svc.store.iter_objects()} == before | {"t1"}


def test_pruning_an_object_a_published_exhibition_shows_is_refused_naming_the_exhibition(collection, tmp_path):
    before = _state(collection)
    for missing in ("withdraw", "delete"):
        for dry_run in (True, False):
            with pytest.raises(IngestError) as caught:
                _run(collection, _file(tmp_path, "horse", "album"), missing=missing, dry_run=dry_run)
            assert "'coins'" in str(caught.value) and "'origins'" in str(caught.value)
    assert _state(collection) == before


def test_an_object_only_a_draft_exhibition_shows_is_pruned_and_leaves_the_draft_out(collection, tmp_path):
    svc = collection.extensions["vitrine"]
    result = _run(collection, _file(tmp_path, "coins", "album"), missing="withdraw")  # horse: in the draft only
    assert result.missing == ["horse"] and svc.store.is_withdrawn("horse")


MUSEUM = [
    {"kind": "institution", "id": "museum", "label": {"en": ["Museum"]}},
    {"kind": "collection", "id": "prints", "label": {"en": ["Prints"]}, "institution": "museum"},
    {"kind": "collection", "id": "photos", "label": {"en": ["Photos"]}, "institution": "museum"},
    *({"id": oid, "type": "image", "label": {"en": [oid]}, "institution": "museum", "collections": [coll],
       "source": f"https://museum.example/iiif/{folder}/{oid}/manifest"}
      for oid, coll, folder in [("p1", "prints", "lent"), ("p2", "prints", "lent"), ("p3", "prints", "own"),
                                ("f1", "photos", "lent"), ("f2", "photos", "own")]),
]


def _museum(app, tmp_path) -> dict[str, dict]:
    _run(app, _file(tmp_path, *MUSEUM, name="museum.jsonl"))
    return {r["id"]: r for r in MUSEUM if "kind" not in r}


def test_the_collection_scope_prunes_only_within_the_collections_of_the_imported_objects(app, tmp_path):
    records = _museum(app, tmp_path)
    result = _run(app, _file(tmp_path, records["p1"]), missing="withdraw", scope="collection")
    assert (result.scope, result.scope_of, result.missing) == ("collection", ["prints"], ["p2", "p3"])
    assert {o.id for o in app.extensions["vitrine"].store.iter_objects()} == {"p1", "f1", "f2"}


def test_the_source_scope_prunes_the_objects_whose_source_shares_the_imported_sources_prefix(app, tmp_path):
    records = _museum(app, tmp_path)
    result = _run(app, _file(tmp_path, records["p1"], records["f1"]), missing="withdraw", scope="source")
    assert result.scope_of == ["https://museum.example/iiif/lent/"]
    assert result.missing == ["p2"]
    assert {o.id for o in app.extensions["vitrine"].store.iter_objects()} == {"p1", "f1", "p3", "f2"}


def test_the_source_scope_without_sources_is_refused(collection, tmp_path):
    with pytest.raises(IngestError, match="source"):
        _run(collection, _file(tmp_path, "coins", "horse"), missing="withdraw", scope="source")
    assert collection.extensions["vitrine"].store.get_object("album") is not None


# -- the command ----------------------------------------------------------------------------

@pytest.fixture
def run(tmp_path):
    env = {"VITRINE_INSTANCE": str(tmp_path / "instance")}

    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], env=env)

    assert invoke("ingest", "json", COLLECTION).exit_code == 0
    return invoke


def test_the_command_dry_run_gives_the_counts_and_the_confirmation_count(run, tmp_path):
    path = _file(tmp_path, "coins", _changed("horse", label={"en": ["Renamed"]}), NEW)
    result = run("ingest", "json", path, "--dry-run", "--prune")
    assert result.exit_code == 0, result.output
    assert "objects: 1 created, 1 updated, 1 unchanged" in result.output
    assert "would withdraw 1 object of brooklyn that is not in this file: album" in result.output
    assert "nothing was written" in result.output
    store_app = create_app({"INSTANCE": str(tmp_path / "instance")})
    try:
        assert store_app.extensions["vitrine"].store.get_object("album") is not None
    finally:
        store_app.extensions["vitrine"].close()


def test_the_command_prunes_and_deletes_and_says_so(run, tmp_path):
    assert "1 object of brooklyn is not in this file" in run("ingest", "json", _file(tmp_path, "coins", "horse")).output
    pruned = run("ingest", "json", _file(tmp_path, "coins", "horse"), "--prune")
    assert pruned.exit_code == 0, pruned.output
    assert "withdrew 1 object of brooklyn that is not in this file: album" in pruned.output
    assert run("restore", "album").exit_code == 0
    deleted = run("ingest", "json", _file(tmp_path, "coins", "horse"), "--delete-missing", "--scope", "institution")
    assert deleted.exit_code == 0, deleted.output
    assert "deleted 1 object of brooklyn that is not in this file: album" in deleted.output
    assert "no withdrawn object 'album'" in run("restore", "album").output


def test_prune_and_delete_missing_together_are_refused(run, tmp_path):
    result = run("ingest", "json", _file(tmp_path, "coins"), "--prune", "--delete-missing")
    assert result.exit_code == 2 and "--prune" in result.output and "--delete-missing" in result.output


def test_the_report_file_lists_every_id_with_what_happened_to_it(run, tmp_path):
    report = tmp_path / "report.tsv"
    typo = {k: v for k, v in SHIPPED["horse"].items() if k != "label"}
    path = _file(tmp_path, "coins", typo, NEW)
    result = run("ingest", "json", path, "--prune", "--skip-invalid", "--dry-run", "--report", report)
    assert result.exit_code == 0, result.output
    lines = report.read_text().splitlines()
    assert lines[0] == "outcome\tid\tfile\trow\tfield\tproblem"
    assert f"skipped\t\t{path}\t2\tlabel\tis required" in lines
    assert {"created\tsketch", "unchanged\tcoins", "withdrawn\talbum"} <= {"\t".join(x.split("\t")[:2]) for x in lines}


def test_the_command_shows_the_first_ids_and_leaves_the_rest_to_the_report(run, tmp_path):
    many = [{"id": f"new-{i:02}", "type": "image", "label": {"en": [f"New {i}"]}, "institution": "spacex"}
            for i in range(15)]
    result = run("ingest", "json", _file(tmp_path, *many, name="many.jsonl"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "created: new-00, new-01" in result.output and "new-09, and 5 more" in result.output
    assert "new-14" not in result.output


def test_two_imports_at_once_one_pruning_stay_consistent(tmp_path):
    instance = tmp_path / "instance"
    env = {**os.environ, "VITRINE_INSTANCE": str(instance)}
    vitrine = str(Path(sys.executable).parent / "vitrine")
    subprocess.run([vitrine, "ingest", "json", str(COLLECTION)], env=env, check=True, capture_output=True, timeout=120)
    everything = _file(tmp_path, "coins", "horse", "album", NEW, name="all.jsonl")
    fewer = _file(tmp_path, "coins", "horse", name="fewer.jsonl")
    runs = [subprocess.Popen([vitrine, "ingest", "json", str(path), *options], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for path, options in ((everything, ()), (fewer, ("--prune",)))]
    outputs = [p.communicate(timeout=300) for p in runs]
    assert runs[1].returncode == 0, outputs[1]  # it withdraws album, whichever runs first
    app = create_app({"INSTANCE": str(instance)})
    try:
        store = app.extensions["vitrine"].store
        assert store.is_withdrawn("album") and store.get_object("album") is None
        assert len([c for c in store.changes(limit=10_000) if c.ref == "album" and c.action == "delete"]) == 1
        if runs[0].returncode == 0:  # everything came first: its new sketch is not in fewer, so it went too
            assert store.is_withdrawn("sketch")
            assert "withdrew 2 objects of brooklyn" in outputs[1][0]
        else:  # it came second, met the withdrawn album and wrote nothing
            assert "'album' was withdrawn" in outputs[0][0] + outputs[0][1]
            assert store.get_object("sketch") is None and not store.is_withdrawn("sketch")
        hits = app.test_client().get("/api/search?size=100").get_json()["hits"]
        assert sorted(h["id"] for h in hits) == sorted(o.id for o in store.iter_objects())
    finally:
        app.extensions["vitrine"].close()
