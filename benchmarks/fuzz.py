"""The fuzz suite at length: every property of tests/test_fuzz_*.py with many more examples and fresh seeds.

CI runs the same properties with a fixed seed and ~150 examples each; this runs them with
--examples each (random seeds, so each run explores new inputs) and prints, per file, whether
every property held, its time, examples per second, and the process's peak memory. A property
that fails prints Hypothesis's shrunk example, which becomes a regression test.

    .venv/bin/python benchmarks/fuzz.py                     # 5,000 examples per property
    .venv/bin/python benchmarks/fuzz.py --examples 500 --files image search
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(path: Path, examples: int, seconds: float) -> dict:
    """One fuzz file in its own pytest process (so its peak memory is its own), bounded in time."""
    env = dict(os.environ, VITRINE_FUZZ="long", VITRINE_FUZZ_EXAMPLES=str(examples))
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics", str(path)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds,
        )
        output, code = done.stdout + done.stderr, done.returncode
    except subprocess.TimeoutExpired as exc:
        output, code = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or ""), "timeout"
    elapsed = time.monotonic() - started
    calls = sum(int(a) + int(b) for a, b in re.findall(r"(\d+) passing, (\d+) failing", output))
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary = next((line for line in reversed(output.splitlines()) if " passed" in line or " failed" in line), "")
    return {"file": path.name, "code": code, "seconds": elapsed, "examples": calls, "peak_mb": peak_mb,
            "summary": summary.strip("= "), "output": output}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=5000, help="examples per property")
    parser.add_argument("--seconds", type=float, default=1800, help="time limit per file")
    parser.add_argument("--files", nargs="*", default=None, help="which files: image, search, ingest (default all)")
    args = parser.parse_args()
    files = sorted((ROOT / "tests").glob("test_fuzz_*.py"))
    if args.files:
        files = [f for f in files if f.stem.removeprefix("test_fuzz_") in args.files]
    print(f"fuzz: {args.examples:,} examples per property, time limit {args.seconds:.0f} s per file; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'file':24}{'result':>10}{'examples':>10}{'seconds':>9}{'examples/s':>12}{'peak MB*':>10}")
    failed = []
    for path in files:
        row = run(path, args.examples, args.seconds)
        ok = row["code"] == 0
        print(f"{row['file']:24}{'held' if ok else 'FAILED':>10}{row['examples']:>10,}{row['seconds']:>9.1f}"
              f"{row['examples'] / row['seconds']:>12.1f}{row['peak_mb']:>10.0f}   {row['summary']}", flush=True)
        if not ok:
            failed.append(row)
    print("* the largest peak of any pytest process so far (ru_maxrss of the children)")
    for row in failed:
        print(f"\n--- {row['file']} ({row['code']}) ---\n{row['output'][-6000:]}")
    print(f"\n{len(files) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
