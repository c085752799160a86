"""Manifest build time and request rate.

1. Build time of a 1-image object's manifest and a 1,000-page book's, cold (a new
   cache) and repeated (the cache Vitrine keeps per object version), medians,
   beside iiif-prezi3's validating constructors building the same document (the
   peer baseline). Targets: 1,000 canvases <= 200 ms cold, <= 5 ms repeated.
2. Manifests per second through the production server (`vitrine serve`,
   gunicorn) on the demo collection, 8 clients for a fixed time: full responses,
   conditional requests (304), and the server's static CSS file as a baseline.

    .venv/bin/python benchmarks/manifests.py [--seconds 10] [--clients 8]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _load import free_port, load, start_vitrine, stop  # noqa: E402


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def build_times(work: Path) -> list[tuple]:
    import iiif_prezi3

    from catalogue.access import TieredPolicy
    from catalogue.iiif.documents import Documents
    from catalogue.iiif.presentation import Urls
    from catalogue.model import DigitalObject, Institution, MediaFile
    from catalogue.store import Batch
    from catalogue.store.sqlite import SqliteStore

    store = SqliteStore(work / "build.db")
    page = dict(path="book/p.jpg", format="image/jpeg", width=2480, height=3508)
    store.write(Batch(
        institutions=[Institution("kbr", {"nl": ["KBR"], "fr": ["KBR"], "en": ["KBR"]}, homepage="https://www.kbr.be/")],
        objects=[
            DigitalObject("painting", "image", {"en": ["A painting"], "nl": ["Een schilderij"]}, "kbr",
                          media=[MediaFile(id="painting-1", **page)]),
            DigitalObject("book", "book", {"en": ["A book"], "nl": ["Een boek"]}, "kbr",
                          media=[MediaFile(id=f"book-{n}", label={"none": [f"f. {n}r"]}, **page)
                                 for n in range(1, 1001)]),
        ],
    ))
    urls = Urls("https://collections.example.org")
    rows = []
    for object_id, canvases in (("painting", 1), ("book", 1000)):
        cold = timed(
            lambda object_id=object_id: Documents(store, TieredPolicy(800), 1000).object_manifest(object_id, urls), 15,
        )
        warm_docs = Documents(store, TieredPolicy(800), 1000)
        warm_docs.object_manifest(object_id, urls)
        warm = timed(lambda warm_docs=warm_docs, object_id=object_id: warm_docs.object_manifest(object_id, urls), 200)
        doc = json.loads(warm_docs.object_manifest(object_id, urls).body)
        body = {k: v for k, v in doc.items() if k != "@context"}
        prezi3 = timed(lambda body=body: iiif_prezi3.Manifest(**body).jsonld(), 5)
        rows.append((f"{canvases:,}-canvas manifest", cold, warm, prezi3))
    store.close()
    return rows


def serve_rates(work: Path, seconds: float, clients: int) -> list[tuple]:
    from click.testing import CliRunner

    from catalogue.cli import main

    instance = work / "served"
    result = CliRunner().invoke(main, ["demo"], env={"VITRINE_INSTANCE": str(instance)})
    assert result.exit_code == 0, result.output
    port = free_port()
    server = start_vitrine(instance, port)
    try:
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/iiif/collection")
        top = json.loads(conn.getresponse().read())
        paths = []
        for institution in top["items"]:
            conn.request("GET", institution["id"].split(str(port), 1)[1])
            paths += [m["id"].split(str(port), 1)[1] for m in json.loads(conn.getresponse().read())["items"]
                      if m["type"] == "Manifest"]
        conn.request("GET", paths[0])
        response = conn.getresponse()
        response.read()
        etag = response.getheader("ETag")
        conn.close()
        for path in paths:  # warm every worker's cache roughly as a running site has it
            load(port, [path], 1, 0.05)
        rows = [
            ("manifests, full (200)", load(port, paths, clients, seconds)),
            ("manifest, If-None-Match (304)", load(port, [paths[0]], clients, seconds, {"If-None-Match": etag})),
            ("baseline: static CSS file", load(port, ["/static/vitrine.css"], clients, seconds)),
        ]
        return rows, len(paths)
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vitrine-manifests-"))
    try:
        print("Manifest build time (ms, medians)")
        print(f"{'':26}{'cold':>9}{'repeated':>10}{'prezi3 validating':>19}{'prezi3 / cold':>15}")
        for name, cold, warm, prezi3 in build_times(work):
            print(f"{name:26}{cold:>9.2f}{warm:>10.3f}{prezi3:>19.1f}{prezi3 / cold:>15.1f}x")
        rows, count = serve_rates(work, args.seconds, args.clients)
        print(f"\nThrough `vitrine serve` (gunicorn), {args.clients} clients x {args.seconds:.0f} s, "
              f"{count} demo manifests")
        print(f"{'':32}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'/ baseline':>12}")
        base = rows[-1][1]["rate"]
        for name, r in rows:
            print(f"{name:32}{r['rate']:>9,.0f}{r['p50_ms']:>9.2f}{r['p95_ms']:>9.2f}{r['errors']:>8}"
                  f"{r['rate'] / base:>12.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
