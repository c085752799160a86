"""Tile pyramids on disk, the `vitrine tiles` and `vitrine nginx-config` commands, and nginx serving them."""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from io import BytesIO
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from PIL import Image

from catalogue import create_app
from catalogue.cli import main
from catalogue.deploy import nginx_config, standalone_nginx
from catalogue.iiif.image import cut_tiles_for_object
from catalogue.model import DigitalObject, MediaFile
from catalogue.store import Batch
from support import free_port, http_server, image_size

SHARED = Path(__file__).resolve().parents[2] / "shared"
IMAGES = SHARED / "data" / "media" / "images"
PUBLIC = "http://creativecommons.org/publicdomain/zero/1.0/"
IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"
NGINX = "/usr/sbin/nginx"


def catalogue(instance: Path, *images: tuple[str, str, str | None], config: dict | None = None):
    """A real instance with one object per (media id, shared image file name, rights)."""
    app = create_app({"INSTANCE": str(instance), "TESTING": True, **(config or {})})
    media_dir = Path(app.config["MEDIA_DIR"])
    media_dir.mkdir(parents=True, exist_ok=True)
    objects = []
    for media_id, name, rights in images:
        shutil.copy(IMAGES / name, media_dir / name)
        with Image.open(media_dir / name) as im:
            width, height = im.size
        objects.append(
            DigitalObject(
                id=f"obj-{media_id}", type="image", label={"en": [media_id]}, institution="test", rights=rights,
                media=[MediaFile(id=media_id, path=name, format=f"image/{im.format.lower()}", width=width, height=height)],
            )
        )
    app.extensions["vitrine"].store.write(Batch(objects=objects))
    return app


