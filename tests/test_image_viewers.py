"""What a real viewer asks for: every tile URL OpenSeadragon derives from info.json is served.

OpenSeadragon (inside Mirador, Universal Viewer and Clover) computes its levels from the largest
scale factor in ``tiles`` (level ``maxLevel`` is always the full ``width``), reads ``sizes`` as its
level sizes when there is one size per level, and never reads ``maxWidth``. ``osd_tiles`` is its
IIIFTileSource (6.1) in Python: ``getNumTiles``, ``getTileUrl`` and ``getTileBounds``.
"""
from __future__ import annotations

import io
import json
import shutil
from math import ceil, floor, log2
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageStat

from catalogue import create_app
from catalogue.iiif import levels
from support import DATA, import_file

SHARED_IMAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "media" / "images"
PICTURES = {
    "rocket": DATA / "collection" / "images" / "rocket.jpg",  # 640 x 427
    "hubble": SHARED_IMAGES / "skimage_hubble_deep_field.jpg",  # 1000 x 872
    "retina": SHARED_IMAGES / "skimage_retina.jpg",  # 1411 x 1411
    "landing": SHARED_IMAGES / "kde_SafeLanding_5120x2880.jpg",
}
OPEN = "http://creativecommons.org/publicdomain/zero/1.0/"
IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"
LIMIT = 500  # below every picture but the rocket's 640 px, so the rocket is capped too


def _js_round(value: float) -> int:
    return floor(value + 0.5)


