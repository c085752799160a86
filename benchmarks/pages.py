"""Visitor pages: server time of the search page, and the bytes of a first visit to an object page.

    .venv/bin/python benchmarks/pages.py             # demo and Tate (69,202 objects)
    .venv/bin/python benchmarks/pages.py --no-tate   # demo only (a few minutes with Lighthouse)
    .venv/bin/python benchmarks/pages.py --lighthouse-only

Search page: 100 queries (words, phrases, artists, misspellings, facets, year
ranges, sorts: benchmarks/search.py's mix) asked as /search?... URLs of the
WSGI app in this process, each once to warm up and then timed, as p50/p95 of
server time; the peer measured in the same run is /api/search for the same
queries (the same search as JSON, no page), so the ratio is what the page
itself costs. Target (issue 5): search page p95 <= 100 ms at 69k objects.

First visit: a fresh Chromium profile opens an object page of the demo served
by `vitrine serve` on 127.0.0.1; the bytes on the wire (headers included,
Chrome's encodedDataLength) are summed until Mirador's first tile arrives (the
first image response after info.json; when that tile has the poster's URL the
browser draws it from memory and every byte until idle is counted), and until
the network is idle. Target: <= 2 MB before the first tile.

Lighthouse (npm `lighthouse`, in node_modules/ with the viewers; Debian's Chromium as CHROME_PATH,
headless, no sandbox): the mobile performance score (its default: a throttled mid-range phone) of the
home page, a search page and an object page of the demo served by `vitrine serve` on 127.0.0.1, the
median of 3 runs each, with its largest costs (LCP, TBT, CLS). Target (issue 11): >= 90 each.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _load import free_port, start_vitrine, stop  # noqa: E402
from search import import_tate, queries, tate_records  # noqa: E402

QUERIES = 100
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def query_strings() -> list[str]:
    """The first 100 of the search benchmark's queries, as the query string a visitor's URL carries."""
    out = []
    for _, asked in queries()[:QUERIES]:
        pairs = [("q", asked.q)] if asked.q else []
        pairs += [(name, v) for name, values in asked.filters.items() for v in values]
        pairs += [(k, str(v)) for k, v in (("from", asked.start), ("to", asked.end)) if v is not None]
        if asked.sort != "relevance":
            pairs.append(("sort", asked.sort))
        out.append(urlencode(pairs + [("lang", "en")]))
    return out


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def server_times(app, prefix: str) -> list[float]:
    """Milliseconds the app takes for each query (warmed once), through the WSGI interface."""
    client = app.test_client()
    times = []
    for qs in query_strings():
        client.get(f"{prefix}?{qs}")
        t = time.perf_counter()
        response = client.get(f"{prefix}?{qs}")
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (prefix, qs, response.status_code)
    return times


def search_page(app) -> dict:
    page = server_times(app, "/search")
    api = server_times(app, "/api/search")
    return {"page": page, "api": api}


def demo_instance(folder: Path) -> Path:
    from click.testing import CliRunner

    from catalogue.cli import main

    result = CliRunner().invoke(main, ["demo"], env={"VITRINE_INSTANCE": str(folder)})
    assert result.exit_code == 0, result.output
    return folder


def tate_instance(folder: Path) -> Path:
    """69,202 Tate records in a store and a search index, as `vitrine` would have them."""
    from catalogue.search.whoosh import WhooshSearch as SearchIndex
    from catalogue.store.sqlite import SqliteStore

    store = SqliteStore(folder / "vitrine.db")
    t = time.perf_counter()
    import_tate(store, tate_records(), 1)
    index = SearchIndex(folder / "index", store)
    index.rebuild(procs=2)
    index.close()
    store.close()
    print(f"  (Tate catalogue built in {time.perf_counter() - t:.0f} s)", file=sys.stderr)
    return folder


def first_visit(instance: Path, object_id: str) -> dict:
    """Bytes a fresh browser downloads for an object page: before Mirador's first tile, and in all."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_vitrine(instance, port, "--workers", "2")
    try:
        with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            urls, events = {}, []
            cdp.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]))
            cdp.on("Network.loadingFinished", lambda e: events.append((e["requestId"], e["encodedDataLength"])))
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/object/{object_id}")
            page.wait_for_load_state("networkidle")
            elapsed = time.perf_counter() - start
            context.close()
    finally:
        stop(server)
    seen_info, before, total, first_tile, files = False, 0, 0, None, {}
    for request_id, size in events:
        url = urls.get(request_id, "")
        total += size
        file_name = url.split("?")[0].rsplit("/", 1)[-1] if "/iiif/image/" not in url else url.split("/iiif/image/")[1]
        files[file_name] = size
        if first_tile is None:
            before += size
            if url.endswith("/info.json"):
                seen_info = True  # Mirador asks info.json, then tiles; the page's own poster comes earlier
            elif seen_info and "/iiif/image/" in url:
                first_tile = url
    if first_tile is None:  # its URL was the poster's: the browser drew it from memory, so all bytes count
        first_tile = "from the memory cache: the poster's URL"
    return {"before_tile": before, "total": total, "first_tile": first_tile, "requests": len(events),
            "seconds": elapsed, "files": files}


