"""A bounded soak of `vitrine serve`: a mixed visitor workload plus a little hostile traffic, on the Tate catalogue.

    .venv/bin/python benchmarks/soak.py --quick      # 10 clients, 20 s, 3,000 Tate records (about a minute)
    .venv/bin/python benchmarks/soak.py              # 50 clients, 600 s, the full Tate set (69,202) + the demo (33)

The catalogue is the Tate CSV through the shipped mapping (`vitrine ingest csv`) and
the demo (`vitrine demo`, for images, tiles, 3D, exhibitions), built once into a cache
folder under /tmp (or --instance) so repeated runs do not re-import. The script starts
real gunicorn on a free port of 127.0.0.1, checks every planned URL once, warms up, and
then N keep-alive clients (threads, http.client) send for D seconds a weighted mix:
search API and pages (words, phrases, facets, years, sorts, cursors to pages 2-5),
object pages and records, manifests, info.json, pre-cut tiles, rendered regions,
IIIF collections, listings, the sitemap; and about 2% hostile requests (overlong and
wildcard queries, tampered cursors, odd sizes, bad image sizes, out-of-range sitemaps,
an overlong Host label) which must answer 4xx; at most one hostile request is in
flight at a time. Every loop is bounded in count and time; the server is killed (its
process group) on exit, Ctrl-C or an exception. A guard kills a worker whose RSS passes
--max-worker-mb (the machine is shared): that counts as an error.

Targets (issue 8): zero errors; worker memory flat within 20% (end / start <= 1.2);
p99 <= 500 ms over the visitor requests.
"""
from __future__ import annotations

import argparse
import base64
import csv
import gzip
import http.client
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _load import free_port, start_vitrine, stop  # noqa: E402
from import_tate import MAPPING, TATE  # noqa: E402
from pages import query_strings  # noqa: E402
from search import DEEP, percentile  # noqa: E402

CACHE = Path("/tmp/vitrine-soak")
TIMEOUT = 30.0  # seconds a client waits for one answer
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK = os.sysconf("SC_CLK_TCK")
VITRINE = Path(sys.executable).with_name("vitrine")

# Share of visitor requests by kind (weights); hostile requests are HOSTILE_SHARE of all.
# The sitemap is for crawlers, and a file of 50,000 objects costs ~300 ms of CPU: at 2%
# it took a third of the server's CPU, so it is 0.2% here.
WEIGHTS = {
    "search api": 12, "search api page 2-5": 6, "search page": 9, "search page 2-5": 4,
    "object page": 10, "object api": 4, "manifest": 10, "info.json": 8, "tile": 20,
    "render": 4, "collection": 6, "listing page": 5, "sitemap": 0.2,
}
HOSTILE_SHARE = 0.02


# -- the catalogue ---------------------------------------------------------------------

def tate_csv(path: Path, limit: int | None) -> None:
    """The Tate CSV, or its first ``limit`` records (records span lines: cut with the csv module)."""
    with (
        gzip.open(TATE, "rt", newline="", encoding="utf-8-sig") as src,
        path.open("w", newline="", encoding="utf-8") as dst,
    ):
        rows = csv.reader(src)
        writer = csv.writer(dst)
        for row in itertools.islice(rows, None if limit is None else limit + 1):
            writer.writerow(row)


def vitrine(instance: Path, *args: str) -> None:
    """Run a `vitrine` command on ``instance``; its output goes to the instance's build log."""
    env = dict(os.environ, VITRINE_INSTANCE=str(instance))
    with (instance / "soak-build.log").open("a") as log:
        subprocess.run([str(VITRINE), *args], env=env, stdout=log, stderr=subprocess.STDOUT, check=True, timeout=1800)