def test_every_tile_and_size_info_json_advertises_is_cut_on_disk(tmp_path):
    app = catalogue(tmp_path / "i", ("retina", "skimage_retina.jpg", PUBLIC), ("hubble", "skimage_hubble_deep_field.jpg", IN_COPYRIGHT))
    with app.app_context():
        assert [r.status for r in cut_tiles_for_object("obj-retina")] == ["cut"]
        assert [r.status for r in cut_tiles_for_object("obj-retina")] == ["current"]
        cut_tiles_for_object("obj-hubble")
    client = app.test_client()
    for media_id in ("retina", "hubble"):
        info = client.get(f"/iiif/image/{media_id}/info.json").get_json(force=True)
        width, height, tile = info["width"], info["height"], info["tiles"][0]["width"]
        folder = Path(app.config["TILE_DIR"]) / media_id
        expected = set()
        for factor in info["tiles"][0]["scaleFactors"]:
            for y in range(0, height, tile * factor):
                for x in range(0, width, tile * factor):
                    w, h = min(tile * factor, width - x), min(tile * factor, height - y)
                    region = "full" if (w, h) == (width, height) else f"{x},{y},{w},{h}"
                    expected.add((f"{region}/{-(-w // factor)},{-(-h // factor)}/0/default.jpg", (-(-w // factor), -(-h // factor))))
        for size in info["sizes"]:
            expected.add((f"full/{size['width']},{size['height']}/0/default.jpg", (size["width"], size["height"])))
        for name, size in expected:
            with Image.open(folder / name) as im:
                assert im.size == size, name
        on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*.jpg")} - {"full/max/0/default.jpg"}
        assert on_disk == {name for name, _ in expected}
    # The work in copyright was cut at its capped sizes only.
    assert max(max(image_size(p)) for p in (Path(app.config["TILE_DIR"]) / "hubble").rglob("*.jpg")) <= 800


def test_cutting_an_object_again_removes_tiles_of_images_it_no_longer_has(tmp_path):
    app = catalogue(tmp_path / "i", ("coins", "skimage_coins.png", PUBLIC))
    store = app.extensions["vitrine"].store
    with app.app_context():
        cut_tiles_for_object("obj-coins")
        obj = store.get_object("obj-coins")
        shutil.copy(IMAGES / "skimage_rocket.jpg", Path(app.config["MEDIA_DIR"]) / "rocket.jpg")
        obj.media = [MediaFile(id="rocket", path="rocket.jpg", format="image/jpeg", width=640, height=427)]
        store.write(Batch(objects=[obj]))
        results = {r.media_id: r.status for r in cut_tiles_for_object("obj-coins")}
    assert results == {"coins": "removed", "rocket": "cut"}
    tiles = Path(app.config["TILE_DIR"])
    assert not (tiles / "coins").exists() and (tiles / "rocket" / "pyramid.json").exists()


def test_vitrine_tiles_cuts_everything_with_progress_and_prunes_what_is_gone(tmp_path):
    instance = tmp_path / "i"
    app = catalogue(instance, ("coins", "skimage_coins.png", PUBLIC), ("chelsea", "skimage_chelsea.png", None))
    stale = Path(app.config["TILE_DIR"]) / "deleted-image"
    stale.mkdir(parents=True)
    app.extensions["vitrine"].store.close()
    runner = CliRunner()
    result = runner.invoke(main, ["tiles", "--all"], env={"VITRINE_INSTANCE": str(instance)})
    assert result.exit_code == 0, result.output
    assert "2 cut, 0 current, 1 removed, 0 failed" in result.output
    assert not stale.exists() and (Path(app.config["TILE_DIR"]) / "chelsea" / "pyramid.json").exists()
    again = runner.invoke(main, ["tiles", "obj-coins"], env={"VITRINE_INSTANCE": str(instance)})
    assert "0 cut, 1 current" in again.output
    assert runner.invoke(main, ["tiles"], env={"VITRINE_INSTANCE": str(instance)}).exit_code == 1


def test_vitrine_tiles_reports_an_image_it_cannot_cut(tmp_path):
    instance = tmp_path / "i"
    app = catalogue(instance, ("coins", "skimage_coins.png", PUBLIC))
    (Path(app.config["MEDIA_DIR"]) / "skimage_coins.png").write_bytes(b"not a png")
    result = CliRunner().invoke(main, ["tiles", "obj-coins"], env={"VITRINE_INSTANCE": str(instance)})
    assert result.exit_code == 1
    assert "coins:" in result.output and "1 failed" in result.output


def test_nginx_config_names_this_instance_and_passes_nginx_t(tmp_path):
    instance = tmp_path / "i"
    result = CliRunner().invoke(
        main, ["nginx-config", "--listen", "127.0.0.1:8181", "--upstream", "127.0.0.1:8282"],
        env={"VITRINE_INSTANCE": str(instance)},
    )
    assert result.exit_code == 0
    assert f"root {(instance / 'tiles').resolve()};" in result.output
    assert "server 127.0.0.1:8282;" in result.output and "listen 127.0.0.1:8181;" in result.output
    conf = standalone_nginx(tmp_path / "nginx", result.output)
    check = subprocess.run([NGINX, "-t", "-p", str(tmp_path / "nginx"), "-c", str(conf), "-e", "stderr"],
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr


@pytest.fixture
def behind_nginx(tmp_path):
    """Vitrine (a server thread) behind nginx with the shipped configuration; yields (nginx URL, app)."""
    app = catalogue(tmp_path / "i", ("retina", "skimage_retina.jpg", PUBLIC), ("hubble", "skimage_hubble_deep_field.jpg", IN_COPYRIGHT))
    with app.app_context():
        cut_tiles_for_object("obj-retina")
        cut_tiles_for_object("obj-hubble")
    httpd = http_server(app)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = free_port()
    block = nginx_config(app.config["TILE_DIR"], listen=f"127.0.0.1:{port}", upstream=f"127.0.0.1:{httpd.server_port}")
    conf = standalone_nginx(tmp_path / "nginx", block)
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path / "nginx"), "-c", str(conf), "-e", "stderr"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/iiif/image/retina/info.json", timeout=(1, 60))  # listening: a slow answer is waited for
            break
        except requests.ConnectionError:
            time.sleep(0.05)
    yield url, app
    nginx.terminate()
    nginx.wait(10)
    nginx.stderr.close()
    httpd.shutdown()
    httpd.server_close()  # the listening socket too, or it is an unclosed-socket ResourceWarning
    app.extensions["vitrine"].images.wait_idle(30)


def test_nginx_serves_pre_cut_tiles_itself_and_passes_the_rest_to_vitrine(behind_nginx):
    url, app = behind_nginx
    tile = requests.get(url + "/iiif/image/retina/512,0,512,512/512,512/0/default.jpg", timeout=5)
    assert tile.status_code == 200 and tile.headers["Content-Type"] == "image/jpeg"
    assert tile.headers["Server"].startswith("nginx") and "Werkzeug" not in tile.headers.get("Server", "")
    assert tile.content == (Path(app.config["TILE_DIR"]) / "retina/512,0,512,512/512,512/0/default.jpg").read_bytes()
    assert tile.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=2592000" in tile.headers["Cache-Control"] and "level2" in tile.headers["Link"]
    again = requests.get(tile.url, headers={"If-None-Match": tile.headers["ETag"]}, timeout=5)
    assert again.status_code == 304 and again.headers["Access-Control-Allow-Origin"] == "*"

    info = requests.get(url + "/iiif/image/retina/info.json", timeout=5)
    assert info.json()["id"] == f"{url}/iiif/image/retina"
    render = requests.get(url + "/iiif/image/retina/100,100,300,300/150,/0/gray.png", timeout=5)
    assert render.status_code == 200 and render.headers["Content-Type"] == "image/png"
    assert render.raw.headers.getlist("Access-Control-Allow-Origin") == ["*"]  # once: nginx adds none of its own


def test_behind_nginx_a_work_in_copyright_is_still_never_served_at_full_size(behind_nginx):
    url, _ = behind_nginx
    # The capped derivative (800 x 698) is all there is: a tile of the full 1000 x 872 reaches outside it.
    assert requests.get(url + "/iiif/image/hubble/info.json", timeout=5).json()["width"] == 800
    assert requests.get(url + "/iiif/image/hubble/512,512,488,360/488,360/0/default.jpg", timeout=5).status_code == 400
    small = requests.get(url + "/iiif/image/hubble/full/max/0/default.jpg", timeout=5)
    assert small.headers["Content-Type"] == "image/jpeg"
    assert max(Image.open(BytesIO(small.content)).size) <= 800


def test_closing_the_catalogue_finishes_and_ends_its_tile_thread(tmp_path):
    """A closed catalogue leaves no thread behind: a tile thread outliving its store read a store that
    was gone and logged from its thread while the next test built an app (CPython 3.11's parser state
    is shared between threads: it raised SystemError there)."""
    app = catalogue(tmp_path / "instance", ("volna", "kde_Volna_5120x2880.jpg", PUBLIC))
    images = app.extensions["vitrine"].images
    images.start_background()
    images._cutter.request("obj-volna", whole_object=True)
    thread = images._cutter.thread
    app.extensions["vitrine"].close()
    assert thread is not None and not thread.is_alive()
    assert (tmp_path / "instance" / "tiles").is_dir() and any((tmp_path / "instance" / "tiles").rglob("*.jpg"))
