"""Peak memory of importing a large Vitrine JSON array beside the same records as JSON Lines.

Writes a ~145 MB JSON array (pretty-printed, as API dumps are) and the same records as JSON
Lines: the demo's and the test collection's objects, without their media, repeated under new
ids. Each file is then read alone (the reader's floor), imported with --dry-run and imported
for real into a fresh temporary catalogue, each in a fresh child process; prints the median
over --runs of peak RSS and records/s, and the JSON/JSONL ratios measured in the same run.
Target: peak memory <= 150 MB for either format.

    .venv/bin/python benchmarks/ingest_memory.py [--runs 3] [--megabytes 145]
"""
from __future__ import annotations

import argparse
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
SOURCES = [ROOT / "media" / "demo" / "catalogue.jsonl", ROOT / "tests" / "data" / "collection" / "records.jsonl"]
TARGET_MB = 150


def shapes() -> tuple[list[dict], list[dict]]:
    """The institutions, collections and concepts the objects need, and the objects (media left out)."""
    declared, objects, seen = [], [], set()
    for path in SOURCES:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            kind = record.get("kind", "object")
            key = (kind, record.get("id") or record.get("uri"))
            if kind in ("institution", "collection", "concept") and key not in seen:
                seen.add(key)
                declared.append(record)
            elif kind == "object":
                objects.append({k: v for k, v in record.items() if k not in ("media", "toc", "start")})
    return declared, objects


def write_files(folder: Path, megabytes: int) -> tuple[Path, Path, int]:
    declared, objects = shapes()
    array, lines = folder / "records.json", folder / "records.jsonl"
    count = 0
    with array.open("w", encoding="utf-8") as out_array, lines.open("w", encoding="utf-8") as out_lines:
        out_array.write("[\n")
        records = iter(declared)
        while out_array.tell() < megabytes * 1_000_000:
            record = next(records, None)
            if record is None:
                shape = objects[count % len(objects)]
                record = dict(shape, id=f"{shape['id']}-{count}")
            out_array.write(("," if count else "") + json.dumps(record, indent=2, ensure_ascii=False))
            out_lines.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        out_array.write("\n]\n")
    return array, lines, count


def _read(path: str, out) -> None:
    from catalogue.ingest.jsonfile import read_json

    start = time.perf_counter()
    count = sum(1 for _ in read_json(Path(path)))
    out.send({"records": count, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()})


def _import(path: str, folder: str, dry_run: bool, out) -> None:
    from catalogue.ingest.jsonfile import read_json
    from catalogue.services.imports import run_import
    from catalogue.store.sqlite import SqliteStore

    store = SqliteStore(Path(folder) / "vitrine.db")
    start = time.perf_counter()
    result = run_import(store, read_json(Path(path)), Path(folder) / "media", dry_run=dry_run)
    seconds = time.perf_counter() - start
    store.close()
    out.send({"records": sum(result.counts.values()), "seconds": seconds, "peak_mb": _peak_mb()})


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(target, *args) -> dict:
    """Run in a fresh interpreter (spawned, not forked), so each run's peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(*args, send))
    process.start()
    send.close()  # a child that dies then ends recv() with EOFError instead of a wait forever
    try:
        return receive.recv()
    finally:
        process.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--megabytes", type=int, default=145, help="size of the JSON array file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vitrine-ingest-memory-"))
    try:
        array, lines, count = write_files(work, args.megabytes)
        sizes = {"json": array.stat().st_size / 1e6, "jsonl": lines.stat().st_size / 1e6}
        results: dict[tuple[str, str], list[dict]] = {}
        for run in range(args.runs):
            for fmt, path in (("json", array), ("jsonl", lines)):
                results.setdefault((fmt, "read"), []).append(in_child(_read, str(path)))
                for mode, dry in (("dry-run", True), ("import", False)):
                    folder = work / f"{fmt}-{mode}-{run}"
                    folder.mkdir()
                    results.setdefault((fmt, mode), []).append(in_child(_import, str(path), str(folder), dry))
                    shutil.rmtree(folder)
            print(f"run {run + 1} of {args.runs} done", file=sys.stderr)
        med = {key: {m: statistics.median(r[m] for r in rows) for m in ("seconds", "peak_mb")}
               for key, rows in results.items()}
        print(json.dumps({"benchmark": "ingest_memory", "runs": args.runs, "records": count,
                          "json_mb": round(sizes["json"], 1), "jsonl_mb": round(sizes["jsonl"], 1)}))
        print(f"{'':26}{'records/s':>11}{'peak MB':>9}")
        for (fmt, mode), figures in med.items():
            print(f"{fmt + ' (' + str(round(sizes[fmt])) + ' MB) ' + mode:26}"
                  f"{count / figures['seconds']:>11,.0f}{figures['peak_mb']:>9.0f}")
        for mode in ("read", "dry-run", "import"):
            j, jl = med[("json", mode)], med[("jsonl", mode)]
            print(f"JSON/JSONL {mode:8} peak {j['peak_mb'] / jl['peak_mb']:.2f}  "
                  f"time {j['seconds'] / jl['seconds']:.2f}")
        worst = max(figures["peak_mb"] for figures in med.values())
        print(f"target peak <= {TARGET_MB} MB for either: "
              f"{'met' if worst <= TARGET_MB else 'NOT met'} ({worst:.0f} MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
