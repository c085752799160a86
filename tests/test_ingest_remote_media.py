"""A work lent by another institution: its media are that institution's image service, by reference."""
from __future__ import annotations

import functools
import io
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from click.testing import CliRunner
from PIL import Image, ImageChops, ImageStat

from catalogue import create_app
from catalogue.cli import main
from catalogue.ingest import IngestError
from support import COLLECTION, assert_valid_presentation, import_file, serving


@pytest.fixture
def lender(collection):
    """Another institution's Vitrine (the test collection) serving its Image API on 127.0.0.1."""
    with serving(collection) as base:
        yield base


@pytest.fixture
def borrower(tmp_path):
    app = create_app({"INSTANCE": str(tmp_path / "borrower"), "TESTING": True})
    yield app
    app.extensions["vitrine"].close()


def loan(tmp_path, media: list) -> object:
    path = tmp_path / "loan.jsonl"
    records = [{"kind": "institution", "id": "lender", "label": {"en": ["Lender"]}},
               {"id": "loan-1", "label": {"en": ["A loan"]}, "institution": "lender", "media": media}]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path


def test_an_image_service_is_read_for_its_version_and_size_and_painted_by_reference(lender, borrower, collection,
                                                                                     tmp_path):
    served = collection.extensions["vitrine"].store.get_object("rocket")
    service = f"{lender}/iiif/image/{served.media[0].id}"
    import_file(borrower, loan(tmp_path, [{"service": service}]))
    media = borrower.extensions["vitrine"].store.get_object("loan-1").media[0]
    assert (media.service, media.service_type, media.width, media.height) == (
        service, "ImageService3", served.media[0].width, served.media[0].height)
    manifest = borrower.test_client().get("/iiif/object/loan-1/manifest").get_json()
    body = manifest["items"][0]["items"][0]["items"][0]["body"]
    assert body["id"] == f"{service}/full/max/0/default.jpg" and body["service"][0]["id"] == service


def test_an_image_service_that_is_not_there_is_refused_naming_the_url_and_nothing_is_written(lender, borrower,
                                                                                            tmp_path):
    missing = f"{lender}/iiif/image/no-such-image"
    with pytest.raises(IngestError, match=r"media\[0\]\.service: answered HTTP 404") as refused:
        import_file(borrower, loan(tmp_path, [{"service": missing}]))
    assert f"{missing}/info.json" in str(refused.value) or "loan.jsonl:2" in str(refused.value)
    assert borrower.extensions["vitrine"].store.get_object("loan-1") is None


# -- remote images everywhere else (issue 13, item 8) ------------------------------------------------

PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
INC = "http://rightsstatements.org/vocab/InC/1.0/"