def build_instance(instance: Path, limit: int | None) -> None:
    """Demo plus Tate, the way an operator would load them; a marker file makes it reusable."""
    marker = instance / "soak-ready.json"
    if marker.exists() or (instance / "vitrine.db").exists() and not instance.is_relative_to(CACHE):
        print(f"catalogue: reusing {instance}", file=sys.stderr)
        return
    if instance.is_relative_to(CACHE):
        shutil.rmtree(instance, ignore_errors=True)  # a build of ours cut short
    instance.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    vitrine(instance, "demo")
    tate_csv(instance / "tate.csv", limit)
    vitrine(instance, "ingest", "csv", str(instance / "tate.csv"), "--mapping", str(MAPPING))
    (instance / "tate.csv").unlink()
    marker.write_text(json.dumps({"limit": limit, "seconds": round(time.perf_counter() - began, 1)}))
    print(f"catalogue: built {instance} in {time.perf_counter() - began:.0f} s", file=sys.stderr)


# -- what to ask -------------------------------------------------------------------------

@dataclass
class Plan:
    """URLs by kind; hostile ones carry their own headers and must answer 4xx."""

    urls: dict[str, list[str]] = field(default_factory=dict)
    hostile: list[tuple[str, str, dict]] = field(default_factory=list)
    dropped: list[tuple[str, str, int]] = field(default_factory=list)


def catalogue_facts(instance: Path) -> dict:
    """Ids of objects, images, collections, institutions and exhibitions, read from the store."""
    from catalogue.store.sqlite import SqliteStore

    store = SqliteStore(instance / "vitrine.db")
    try:
        media = list(store.iter_media())
        images = [(m.id, m.width, m.height, rights or "") for m, _, rights in media
                  if m.format.startswith("image/") and m.width and m.height]
        return {
            "objects": store.object_ids(),
            "digitised": sorted({object_id for _, object_id, _ in media}),
            "images": images,
            "collections": [c.id for c in store.collections()],
            "institutions": [i.id for i in store.institutions()],
            "exhibitions": [e.slug for e in store.exhibitions("published")],
        }
    finally:
        store.close()


def tile_urls(instance: Path) -> list[str]:
    """Every pre-cut tile on disk, as the URL a viewer asks for (the folder is laid out as the URLs)."""
    tiles = instance / "tiles"
    return sorted("/iiif/image/" + quote(str(p.relative_to(tiles))) for p in tiles.rglob("default.jpg"))[:20000]


def render_urls(images: list[tuple], rng: random.Random, count: int = 400) -> list[str]:
    """Views no tile answers (odd regions, sizes, rotations, qualities) of open works, never enlarged, <= 600 px."""
    open_images = [i for i in images if "InC" not in i[3]]
    out = []
    for _ in range(count):
        media, width, height, _ = rng.choice(open_images)
        w, h = rng.randint(min(16, width), min(600, width)), rng.randint(min(16, height), min(600, height))
        x, y = rng.randint(0, width - w), rng.randint(0, height - h)
        size = rng.choice([f"{min(w, 200)},", f",{min(h, 150)}", "pct:50", f"!{min(w, 300)},{min(h, 300)}", "max"])
        rotation, quality, fmt = rng.choice([("0", "default", "jpg"), ("90", "default", "jpg"),
                                             ("0", "gray", "jpg"), ("0", "default", "png"),
                                             ("0", "default", "webp"), ("!0", "color", "jpg")])
        out.append(f"/iiif/image/{quote(media)}/{x},{y},{w},{h}/{size}/{rotation}/{quality}.{fmt}")
    return out


def object_urls(objects: list[str], rng: random.Random, count: int = 2000) -> list[str]:
    """Every demo object (they have media) and a sample of the rest."""
    demo = [o for o in objects if not re.fullmatch(r"[A-Z]+\d+", o)]
    sample = rng.sample(objects, min(count, len(objects)))
    return list(dict.fromkeys(demo + sample))


