"""Import the full Tate collection (69,202 artworks) through the real CSV importer.

Prints objects/s, peak memory and the store's size on disk, each the median of
--runs runs in fresh temporary stores, beside a baseline measured in the same
run: reading the same CSV with csv.DictReader and nothing else (the floor no
importer can beat). Target: >= 2,000 objects/s.

    .venv/bin/python benchmarks/import_tate.py [--runs 3]
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import multiprocessing
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TATE = ROOT.parent / "shared" / "data" / "tate" / "artwork_data.derived.csv.gz"
MAPPING = ROOT / "catalogue" / "mappings" / "tate.json"


def _import(csv_path: str, folder: str, out) -> None:
    from catalogue.ingest.csvfile import read_csv
    from catalogue.services.imports import run_import
    from catalogue.store.sqlite import SqliteStore

    store = SqliteStore(Path(folder) / "vitrine.db")
    start = time.perf_counter()
    result = run_import(store, read_csv(Path(csv_path), MAPPING), Path(folder) / "media")
    seconds = time.perf_counter() - start
    store.close()
    out.send({
        "objects": result.counts["objects"],
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "store_mb": sum(p.stat().st_size for p in Path(folder).glob("vitrine.db*")) / 1e6,
    })


def _baseline(csv_path: str, out) -> None:
    start = time.perf_counter()
    with open(csv_path, newline="", encoding="utf-8-sig") as f:
        rows = sum(1 for _ in csv.DictReader(f))
    out.send({"objects": rows, "seconds": time.perf_counter() - start,
              "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def in_child(target, *args) -> dict:
    """Run in a fresh process, so each run's peak memory is its own."""
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.Process(target=target, args=(*args, send))
    process.start()
    result = receive.recv()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vitrine-import-"))
    try:
        csv_path = work / "tate.csv"
        with gzip.open(TATE, "rb") as src, csv_path.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        imports, baselines = [], []
        for run in range(args.runs):
            baselines.append(in_child(_baseline, str(csv_path)))
            folder = work / f"run{run}"
            imports.append(in_child(_import, str(csv_path), str(folder)))
            shutil.rmtree(folder)
            print(f"run {run + 1}: {imports[-1]['objects'] / imports[-1]['seconds']:,.0f} objects/s", file=sys.stderr)
        med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
        rate = imports[0]["objects"] / med(imports, "seconds")
        base = baselines[0]["objects"] / med(baselines, "seconds")
        print(json.dumps({"benchmark": "import_tate", "runs": args.runs}))
        print(f"{'':28}{'objects':>9}{'seconds':>9}{'objects/s':>11}{'peak MB':>9}{'store MB':>10}")
        print(f"{'vitrine ingest csv (Tate)':28}{imports[0]['objects']:>9,}{med(imports, 'seconds'):>9.1f}"
              f"{rate:>11,.0f}{med(imports, 'peak_mb'):>9.0f}{med(imports, 'store_mb'):>10.0f}")
        print(f"{'baseline: csv.DictReader':28}{baselines[0]['objects']:>9,}{med(baselines, 'seconds'):>9.1f}"
              f"{base:>11,.0f}{med(baselines, 'peak_mb'):>9.0f}{'':>10}")
        print(f"import rate / parse-only rate: {rate / base:.3f}   target >= 2,000 objects/s: "
              f"{'met' if rate >= 2000 else 'NOT met'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
