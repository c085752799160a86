"""One access policy decides what a requester may see of a work, and every door asks it: info.json and
image requests (3.0, 2.1, details), /media/, manifests, thumbnails, the object page and search hits."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from catalogue import create_app
from catalogue.access import ANONYMOUS, FULL, NONE, Access, DenyPolicy, Requester, TieredPolicy, open_policy
from catalogue.iiif import levels
from catalogue.iiif.image import cut_tiles_for_object
from catalogue.model import DigitalObject, Exhibition, ExhibitionItem, Institution, MediaFile, Section
from catalogue.store import Batch
from test_image_api import GRID, IMAGES, IN_COPYRIGHT, PUBLIC

MODEL = Path(__file__).parent / "data" / "collection" / "3d" / "lamp_post.glb"
HUBBLE = IMAGES / "skimage_hubble_deep_field.jpg"
CAP = 300


def image(media_id: str, source: Path) -> MediaFile:
    with Image.open(source) as im:
        width, height = im.size
    return MediaFile(id=media_id, path=source.name, format="image/png" if source.suffix == ".png" else "image/jpeg",
                     width=width, height=height)


def catalogue(instance: Path, **config):
    """An open grid, and a work in copyright with an image and a 3D model (real files)."""
    app = create_app({"INSTANCE": str(instance), "TESTING": True, "COPYRIGHT_MAX_WIDTH": CAP, **config})
    media_dir = Path(app.config["MEDIA_DIR"])
    media_dir.mkdir(parents=True, exist_ok=True)
    for source in (GRID, HUBBLE, MODEL):
        shutil.copy(source, media_dir / source.name)
    model = MediaFile(id="held-model", path=MODEL.name, format="model/gltf-binary")
    app.extensions["vitrine"].store.write(Batch(objects=[
        DigitalObject(id="open", type="image", label={"en": ["Grid"]}, institution="test", rights=PUBLIC,
                      media=[image("grid", GRID)]),
        DigitalObject(id="held", type="3d", label={"en": ["Deep field"]}, institution="test", rights=IN_COPYRIGHT,
                      media=[image("hubble", HUBBLE), model]),
    ]))
    return app


@pytest.fixture
def app(tmp_path):
    app = catalogue(tmp_path / "instance")
    yield app
    app.extensions["vitrine"].images.wait_idle(30)
    app.extensions["vitrine"].store.close()


def size_of(response) -> tuple[int, int]:
    assert response.status_code == 200, response.data
    with Image.open(io.BytesIO(response.data)) as im:
        return im.size


def hit(client, words: str) -> dict:
    return client.get(f"/api/search?q={words}").json["hits"][0]


# -- the policy ----------------------------------------------------------------------

def test_the_tiered_policy_is_the_museum_rule():
    policy = TieredPolicy(800)
    picture, model = image("hubble", HUBBLE), MediaFile(id="m", path="m.glb", format="model/gltf-binary")
    assert policy.decide(ANONYMOUS, PUBLIC, picture) == FULL
    assert policy.decide(ANONYMOUS, None, model) == FULL
    assert policy.decide(ANONYMOUS, IN_COPYRIGHT, picture) == Access.reduced(800)
    assert Access.reduced(800).limit == 800 and Access.reduced(800).visible and not Access.reduced(800).whole
    assert policy.decide(ANONYMOUS, IN_COPYRIGHT, model) == NONE
    assert DenyPolicy().decide(Requester(roles=frozenset({"curator"})), PUBLIC, picture) == NONE


def test_the_policy_is_chosen_by_a_setting_or_given_as_an_object():
    assert open_policy({"COPYRIGHT_MAX_WIDTH": 640}).key == "tiered:640"
    assert isinstance(open_policy({"ACCESS_POLICY": "deny", "COPYRIGHT_MAX_WIDTH": 640}), DenyPolicy)
    own = DenyPolicy()
    assert open_policy({"ACCESS_POLICY": own}) is own
    with pytest.raises(ValueError, match="ACCESS_POLICY 'everyone' is not one of tiered, deny"):
        open_policy({"ACCESS_POLICY": "everyone", "COPYRIGHT_MAX_WIDTH": 640})


def test_the_setting_reaches_the_app_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("VITRINE_ACCESS_POLICY", "deny")
    app = create_app({"INSTANCE": str(tmp_path / "i"), "TESTING": True})
    assert isinstance(app.extensions["vitrine"].access, DenyPolicy)
    assert app.extensions["vitrine"].images.policy is app.extensions["vitrine"].access
    assert app.extensions["vitrine"].documents.policy is app.extensions["vitrine"].access


# -- every door, one decision ----------------------------------------------------------

def test_a_work_in_copyright_gets_the_same_reduced_decision_through_every_door(app):
    client = app.test_client()
    with Image.open(HUBBLE) as im:
        reduced = levels.capped_size(*im.size, CAP)
    info = client.get("/iiif/image/hubble/info.json").get_json(force=True)
    assert (info["width"], info["height"]) == reduced == (info["maxWidth"], info["maxHeight"])
    info2 = client.get("/iiif/image2/hubble/info.json").get_json(force=True)
    assert (info2["width"], info2["height"]) == reduced and info2["profile"][1]["maxWidth"] == reduced[0]
    assert size_of(client.get("/iiif/image/hubble/full/max/0/default.jpg")) == reduced
    assert size_of(client.get("/iiif/image2/hubble/full/full/0/default.jpg")) == reduced
    assert client.get(f"/iiif/image/hubble/full/^{reduced[0] + 1},/0/default.jpg").status_code == 403
    detail = client.get("/iiif/image/hubble/detail/0,0,100,100/info.json").get_json(force=True)
    assert (detail["width"], detail["height"]) == (100, 100)  # in the derivative's pixels
    assert client.get(f"/iiif/image/hubble/detail/0,0,{reduced[0] + 1},10/info.json").status_code == 404

    manifest = client.get("/iiif/object/held/manifest").get_json()
    assert len(manifest["items"]) == 1  # the model's original may not be sent: no canvas
    body = manifest["items"][0]["items"][0]["items"][0]["body"]
    assert (body["width"], body["height"]) == reduced
    assert manifest["thumbnail"][0]["width"] <= CAP
    assert client.get("/media/hubble").status_code == 403
    assert client.get("/media/held-model").status_code == 403

    page = client.get("/object/held").get_data(as_text=True)
    assert "/media/held-model" not in page
    with Image.open(HUBBLE) as im:
        width = levels.thumbnail_size(*im.size, 400, CAP)[0]
    assert hit(client, "deep")["thumbnail"] == f"http://localhost/iiif/image/hubble/full/{width},/0/default.jpg"
    assert f"/iiif/image/hubble/full/{manifest['thumbnail'][0]['width']}," in page
    # The manifest's thumbnail is one of the sizes the service advertises for this requester.
    assert {"width": manifest["thumbnail"][0]["width"], "height": manifest["thumbnail"][0]["height"]} in info["sizes"]


def test_an_open_work_is_seen_whole_through_every_door(app):
    client = app.test_client()
    info = client.get("/iiif/image/grid/info.json").get_json(force=True)
    assert (info["width"], info["height"]) == (1000, 1000) and "maxWidth" not in info
    assert size_of(client.get("/iiif/image/grid/full/max/0/default.png")) == (1000, 1000)
    body = client.get("/iiif/object/open/manifest").get_json()["items"][0]["items"][0]["items"][0]["body"]
    assert (body["width"], body["height"]) == (1000, 1000)
    original = client.get("/media/grid")
    assert original.status_code == 200 and original.data == GRID.read_bytes()
    width = levels.thumbnail_size(1000, 1000, 400)[0]
    assert hit(client, "grid")["thumbnail"] == f"http://localhost/iiif/image/grid/full/{width},/0/default.jpg"


def test_a_policy_that_denies_everything_closes_every_door_even_to_tiles_cut_before(tmp_path):
    instance = tmp_path / "instance"
    tiered = catalogue(instance)
    with tiered.app_context():
        cut_tiles_for_object("open")
    tile = "/iiif/image/grid/0,0,512,512/512,512/0/default.jpg"
    assert (instance / "tiles" / "grid" / "0,0,512,512").is_dir()
    assert tiered.test_client().get(tile).status_code == 200  # a file, sent by the fast path
    tiered.extensions["vitrine"].store.close()

    app = create_app({"INSTANCE": str(instance), "TESTING": True, "ACCESS_POLICY": "deny"})
    client = app.test_client()
    for url in (tile, "/iiif/image/grid/info.json", "/iiif/image/grid/full/max/0/default.png",
                "/iiif/image2/grid/info.json", "/iiif/image2/grid/full/full/0/default.jpg",
                "/iiif/image/grid/detail/0,0,100,100/info.json", "/iiif/image/grid", "/media/grid", "/media/held-model"):
        response = client.get(url)
        assert response.status_code == 403, url
    assert not (instance / "tiles" / "grid").exists()  # withdrawn before the first image was served
    assert client.get("/iiif/object/open/manifest").status_code == 404
    assert client.get("/iiif/object/held/manifest").status_code == 404
    assert hit(client, "grid")["thumbnail"] is None
    page = client.get("/object/open").get_data(as_text=True)
    assert "Grid" in page  # the record is public; its media are not
    assert "/iiif/image/grid/" not in page and "/iiif/object/open/manifest" not in page
    app.extensions["vitrine"].images.wait_idle(30)
    assert not (instance / "tiles" / "grid").exists()  # and none cut since
    app.extensions["vitrine"].store.close()


def _listed_manifests(client, url: str = "/iiif/collection") -> list[str]:
    """Every manifest a harvester reaches from ``url``, walking collections and their pages."""
    found, todo = [], [url]
    while todo:
        doc = client.get(todo.pop()).get_json(force=True)
        for item in doc["items"]:
            path = item["id"].removeprefix("http://localhost")
            (todo if item["type"] == "Collection" else found).append(path)
    return found


@pytest.mark.parametrize("policy", ["tiered", "deny"])
def test_no_collection_lists_a_manifest_that_everyone_may_not_open(tmp_path, policy):
    """A work with media of which everyone may see nothing (a 3D model in copyright; any work under the
    deny policy) has no manifest, nor has a route none of whose works everyone may see: no collection,
    exhibition page or record links one that answers 404."""
    app = catalogue(tmp_path / "instance", ACCESS_POLICY=policy)
    store = app.extensions["vitrine"].store
    model = MediaFile(id="kept-model", path=MODEL.name, format="model/gltf-binary")
    store.write(Batch(institutions=[Institution(id="test", label={"en": ["Test museum"]})],
                      objects=[DigitalObject(id="kept", type="3d", label={"en": ["Kept model"]}, institution="test",
                                             rights=IN_COPYRIGHT, media=[model])]))
    store.write(Batch(exhibitions=[Exhibition(slug="route", title={"en": ["Route"]}, status="published", sections=[
        Section(title={"en": ["All"]}, items=[ExhibitionItem(object=o) for o in ("open", "held", "kept")])])]))
    client = app.test_client()
    listed = _listed_manifests(client)
    assert "/iiif/object/open/manifest" in _listed_manifests(client, "/iiif/collection/test") or policy == "deny"
    expected = {"tiered": {"/iiif/object/open/manifest", "/iiif/object/held/manifest",
                           "/iiif/exhibition/route/manifest"},
                "deny": set()}[policy]
    assert set(listed) == expected
    for path in listed:
        assert client.get(path).status_code == 200, path
    route = client.get("/iiif/exhibition/route/manifest")
    assert route.status_code == (200 if policy == "tiered" else 404)  # a manifest has a canvas at least
    assert ("/iiif/exhibition/route/manifest" in client.get("/exhibition/route").get_data(as_text=True)) \
        == (policy == "tiered")
    for object_id in ("open", "held", "kept"):
        link = client.get(f"/api/objects/{object_id}").get_json()["links"]["manifest"]
        assert (link is not None) == (f"/iiif/object/{object_id}/manifest" in expected), object_id
        if link:
            assert client.get(link.removeprefix("http://localhost")).status_code == 200
    # an edit is followed: the model opened to everyone is listed, a new work in copyright with only a model is not
    store.write(Batch(objects=[
        DigitalObject(id="kept", type="3d", label={"en": ["Kept model"]}, institution="test", rights=PUBLIC,
                      media=[model]),
        DigitalObject(id="kept2", type="3d", label={"en": ["Another model"]}, institution="test",
                      rights=IN_COPYRIGHT, media=[MediaFile(id="kept2-model", path=MODEL.name,
                                                            format="model/gltf-binary")])]))
    if policy == "tiered":
        expected |= {"/iiif/object/kept/manifest"}
    assert set(_listed_manifests(client)) == expected
    app.extensions["vitrine"].images.wait_idle(30)
    store.close()