def get(conn: http.client.HTTPConnection, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.read()


def sitemap_files(port: int) -> list[str]:
    """The sitemap files the index names."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        _, body = get(conn, "/sitemap.xml")
    finally:
        conn.close()
    return [f"/sitemap-{n.decode()}.xml" for n in re.findall(rb"/sitemap-(\d+)\.xml", body)[:10]]


def cursor_urls(port: int, deadline: float) -> tuple[list[str], list[str], str]:
    """Pages 2-5 of a few searches, API and page, by following each page's `next`; and one real cursor."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    asked = [urlencode({"q": q, **({"sort": s} if s != "relevance" else {}), "lang": "en"}) for q, s in DEEP]
    asked += [urlencode({"q": q, "lang": "en"}) for q in ("landscape", "portrait", "sea", "study", "graphite")]
    api, page, one = [], [], ""
    for qs in asked:
        cursor = None
        for _ in range(4):
            if time.monotonic() > deadline:
                break
            status, body = get(conn, f"/api/search?{qs}" + (f"&cursor={cursor}" if cursor else ""))
            cursor = json.loads(body).get("next") if status == 200 else None
            if not cursor:
                break
            one = one or cursor
            api.append(f"/api/search?{qs}&cursor={cursor}")
            page.append(f"/search?{qs}&cursor={cursor}")
    conn.close()
    return api, page, one


def tampered(cursor: str) -> str:
    """A real cursor with its sort key replaced by a 400-digit number (issue 8, defect 5)."""
    data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    data["k"] = [10 ** 400]
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def hostile_requests(images: list[tuple], objects: list[str], cursor: str) -> list[tuple[str, str, dict]]:
    """(kind, path, headers) that a correct server answers 4xx, taken from issue 8's reproductions."""
    big = next(i for i in sorted(images, key=lambda i: -i[1] * i[2]) if "InC" not in i[3])[0]
    img = f"/iiif/image/{quote(big)}"
    q = "turner"
    out = [
        ("overlong query", "/api/search?" + urlencode({"q": "a" * 4000}), {}),
        ("overlong query", "/search?" + urlencode({"q": "a" * 4000}), {}),
        ("overlong query", "/api/search?" + urlencode({"q": "İ" * 600}), {}),
        ("wildcards", "/api/search?" + urlencode({"q": " ".join(f"*qq{n}Nzx*" for n in range(250))}), {}),
        ("odd size", "/search?" + urlencode({"q": q, "size": "²"}), {}),
        ("odd size", "/api/search?" + urlencode({"q": q, "size": "①"}), {}),
        ("bad parameter", "/api/search?" + urlencode({"q": q, "lang": "xx"}), {}),
        ("bad parameter", "/api/search?" + urlencode({"q": q, "from": "1900", "to": "1800"}), {}),
        ("garbage cursor", "/api/search?" + urlencode({"q": q, "cursor": "!!not-a-cursor"}), {}),
        ("bad image size", f"{img}/full/!100,0/0/default.jpg", {}),
        ("bad image size", f"{img}/full/!0,100/0/default.jpg", {}),
        ("bad image size", f"{img}/full/!0,0/0/default.jpg", {}),
        ("bad image size", f"{img}/full/^{'9' * 400},/0/default.jpg", {}),
        ("bad image size", f"{img}/0,0,1000,10/^1,70000/0/default.jpg", {}),
        ("bad image size", f"{img}/0,0,1000,10/^17000,/0/default.webp", {}),
        # a best fit ("!w,h") is made to fit the limits, as the Image API asks: a 200 within maxArea, or a 4xx
        ("best fit beyond maxArea", f"{img}/full/^!99999,99999/45/default.png", {}),
        ("bad image size", f"{img}/-5,0,10,10/full/0/default.jpg", {}),
        ("sitemap out of range", "/sitemap-99999999999999999999.xml", {}),
        ("sitemap out of range", "/sitemap-0.xml", {}),
        ("overlong Host label", "/", {"Host": "a" * 64 + ".example"}),
        ("overlong Host label", "/search?q=sea", {"X-Forwarded-Host": "b" * 70 + ".example"}),
        ("id with newline", f"/api/objects/{quote(objects[0])}%0A", {}),
        ("unknown image", "/iiif/image/no-such-image/info.json", {}),
    ]
    if cursor:
        wrong = tampered(cursor)
        out += [("tampered cursor", "/api/search?" + urlencode({"q": q, "lang": "en", "cursor": wrong}), {}),
                ("tampered cursor", "/search?" + urlencode({"q": q, "lang": "en", "cursor": wrong}), {})]
    return out


def plan_urls(port: int, instance: Path, seed: int, deadline: float) -> Plan:
    """Every URL of the mix, each asked once (the server's first warm-up); those not 200 are left out."""
    rng = random.Random(seed)
    facts = catalogue_facts(instance)
    searches = query_strings()
    api_pages, search_pages, cursor = cursor_urls(port, deadline)
    objects = object_urls(facts["objects"], rng)
    institutions = facts["institutions"]
    urls = {
        "search api": [f"/api/search?{qs}" for qs in searches],
        "search api page 2-5": api_pages,
        "search page": [f"/search?{qs}" for qs in searches],
        "search page 2-5": search_pages,
        "object page": [f"/object/{quote(o)}" for o in objects],
        "object api": [f"/api/objects/{quote(o)}" for o in objects[:500]],
        "manifest": [f"/iiif/object/{quote(o)}/manifest" for o in facts["digitised"]],
        "info.json": [f"/iiif/image/{quote(i[0])}/info.json" for i in facts["images"]],
        "tile": tile_urls(instance),
        "render": render_urls(facts["images"], rng),
        "collection": ["/iiif/collection"] + [f"/iiif/collection/{quote(i)}" for i in institutions]
        + [f"/iiif/exhibition/{quote(s)}/{what}" for s in facts["exhibitions"] for what in ("manifest", "collection")],
        "listing page": ["/", "/exhibitions"] + [f"/institution/{quote(i)}" for i in institutions]
        + [f"/collection/{quote(c)}" for c in facts["collections"]]
        + [f"/exhibition/{quote(s)}" for s in facts["exhibitions"]],
        "sitemap": ["/sitemap.xml", "/robots.txt"] + sitemap_files(port),
    }
    plan = Plan(hostile=hostile_requests(facts["images"], facts["objects"], cursor))
    plan.urls = check(port, urls, plan.dropped, deadline)
    return plan


def check(port: int, urls: dict[str, list[str]], dropped: list, deadline: float) -> dict[str, list[str]]:
    """Ask each URL once from 4 threads; keep those that answer 200."""
    todo = [(kind, url) for kind, some in urls.items() for url in some]
    keep: dict[str, list[str]] = {kind: [] for kind in urls}
    lock = threading.Lock()
    feed = iter(todo)

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        for _ in range(len(todo)):
            with lock:
                item = next(feed, None)
            if item is None or time.monotonic() > deadline:
                break
            try:
                status, _ = get(conn, item[1])
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            with lock:
                (keep[item[0]].append(item[1]) if status == 200 else dropped.append((item[0], item[1], status)))
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1.0, deadline - time.monotonic()))
    return {kind: some for kind, some in keep.items() if some}