LIGHTHOUSE_PAGES = {"home": "/", "search": "/search?q=birth", "object": "/object/nasa-hubble-extreme-deep-field"}
LIGHTHOUSE_TARGET = 90


def lighthouse_run(url: str) -> dict:
    """One Lighthouse mobile performance run: its score (0-100) and the metrics it is made of."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        subprocess.run([str(ROOT / "node_modules" / ".bin" / "lighthouse"), url, "--quiet",
                        "--only-categories=performance", "--output=json", f"--output-path={out}",
                        "--chrome-flags=--headless --no-sandbox"],
                       env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"}, check=True, timeout=300,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        report = json.loads(out.read_text())
    audits = report["audits"]
    return {"score": round(report["categories"]["performance"]["score"] * 100),
            **{name: audits[audit]["numericValue"] for name, audit in (
                ("fcp", "first-contentful-paint"), ("lcp", "largest-contentful-paint"),
                ("tbt", "total-blocking-time"), ("cls", "cumulative-layout-shift"))}}


def lighthouse(instance: Path, runs: int = 3) -> dict[str, list[dict]]:
    """Each page's runs, against one `vitrine serve` (warmed by a first request of each page)."""
    port = free_port()
    server = start_vitrine(instance, port, "--workers", "2")
    try:
        results = {}
        for name, path in LIGHTHOUSE_PAGES.items():
            url = f"http://127.0.0.1:{port}{path}"
            lighthouse_run(url)  # warm: tiles cut, caches filled, as a live site has them
            results[name] = [lighthouse_run(url) for _ in range(runs)]
        return results
    finally:
        stop(server)


def report_lighthouse(results: dict[str, list[dict]]) -> None:
    print(f"Lighthouse mobile performance, median of {len(next(iter(results.values())))} runs "
          f"(target >= {LIGHTHOUSE_TARGET} each)")
    for name, runs in results.items():
        median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        verdict = "ok" if median["score"] >= LIGHTHOUSE_TARGET else "BELOW TARGET"
        scores = ", ".join(str(r["score"]) for r in runs)
        print(f"  {name:<7} {LIGHTHOUSE_PAGES[name]:<40} score {median['score']:3.0f} ({scores})"
              f"  FCP {median['fcp'] / 1000:.1f} s  LCP {median['lcp'] / 1000:.1f} s  TBT {median['tbt']:.0f} ms"
              f"  CLS {median['cls']:.2f}  {verdict}")


def report(name: str, result: dict) -> None:
    page, api = result["page"], result["api"]
    print(f"{name:<14} search page p50 {statistics.median(page):6.1f} ms  p95 {percentile(page, 95):6.1f} ms | "
          f"/api/search p50 {statistics.median(api):6.1f} ms  p95 {percentile(api, 95):6.1f} ms | "
          f"page/api p50 {statistics.median(page) / statistics.median(api):.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-tate", action="store_true", help="only the demo catalogue")
    parser.add_argument("--lighthouse-only", action="store_true", help="only the Lighthouse scores (demo)")
    args = parser.parse_args()
    from catalogue import create_app

    workdir = Path(tempfile.mkdtemp(prefix="vitrine-pages-"))
    try:
        demo = demo_instance(workdir / "demo")
        if args.lighthouse_only:
            report_lighthouse(lighthouse(demo))
            return
        print(f"{QUERIES} queries, each warmed once, server time through WSGI (median of the run)")
        app = create_app({"INSTANCE": str(demo)})
        report("demo (33)", search_page(app))
        if not args.no_tate:
            tate = tate_instance(workdir / "tate")
            report("Tate (69,202)", search_page(create_app({"INSTANCE": str(tate)})))
        for object_id in ("nasa-hubble-extreme-deep-field", "nasa-hubble-extreme-deep-field-plates"):
            visit = first_visit(demo, object_id)
            print(f"first visit /object/{object_id}: {visit['before_tile'] / 1e6:.2f} MB before the first tile "
                  f"({visit['first_tile'].split('/iiif/image/')[-1]}), {visit['total'] / 1e6:.2f} MB until idle, "
                  f"{visit['requests']} requests, {visit['seconds']:.1f} s")
            biggest = sorted(visit["files"].items(), key=lambda kv: -kv[1])[:5]
            print("  largest: " + ", ".join(f"{name} {size / 1e3:.0f} kB" for name, size in biggest))
        report_lighthouse(lighthouse(demo))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
