"""The render cache under load: renders kept while other threads and processes remove the same image's
renders (a pyramid just cut, a work withdrawn) never turn a request into a 500."""
from __future__ import annotations

import io
import multiprocessing
import shutil
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from PIL import Image, ImageStat

from catalogue import create_app
from catalogue.iiif.cache import RenderCache
from catalogue.store import Batch
from support import http_server
from test_image_api import GRID, IMAGES, IN_COPYRIGHT, PUBLIC, add_images

SECONDS = 3.0


def _remove_repeatedly(root: str, media_id: str, until: float) -> None:
    """Another worker process: removes one image's renders again and again (as its cut or withdrawal does)."""
    cache = RenderCache(Path(root), 1 << 30)
    while time.time() < until:
        cache.remove(media_id)


def test_a_render_is_kept_or_skipped_never_raised_while_its_folder_is_removed(tmp_path):
    cache = RenderCache(tmp_path / "renders", 1 << 30)
    until = time.time() + SECONDS
    remover = multiprocessing.get_context("spawn").Process(
        target=_remove_repeatedly, args=(str(cache.root), "grid", until))
    remover.start()
    failures: list[BaseException] = []

    def keep(n: int) -> None:
        while time.time() < until:
            try:
                path = cache.put("grid", f"key-{n}", "png", b"pixels")
                assert path is None or path.name == f"key-{n}.png"
            except BaseException as exc:  # noqa: BLE001 - the failure is the finding
                failures.append(exc)
                return

    def remove() -> None:
        while time.time() < until:
            cache.remove("grid")

    threads = [threading.Thread(target=keep, args=(n,)) for n in range(4)] + [threading.Thread(target=remove)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(SECONDS + 10)
    remover.join(10)
    assert failures == []
    assert remover.exitcode == 0


def _mean(data: bytes) -> tuple[float, ...]:
    with Image.open(io.BytesIO(data)) as image:
        return tuple(ImageStat.Stat(image.convert("RGB")).mean)


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_tile_requests_under_concurrent_cuts_and_withdrawals_are_all_200_with_the_right_pixels(tmp_path):
    """Renders of one image over a real server, while another process keeps removing its renders and this
    one keeps re-cutting its pyramid and putting a second work in and out of copyright: every answer is a
    200 with the source's colours, or (for the work in copyright, asked beyond its cap) a clean 403."""
    app = create_app({"INSTANCE": str(tmp_path / "instance"), "TESTING": True, "COPYRIGHT_MAX_WIDTH": 300})
    add_images(app, ("grid", GRID, PUBLIC), ("camera", IMAGES / "skimage_camera.png", PUBLIC))
    images, store = app.extensions["vitrine"].images, app.extensions["vitrine"].store
    with Image.open(GRID) as im:
        source = im.convert("RGB")
    httpd = http_server(app)
    server = threading.Thread(target=httpd.serve_forever, daemon=True)
    server.start()
    base = f"http://127.0.0.1:{httpd.server_port}/iiif/image"
    until = time.time() + SECONDS
    remover = multiprocessing.get_context("spawn").Process(
        target=_remove_repeatedly, args=(str(images.cache.root), "grid", until))
    remover.start()
    wrong: list[str] = []
    answered = [0]

    def ask(n: int) -> None:
        k = 0
        while time.time() < until:
            col, row, angle = (n + k) % 10, (3 * n + k) % 10, k % 7  # renders: no pre-cut tile has these pixels
            x, y = col * 100 + 10, row * 100 + 10
            status, body = _get(f"{base}/grid/{x},{y},80,80/max/{angle * 90 % 360}/default.png")
            expected = source.getpixel((x + 40, y + 40))
            if status != 200 or max(abs(a - b) for a, b in zip(_mean(body), expected, strict=True)) > 3:
                wrong.append(f"grid {x},{y}: {status} {body[:200]!r}")
            status, body = _get(f"{base}/camera/full/{100 + k % 50},/0/default.png")
            if status not in (200, 403) or (status == 403 and b"copyright" not in body):
                wrong.append(f"camera: {status} {body[:200]!r}")
            answered[0] += 1
            k += 1

    def churn() -> None:
        k = 0
        while time.time() < until:
            images.cut("grid", force=True)
            camera = store.get_object("obj-camera")
            camera.rights = IN_COPYRIGHT if k % 2 == 0 else PUBLIC
            store.write(Batch(objects=[camera]))
            k += 1

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)] + [threading.Thread(target=churn)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(SECONDS + 60)
    remover.join(10)
    httpd.shutdown()
    images.wait_idle(30)
    store.close()
    assert wrong == []
    assert answered[0] > 8
    shutil.rmtree(tmp_path / "instance", ignore_errors=True)