# -- the server's workers ----------------------------------------------------------------

def workers_of(master: int) -> list[int]:
    """Pids whose parent is the gunicorn master (`vitrine serve` runs gunicorn in its own process)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return sorted(out)


def rss_mb(pid: int) -> float:
    try:
        return int((Path(f"/proc/{pid}/statm")).read_text().split()[1]) * PAGE_SIZE / 1e6
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the live processes (a worker that died takes its CPU with it)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / CLOCK


def memory(master: int) -> dict:
    pids = workers_of(master)
    sizes = [rss_mb(p) for p in pids]
    return {"pids": pids, "sum": sum(sizes), "max": max(sizes, default=0.0), "each": sizes}


class Guard(threading.Thread):
    """Samples worker memory every half second; kills a worker over the limit (the machine is shared)."""

    def __init__(self, master: int, limit_mb: float, stop_at: float) -> None:
        super().__init__(daemon=True)
        self.master, self.limit, self.stop_at = master, limit_mb, stop_at
        self.killed: list[tuple[int, float]] = []
        self.seen: set[int] = set(workers_of(master))
        self.peak = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        for _ in range(int((self.stop_at - time.monotonic()) / 0.5) + 120):
            if self.done.is_set() or time.monotonic() > self.stop_at + 60:
                break
            for pid in workers_of(self.master):
                self.seen.add(pid)
                size = rss_mb(pid)
                self.peak = max(self.peak, size)
                if size > self.limit:
                    try:
                        os.kill(pid, signal.SIGKILL)
                        self.killed.append((pid, size))
                    except ProcessLookupError:
                        pass
            time.sleep(0.5)


# -- the load ------------------------------------------------------------------------------

@dataclass
class Tally:
    """One client's results: latencies by kind, errors by kind, hostile answers by status."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    examples: dict[str, str] = field(default_factory=dict)
    hostile: dict[tuple[str, int], int] = field(default_factory=dict)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        self.examples.setdefault(kind, what)


