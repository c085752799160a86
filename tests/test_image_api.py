"""The IIIF Image API over HTTP: documents, headers, errors, rights, and the pixels themselves."""
from __future__ import annotations

import io
import shutil
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from catalogue import create_app
from catalogue.access import FULL, Access, Requester, TieredPolicy
from catalogue.iiif.image import ImageService
from catalogue.model import DigitalObject, MediaFile
from catalogue.urls import Urls
from catalogue.store import Batch
from support import image_size

SHARED = Path(__file__).resolve().parents[2] / "shared"
IMAGES = SHARED / "data" / "media" / "images"
GRID = SHARED / "iiif" / "67352ccc-d1b0-11e1-89ae-279075081939.png"  # 1000 x 1000, 10 x 10 coloured squares
PUBLIC = "http://creativecommons.org/publicdomain/zero/1.0/"
IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"


def add_images(app, *images: tuple[str, Path, str | None]) -> None:
    """Copy real image files into the instance and catalogue one object per (media id, file, rights)."""
    media_dir = Path(app.config["MEDIA_DIR"])
    media_dir.mkdir(parents=True, exist_ok=True)
    objects = []
    for media_id, source, rights in images:
        shutil.copy(source, media_dir / source.name)
        with Image.open(source) as im:
            width, height = im.size
        fmt = "image/png" if source.suffix == ".png" else "image/jpeg"
        objects.append(
            DigitalObject(
                id=f"obj-{media_id}", type="image", label={"en": [media_id]}, institution="test", rights=rights,
                media=[MediaFile(id=media_id, path=source.name, format=fmt, width=width, height=height)],
            )
        )
    app.extensions["vitrine"].store.write(Batch(objects=objects))


@pytest.fixture
def app(tmp_path):
    app = create_app({"INSTANCE": str(tmp_path / "instance"), "TESTING": True, "COPYRIGHT_MAX_WIDTH": 300})
    add_images(
        app,
        ("grid", GRID, PUBLIC),
        ("hubble", IMAGES / "skimage_hubble_deep_field.jpg", IN_COPYRIGHT),
        ("camera", IMAGES / "skimage_camera.png", PUBLIC),
        ("horse", IMAGES / "skimage_horse.png", None),
    )
    yield app
    app.extensions["vitrine"].images.wait_idle(30)
    app.extensions["vitrine"].store.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def images(app):
    return app.extensions["vitrine"].images


def fetch(client, url: str, status: int = 200) -> Image.Image:
    response = client.get(url)
    assert response.status_code == status, response.data
    return Image.open(io.BytesIO(response.data))


def source_colour(x: int, y: int) -> tuple[int, int, int]:
    with Image.open(GRID) as im:
        return im.convert("RGB").getpixel((x, y))


def mean_colour(image: Image.Image) -> tuple[float, ...]:
    return tuple(ImageStat.Stat(image.convert("RGB")).mean)


def close(a, b, tolerance: float = 6) -> bool:
    return all(abs(p - q) <= tolerance for p, q in zip(a, b))


# -- info.json -----------------------------------------------------------------

def test_info_json_describes_a_level2_service_with_its_tiles_and_sizes(client):
    response = client.get("/iiif/image/grid/info.json")
    assert response.status_code == 200
    info = response.get_json(force=True)
    assert info["@context"] == "http://iiif.io/api/image/3/context.json"
    assert info["id"] == "http://localhost/iiif/image/grid"
    assert (info["type"], info["profile"], info["width"], info["height"]) == ("ImageService3", "level2", 1000, 1000)
    assert info["tiles"] == [{"width": 512, "scaleFactors": [1, 2]}]
    assert {"width": 1000, "height": 1000} in info["sizes"] and {"width": 500, "height": 500} in info["sizes"]
    assert info["extraQualities"] == ["color", "gray", "bitonal"]
    assert info["extraFormats"] == ["webp"] and info["preferredFormats"] == ["jpg"]
    assert set(info["extraFeatures"]) == {"mirroring", "profileLinkHeader", "rotationArbitrary", "sizeUpscaling"}
    assert info["rights"] == PUBLIC and "maxWidth" not in info and info["maxArea"] >= 1000 * 1000
    assert info["partOf"] == [{"id": "http://localhost/iiif/object/obj-grid/manifest", "type": "Manifest"}]


