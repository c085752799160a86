"""Import the Tate collection (69,202 artworks) through the JSON mapping and through the CSV mapping.

Each run imports the shipped ``artworks.jsonl.gz`` with ``catalogue/mappings/tate-artworks.json``
and the derived ``artwork_data.derived.csv.gz`` with ``catalogue/mappings/tate.json``, each by the
real ``vitrine ingest json|csv ... --mapping`` command in a child process, into a fresh temporary
catalogue (checking, storing and indexing: the whole command, timed from outside). Prints the
medians of --runs runs: objects/s, the peak memory of the command's largest process (ru_maxrss: the
importing process, or one of the search index's segment processes), the peak of all its processes
added up ("all MB"), the store's and the search index's size on disk, the CPU seconds of the
command and its segment processes, and the ratio JSON/CSV measured in the same run, of the rates and
of the objects per CPU second (the work done, which the machine's other load moves much less).
Targets: the JSON rate >= the CSV rate; peak memory <= 150 MB for either. ``--skip-invalid`` lets
the few records Tate's own data makes invalid be reported (the JSON has one whose end year is
before its start year) rather than stop the run.

The JSON records carry more than the CSV rows (Tate's subject tree, creators' name variants,
classification, original titles; both give creators' life dates), and storing and indexing them
costs more. So a third import, "json (CSV's fields)", reads the same JSON through the shipped JSON
mapping cut down to the fields the CSV mapping fills: the importers compared on the same data. Its
ratio to the CSV is printed too.
Last, the importers' own part, reading and mapping the records with nothing checked, stored or
indexed, is timed alone in this process: what is left of the difference is the shared work on what
the records hold.

    .venv/bin/python benchmarks/import_mapping.py [--runs 3] [--limit N]
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TATE = ROOT.parent / "shared" / "data" / "tate"
SOURCES = {
    "json": (TATE / "artworks.jsonl.gz", ROOT / "catalogue" / "mappings" / "tate-artworks.json"),
    "csv": (TATE / "artwork_data.derived.csv.gz", ROOT / "catalogue" / "mappings" / "tate.json"),
}
LIKE_CSV = "json (CSV's fields)"  # the JSON mapping cut down to what the CSV mapping fills


def csv_fields_mapping(folder: Path) -> Path:
    """The shipped JSON mapping with only the fields (and creators' values, and metadata entries)
    that the shipped CSV mapping fills."""
    json_mapping = json.loads(SOURCES["json"][1].read_text(encoding="utf-8"))
    csv_fields = json.loads(SOURCES["csv"][1].read_text(encoding="utf-8"))["fields"]
    fields = {name: spec for name, spec in json_mapping["fields"].items() if name in csv_fields}
    kept = {"path"} | {key for key in csv_fields["creators"] if key != "column"} | {"name"}
    fields["creators"] = {key: value for key, value in fields["creators"].items() if key in kept}
    labels = [entry["label"] for entry in csv_fields["metadata"]]
    fields["metadata"] = [entry for entry in fields["metadata"] if entry["label"] in labels]
    target = folder / "tate-artworks-csv-fields.json"
    target.write_text(json.dumps({**json_mapping, "fields": fields}, indent=1), encoding="utf-8")
    return target
PEAK_TARGET_MB = 150


def _per_cpu(result: dict) -> float:
    return result["objects"] / result["cpu"]


def _size_mb(paths) -> float:
    return sum(p.stat().st_size for p in paths if p.is_file()) / 1e6


def run_import(kind: str, source: Path, mapping: Path, instance: Path) -> dict:
    """One `vitrine ingest` in a child process: its wall time, peak memory and what it wrote."""
    kind = "json" if kind == LIKE_CSV else kind
    env = dict(os.environ, VITRINE_INSTANCE=str(instance), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-c", "from catalogue.cli import main; main()", "ingest", kind, str(source),
               "--mapping", str(mapping), "--skip-invalid", "--report", str(instance.parent / f"{kind}.tsv")]
    log = instance.parent / f"{kind}.log"
    with log.open("w+") as output:
        start = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
        tree = _TreePeak(child.pid)
        _, status, usage = os.wait4(child.pid, 0)  # the largest of the command's processes: its peak memory
        tree.stop()
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        out = output.read()
    if child.returncode != 0:
        raise SystemExit(f"vitrine ingest {kind} failed ({child.returncode}):\n{out[-3000:]}")
    objects = re.search(r"imported .*?\b(\d+) objects", out)
    skipped = re.search(r"skipped (\d+) invalid", out)
    return {
        "objects": int(objects.group(1)) if objects else 0,
        "skipped": int(skipped.group(1)) if skipped else 0,
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,  # the command's and its reaped segment processes' CPU time
        "peak_mb": usage.ru_maxrss / 1024,
        "tree_mb": tree.peak / 1024,
        "store_mb": _size_mb(instance.glob("vitrine.db*")),
        "index_mb": _size_mb((instance / "index").rglob("*")),
    }


class _TreePeak(threading.Thread):
    """The most memory the command's processes held at one time, added up (the importing process and
    the search index's segment processes), sampled every 50 ms from /proc."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()
        self.start()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak = max(self.peak, sum(_rss_kb(pid) for pid in _tree(self.pid)))

    def stop(self) -> None:
        self.done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        with contextlib.suppress(OSError):
            todo += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return found


def _rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)


