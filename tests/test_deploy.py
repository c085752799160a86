"""The shipped deployment: nginx states where a request came from, and two catalogues share one machine."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from click.testing import CliRunner

from catalogue.cli import main
from catalogue.deploy import standalone_nginx
from support import free_port
from test_image_tiles import NGINX, behind_nginx  # noqa: F401  (the fixture)

POISON = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Port": "6666", "X-Forwarded-Prefix": "/evil",
          "X-Forwarded-Proto": "gopher", "Forwarded": "host=evil.example"}


def test_behind_nginx_a_clients_forwarding_headers_change_no_iiif_id(behind_nginx):
    url, _ = behind_nginx
    info = requests.get(url + "/iiif/image/retina/info.json", headers=POISON, timeout=5)
    assert info.json()["id"] == f"{url}/iiif/image/retina"
    collection = requests.get(url + "/iiif/collection", headers=POISON, timeout=5)
    assert collection.json()["id"] == f"{url}/iiif/collection"
    assert "evil" not in collection.text and "6666" not in collection.text
    redirect = requests.get(url + "/iiif/image/retina", headers=POISON, timeout=5, allow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["Location"].startswith(url + "/")


def _nginx_config(instance: Path, listen: str, upstream: str) -> str:
    result = CliRunner().invoke(main, ["nginx-config", "--listen", listen, "--upstream", upstream,
                                       "--server-name", instance.name], env={"VITRINE_INSTANCE": str(instance)})
    assert result.exit_code == 0, result.output
    return result.output


def test_two_catalogues_share_one_nginx(tmp_path):
    first = _nginx_config(tmp_path / "museum", "127.0.0.1:8181", "127.0.0.1:8282")
    second = _nginx_config(tmp_path / "library", "127.0.0.1:8181", "127.0.0.1:8383")
    names = [line.split()[1] for text in (first, second) for line in text.splitlines() if line.startswith("upstream ")]
    assert len(names) == 2 and names[0] != names[1]
    conf = standalone_nginx(tmp_path / "nginx", first + second)
    check = subprocess.run([NGINX, "-t", "-p", str(tmp_path / "nginx"), "-c", str(conf), "-e", "stderr"],
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr


def test_vitrine_serve_keeps_its_control_socket_in_its_own_instance(tmp_path):
    instance = tmp_path / "i"
    port = free_port()
    env = {**os.environ, "VITRINE_INSTANCE": str(instance), "HOME": str(tmp_path / "home")}
    env.pop("XDG_RUNTIME_DIR", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "vitrine"), "serve", "--port", str(port), "--workers", "1", "--threads", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/robots.txt", timeout=(1, 60)).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError(server.stderr.read1().decode() if server.poll() is not None else "no answer")
        while not (instance / "gunicorn.ctl").is_socket() and time.monotonic() < deadline:
            time.sleep(0.1)  # gunicorn opens it beside its first worker, not before
        assert (instance / "gunicorn.ctl").is_socket()
        assert not (tmp_path / "home" / ".gunicorn").exists()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        server.stderr.close()


def test_behind_nginx_a_preflight_on_a_pre_cut_tile_is_answered_with_cors(behind_nginx):
    url, app = behind_nginx
    tile = "/iiif/image/retina/512,0,512,512/512,512/0/default.jpg"
    assert (Path(app.config["TILE_DIR"]) / tile.removeprefix("/iiif/image/")).is_file()  # nginx's own file
    preflight = requests.options(url + tile, timeout=5, headers={
        "Origin": "https://viewer.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert preflight.headers["Access-Control-Allow-Headers"] == "if-none-match"
    got = requests.get(url + tile, timeout=5, headers={"Origin": "https://viewer.example"})
    assert got.headers["Server"].startswith("nginx") and "ETag" in got.headers["Access-Control-Expose-Headers"]


def test_behind_nginx_a_manifest_arrives_gzipped_and_revalidates_with_304(behind_nginx):
    url, _ = behind_nginx
    manifest = url + "/iiif/object/obj-retina/manifest"
    zipped = requests.get(manifest, timeout=5, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.json()["id"] == manifest
    assert zipped.headers["ETag"].endswith('-gzip"') and not zipped.headers["ETag"].startswith("W/")
    assert "Accept-Encoding" in zipped.headers["Vary"]
    for validator in ({"If-None-Match": zipped.headers["ETag"]}, {"If-Modified-Since": zipped.headers["Last-Modified"]}):
        again = requests.get(manifest, timeout=5, headers={"Accept-Encoding": "gzip", **validator})
        assert again.status_code == 304, validator
    preflight = requests.options(manifest, timeout=5, headers={
        "Origin": "https://viewer.example", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "*"