def test_info_json_sizes_are_those_of_the_shared_geometry(client):
    from catalogue.iiif import levels

    info = client.get("/iiif/image/hubble/info.json").get_json(force=True)
    # A work in copyright (1000 x 872, capped at 300): the geometry of its 300 x 262 derivative.
    assert (info["width"], info["height"]) == (300, 262)
    assert info["sizes"] == [{"width": w, "height": h} for w, h in levels.sizes(300, 262)]
    assert info["tiles"] == [{"width": 512, "scaleFactors": levels.scale_factors(300, 262)}]


def test_info_json_of_a_grey_image_offers_no_colour_quality(client):
    info = client.get("/iiif/image/camera/info.json").get_json(force=True)
    assert info["extraQualities"] == ["gray", "bitonal"]


def test_info_json_is_json_ld_unless_plain_json_is_asked_for(client):
    assert client.get("/iiif/image/grid/info.json").content_type.startswith("application/ld+json")
    asked = client.get("/iiif/image/grid/info.json", headers={"Accept": "application/ld+json"})
    assert asked.content_type == 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'
    plain = client.get("/iiif/image/grid/info.json", headers={"Accept": "application/json"})
    assert plain.content_type == "application/json" and "Accept" in plain.headers["Vary"]


def test_info_json_is_the_same_whether_the_fast_path_or_flask_answers(client):
    fast = client.get("/iiif/image/hubble/info.json")
    client.set_cookie("session", "a-visitor-with-a-session")  # left to Flask, where a curator's rights are known
    flask = client.get("/iiif/image/hubble/info.json")
    assert fast.data == flask.data and fast.headers["ETag"] == flask.headers["ETag"]
    assert flask.headers["Access-Control-Allow-Origin"] == "*" and flask.content_type == fast.content_type


def test_base_uri_redirects_to_info_json(client):
    response = client.get("/iiif/image/grid")
    assert response.status_code == 303
    assert response.headers["Location"] == "http://localhost/iiif/image/grid/info.json"


def test_info_json_id_follows_the_proxy_headers(client):
    response = client.get("/iiif/image/grid/info.json", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "images.example.org"})
    assert response.get_json(force=True)["id"] == "https://images.example.org/iiif/image/grid"


# -- HTTP ----------------------------------------------------------------------

def test_every_response_allows_any_origin_including_preflight_and_errors(client):
    for method, url in [
        ("get", "/iiif/image/grid/info.json"),
        ("get", "/iiif/image/grid/full/max/0/default.jpg"),
        ("get", "/iiif/image/grid/full/bogus/0/default.jpg"),
        ("get", "/iiif/image/nothing/info.json"),
        ("options", "/iiif/image/grid/0,0,512,512/512,512/0/default.jpg"),
    ]:
        response = getattr(client, method)(url, headers={"Origin": "https://viewer.example", "Access-Control-Request-Method": "GET"})
        assert response.headers["Access-Control-Allow-Origin"] == "*", url
    preflight = client.options("/iiif/image/grid/info.json", headers={"Access-Control-Request-Headers": "Range"})
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "Range"


def test_image_responses_are_cacheable_and_revalidate_with_304(client, images):
    client.get("/iiif/image/grid/info.json")
    images.wait_idle(30)  # once cut, a tile is a file: its validators no longer change
    for url in ("/iiif/image/grid/full/max/0/default.jpg", "/iiif/image/grid/10,10,300,300/150,/90/gray.png"):
        first = client.get(url)
        assert first.status_code == 200
        assert first.headers["ETag"] and first.headers["Last-Modified"]
        assert "max-age=2592000" in first.headers["Cache-Control"] and "public" in first.headers["Cache-Control"]
        assert first.headers["Link"] == '<http://iiif.io/api/image/3/level2.json>;rel="profile"'
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert since.status_code == 304


