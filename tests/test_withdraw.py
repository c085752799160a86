"""Taking objects out of the catalogue: withdrawn (can come back) or deleted (gone for good)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from catalogue import create_app
from catalogue.cli import main
from catalogue.services.objects import UnknownObjects
from support import COLLECTION, import_file


def _public(client, object_id: str) -> dict:
    """Where a visitor or a harvester can meet the object."""
    hits = client.get("/api/search?q=pompeii").get_json()["hits"]
    listed = client.get("/iiif/collection/brooklyn").get_json()
    sitemap = client.get("/sitemap-2.xml").get_data(as_text=True)
    return {
        "page": client.get(f"/object/{object_id}").status_code,
        "manifest": client.get(f"/iiif/object/{object_id}/manifest").status_code,
        "search": [h["id"] for h in hits],
        "collection": object_id in [item["id"].rsplit("/", 2)[-2] for item in listed.get("items", [])],
        "sitemap": f"/object/{object_id}<" in sitemap,
    }


def test_a_withdrawn_object_leaves_every_public_place_and_says_gone(collection):
    client = collection.test_client()
    assert _public(client, "coins") == {"page": 200, "manifest": 200, "search": ["coins"],
                                         "collection": True, "sitemap": True}
    svc = collection.extensions["vitrine"]
    assert svc.objects.withdraw(["coins"]) == ["coins"]
    assert _public(client, "coins") == {"page": 410, "manifest": 410, "search": [],
                                         "collection": False, "sitemap": False}
    assert "withdrawn" in client.get("/object/coins").get_data(as_text=True)
    assert client.get("/iiif/object/coins/manifest").get_json()["status"] == 410
    assert client.get("/iiif/image/coins-1/info.json").status_code == 404
    last = svc.store.changes(since=svc.store.last_seq() - 1)
    assert [(c.kind, c.ref, c.action) for c in last] == [("object", "coins", "delete")]


def test_a_restored_object_comes_back_with_a_newer_version(collection):
    client = collection.test_client()
    svc = collection.extensions["vitrine"]
    before = svc.store.get_object("coins")
    svc.objects.withdraw(["coins"])
    assert svc.objects.restore(["coins"]) == ["coins"]
    assert _public(client, "coins") == {"page": 200, "manifest": 200, "search": ["coins"],
                                         "collection": True, "sitemap": True}
    after = svc.store.get_object("coins")
    assert after.version == before.version + 1 and after.to_dict()["media"] == before.to_dict()["media"]
    assert svc.store.changes(since=svc.store.last_seq() - 1)[0].action == "create"


def test_an_import_does_not_bring_a_withdrawn_object_back(collection):
    from catalogue.ingest import IngestError

    collection.extensions["vitrine"].objects.withdraw(["coins"])
    with pytest.raises(IngestError) as caught:
        import_file(collection, COLLECTION)
    assert "'coins' was withdrawn" in str(caught.value)
    assert collection.extensions["vitrine"].store.get_object("coins") is None


def test_a_deleted_object_is_gone_with_its_media_files(collection):
    client = collection.test_client()
    svc = collection.extensions["vitrine"]
    files = [svc.media_dir / m.path for m in svc.store.get_object("coins").media]
    assert files and all(f.is_file() for f in files)
    assert svc.objects.delete(["coins"]) == ["coins"]
    assert _public(client, "coins") == {"page": 404, "manifest": 404, "search": [],
                                         "collection": False, "sitemap": False}
    assert not any(f.exists() for f in files)
    with pytest.raises(UnknownObjects):
        svc.objects.restore(["coins"])
    assert svc.store.changes(since=svc.store.last_seq() - 1)[0].action == "delete"


def test_a_withdrawn_object_can_be_deleted_for_good(collection):
    svc = collection.extensions["vitrine"]
    files = [svc.media_dir / m.path for m in svc.store.get_object("coins").media]
    svc.objects.withdraw(["coins"])
    assert svc.objects.delete(["coins"]) == ["coins"]
    assert collection.test_client().get("/object/coins").status_code == 404
    assert not any(f.exists() for f in files)


@pytest.fixture
def run(tmp_path):
    env = {"VITRINE_INSTANCE": str(tmp_path / "instance")}

    def invoke(*args, input=None):
        return CliRunner().invoke(main, list(args), env=env, input=input)

    assert invoke("ingest", "json", str(COLLECTION)).exit_code == 0
    return invoke


def _store(tmp_path):
    return create_app({"INSTANCE": str(tmp_path / "instance")}).extensions["vitrine"].store


def test_vitrine_withdraw_and_restore(run, tmp_path):
    withdrawn = run("withdraw", "coins", "horse")
    assert withdrawn.exit_code == 0, withdrawn.output
    assert "withdrew 2 object(s): coins, horse" in withdrawn.output
    assert _store(tmp_path).get_object("coins") is None
    restored = run("restore", "coins")
    assert restored.exit_code == 0, restored.output
    assert "restored 1 object(s): coins" in restored.output
    assert _store(tmp_path).get_object("coins") is not None


def test_vitrine_withdraw_of_an_unknown_id_fails_and_changes_nothing(run, tmp_path):
    result = run("withdraw", "coins", "nothing-here")
    assert result.exit_code == 1 and "nothing-here" in result.output
    assert _store(tmp_path).get_object("coins") is not None


def test_vitrine_delete_asks_first(run, tmp_path):
    declined = run("delete", "coins", input="n\n")
    assert declined.exit_code != 0
    assert _store(tmp_path).get_object("coins") is not None
    deleted = run("delete", "coins", "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert "deleted 1 object(s): coins" in deleted.output
    assert _store(tmp_path).get_object("coins") is None


def test_updating_an_object_follows_the_import_rules_and_is_searchable_at_once(collection):
    from catalogue.model import ValidationError

    svc = collection.extensions["vitrine"]
    coins = svc.store.get_object("coins")
    coins.institution = "nowhere"
    with pytest.raises(ValidationError) as caught:
        svc.objects.update(coins)
    assert caught.value.field == "institution"
    coins = svc.store.get_object("coins")
    coins.label = {"en": ["Silver drachms"]}
    assert svc.objects.update(coins).updated == 1
    hits = collection.test_client().get("/api/search?q=drachms").get_json()["hits"]
    assert [h["id"] for h in hits] == ["coins"]