MAX_AREA = 4096 * 4096  # IMAGE_MAX_AREA's default, info.json's maxArea


def _png_area(body: bytes) -> int | None:
    """Width x height from a PNG's IHDR, without decoding it."""
    if body[:8] != b"\x89PNG\r\n\x1a\n" or len(body) < 24:
        return None
    return int.from_bytes(body[16:20], "big") * int.from_bytes(body[20:24], "big")


def judge(tally: Tally, kind: str, path: str, status: int, hostile: bool, body: bytes = b"") -> None:
    """Count a response: visitor requests must be 200, hostile ones 4xx (a best fit: a 200 within maxArea)."""
    if hostile:
        tally.hostile[(kind, status)] = tally.hostile.get((kind, status), 0) + 1
        if kind.startswith("best fit") and status == 200:
            area = _png_area(body)
            if area is None or area > MAX_AREA:
                tally.error("best fit beyond maxArea", f"{area} px {path[:120]}")
        elif status >= 500:
            tally.error("hostile answered 5xx", f"{status} {path[:120]}")
        elif not 400 <= status < 500:
            tally.error("hostile answered 2xx/3xx", f"{status} {path[:120]}")
    elif status >= 500:
        tally.error("5xx", f"{status} {path[:120]}")
    elif 400 <= status < 500:
        tally.error("unexpected 4xx", f"{status} {path[:120]}")
    elif status != 200:
        tally.error("unexpected 1xx/3xx", f"{status} {path[:120]}")


class Client(threading.Thread):
    """One keep-alive visitor: picks a weighted request, sends it, records; bounded in count and time."""

    def __init__(self, number: int, port: int, plan: Plan, stop_at: float, max_requests: int,
                 hostile_slot: threading.Semaphore, seed: int, reuse: tuple[int, int] = (20, 200)) -> None:
        super().__init__(daemon=True)
        self.port, self.plan, self.stop_at, self.max_requests = port, plan, stop_at, max_requests
        self.slot, self.rng, self.tally = hostile_slot, random.Random(seed * 1000 + number), Tally()
        self.reuse = reuse  # requests per connection, drawn from this range: a visitor comes back later
        self.kinds = list(plan.urls)
        self.weights = [WEIGHTS.get(k, 1) for k in self.kinds]

    def pick(self) -> tuple[str, str, dict, bool]:
        if self.plan.hostile and self.rng.random() < HOSTILE_SHARE and self.slot.acquire(blocking=False):
            kind, path, headers = self.rng.choice(self.plan.hostile)
            return kind, path, headers, True
        kind = self.rng.choices(self.kinds, self.weights)[0]
        return kind, self.rng.choice(self.plan.urls[kind]), {}, False

    def send(self, conn: http.client.HTTPConnection, path: str, headers: dict,
             reused: bool) -> tuple[int, bytes, float]:
        """One request; a keep-alive connection the server closed in between is retried once, fresh."""
        start = time.perf_counter()
        try:
            status, body = get(conn, path, headers)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            if not reused:
                raise
            conn.close()
            start = time.perf_counter()
            status, body = get(conn, path, headers)
        return status, body, time.perf_counter() - start

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        reused, left = False, self.rng.randint(*self.reuse)
        for _ in range(self.max_requests):
            if time.monotonic() >= self.stop_at:
                break
            if left <= 0:
                conn.close()
                reused, left = False, self.rng.randint(*self.reuse)
            left -= 1
            kind, path, headers, hostile = self.pick()
            try:
                status, body, seconds = self.send(conn, path, headers, reused)
                reused = True
                self.tally.latencies.setdefault("hostile" if hostile else kind, []).append(seconds)
                judge(self.tally, kind, path, status, hostile, body)
            except (OSError, http.client.HTTPException) as exc:
                self.tally.error("connection error", f"{type(exc).__name__} {path[:120]}")
                conn.close()
                reused = False
            finally:
                if hostile:
                    self.slot.release()
        conn.close()