def test_info_json_revalidates_with_304(client):
    first = client.get("/iiif/image/grid/info.json")
    assert client.get("/iiif/image/grid/info.json", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_head_gives_headers_without_a_body(client):
    response = client.head("/iiif/image/grid/full/max/0/default.jpg")
    assert response.status_code == 200 and response.content_type == "image/jpeg" and response.data == b""


@pytest.mark.parametrize(
    "url, status, words",
    [
        ("/iiif/image/grid/full/max/0/default.xyz", 400, "format"),
        ("/iiif/image/grid/full/max/0/default.tif", 501, "tif"),
        ("/iiif/image/grid/full/max/0/sepia.jpg", 400, "quality"),
        ("/iiif/image/grid/nowhere/max/0/default.jpg", 400, "region"),
        ("/iiif/image/grid/2000,0,10,10/max/0/default.jpg", 400, "outside"),
        ("/iiif/image/grid/full/full/0/default.jpg", 400, "size"),
        ("/iiif/image/grid/full/1200,/0/default.jpg", 400, "^"),
        ("/iiif/image/grid/full/pct:120/0/default.jpg", 400, "^pct:120"),
        ("/iiif/image/grid/full/max/361/default.jpg", 400, "360"),
        ("/iiif/image/grid/full/^9000,9000/0/default.jpg", 400, "pixels"),
        ("/iiif/image/unknown/full/max/0/default.jpg", 404, "unknown"),
        ("/iiif/image/a/b/full/max/0/default.jpg", 404, "Image API URL"),
        ("/iiif/image/unknown/info.json", 404, "unknown"),
    ],
)
def test_bad_requests_get_the_status_the_spec_asks_for_with_a_plain_message(client, url, status, words):
    response = client.get(url)
    assert response.status_code == status
    assert response.content_type.startswith("text/plain")
    assert words in response.get_data(as_text=True)


def test_a_decompression_bomb_is_refused_with_413(app, client):
    # A real PNG header for a 30000 x 30000 image: opening it must not try to decode 900 megapixels.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    bomb = Path(app.config["MEDIA_DIR"]) / "bomb.png"
    bomb.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\0" * 30001 * 4))
        + chunk(b"IEND", b"")
    )
    media = MediaFile(id="bomb", path=bomb.name, format="image/png", width=30000, height=30000)
    app.extensions["vitrine"].store.write(
        Batch(objects=[DigitalObject(id="obj-bomb", type="image", label={"en": ["bomb"]}, institution="test", media=[media])])
    )
    response = client.get("/iiif/image/bomb/full/max/0/default.jpg")
    assert response.status_code == 413
    assert client.get("/iiif/image/bomb/info.json").status_code == 413


def test_requests_over_the_source_pixel_limit_are_refused(tmp_path):
    app = create_app({"INSTANCE": str(tmp_path / "i"), "TESTING": True, "IMAGE_MAX_SOURCE_PIXELS": 500_000})
    add_images(app, ("grid", GRID, PUBLIC))
    response = app.test_client().get("/iiif/image/grid/full/100,/0/default.jpg")
    assert response.status_code == 413 and "1,000,000 pixels" in response.get_data(as_text=True)


def test_a_render_over_its_time_limit_is_abandoned_with_503(tmp_path):
    app = create_app({"INSTANCE": str(tmp_path / "i"), "TESTING": True, "IMAGE_RENDER_SECONDS": 0})
    add_images(app, ("grid", GRID, PUBLIC))
    response = app.test_client().get("/iiif/image/grid/0,0,999,999/^2000,2000/33/default.png")
    assert response.status_code == 503 and response.headers["Retry-After"]


def test_rendered_images_are_cached_within_their_disk_budget(tmp_path):
    app = create_app({"INSTANCE": str(tmp_path / "i"), "TESTING": True, "IMAGE_RENDER_CACHE_MB": 1})
    add_images(app, ("grid", GRID, PUBLIC))
    client = app.test_client()
    for angle in range(1, 30):
        assert client.get(f"/iiif/image/grid/full/400,/{angle}/default.png").status_code == 200
    cached = [p.stat().st_size for p in (Path(app.config["CACHE_DIR"]) / "renders").rglob("*.png")]
    assert 0 < sum(cached) <= 1 << 20
    app.extensions["vitrine"].images.wait_idle(30)