def read_alone(source: Path, mapping: Path, runs: int) -> float:
    """The median seconds of reading every record of ``source`` through ``mapping`` in this process: the
    part of an import that is the CSV or JSON importer's own (checking, storing and indexing are shared)."""
    from catalogue.ingest.csvfile import read_csv
    from catalogue.ingest.mapping import read_mapped

    reader = read_csv if ".csv" in source.suffixes else read_mapped
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for _record in reader(source, mapping):
            pass
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _first(source: Path, n: int, folder: Path) -> Path:
    """The first n records of a file (for a quick --limit run), gzipped as the original."""
    import csv

    target = folder / source.name
    with gzip.open(source, "rt", encoding="utf-8", newline="") as src, \
            gzip.open(target, "wt", encoding="utf-8", newline="") as dst:
        if source.name.endswith(".csv.gz"):
            csv.writer(dst).writerows(islice(csv.reader(src), n + 1))
        else:
            dst.writelines(islice(src, n))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="Only the first N records of each file (a quick check).")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vitrine-mapping-"))
    try:
        sources = {kind: (_first(path, args.limit, work) if args.limit else path, mapping)
                   for kind, (path, mapping) in SOURCES.items()}
        sources[LIKE_CSV] = (sources["json"][0], csv_fields_mapping(work))
        results: dict[str, list[dict]] = {kind: [] for kind in sources}
        ratios: dict[str, list[float]] = {"json": [], LIKE_CSV: []}
        cpu_ratios: dict[str, list[float]] = {"json": [], LIKE_CSV: []}
        for run in range(args.runs):
            for kind, (path, mapping) in sources.items():
                instance = work / f"{kind.replace(' ', '-')}-{run}" / "instance"
                instance.mkdir(parents=True)
                results[kind].append(run_import(kind, path, mapping, instance))
                shutil.rmtree(instance.parent)
                last = results[kind][-1]
                print(f"run {run + 1} {kind}: {last['objects'] / last['seconds']:,.0f} objects/s, "
                      f"{last['peak_mb']:.0f} MB peak", file=sys.stderr)
            csv_rate = results["csv"][-1]["objects"] / results["csv"][-1]["seconds"]
            for kind in ratios:
                ratios[kind].append(results[kind][-1]["objects"] / results[kind][-1]["seconds"] / csv_rate)
                cpu_ratios[kind].append(_per_cpu(results[kind][-1]) / _per_cpu(results["csv"][-1]))
        med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
        print(json.dumps({"benchmark": "import_mapping", "runs": args.runs, "limit": args.limit or None}))
        print(f"{'':46}{'objects':>9}{'skipped':>9}{'seconds':>9}{'objects/s':>11}{'peak MB':>9}"
              f"{'all MB':>8}{'store MB':>10}{'index MB':>10}{'CPU s':>8}")
        rates = {}
        for kind, rows in results.items():
            rates[kind] = rows[0]["objects"] / med(rows, "seconds")
            name = f"vitrine ingest {kind} --mapping"
            print(f"{name:46}{rows[0]['objects']:>9,}{rows[0]['skipped']:>9,}{med(rows, 'seconds'):>9.1f}"
                  f"{rates[kind]:>11,.0f}{med(rows, 'peak_mb'):>9.0f}{med(rows, 'tree_mb'):>8.0f}"
                  f"{med(rows, 'store_mb'):>10.1f}"
                  f"{med(rows, 'index_mb'):>10.1f}{med(rows, 'cpu'):>8.1f}")
        ratio = statistics.median(ratios["json"])
        peaks = max(med(rows, "peak_mb") for rows in results.values())
        print(f"JSON/CSV rate (median of the runs' ratios): {ratio:.2f}   "
              f"target >= 1: {'met' if ratio >= 1 else 'NOT met'}   "
              f"peak <= {PEAK_TARGET_MB} MB: {'met' if peaks <= PEAK_TARGET_MB else 'NOT met'}")
        print(f"JSON/CSV rate on the same fields ({LIKE_CSV!r}): {statistics.median(ratios[LIKE_CSV]):.2f}   "
              f"per run: {', '.join(f'{r:.2f}' for r in ratios[LIKE_CSV])}; full mapping per run: "
              f"{', '.join(f'{r:.2f}' for r in ratios['json'])}")
        print(f"JSON/CSV objects per CPU second (the work, less the machine's noise): full mapping "
              f"{statistics.median(cpu_ratios['json']):.2f}, "
              f"CSV's fields {statistics.median(cpu_ratios[LIKE_CSV]):.2f}")
        readers = {kind: read_alone(path, mapping, args.runs) for kind, (path, mapping) in sources.items()}
        print("reading and mapping alone (the importers' own work: records read, mapped, not checked or stored):")
        for kind, seconds in readers.items():
            print(f"  {kind:24} {seconds:6.2f} s  {rows[0]['objects'] / seconds:>9,.0f} records/s")
        print(f"  JSON/CSV rate: {readers['csv'] / readers['json']:.2f} (full mapping), "
              f"{readers['csv'] / readers[LIKE_CSV]:.2f} (CSV's fields)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