def osd_tiles(info: dict) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every tile URL (relative to the service id) OpenSeadragon requests at some zoom, with the
    full-image box it draws that tile over."""
    width, height, version = info["width"], info["height"], 3 if "type" in info else 2
    [tiles] = info["tiles"]
    tw, th = tiles["width"], tiles.get("height", tiles["width"])
    max_level = _js_round(log2(max(tiles["scaleFactors"])))
    level_sizes = None
    sizes = info.get("sizes") or []
    if len(sizes) in (max_level, max_level + 1):
        level_sizes = sorted(({"width": s["width"], "height": s["height"]} for s in sizes), key=lambda s: s["width"])
        if len(sizes) == max_level:
            level_sizes.append({"width": width, "height": height})
    out = []
    for level in range(max_level + 1):
        scale = 0.5 ** (max_level - level)
        if level_sizes:
            level_w, level_h = level_sizes[level]["width"], level_sizes[level]["height"]
            count = (ceil(level_w / tw), ceil(level_h / th))
        else:
            level_w, level_h = ceil(width * scale), ceil(height * scale)
            count = (ceil(scale * width / tw), ceil(scale * height / th))
        for y in range(count[1]):
            for x in range(count[0]):
                out.append((_tile_url(info, version, level_w, level_h, scale, tw, th, x, y),
                            _tile_bounds(width, height, scale, tw, th, x, y)))
    return out


def _tile_url(info: dict, version: int, level_w: int, level_h: int, scale: float, tw: int, th: int, x: int, y: int) -> str:
    width, height = info["width"], info["height"]
    if level_w < tw and level_h < th:
        if version == 2 and level_w == width:
            size = "full"
        elif version == 3 and (level_w, level_h) == (width, height):
            size = "max"
        else:
            size = f"{level_w},{level_h}" if version == 3 else f"{level_w},"
        region = "full"
    else:
        step_w, step_h = _js_round(tw / scale), _js_round(th / scale)
        rx, ry = x * step_w, y * step_h
        rw, rh = min(step_w, width - rx), min(step_h, height - ry)
        region = "full" if (x, y, rw, rh) == (0, 0, width, height) else f"{rx},{ry},{rw},{rh}"
        sw, sh = min(tw, level_w - x * tw), min(th, level_h - y * th)
        if version == 2 and sw == width:
            size = "full"
        elif version == 3 and (sw, sh) == (width, height):
            size = "max"
        else:
            size = f"{sw},{sh}" if version == 3 else f"{sw},"
    return f"{region}/{size}/0/default.jpg"


def _tile_bounds(width: int, height: int, scale: float, tw: int, th: int, x: int, y: int) -> tuple[float, ...]:
    """TileSource.getTileBounds, in full-image pixels."""
    level_w, level_h = width * scale, height * scale
    px, py = tw * x, th * y
    sx, sy = min(tw, level_w - px), min(th, level_h - py)
    return px / scale, py / scale, sx / scale, sy / scale


def _region_box(url: str, width: int, height: int) -> tuple[int, ...]:
    region = url.split("/")[0]
    return (0, 0, width, height) if region == "full" else tuple(int(v) for v in region.split(","))


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """Each picture twice: open, and in copyright (capped at LIMIT px), with its pyramid cut."""
    root = tmp_path_factory.mktemp("viewers")
    records = [{"kind": "institution", "id": "museum", "label": {"en": ["Museum"]}}]
    for name, path in PICTURES.items():
        shutil.copy(path, root / path.name)
        for rights, tag in ((OPEN, "open"), (IN_COPYRIGHT, "inc")):
            records.append({"id": f"{name}-{tag}", "type": "image", "label": {"en": [name]}, "institution": "museum",
                            "rights": rights, "media": [{"file": path.name, "id": f"{name}-{tag}"}]})
    (root / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    app = create_app({"INSTANCE": str(root / "instance"), "TESTING": True, "COPYRIGHT_MAX_WIDTH": LIMIT})
    import_file(app, root / "records.jsonl", notify=False)
    images = app.extensions["vitrine"].images
    for record in records[1:]:
        images.cut_object(record["id"])
    yield app
    app.extensions["vitrine"].store.close()


IMAGES = [f"{name}-{tag}" for name in PICTURES for tag in ("open", "inc")]


def _decoded(client, url: str) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code} {response.data[:200]!r}"
    return Image.open(io.BytesIO(response.data))


@pytest.mark.parametrize("media_id", IMAGES)
def test_every_tile_openseadragon_asks_for_is_served_within_max_width_and_drawn_where_it_belongs(catalogue, media_id):
    client = catalogue.test_client()
    info = client.get(f"/iiif/image/{media_id}/info.json").json
    width, height = info["width"], info["height"]
    max_w, max_h = info.get("maxWidth", width), info.get("maxHeight", info.get("maxWidth", height))
    assert ("maxWidth" in info) == media_id.endswith("-inc")
    if media_id.endswith("-inc"):  # the capped derivative is the image: OpenSeadragon 6's finest level is served
        assert max(width, height) == LIMIT == max(max_w, max_h)
    tiles = osd_tiles(info)
    assert tiles
    for url, bounds in tiles:
        image = _decoded(client, f"/iiif/image/{media_id}/{url}")
        assert image.width <= max_w and image.height <= max_h, url
        box = _region_box(url, width, height)
        assert all(abs(a - b) <= 1 for a, b in zip(box, bounds)), f"{url} is drawn over {bounds}"


@pytest.mark.parametrize("media_id", IMAGES)
def test_every_advertised_tile_and_size_is_served_and_the_pre_cut_tiles_are_exactly_those(catalogue, media_id):
    client = catalogue.test_client()
    info = client.get(f"/iiif/image/{media_id}/info.json").json
    width, height = info["width"], info["height"]
    max_w, max_h = info.get("maxWidth", width), info.get("maxHeight", info.get("maxWidth", height))
    advertised = {f"full/{s['width']},{s['height']}" for s in info["sizes"]}
    [tiles] = info["tiles"]
    tw, th = tiles["width"], tiles.get("height", tiles["width"])
    for factor in tiles["scaleFactors"]:
        for y in range(0, height, th * factor):
            for x in range(0, width, tw * factor):
                rw, rh = min(tw * factor, width - x), min(th * factor, height - y)
                region = "full" if (x, y, rw, rh) == (0, 0, width, height) else f"{x},{y},{rw},{rh}"
                advertised.add(f"{region}/{ceil(rw / factor)},{ceil(rh / factor)}")
    for name in advertised:
        image = _decoded(client, f"/iiif/image/{media_id}/{name}/0/default.jpg")
        assert image.width <= max_w and image.height <= max_h, name
        assert f"{image.width},{image.height}" == name.split("/")[1]
    folder = Path(catalogue.config["TILE_DIR"]) / media_id
    cut = {str(p.relative_to(folder).parent.parent) for p in folder.glob("*/*/0/default.jpg")}
    assert cut - {"full/max"} == advertised
    for name in cut:
        with Image.open(folder / name / "0/default.jpg") as tile:
            assert tile.width <= max_w and tile.height <= max_h, name


@settings(max_examples=150)
@given(
    width=st.integers(1, 60_000),
    tall=st.floats(0.001, 50),
    limit=st.sampled_from([None, 800, 300]),
)
def test_openseadragon_draws_every_level_it_derives_where_its_pixels_belong_at_any_image_size(width, tall, limit):
    height = max(1, min(100_000_000 // width, round(width * tall)))
    # A work in copyright is described as its capped derivative: the image OpenSeadragon tiles.
    served_w, served_h = levels.capped_size(width, height, limit)
    info = {"width": served_w, "height": served_h, "type": "ImageService3",
            "tiles": [{"width": levels.TILE_SIZE, "scaleFactors": levels.scale_factors(served_w, served_h)}],
            "sizes": [{"width": w, "height": h} for w, h in levels.sizes(served_w, served_h)]}
    for url, bounds in osd_tiles(info):
        box = _region_box(url, served_w, served_h)
        assert all(abs(a - b) <= 1 for a, b in zip(box, bounds)), f"{url} is drawn over {bounds}"
        assert box[0] + box[2] <= served_w and box[1] + box[3] <= served_h, url
        size = url.split("/")[1]
        w, h = (box[2], box[3]) if size == "max" else (int(v) for v in size.split(","))
        assert w <= box[2] and h <= box[3], url  # never more pixels than the derivative has


def _detail_of(info: dict) -> tuple[int, int, int, int]:
    """A region no tile grid lines up with, about half the image served: a curator's detail."""
    width, height = info["width"], info["height"]
    x, y = width // 7 + 1, height // 9 + 1
    return x, y, max(1, width * 3 // 5), max(1, height * 11 // 20)


def _difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel, 0-255 (JPEG re-encoding alone stays far below 4)."""
    assert a.size == b.size
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    return sum(ImageStat.Stat(diff).mean) / 3


@pytest.mark.parametrize("media_id", IMAGES)
def test_a_details_service_serves_the_region_as_its_image_tile_for_tile_as_the_whole_service_crops_it(catalogue, media_id):
    client = catalogue.test_client()
    whole = client.get(f"/iiif/image/{media_id}/info.json").json
    x, y, w, h = _detail_of(whole)
    service = f"/iiif/image/{media_id}/detail/{x},{y},{w},{h}"
    info = client.get(f"{service}/info.json").json
    assert info["id"] == f"http://localhost{service}"
    assert (info["width"], info["height"]) == (w, h)
    assert info["tiles"] == [{"width": levels.TILE_SIZE, "scaleFactors": levels.scale_factors(w, h)}]
    assert info["sizes"] == [{"width": sw, "height": sh} for sw, sh in levels.sizes(w, h)]
    if media_id.endswith("-inc"):  # the capped derivative's region: never more than its pixels
        assert (info["maxWidth"], info["maxHeight"]) == (w, h)
    tiles = osd_tiles(info)
    for url, _ in tiles[:: max(1, len(tiles) // 12)]:  # every level, a dozen tiles in all
        region, size = url.split("/")[:2]
        rx, ry, rw, rh = _region_box(url, w, h)
        size = f"{rw},{rh}" if size == "max" else size
        tile = _decoded(client, f"{service}/{url}")
        crop = _decoded(client, f"/iiif/image/{media_id}/{x + rx},{y + ry},{rw},{rh}/{size}/0/default.jpg")
        assert tile.width <= w and tile.height <= h, url
        assert _difference(tile, crop) < 4, url
    v2 = client.get(f"/iiif/image2/{media_id}/detail/{x},{y},{w},{h}/info.json").json
    assert (v2["@id"], v2["width"], v2["height"]) == (f"http://localhost/iiif/image2/{media_id}/detail/{x},{y},{w},{h}", w, h)
    assert _difference(_decoded(client, f"/iiif/image2/{media_id}/detail/{x},{y},{w},{h}/full/full/0/default.jpg"),
                       _decoded(client, f"{service}/full/max/0/default.jpg")) < 4


def test_a_detail_of_a_work_in_copyright_shows_no_more_than_its_capped_derivative(catalogue):
    client = catalogue.test_client()
    whole = client.get("/iiif/image/landing-inc/info.json").json  # 5120 x 2880, served at 500 x 281
    x, y, w, h = _detail_of(whole)
    service = f"/iiif/image/landing-inc/detail/{x},{y},{w},{h}"
    assert _decoded(client, f"{service}/full/max/0/default.jpg").size == (w, h)
    assert client.get(service).headers["Location"] == f"http://localhost{service}/info.json"
    assert client.get(f"{service}/full/^{w * 4},/0/default.jpg").status_code == 403
    assert client.get(f"{service}/full/{w * 4},/0/default.jpg").status_code == 400
    assert client.get(f"{service}/0,0,{w},{h}/^{w * 2},/0/default.png").status_code == 403
    # A region in the work's full-size pixels is no detail of the derivative, nor a region outside it.
    for detail in ("1024,576,2048,1152", f"0,0,{whole['width'] + 1},10", "0,0,0,10", "1,1,1", "٣,1,1,1", "1,1,1,1 "):
        assert client.get(f"/iiif/image/landing-inc/detail/{detail}/info.json").status_code == 404, detail
        assert client.get(f"/iiif/image/landing-inc/detail/{detail}/full/max/0/default.jpg").status_code == 404, detail
        assert client.get(f"/iiif/image2/landing-inc/detail/{detail}").status_code == 404, detail
