"""kill -9 of a full Tate import (69,202 objects) at several moments, then a restart: nothing lost, nothing leaked.

The CI suite (tests/test_crash.py) kills a small import; this kills `vitrine ingest csv` of the
whole Tate set into a catalogue that already holds the demo collection, at fractions of the time
an uninterrupted import takes (measured first, in the same run) and right after its commit. After
each kill and a restart (`vitrine index --catch-up`, what `vitrine serve` runs beside itself, then
a new process) it checks the invariants of tests/test_crash.py: the store is the before or the
after state; every media file the store names is complete and as the store describes it; the index
holds every object and no orphan files; no tile of a work in copyright shows more than 800 px.
Prints, per moment, which state survived, the catch-up time and the verdict.

    .venv/bin/python benchmarks/crash.py [--moments 0.05 0.1 0.2 0.4 0.7 commit] [--limit N]
"""
from __future__ import annotations

import argparse
import gzip
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
TATE = ROOT.parent / "shared" / "data" / "tate" / "artwork_data.derived.csv.gz"
MAPPING = ROOT / "catalogue" / "mappings" / "tate.json"
VITRINE = str(Path(sys.executable).with_name("vitrine"))

from test_crash import _assert_consistent, _state  # noqa: E402  (one home for the invariants)

from catalogue.store.sqlite import SqliteStore  # noqa: E402


def _env(instance: Path) -> dict:
    return dict(os.environ, VITRINE_INSTANCE=str(instance))


def _ingest(instance: Path, csv_path: Path) -> subprocess.Popen:
    return subprocess.Popen([VITRINE, "ingest", "csv", str(csv_path), "--mapping", str(MAPPING)],
                            env=_env(instance), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _tate_csv(work: Path, limit: int | None) -> Path:
    path = work / "tate.csv"
    with gzip.open(TATE, "rt", encoding="utf-8-sig", newline="") as src, path.open("w", encoding="utf-8") as dst:
        for n, line in enumerate(src):
            if limit is not None and n > limit:
                break
            dst.write(line)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--moments", nargs="*", default=["0.05", "0.1", "0.2", "0.4", "0.7", "commit"])
    parser.add_argument("--limit", type=int, default=None, help="Tate records to import (default all)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vitrine-crash-"))
    try:
        csv_path = _tate_csv(work, args.limit)
        base = work / "base"
        subprocess.run([VITRINE, "demo"], env=_env(base), check=True, capture_output=True, timeout=600)
        before = _state(SqliteStore(base / "vitrine.db"))
        reference = work / "reference"
        shutil.copytree(base, reference)
        started = time.monotonic()
        assert _ingest(reference, csv_path).wait(3600) == 0, "the uninterrupted import failed"
        duration = time.monotonic() - started
        after = _state(SqliteStore(reference / "vitrine.db"))
        shutil.rmtree(reference)
        print(f"crash: Tate import of {len(after) - len(before):,} objects takes {duration:.1f} s uninterrupted; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'killed at':>12}{'after s':>9}{'store held':>12}{'catch-up s':>12}  verdict")
        failures = 0
        for moment in args.moments:
            instance = work / f"kill-{moment}"
            shutil.copytree(base, instance)
            store = SqliteStore(instance / "vitrine.db")
            seq = store.last_seq()
            started = time.monotonic()
            process = _ingest(instance, csv_path)
            if moment == "commit":
                while store.last_seq() == seq and process.poll() is None:
                    time.sleep(0.005)
            else:
                time.sleep(duration * float(moment))
            process.send_signal(signal.SIGKILL)
            process.wait(60)
            killed_after = time.monotonic() - started
            held = {True: "after", False: "before"}[_state(store) == after]
            started = time.monotonic()
            try:
                _assert_consistent(instance, before, after)
                verdict = "ok"
            except AssertionError as exc:
                failures += 1
                verdict = f"FAILED: {str(exc)[:300]}"
            print(f"{moment:>12}{killed_after:>9.1f}{held:>12}"
                  f"{time.monotonic() - started:>12.1f}  {verdict}", flush=True)
            shutil.rmtree(instance)
        print(f"\n{len(args.moments) - failures} passed, {failures} failed")
        sys.exit(1 if failures else 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
