"""The object page's discovery parts at 69k: "more like this" and previous/next through a results list.

    .venv/bin/python benchmarks/discovery.py [--workdir DIR] [--limit N]

Imports the Tate records (benchmarks/search.py) into a fresh instance, indexes them, then, for
200 objects picked evenly through the catalogue, times (median and p95 of wall and CPU ms):
``Discovery.related`` alone; the neighbours of positions 1, 20, 100 and 1,000 of a subject's
list; and the whole object page as the WSGI app answers it, against its peer in the same run,
the same page with the discovery parts left out (what the page cost before them).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from search import import_tate, tate_records  # noqa: E402

from catalogue import create_app  # noqa: E402
from catalogue.search import SearchRequest  # noqa: E402
from catalogue.store.sqlite import SqliteStore  # noqa: E402


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def summary(name: str, times: list[tuple[float, float]]) -> str:
    def p95(values):
        return sorted(values)[int(len(values) * 0.95) - 1] if len(values) > 1 else values[0]
    wall, cpu = [t[0] for t in times], [t[1] for t in times]
    return (f"{name:<44} wall p50 {statistics.median(wall):7.1f} p95 {p95(wall):7.1f} ms · "
            f"CPU p50 {statistics.median(cpu):7.1f} p95 {p95(cpu):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N records (a quick trial)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="vitrine-discovery-bench-"))
    app = create_app({"INSTANCE": str(workdir / "instance")})
    svc = app.extensions["vitrine"]
    if not svc.store.count_objects():
        store = SqliteStore(Path(app.config["STORE_PATH"]))  # no keeper: the index is built once, after
        import_tate(store, tate_records()[: args.limit], 1)
        store.close()
        svc.search.rebuild(procs=2)
    ids = svc.store.object_ids()
    picked = ids[:: max(1, len(ids) // 200)][:200]
    client = app.test_client()
    with app.test_request_context():
        discovery = svc.discovery
        objects = svc.store.get_objects(picked)
        print(f"{len(ids):,} objects; {len(objects)} object pages", file=sys.stderr)
        for o in objects[:5]:
            discovery.related(o, "en")  # warm the index
        runs = [timed(lambda o=o: discovery.related(o, "en")) for o in objects]
        print(summary("Discovery.related (<= 2 searches)", runs))
        busiest = max(svc.search.search(SearchRequest(size=1)).facets["subject"], key=lambda v: v.count)
        asked = SearchRequest(lang="en", filters={"subject": [busiest.value]}, sort="title")
        for position in (1, 20, 100, 1000):
            runs = [timed(lambda p=position: discovery.neighbours(asked, p)) for _ in range(20)]
            print(summary(f"neighbours at {position:,} of {busiest.count:,}", runs))
    pages = [f"/object/{o.id}?lang=en" for o in objects]
    for url in pages[:5]:
        client.get(url)
    with_parts = [timed(lambda u=url: client.get(u)) for url in pages]
    print(summary("object page, with related works", with_parts))
    plain = app.extensions["vitrine"].discovery
    original = plain.related
    plain.related = lambda obj, lang, size=6: []  # the peer: the page as it was before (same run, same data)
    without = [timed(lambda u=url: client.get(u)) for url in pages]
    plain.related = original
    print(summary("object page, without (peer)", without))
    svc.close()
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