def run_load(port: int, plan: Plan, clients: int, seconds: float, seed: int,
             reuse: tuple[int, int] = (20, 200)) -> tuple[Tally, float]:
    """``clients`` threads for ``seconds``; returns the merged tally and the elapsed time."""
    stop_at = time.monotonic() + seconds
    slot = threading.Semaphore(1)
    threads = [Client(n, port, plan, stop_at, int(seconds * 2000) + 10, slot, seed, reuse) for n in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.1, stop_at + TIMEOUT + 5 - time.monotonic()))
    elapsed = time.monotonic() - began
    merged = Tally()
    for t in threads:
        for kind, values in t.tally.latencies.items():
            merged.latencies.setdefault(kind, []).extend(values)
        for kind, n in t.tally.errors.items():
            merged.errors[kind] = merged.errors.get(kind, 0) + n
        for kind, what in t.tally.examples.items():
            merged.examples.setdefault(kind, what)
        for key, n in t.tally.hostile.items():
            merged.hostile[key] = merged.hostile.get(key, 0) + n
    return merged, min(elapsed, seconds + TIMEOUT)


# -- the report ------------------------------------------------------------------------------

def latency_rows(tally: Tally, elapsed: float) -> list[list[str]]:
    rows = []
    visitor = [v for k, vs in tally.latencies.items() if k != "hostile" for v in vs]
    for kind in [*WEIGHTS, "hostile"]:
        values = tally.latencies.get(kind)
        if values:
            rows.append([kind, f"{len(values):,}", f"{len(values) / elapsed:,.1f}",
                         *(f"{1000 * percentile(values, p):,.1f}" for p in (50, 95, 99)), f"{1000 * max(values):,.0f}"])
    if visitor:
        rows.append(["all visitor requests", f"{len(visitor):,}", f"{len(visitor) / elapsed:,.1f}",
                     *(f"{1000 * percentile(visitor, p):,.1f}" for p in (50, 95, 99)), f"{1000 * max(visitor):,.0f}"])
    return rows


def table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in [head, *rows]]
    return "\n".join(lines)