# -- pixels --------------------------------------------------------------------

def test_a_region_has_the_colour_of_that_square_of_the_source(client):
    for col, row in [(0, 0), (3, 7), (9, 2)]:
        tile = fetch(client, f"/iiif/image/grid/{col * 100 + 10},{row * 100 + 10},80,80/max/0/default.png")
        assert tile.size == (80, 80)
        assert close(mean_colour(tile), source_colour(col * 100 + 50, row * 100 + 50), 2)


def test_percent_regions_and_sizes_land_on_the_same_pixels(client):
    image = fetch(client, "/iiif/image/grid/pct:20,50,10,10/pct:50/0/default.png")
    assert image.size == (50, 50)
    assert close(mean_colour(image.crop((10, 10, 40, 40))), source_colour(250, 550), 3)


def test_gray_has_equal_channels_and_bitonal_only_black_and_white(client):
    gray = fetch(client, "/iiif/image/grid/full/300,/0/gray.png").convert("RGB")
    r, g, b = gray.split()
    assert ImageChops.difference(r, g).getbbox() is None and ImageChops.difference(g, b).getbbox() is None
    assert len(gray.getcolors(1 << 16)) > 10
    bitonal = fetch(client, "/iiif/image/grid/full/300,/0/bitonal.png")
    assert {value for _, value in bitonal.convert("L").getcolors()} <= {0, 255}


def test_a_mirrored_image_is_mirrored_and_rotation_turns_clockwise(client):
    plain = fetch(client, "/iiif/image/grid/full/200,/0/default.png").convert("RGB")
    mirrored = fetch(client, "/iiif/image/grid/full/200,/!0/default.png").convert("RGB")
    assert close(mean_colour(mirrored.crop((5, 5, 15, 15))), mean_colour(plain.crop((185, 5, 195, 15))), 3)
    turned = fetch(client, "/iiif/image/grid/0,0,1000,500/200,100/90/default.png").convert("RGB")
    assert turned.size == (100, 200)
    # Clockwise: the top-left square ends up at the top-right.
    assert close(mean_colour(turned.crop((85, 5, 95, 15))), mean_colour(plain.crop((5, 5, 15, 15))), 3)


def test_arbitrary_rotation_enlarges_the_canvas_and_is_transparent_in_png(client):
    image = fetch(client, "/iiif/image/grid/full/100,/45/default.png")
    assert image.size[0] in (141, 142, 143) and image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0 and image.getpixel((71, 71))[3] == 255


