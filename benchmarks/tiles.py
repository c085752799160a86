"""Tile benchmark: a viewer opening and zooming a 5120 x 2880 image, against four servers in one run.

  (a) Vitrine's production server alone (`vitrine serve`: gunicorn + the tile fast path)
  (b) Vitrine behind the shipped nginx configuration (`vitrine nginx-config`)
  (c) nginx serving the same pre-cut files as plain static files
  (d) a naive Flask handler that opens the original with Pillow per request (same gunicorn settings as a)

The request list is what OpenSeadragon (Mirador's viewer) asks for: info.json, then
every tile at every scale factor, coarsest first. wrk replays it for a fixed time at
8 and 32 concurrent connections. Also measured: the first tile of never-seen images
(pyramid not cut yet) and the peak memory of each gunicorn worker.

    .venv/bin/python benchmarks/tiles.py [--seconds 10] [--clients 8 32]

Needs nginx and wrk (Debian packages `nginx`, `wrk`). Everything listens on
127.0.0.1 and is stopped at the end.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from flask import Flask, Response
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from catalogue.deploy import standalone_nginx  # noqa: E402

IMAGES = ROOT.parent / "shared" / "data" / "media" / "images"
BIN = Path(sys.executable).parent
IIPIMAGE_TILES_PER_SECOND = 2000  # MEASURED.md: IIPImage 1.1 behind nginx, this kind of machine
PUBLIC = "http://creativecommons.org/publicdomain/zero/1.0/"

# -- (d) the naive handler -------------------------------------------------------

naive_app = Flask("naive")


@naive_app.get("/iiif/image/<identifier>/<region>/<size>/<rotation>/<quality>.<fmt>")
def naive_tile(identifier: str, region: str, size: str, rotation: str, quality: str, fmt: str):
    """What a first Image API server does: open the original, crop, scale, encode, every time."""
    image = Image.open(os.environ["NAIVE_IMAGE"])
    if region != "full":
        x, y, w, h = map(int, region.split(","))
        image = image.crop((x, y, x + w, y + h))
    if size != "max":
        w, h = size.split(",")
        w = int(w) if w else round(image.width * int(h) / image.height)
        h = int(h) if h else round(image.height * w / image.width)
        image = image.resize((w, h))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return Response(out.getvalue(), mimetype="image/jpeg", headers={"Access-Control-Allow-Origin": "*"})


@naive_app.get("/iiif/image/<identifier>/info.json")
def naive_info(identifier: str):
    return Response(Path(os.environ["NAIVE_INFO"]).read_bytes(), mimetype="application/ld+json")


# -- the run -------------------------------------------------------------------------

WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local counter = 0
local threads = 0
setup = function(thread) thread:set("id", threads); threads = threads + 1 end
init = function(args) counter = (id or 0) * 37 end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nRESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "bad": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def get(url: str) -> tuple[bytes, dict]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read(), dict(response.headers)


def viewer_paths(info: dict, prefix: str) -> list[str]:
    """info.json, then every tile at every scale factor, coarsest first, as OpenSeadragon writes them."""
    width, height = info["width"], info["height"]
    tile = info["tiles"][0]["width"]
    paths = [f"{prefix}/info.json"]
    for factor in sorted(info["tiles"][0]["scaleFactors"], reverse=True):
        step = tile * factor
        for y in range(0, height, step):
            for x in range(0, width, step):
                w, h = min(step, width - x), min(step, height - y)
                region = "full" if (w, h) == (width, height) else f"{x},{y},{w},{h}"
                size = "max" if factor == 1 and (w, h) == (width, height) else f"{-(-w // factor)},{-(-h // factor)}"
                paths.append(f"{prefix}/{region}/{size}/0/default.jpg")
    return paths


def wrk(port: int, clients: int, seconds: float, paths_file: Path, script: Path) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{round(seconds)}s", "--timeout", "30s", "-s", str(script),
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, env={**os.environ, "WRK_PATHS": str(paths_file)}, timeout=seconds + 120,
    )
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    result = json.loads(line[len("RESULT ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def process_tree(root: int) -> list[int]:
    """A process and its children (a server's master and workers)."""
    pids = [root]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == root:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return pids


def cpu_seconds(roots: list[int]) -> float:
    """User + system CPU time used so far by the servers' processes (all their threads)."""
    total = 0
    for pid in (p for root in roots for p in process_tree(root)):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def peak_memory_mb(master: int) -> list[float]:
    """VmHWM (peak resident memory) of each child of a gunicorn master."""
    peaks = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip()) == master and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]) / 1024)
    return sorted(peaks)