def report(args, plan: Plan, tally: Tally, elapsed: float, start: dict, end: dict, guard: Guard,
           cpu: dict) -> bool:
    """Print the figures and PASS/FAIL per target; True when all pass."""
    total = sum(len(v) for v in tally.latencies.values()) + tally.errors.get("connection error", 0)
    visitor = [v for k, vs in tally.latencies.items() if k != "hostile" for v in vs]
    restarted = sorted(set(guard.seen) - set(start["pids"]))
    errors = dict(tally.errors)
    if guard.killed:
        errors["workers killed by the memory guard"] = len(guard.killed)
    if restarted:
        errors["workers restarted"] = len(restarted)
    print(f"\nrequests {total:,} in {elapsed:.0f} s = {total / elapsed:,.1f}/s "
          f"({args.clients} clients, {args.workers} workers x {args.threads} threads)")
    print(table(["kind", "requests", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms"], latency_rows(tally, elapsed)))
    print("\nerrors: " + (", ".join(f"{k} {v:,}" for k, v in sorted(errors.items())) or "none"))
    for kind, what in sorted(tally.examples.items()):
        print(f"  e.g. {kind}: {what}")
    print("\nhostile requests by kind: status x count")
    kinds = sorted({k for k, _ in tally.hostile})
    for kind in kinds:
        print(f"  {kind:<22} " + ", ".join(f"{s} x{n}" for (k, s), n in sorted(tally.hostile.items()) if k == kind))
    print(f"\nclient CPU {cpu['client']:.0f}% of one core; server CPU {cpu['server']:.0f}% of one core, "
          f"{cpu['server_ms']:.2f} ms per request; load average at end {os.getloadavg()[0]:.1f} (2 cores, shared)")
    ratio_sum = end["sum"] / start["sum"] if start["sum"] else float("nan")
    ratio_max = end["max"] / start["max"] if start["max"] else float("nan")
    print(f"worker RSS after warm-up: sum {start['sum']:.0f} MB, max {start['max']:.0f} MB "
          f"({len(start['pids'])} workers: {', '.join(f'{m:.0f}' for m in start['each'])})")
    print(f"worker RSS at the end:    sum {end['sum']:.0f} MB, max {end['max']:.0f} MB "
          f"({len(end['pids'])} workers: {', '.join(f'{m:.0f}' for m in end['each'])}); "
          f"end / start: sum {ratio_sum:.2f}, max {ratio_max:.2f}; peak seen {guard.peak:.0f} MB")
    p99 = 1000 * percentile(visitor, 99) if visitor else float("inf")
    checks = [
        ("zero errors", sum(errors.values()) == 0, f"{sum(errors.values()):,} errors"),
        ("memory flat within 20% (end / start sum <= 1.20)", ratio_sum <= 1.2 and not restarted, f"{ratio_sum:.2f}"),
        ("p99 <= 500 ms (visitor requests)", p99 <= 500, f"{p99:.0f} ms"),
    ]
    print()
    for name, ok, value in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value}")
    return all(ok for _, ok, _ in checks)


# -- the run -----------------------------------------------------------------------------------

def warm_up(port: int, plan: Plan, clients: int, seconds: float, seed: int) -> None:
    """The same mix without hostile requests, a new connection each time so that every worker gets its share."""
    quiet = Plan(urls=plan.urls, hostile=[])
    run_load(port, quiet, clients, seconds, seed + 1, reuse=(1, 1))


def soak(args, instance: Path) -> bool:
    port = free_port()
    server = start_vitrine(instance, port, "--workers", str(args.workers), "--threads", str(args.threads))
    try:
        plan = plan_urls(port, instance, args.seed, time.monotonic() + 300)
        print(f"plan: {sum(map(len, plan.urls.values())):,} URLs in {len(plan.urls)} kinds, "
              f"{len(plan.hostile)} hostile; left out (not 200 when checked): {len(plan.dropped)}", file=sys.stderr)
        for kind, url, status in plan.dropped[:20]:
            print(f"  left out: {kind} {status} {url[:120]}", file=sys.stderr)
        warm_up(port, plan, args.clients, args.warmup, args.seed)
        print(f"load average before the soak: {os.getloadavg()[0]:.1f} (2 cores, shared)")
        start = memory(server.pid)
        guard = Guard(server.pid, args.max_worker_mb, time.monotonic() + args.seconds + TIMEOUT)
        guard.start()
        pids = [server.pid, *start["pids"]]
        cpu0, client0 = cpu_seconds(pids), time.process_time()
        tally, elapsed = run_load(port, plan, args.clients, args.seconds, args.seed)
        pids = [server.pid, *workers_of(server.pid)]
        server_cpu, client_cpu = cpu_seconds(pids) - cpu0, time.process_time() - client0
        end = memory(server.pid)
        guard.done.set()
        total = sum(len(v) for v in tally.latencies.values()) or 1
        cpu = {"client": 100 * client_cpu / elapsed, "server": 100 * server_cpu / elapsed,
               "server_ms": 1000 * server_cpu / total}
        return report(args, plan, tally, elapsed, start, end, guard, cpu)
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 clients, 20 s, 3,000 Tate records")
    parser.add_argument("--clients", type=int, default=None, help="concurrent clients (default 50)")
    parser.add_argument("--seconds", type=float, default=None, help="measured seconds (default 600)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds before measuring (default 30)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--limit", type=int, default=None, help="only the first N Tate records")
    parser.add_argument("--instance", type=Path, default=None, help="catalogue folder (built there if not ready)")
    parser.add_argument("--max-worker-mb", type=float, default=3000, help="the guard kills a worker over this RSS")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    quick = {"clients": 10, "seconds": 20, "warmup": 5, "limit": 3000} if args.quick else {}
    full = {"clients": 50, "seconds": 600, "warmup": 30, "limit": None}
    for name, value in full.items():
        if getattr(args, name) is None:
            setattr(args, name, quick.get(name, value))
    args.seconds = min(args.seconds, 3600)
    instance = args.instance or CACHE / (f"tate-{args.limit}" if args.limit else "tate-all")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops the server
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background
    try:
        build_instance(instance, args.limit)
        sys.exit(0 if soak(args, instance) else 1)
    except KeyboardInterrupt:
        print("interrupted: the server was stopped", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