def test_every_advertised_format_decodes_as_itself(client):
    for fmt, name in (("jpg", "JPEG"), ("png", "PNG"), ("webp", "WEBP")):
        response = client.get(f"/iiif/image/grid/full/120,/0/default.{fmt}")
        assert response.content_type == {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[fmt]
        assert Image.open(io.BytesIO(response.data)).format == name
    # The validator's own WebP check (broken in iiif-validator 1.0.5 on Python 3): bytes 8-12 say WEBP.
    assert client.get("/iiif/image/grid/full/max/0/default.webp").data[8:12] == b"WEBP"


def test_upscaling_needs_the_caret_and_stays_within_max_area(client):
    assert fetch(client, "/iiif/image/grid/0,0,100,100/^300,/0/default.jpg").size == (300, 300)
    assert fetch(client, "/iiif/image/grid/full/^max/0/default.jpg").size == (1000, 1000)


def test_tiles_stitch_back_to_the_downscaled_whole(client, images):
    info = client.get("/iiif/image/grid/info.json").get_json(force=True)
    images.wait_idle(30)
    for factor in info["tiles"][0]["scaleFactors"]:
        width, height = -(-1000 // factor), -(-1000 // factor)
        canvas = Image.new("RGB", (width, height))
        step = 512 * factor
        for y in range(0, 1000, step):
            for x in range(0, 1000, step):
                w, h = min(step, 1000 - x), min(step, 1000 - y)
                region = "full" if (w, h) == (1000, 1000) else f"{x},{y},{w},{h}"
                tile = fetch(client, f"/iiif/image/grid/{region}/{-(-w // factor)},{-(-h // factor)}/0/default.jpg")
                canvas.paste(tile, (x // factor, y // factor))
        whole = fetch(client, f"/iiif/image/grid/full/{width},{height}/0/default.jpg").convert("RGB")
        difference = ImageStat.Stat(ImageChops.difference(canvas, whole)).mean
        assert max(difference) < 3, (factor, difference)


def test_a_grey_source_stays_grey_and_transparency_is_flattened_on_white(client):
    assert fetch(client, "/iiif/image/camera/full/max/0/default.jpg").mode == "L"
    horse = fetch(client, "/iiif/image/horse/full/max/0/default.png").convert("RGB")
    assert horse.getpixel((2, 2)) == (255, 255, 255)


# -- rights ----------------------------------------------------------------------

def test_a_work_in_copyright_is_described_and_served_as_its_capped_derivative_only(client, images):
    info = client.get("/iiif/image/hubble/info.json").get_json(force=True)
    assert (info["width"], info["height"]) == (300, 262) == (info["maxWidth"], info["maxHeight"])
    assert max(s["width"] for s in info["sizes"]) == 300
    assert fetch(client, "/iiif/image/hubble/full/max/0/default.jpg").size == (300, 262)
    assert fetch(client, "/iiif/image/hubble/0,0,150,150/max/0/default.jpg").size == (150, 150)
    # A region of the derivative is cut from the source region it covers (1000 / 300 times larger).
    corner = fetch(client, "/iiif/image/hubble/150,131,150,131/max/0/default.png").convert("L")
    whole = fetch(client, "/iiif/image/hubble/full/max/0/default.png").convert("L").crop((150, 131, 300, 262))
    assert max(ImageStat.Stat(ImageChops.difference(corner, whole)).mean) < 6
    # Full-size requests ask for more than the derivative has: larger than the region (400) or
    # beyond its size even upscaled (403); a full-size tile's region starts outside it (400).
    for url, status in (
        ("/iiif/image/hubble/full/1000,/0/default.jpg", 400),
        ("/iiif/image/hubble/0,0,100,100/200,200/0/default.jpg", 400),
        ("/iiif/image/hubble/full/^1000,/0/default.jpg", 403),
        ("/iiif/image/hubble/512,512,488,360/488,360/0/default.jpg", 400),
    ):
        assert client.get(url).status_code == status, url
    images.wait_idle(30)
    on_disk = [image_size(p) for p in Path(images.tiles.folder("hubble")).rglob("*.jpg")]
    assert on_disk and max(max(size) for size in on_disk) <= 300


class CuratorsSeeWhole(TieredPolicy):
    """The museum rule, and works in copyright whole for a curator (what the curator login will add)."""

    def decide(self, requester: Requester, rights: str | None, media: MediaFile) -> Access:
        return FULL if "curator" in requester.roles else super().decide(requester, rights, media)


def test_a_policy_that_lets_a_requester_see_more_lifts_the_cap_and_keeps_such_responses_private(app):
    images = ImageService(app.extensions["vitrine"].store, app.config, CuratorsSeeWhole(300))
    curator = Requester(roles=frozenset({"curator"}))
    served = images.image("hubble", "0,0,512,512", "512,512", "0", "default.png", curator)
    with served.file, Image.open(served.file) as detail:
        assert detail.size == (512, 512) and served.private
    assert "maxWidth" not in images.info("hubble", Urls("http://localhost"), curator)
    public = images.image("hubble", "full", "max", "0", "default.png")
    with public.file, Image.open(public.file) as whole:
        assert whole.size == (300, 262) and not public.private


def test_upscaling_a_detail_of_a_work_in_copyright_adds_no_detail(client):
    # 30 x 30 pixels of the derivative (100 x 100 source pixels) asked for at 250 x 250 are those 30 x 30 enlarged.
    big = fetch(client, "/iiif/image/hubble/120,120,30,30/^250,250/0/default.png").convert("L")
    small = fetch(client, "/iiif/image/hubble/120,120,30,30/max/0/default.png").convert("L")
    assert small.size == (30, 30)
    reduced = big.resize((30, 30), Image.Resampling.BOX)
    assert max(ImageStat.Stat(ImageChops.difference(reduced, small)).mean) < 6


def test_a_work_that_enters_copyright_loses_its_full_size_tiles_at_once(app, client, images):
    client.get("/iiif/image/grid/info.json")
    images.wait_idle(30)
    folder = images.tiles.folder("grid")
    assert (folder / "0,0,512,512/512,512/0/default.jpg").exists()
    store = app.extensions["vitrine"].store
    obj = store.get_object("obj-grid")
    obj.rights = IN_COPYRIGHT
    store.write(Batch(objects=[obj]))
    assert not (folder / "0,0,512,512/512,512/0/default.jpg").exists()
    assert client.get("/iiif/image/grid/0,0,512,512/512,512/0/default.jpg").status_code == 400  # beyond 300 x 300
    images.wait_idle(30)
    assert (folder / "full/300,300/0/default.jpg").exists()
    assert not (folder / "0,0,512,512/512,512/0/default.jpg").exists()


def test_deleting_an_object_removes_its_tiles(app, client, images):
    client.get("/iiif/image/grid/info.json")
    images.wait_idle(30)
    assert images.tiles.folder("grid").exists()
    app.extensions["vitrine"].store.delete_object("obj-grid")
    images.wait_idle(30)
    assert not images.tiles.folder("grid").exists()
    assert client.get("/iiif/image/grid/full/max/0/default.jpg").status_code == 404


# -- speed by design ----------------------------------------------------------------

def test_a_pre_cut_tile_is_sent_from_disk_and_a_render_is_cached(app, client, images):
    client.get("/iiif/image/grid/info.json")
    images.wait_idle(30)
    tile = images.tiles.folder("grid") / "512,0,488,512/488,512/0/default.jpg"
    response = client.get("/iiif/image/grid/512,0,488,512/488,512/0/default.jpg")
    assert response.data == tile.read_bytes()
    url = "/iiif/image/grid/100,100,300,300/123,/0/default.jpg"
    first = client.get(url)
    cached = list((Path(app.config["CACHE_DIR"]) / "renders" / "grid").iterdir())
    assert len(cached) == 1 and cached[0].read_bytes() == first.data
    assert client.get(url).headers["ETag"] == first.headers["ETag"]


def test_the_first_request_for_an_image_not_yet_cut_is_answered_and_cuts_its_pyramid(client, images):
    client.get("/iiif/image/grid/info.json")
    images.wait_idle(30)
    images.tiles.remove("grid")
    response = client.get("/iiif/image/grid/full/250,250/0/default.jpg")
    assert response.status_code == 200 and Image.open(io.BytesIO(response.data)).size == (250, 250)
    images.wait_idle(30)
    assert images.tiles.load("grid") is not None


def test_while_a_pyramid_is_being_cut_a_costly_view_waits_for_it(app, client, images):
    add_images(app, ("altai", IMAGES / "kde_Altai_5120x2880.png", PUBLIC))  # 14.7 megapixels, PNG: no draft mode
    client.get("/iiif/image/altai/info.json")
    images.wait_idle(60)
    images.tiles.remove("altai")
    # Nothing is cutting it: the first request renders from the original and starts the cut.
    assert fetch(client, "/iiif/image/altai/1024,512,512,512/512,512/0/default.jpg").size == (512, 512)
    images.wait_idle(60)
    assert images.tiles.load("altai") is not None
    # Someone is cutting it: a full-resolution view waits for that pyramid rather than decode 15 MP again.
    images.tiles.remove("altai")
    cutting = threading.Event()

    def cut_slowly():
        with images.tiles.lock("altai"):
            cutting.set()
            time.sleep(0.3)

    holder = threading.Thread(target=cut_slowly)
    holder.start()
    cutting.wait(5)
    assert fetch(client, "/iiif/image/altai/2048,512,512,512/512,512/0/default.jpg").size == (512, 512)
    holder.join()
    assert (images.tiles.folder("altai") / "2048,512,512,512/512,512/0/default.jpg").exists()


# -- hostile requests (issue 8, defects 3 and 4) ------------------------------------

def test_a_rotated_best_fit_stays_within_the_advertised_max_area(tmp_path):
    app = create_app({"INSTANCE": str(tmp_path / "i"), "TESTING": True, "IMAGE_MAX_AREA": 1_000_000})
    add_images(app, ("grid", GRID, PUBLIC))
    client = app.test_client()
    max_area = client.get("/iiif/image/grid/info.json").get_json(force=True)["maxArea"]
    image = fetch(client, "/iiif/image/grid/full/^!99999,99999/45/default.png")
    assert image.size[0] * image.size[1] <= max_area and image.size[0] > 900
    refused = client.get("/iiif/image/grid/full/1000,1000/45/default.png")
    assert refused.status_code == 400 and "1,000,000 pixels" in refused.get_data(as_text=True)
    app.extensions["vitrine"].images.wait_idle(30)


HOSTILE = [
    ("full/!100,0/0/default.jpg", 400, "no width"),
    ("full/!0,100/0/default.jpg", 400, "no width"),
    ("full/!0,0/0/default.jpg", 400, "no width"),
    ("full/^" + "9" * 400 + ",/0/default.jpg", 400, "digits"),
    ("full/pct:" + "9" * 400 + "/0/default.jpg", 400, "digits"),
    ("0,0,1,400/^1,70000/0/default.jpg", 400, "65,500"),
    ("0,0,1,400/^1,20000/0/default.webp", 400, "16,383"),
    ("full/٣,/0/default.jpg", 400, "size"),
    ("full/３,/0/default.jpg", 400, "size"),
    ("full/max/1e400/default.jpg", 400, "rotation"),
    ("full/max/-0/default.jpg", 400, "rotation"),
    ("full/max/nan/default.jpg", 400, "rotation"),
    ("pct:nan,0,10,10/max/0/default.jpg", 400, "region"),
    ("full/pct:1e400/0/default.jpg", 400, "size"),
    ("/max/0/default.jpg", 404, "Image API URL"),  # an empty segment: was the site's JSON 404
    ("full%0A///default.jpg", 404, "Image API URL"),
]


def test_hostile_sizes_and_numbers_get_a_short_plain_refusal(client):
    for path, status, words in HOSTILE:  # one test, not one per case: each app fixture costs a pyramid cut
        response = client.get(f"/iiif/image/grid/{path}")
        body = response.get_data(as_text=True)
        assert response.status_code == status and response.content_type.startswith("text/plain"), path
        assert words in body and len(body) < 300, (path, body)


def test_a_best_fit_size_too_tall_for_webp_is_served_at_webp_s_largest(client):
    image = fetch(client, "/iiif/image/grid/0,0,1,1000/^!100000,20000/0/default.webp")
    assert image.format == "WEBP" and 16380 <= image.size[1] <= 16383


# -- the service starts without touching the disk (issue 10, seam 8) ----------------------------

def test_installing_the_image_service_creates_no_folder_and_writes_no_file(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"INSTANCE": str(instance), "TESTING": True})
    images = app.extensions["vitrine"].images
    assert images.policy is app.extensions["vitrine"].access
    assert not Path(app.config["TILE_DIR"]).exists() and not Path(app.config["CACHE_DIR"]).exists()
    add_images(app, ("grid", GRID, PUBLIC))  # a commit: its withdrawal is the first use of the tiles
    assert app.test_client().get("/iiif/image/grid/info.json").status_code == 200
    assert (Path(app.config["TILE_DIR"]) / ".withdrawn").exists()
    images.wait_idle(30)
    app.extensions["vitrine"].store.close()