def prepare(work: Path, image: Path) -> tuple[Path, dict]:
    """An instance with the benchmark image (cut) and never-seen copies of the large images (not cut)."""
    sys.path.insert(0, str(ROOT))
    from catalogue import create_app
    from catalogue.iiif.image import cut_tiles_for_object
    from catalogue.model import DigitalObject, MediaFile
    from catalogue.store import Batch

    instance = work / "instance"
    app = create_app({"INSTANCE": str(instance)})
    media = Path(app.config["MEDIA_DIR"])
    media.mkdir(parents=True, exist_ok=True)
    fresh = {
        "fresh-jpeg": "kde_SafeLanding_5120x2880.jpg",
        "fresh-progressive-jpeg": "kde_Volna_5120x2880.jpg",
        "fresh-png": "kde_Altai_5120x2880.png",
        "fresh-jpeg-zoom": "kde_SafeLanding_5120x2880.jpg",
    }
    objects = []
    for media_id, name in [("bench", image.name), *fresh.items()]:
        target = media / f"{media_id}{Path(name).suffix}"
        shutil.copy(IMAGES / name, target)
        with Image.open(target) as im:
            w, h = im.size
        objects.append(
            DigitalObject(
                id=f"obj-{media_id}", type="image", label={"en": [media_id]}, institution="bench", rights=PUBLIC,
                media=[MediaFile(id=media_id, path=target.name, format=Image.MIME[im.format], width=w, height=h)],
            )
        )
    app.extensions["vitrine"].store.write(Batch(objects=objects))
    with app.app_context():
        started = time.perf_counter()
        cut_tiles_for_object("obj-bench")
        cut_seconds = time.perf_counter() - started
    app.extensions["vitrine"].store.close()
    return instance, {"cut_seconds": cut_seconds, "fresh": list(fresh)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--image", default="kde_SafeLanding_5120x2880.jpg")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers for (a) and (d) [vitrine serve's default]")
    parser.add_argument("--threads", type=int, default=None,
                        help="gunicorn threads per worker [vitrine serve's default]")
    args = parser.parse_args()
    for tool in ("wrk", "/usr/sbin/nginx"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed (Debian: apt-get install wrk nginx)")

    work = Path(tempfile.mkdtemp(prefix="vitrine-tiles-"))
    children: list[subprocess.Popen] = []
    try:
        instance, prep = prepare(work, IMAGES / args.image)
        tile_dir = instance / "tiles"
        env = {**os.environ, "VITRINE_INSTANCE": str(instance)}
        a, b, c, d = (free_port() for _ in range(4))
        tuning = [*(["--workers", str(args.workers)] if args.workers else []),
                  *(["--threads", str(args.threads)] if args.threads else [])]

        # The child gets its own copy of the log's descriptor, so the parent's can be closed once it has started.
        with open(work / "vitrine.log", "w") as log:
            vitrine = subprocess.Popen(
                [str(BIN / "vitrine"), "serve", "--host", "127.0.0.1", "--port", str(a), *tuning],
                env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        children.append(vitrine)
        wait_for(f"http://127.0.0.1:{a}/iiif/image/bench/info.json")
        info_bytes, _ = get(f"http://127.0.0.1:{a}/iiif/image/bench/info.json")
        info = json.loads(info_bytes)
        paths = viewer_paths(info, "/iiif/image/bench")
        paths_file = work / "paths.txt"
        paths_file.write_text("\n".join(paths) + "\n")
        script = work / "replay.lua"
        script.write_text(WRK_SCRIPT)

        # (b) and (c): one nginx, two server blocks.
        shipped = subprocess.run(
            [str(BIN / "vitrine"), "nginx-config", "--listen", f"127.0.0.1:{b}", "--upstream", f"127.0.0.1:{a}"],
            env=env, capture_output=True, text=True, check=True,
        ).stdout
        static = work / "static"
        static.mkdir()
        (static / "info.json").write_bytes(info_bytes)
        plain = (
            f"server {{\n  listen 127.0.0.1:{c};\n"
            f"  location = /iiif/image/bench/info.json {{ alias {static}/info.json;"
            f" default_type application/ld+json; }}\n"
            f"  location /iiif/image/ {{ alias {tile_dir}/; default_type image/jpeg;"
            f' add_header Access-Control-Allow-Origin "*"; }}\n}}\n'
        )
        nginx_prefix = work / "nginx"
        nginx_prefix.mkdir()
        conf = standalone_nginx(nginx_prefix, shipped + plain)
        with open(work / "nginx.log", "w") as log:
            nginx = subprocess.Popen(["/usr/sbin/nginx", "-p", str(nginx_prefix), "-c", str(conf), "-e", "stderr"],
                                     stdout=subprocess.DEVNULL, stderr=log)
        children.append(nginx)

        naive_info = work / "naive-info.json"
        naive_info.write_bytes(info_bytes)
        workers = args.workers or 2 * (os.cpu_count() or 1)
        threads = args.threads or 4
        with open(work / "naive.log", "w") as log:
            naive = subprocess.Popen(
                [str(BIN / "gunicorn"), "--chdir", str(ROOT / "benchmarks"), "-b", f"127.0.0.1:{d}", "-w", str(workers),
                 "--threads", str(threads), "-k", "gthread", "tiles:naive_app"],
                env={**env, "NAIVE_IMAGE": str(IMAGES / args.image), "NAIVE_INFO": str(naive_info)},
                stdout=log, stderr=subprocess.STDOUT,
            )
        children.append(naive)
        for port in (b, c, d):
            wait_for(f"http://127.0.0.1:{port}/iiif/image/bench/info.json")
        tile_path = paths[len(paths) // 2]
        served_by = {port: get(f"http://127.0.0.1:{port}{tile_path}")[1].get("Server", "?") for port in (a, b, c)}

        servers = [("a", "Vitrine alone (vitrine serve)", a), ("b", "Vitrine behind shipped nginx", b),
                   ("c", "nginx, plain static files", c), ("d", "naive Flask + Pillow", d)]
        processes = {"a": [vitrine.pid], "b": [nginx.pid, vitrine.pid], "c": [nginx.pid], "d": [naive.pid]}
        results: dict[tuple[str, int], dict] = {}
        for key, _, port in servers:
            wrk(port, 8, 1, paths_file, script)  # warm up: page cache, imports, keep-alive pools
            for clients in args.clients:
                before = cpu_seconds(processes[key])
                results[(key, clients)] = result = wrk(port, clients, args.seconds, paths_file, script)
                result["cpu_ms"] = (cpu_seconds(processes[key]) - before) * 1000 / max(1, result["requests"])

        first = first_tiles(a, prep["fresh"])
        vitrine_peaks = peak_memory_mb(vitrine.pid)
        naive_peaks = peak_memory_mb(naive.pid)
    finally:
        for child in reversed(children):
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
        shutil.rmtree(work, ignore_errors=True)

    report(args, info, paths, prep, servers, results, first, vitrine_peaks, naive_peaks, served_by, workers, threads)


def first_tiles(port: int, fresh: list[str]) -> dict[str, dict]:
    """A viewer opening never-seen images: info.json, then its first tile (the coarsest level)."""
    out = {}
    for media_id in fresh:
        base = f"http://127.0.0.1:{port}/iiif/image/{media_id}"
        started = time.perf_counter()
        info = json.loads(get(f"{base}/info.json")[0])
        after_info = time.perf_counter()
        if media_id.endswith("-zoom"):
            # Straight to full resolution: a deep link into the middle of the image.
            path = "2560,1024,512,512/512,512/0/default.jpg"
        else:
            factor = max(info["tiles"][0]["scaleFactors"])
            path = f"full/{-(-info['width'] // factor)},{-(-info['height'] // factor)}/0/default.jpg"
        get(f"{base}/{path}")
        done = time.perf_counter()
        out[media_id] = {"info_ms": (after_info - started) * 1000, "tile_ms": (done - after_info) * 1000,
                         "total_ms": (done - started) * 1000}
    return out


def report(args, info, paths, prep, servers, results, first, vitrine_peaks, naive_peaks, served_by, workers, threads):
    print(f"# Tile benchmark ({os.cpu_count()} cores; {args.seconds:g} s per run; wrk -t2)")
    print(f"image {args.image} ({info['width']} x {info['height']}); "
          f"request list: info.json + {len(paths) - 1} tiles at "
          f"scale factors {info['tiles'][0]['scaleFactors']}; pyramid cut in {prep['cut_seconds']:.2f} s")
    print(f"gunicorn: {workers} workers x {threads} threads (a, d); Server header of a tile: "
          + ", ".join(f"{k}={v}" for k, v in zip('abc', served_by.values(), strict=False)))
    print()
    cores = os.cpu_count() or 1
    print("| server | clients | requests/s | p50 ms | p95 ms | errors | server CPU ms/request "
          "| requests/s its CPU allows on all cores |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for key, label, _ in servers:
        for clients in args.clients:
            r = results[(key, clients)]
            print(f"| ({key}) {label} | {clients} | {r['rps']:,.0f} | {r['p50_us'] / 1000:.2f} "
                  f"| {r['p95_us'] / 1000:.2f} | {r['bad']} | {r['cpu_ms']:.3f} | {cores * 1000 / r['cpu_ms']:,.0f} |")
    print()
    for clients in args.clients:
        a, b, c, d = (results[(k, clients)]["rps"] for k in "abcd")
        print(f"{clients} clients: (a) = {a / IIPIMAGE_TILES_PER_SECOND:.2f} x IIPImage's 2,000/s (target >= 1); "
              f"(b)/(c) = {b / c:.2f} (target >= 0.5); "
              f"(a)/(d) = {f'{a / d:,.0f}' if d else 'inf (d completed nothing)'} "
              "(target >= 50)")
    print()
    print("First tile of a never-seen 5120 x 2880 image (pyramid not cut), target <= 500 ms:")
    for media_id, t in first.items():
        print(f"  {media_id}: info.json {t['info_ms']:.0f} ms, then first tile {t['tile_ms']:.0f} ms "
              f"(total {t['total_ms']:.0f} ms)")
    print()
    print(f"Peak memory per worker (VmHWM), target <= 300 MB: "
          f"Vitrine {', '.join(f'{m:.0f}' for m in vitrine_peaks)} MB; "
          f"naive {', '.join(f'{m:.0f}' for m in naive_peaks)} MB")


if __name__ == "__main__":
    main()
