"""The shipped demo collection: loads with `vitrine demo`, and every IIIF document it yields is valid."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from support import assert_valid_presentation


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A catalogue with the demo loaded through the real command, twice (it must be idempotent)."""
    instance = tmp_path_factory.mktemp("demo")
    runner = CliRunner()
    env = {"VITRINE_INSTANCE": str(instance)}
    first = runner.invoke(main, ["demo"], env=env)
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, ["demo"], env=env)
    assert again.exit_code == 0 and "0 created, 0 updated" in again.output, again.output
    from catalogue import create_app

    return create_app({"INSTANCE": str(instance)})


def test_demo_has_what_the_catalogue_promises(demo):
    store = demo.extensions["vitrine"].store
    objects = list(store.iter_objects())
    assert len(objects) >= 30
    assert len({o.institution for o in objects}) >= 3
    assert {"image", "book", "3d"} <= {o.type for o in objects}
    assert sum(o.type == "3d" for o in objects) >= 2
    assert any(o.type == "book" and len(o.media) > 1 and o.toc for o in objects)
    assert any(o.in_copyright for o in objects)
    for obj in objects:
        assert {"nl", "fr", "en"} <= set(obj.label), obj.id
        assert obj.subjects and obj.rights and obj.required_statement, obj.id
    assert any(s.startswith("kbr:") for o in objects for s in o.subjects)
    published = store.exhibitions("published")
    assert published
    route = published[0]
    assert 2 <= len(route.sections) <= 3
    assert any(item.region for item in route.items)
    assert len({store.get_object(i.object).institution for i in route.items}) >= 2
    assert all({"nl", "fr", "en"} <= set(i.caption) for i in route.items)


def test_every_demo_manifest_and_collection_passes_the_official_schema(demo):
    client = demo.test_client()
    store = demo.extensions["vitrine"].store
    urls = ["/iiif/collection"]
    urls += [f"/iiif/collection/{i.id}" for i in store.institutions()]
    urls += [f"/iiif/object/{o.id}/manifest" for o in store.iter_objects()]
    for e in store.exhibitions("published"):
        urls += [f"/iiif/exhibition/{e.slug}/manifest", f"/iiif/exhibition/{e.slug}/collection"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_valid_presentation(response.get_json(force=True))


def test_demo_pages_render(demo):
    client = demo.test_client()
    store = demo.extensions["vitrine"].store
    home = client.get("/").get_data(as_text=True)
    for inst in store.institutions():
        assert inst.label["en"][0] in home.replace("&#39;", "'").replace("&amp;", "&")
    exhibition = store.exhibitions("published")[0]
    page = client.get(f"/exhibition/{exhibition.slug}", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert exhibition.title["nl"][0] in page
    for obj in list(store.iter_objects())[:10]:
        assert client.get(f"/object/{obj.id}").status_code == 200


def test_every_demo_3d_object_shows_an_image_before_its_model(demo):
    client = demo.test_client()
    for obj in demo.extensions["vitrine"].store.iter_objects():
        if obj.type != "3d":
            continue
        m = client.get(f"/iiif/object/{obj.id}/manifest").get_json(force=True)
        model = m["items"][0]
        assert model["items"][0]["items"][0]["body"]["type"] == "Model", obj.id
        poster = model["placeholderCanvas"]["items"][0]["items"][0]["body"]
        assert poster["type"] == "Image" and poster["format"] == "image/jpeg", obj.id
        assert m["thumbnail"][0]["format"] == "image/jpeg" and ".glb" not in m["thumbnail"][0]["id"], obj.id
        thumb = client.get(m["thumbnail"][0]["id"].replace("http://localhost", ""))
        assert thumb.status_code == 200 and thumb.data[:2] == b"\xff\xd8", obj.id


def test_walking_from_the_top_collection_reaches_every_published_exhibition_and_no_draft(demo):
    client = demo.test_client()
    pending, seen = ["http://localhost/iiif/collection"], {}
    while pending:
        url = pending.pop()
        doc = seen[url] = client.get(url.replace("http://localhost", "")).get_json(force=True)
        if doc["type"] == "Collection":
            pending += [i["id"] for i in doc["items"] if i["id"] not in seen]
    store = demo.extensions["vitrine"].store
    for exhibition in store.exhibitions("published"):
        assert f"http://localhost/iiif/exhibition/{exhibition.slug}/manifest" in seen
    assert not [url for url in seen if "everyday-things" in url]
    assert list(seen["http://localhost/iiif/collection"]["items"][0]["label"])[0] == "en"


def test_no_demo_work_is_marked_in_copyright_while_its_credit_gives_an_open_licence(demo):
    import json

    capped = []
    for obj in demo.extensions["vitrine"].store.iter_objects():
        credit = json.dumps(obj.required_statement.value) if obj.required_statement else ""
        if "CC BY" in credit:
            assert "creativecommons.org/licenses/by" in obj.rights, obj.id
        if obj.in_copyright:
            assert "All rights reserved" in credit, obj.id
            capped.append(obj.id)
    assert capped == ["vitrine-composition-2026"]
    info = demo.test_client().get("/iiif/image/vitrine-composition-2026-1/info.json").get_json(force=True)
    assert info["maxWidth"] == 800  # the cap, shown on a work that is honestly in copyright