class _Plain(SimpleHTTPRequestHandler):
    """A plain web server: files as they are, no CORS header (as many image hosts)."""

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def files(tmp_path):
    """A folder served by Python's http.server on 127.0.0.1: (its path, its base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Plain, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def lent(tmp_path, media: list, rights: str | None = PDM, more: tuple = ()) -> object:
    """A loan record (with its lender institution) whose media are remote, as an import file."""
    path = tmp_path / "loan.jsonl"
    records = [{"kind": "institution", "id": "lender", "label": {"en": ["Lender"]}},
               {"id": "loan-1", "type": "image", "label": {"en": ["A lent rocket"]}, "institution": "lender",
                "media": media, **({"rights": rights} if rights else {})}, *more]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path


def rocket_service(lender: str) -> str:
    return f"{lender}/iiif/image/rocket-launch"


def fetched_image(url: str) -> Image.Image:
    response = requests.get(url, timeout=20)
    assert response.status_code == 200, (url, response.status_code)
    with Image.open(io.BytesIO(response.content)) as image:
        return image.convert("RGB")


def test_an_image_url_without_a_size_is_probed_from_its_first_bytes_for_its_size_and_format(files, borrower,
                                                                                            tmp_path):
    root, base = files
    Image.new("RGB", (300, 200), "red").save(root / "a.png")
    # an ICC profile of 300 kB before the frame header: more than the first read holds
    Image.new("RGB", (320, 240), "blue").save(root / "b.jpg", icc_profile=bytes(300_000))
    Image.new("RGB", (123, 45), "green").save(root / "c.webp")
    import_file(borrower, lent(tmp_path, [{"url": f"{base}/a.png"}, {"url": f"{base}/b.jpg"},
                                          {"url": f"{base}/c.webp"}]))
    media = borrower.extensions["vitrine"].store.get_object("loan-1").media
    assert [(m.url, m.format, m.width, m.height) for m in media] == [
        (f"{base}/a.png", "image/png", 300, 200), (f"{base}/b.jpg", "image/jpeg", 320, 240),
        (f"{base}/c.webp", "image/webp", 123, 45)]
    manifest = borrower.test_client().get("/iiif/object/loan-1/manifest").get_json()
    assert [c["items"][0]["items"][0]["body"]["id"] for c in manifest["items"]] == [m.url for m in media]
    assert manifest["thumbnail"][0]["id"] == f"{base}/a.png"


def test_an_image_url_that_is_no_image_is_refused_naming_the_url_and_nothing_is_written(files, borrower,
                                                                                       tmp_path):
    root, base = files
    (root / "notes.txt").write_text("not an image at all\n" * 10)
    with pytest.raises(IngestError, match=r"loan.jsonl:2: media\[0\]\.url: is not an image"):
        import_file(borrower, lent(tmp_path, [{"url": f"{base}/notes.txt"}]))
    with pytest.raises(IngestError, match=r"media\[0\]\.url: answered HTTP 404"):
        import_file(borrower, lent(tmp_path, [{"url": f"{base}/missing.jpg"}]))
    assert borrower.extensions["vitrine"].store.get_object("loan-1") is None


def test_an_image_service_without_cors_is_imported_with_a_warning_that_viewers_elsewhere_cannot_load_it(
        lender, files, borrower, tmp_path):
    root, base = files
    info = requests.get(f"{rocket_service(lender)}/info.json", timeout=20).json()
    (root / "svc").mkdir()
    (root / "svc" / "info.json").write_text(json.dumps(info))
    result = import_file(borrower, lent(tmp_path, [{"service": f"{base}/svc"}, {"service": rocket_service(lender)}]))
    assert [str(w).removeprefix(f"{tmp_path}/") for w in result.warnings] == [
        f"loan.jsonl:2: media[0].service: {base}/svc/info.json sends no Access-Control-Allow-Origin header: "
        "viewers on other sites cannot load it"]
    assert borrower.extensions["vitrine"].store.get_object("loan-1").media[0].width == 640


def test_a_loans_thumbnails_are_sizes_its_lenders_service_offers_in_the_manifest_hits_and_pages(
        lender, borrower, tmp_path):
    service = rocket_service(lender)
    import_file(borrower, lent(tmp_path, [{"service": service}]))
    media = borrower.extensions["vitrine"].store.get_object("loan-1").media[0]
    assert media.sizes == [(40, 27), (80, 54), (160, 107), (320, 214), (640, 427)]  # read from info.json
    client = borrower.test_client()
    thumb = client.get("/iiif/object/loan-1/manifest").get_json()["thumbnail"][0]
    assert (thumb["id"], thumb["width"], thumb["height"]) == (f"{service}/full/640,427/0/default.jpg", 640, 427) \
        or (thumb["id"], thumb["width"]) == (f"{service}/full/max/0/default.jpg", 640)
    assert fetched_image(thumb["id"]).size == (thumb["width"], thumb["height"])
    hit = client.get("/api/search?q=rocket").get_json()["hits"][0]
    assert hit["id"] == "loan-1" and hit["thumbnail"] == thumb["id"]
    assert hit["manifest"].endswith("/iiif/object/loan-1/manifest")
    results = client.get("/search?q=rocket").get_data(as_text=True)
    assert f'src="{thumb["id"]}"' in results and "/iiif/image/loan-1" not in results
    page = client.get("/object/loan-1").get_data(as_text=True)
    assert f'<meta property="og:image" content="{thumb["id"]}">' in page
    assert "/iiif/image/loan-1" not in page and "/media/loan-1" not in page
    assert "served by the institution that lends the work" in page  # no downloads of the lender's files here
    record = client.get("/api/objects/loan-1").get_json()
    assert f"{service}/info.json" in json.dumps(record)


def test_vitrines_own_image_api_and_media_answer_404_with_a_reason_for_a_remote_media_id(lender, borrower,
                                                                                        tmp_path):
    import_file(borrower, lent(tmp_path, [{"service": rocket_service(lender)}]))
    client = borrower.test_client()
    for url in ("/iiif/image/loan-1-1/info.json", "/iiif/image/loan-1-1/full/max/0/default.jpg",
                "/iiif/image2/loan-1-1/info.json", "/iiif/image/loan-1-1/0,0,512,427/512,/0/default.jpg"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "served by the institution that lends it" in response.get_data(as_text=True), url
    response = client.get("/media/loan-1-1")
    assert response.status_code == 404 and "served by the institution that lends it" in response.get_data(as_text=True)


def test_tile_cutting_leaves_a_loans_remote_images_to_their_lender(lender, borrower, tmp_path):
    import_file(borrower, lent(tmp_path, [{"service": rocket_service(lender)}]))
    import_file(borrower, COLLECTION)
    keeper = borrower.extensions["vitrine"].keeper
    assert "loan-1" not in keeper.objects_with_images() and "rocket" in keeper.objects_with_images()
    results = keeper.tiles(None)
    assert results and not [r for r in results if r.media_id == "loan-1-1"]
    assert not [r for r in keeper.tiles(["loan-1"]) if r.status != "removed"]


def test_a_detail_of_a_loan_in_an_exhibition_is_a_region_cut_by_the_lenders_service(lender, borrower, tmp_path):
    service = rocket_service(lender)
    exhibition = {"kind": "exhibition", "slug": "loans", "title": {"en": ["Loans"]}, "status": "published",
                  "sections": [{"title": {"en": ["One"]},
                                "items": [{"object": "loan-1", "region": [100, 50, 200, 150]}]}]}
    import_file(borrower, lent(tmp_path, [{"service": service}], more=(exhibition,)))
    client = borrower.test_client()
    manifest = client.get("/iiif/exhibition/loans/manifest").get_json()
    assert_valid_presentation(manifest)
    canvas = manifest["items"][0]
    body = canvas["items"][0]["items"][0]["body"]
    assert body["id"] == f"{service}/100,50,200,150/max/0/default.jpg" and "service" not in body
    assert (canvas["width"], canvas["height"]) == (200, 150) == fetched_image(body["id"]).size
    assert fetched_image(canvas["thumbnail"][0]["id"]).size == (canvas["thumbnail"][0]["width"],
                                                                canvas["thumbnail"][0]["height"])
    page = client.get("/exhibition/loans").get_data(as_text=True)
    assert f"{service}/100,50,200,150/" in page and "/iiif/image/loan-1" not in page


def test_the_presentation_2_manifest_of_a_loan_paints_its_lenders_image(lender, borrower, tmp_path):
    service = rocket_service(lender)
    import_file(borrower, lent(tmp_path, [{"service": service}, {"service": f"{lender}/iiif/image2/rocket-launch"}]))
    manifest = borrower.test_client().get("/iiif/2/object/loan-1/manifest").get_json()
    resources = [c["images"][0]["resource"] for c in manifest["sequences"][0]["canvases"]]
    assert [r["@id"] for r in resources] == [f"{service}/full/max/0/default.jpg",
                                             f"{lender}/iiif/image2/rocket-launch/full/full/0/default.jpg"]
    assert "service" not in resources[0]  # an Image API 3 service is nothing a 2.1 client reads
    assert resources[1]["service"] == {"@context": "http://iiif.io/api/image/2/context.json",
                                       "@id": f"{lender}/iiif/image2/rocket-launch",
                                       "profile": "http://iiif.io/api/image/2/level0.json"}
    assert manifest["thumbnail"]["@id"].startswith(service)


def test_a_hit_whose_media_nobody_may_see_carries_no_manifest_link(borrower, tmp_path):
    import shutil

    shutil.copy(COLLECTION.parent / "3d" / "lamp_post.glb", tmp_path / "lamp.glb")
    path = tmp_path / "models.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"kind": "institution", "id": "museum", "label": {"en": ["Museum"]}},
        {"id": "lamp-open", "type": "3d", "label": {"en": ["Lamp open"]}, "institution": "museum",
         "rights": PDM, "media": ["lamp.glb"]},
        {"id": "lamp-closed", "type": "3d", "label": {"en": ["Lamp closed"]}, "institution": "museum",
         "rights": INC, "media": ["lamp.glb"]},
        {"id": "lamp-none", "type": "3d", "label": {"en": ["Lamp record"]}, "institution": "museum"},
    ]) + "\n")
    import_file(borrower, path)
    client = borrower.test_client()
    hits = {h["id"]: h for h in client.get("/api/search?q=lamp").get_json()["hits"]}
    assert client.get("/iiif/object/lamp-closed/manifest").status_code == 404
    assert hits["lamp-closed"]["manifest"] is None and hits["lamp-none"]["manifest"] is None
    assert hits["lamp-open"]["manifest"].endswith("/iiif/object/lamp-open/manifest")
    assert client.get(hits["lamp-open"]["manifest"].split("localhost", 1)[1]).status_code == 200
    results = client.get("/search?q=lamp").get_data(as_text=True)
    assert "/iiif/object/lamp-closed/manifest" not in results and "/iiif/object/lamp-none/manifest" not in results
    items = client.get("/iiif/collection/museum").get_json()["items"]
    assert "lamp-none" not in [i["id"].rsplit("/", 2)[-2] for i in items]  # no media, no manifest


def test_mirroring_an_open_loan_copies_its_image_into_local_tiles_whose_pixels_are_the_lenders(
        lender, borrower, tmp_path):
    service = rocket_service(lender)
    import_file(borrower, lent(tmp_path, [{"service": service}]))
    svc = borrower.extensions["vitrine"]
    before = svc.store.get_object("loan-1")
    done = svc.mirroring.mirror(["loan-1"])
    assert [(m.object_id, m.status, m.media) for m in done] == [("loan-1", "mirrored", ["loan-1-1"])]
    after = svc.store.get_object("loan-1")
    media = after.media[0]
    assert after.version == before.version + 1 and not media.is_remote and media.source == service
    assert (media.width, media.height, media.format) == (640, 427, "image/jpeg")
    assert (svc.media_dir / media.path).is_file() and media.path.startswith("objects/loan-1/")
    client = borrower.test_client()
    manifest = client.get("/iiif/object/loan-1/manifest").get_json()
    body = manifest["items"][0]["items"][0]["items"][0]["body"]
    assert body["id"].endswith("/iiif/image/loan-1-1/full/max/0/default.jpg")
    tile = client.get("/iiif/image/loan-1-1/0,0,512,427/512,/0/default.jpg")
    assert tile.status_code == 200
    with Image.open(io.BytesIO(tile.data)) as image:
        ours = image.convert("RGB")
    theirs = fetched_image(f"{service}/0,0,512,427/512,/0/default.jpg")
    assert ours.size == theirs.size == (512, 427)
    assert max(ImageStat.Stat(ImageChops.difference(ours, theirs)).mean) < 3  # the same pixels, JPEG apart
    assert "loan-1" in svc.keeper.objects_with_images()


def test_a_mirror_is_refused_for_an_in_copyright_loan_and_changes_nothing(lender, borrower, tmp_path):
    import_file(borrower, lent(tmp_path, [{"service": rocket_service(lender)}], rights=INC))
    svc = borrower.extensions["vitrine"]
    before = svc.store.get_object("loan-1")
    done = svc.mirroring.mirror(["loan-1"])
    assert [(m.status, m.media) for m in done] == [("refused", ["loan-1-1"])]
    assert INC in done[0].reason
    assert svc.store.get_object("loan-1") == before


def test_vitrine_mirror_all_dry_run_names_what_it_would_mirror_and_writes_nothing(lender, tmp_path):
    instance = tmp_path / "borrower-cli"
    app = create_app({"INSTANCE": str(instance)})
    import_file(app, lent(tmp_path, [{"service": rocket_service(lender)}]))
    app.extensions["vitrine"].close()
    run = CliRunner().invoke(main, ["mirror", "--all", "--dry-run"], env={"VITRINE_INSTANCE": str(instance)})
    assert run.exit_code == 0, run.output
    assert "loan-1: would mirror loan-1-1" in run.output and "dry run: 1 mirrored" in run.output
    run = CliRunner().invoke(main, ["mirror", "loan-1"], env={"VITRINE_INSTANCE": str(instance)})
    assert run.exit_code == 0, run.output
    assert "loan-1: mirrored loan-1-1" in run.output and "1 mirrored, 0 refused, 0 failed" in run.output
    app = create_app({"INSTANCE": str(instance)})
    assert not app.extensions["vitrine"].store.get_object("loan-1").media[0].is_remote
    app.extensions["vitrine"].close()


def test_a_mirror_fails_and_changes_nothing_when_the_lender_serves_less_than_the_full_size(lender, borrower,
                                                                                          tmp_path):
    import_file(borrower, lent(tmp_path, [{"service": rocket_service(lender), "service_type": "ImageService3",
                                           "width": 1280, "height": 854}]))
    svc = borrower.extensions["vitrine"]
    before = svc.store.get_object("loan-1")
    done = svc.mirroring.mirror(["loan-1"])
    assert [(m.status, m.media) for m in done] == [("failed", ["loan-1-1"])]
    assert "serves 640×427 px, not the image's full 1280×854 px" in done[0].reason
    assert svc.store.get_object("loan-1") == before
    assert not (svc.media_dir / "objects" / "loan-1").exists()
