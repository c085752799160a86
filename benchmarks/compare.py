"""Run benchmarks on this checkout and on an earlier commit, side by side in one run.

    .venv/bin/python benchmarks/compare.py --against 37e75f0            # search, tiles, manifests, import
    .venv/bin/python benchmarks/compare.py --against HEAD~1 --only manifests import_tate

The earlier commit is checked out into a temporary git worktree beside this checkout (its own
code; this checkout's virtualenv, node_modules and ../shared data). Each benchmark runs on the
earlier commit, then on this checkout, then the next benchmark, so a machine whose speed drifts
affects both about equally. Every
script's own output is printed for both; then each line the two outputs share by label is printed
once with both sets of figures and their ratios (this / earlier).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BENCHMARKS = {
    # name: the arguments each run gets (shorter than the scripts' defaults where the figure holds)
    "search": ["--scales", "1", "5"],
    "tiles": ["--seconds", "5", "--clients", "8", "32"],
    "manifests": ["--seconds", "5"],
    "import_tate": ["--runs", "3"],
}
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="the earlier commit (any git revision)")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), default=list(BENCHMARKS))
    parser.add_argument("--out", type=Path, default=None, help="folder for the raw outputs [a temporary one]")
    args = parser.parse_args()

    base_rev = _git("rev-parse", "--short", args.against)
    head_rev = _git("rev-parse", "--short", "HEAD") + ("+" if _git("status", "--porcelain", "--", "catalogue") else "")
    out = args.out or Path(tempfile.mkdtemp(prefix="vitrine-compare-"))
    out.mkdir(parents=True, exist_ok=True)
    # Beside this checkout, as the benchmarks find the shared data at ../shared.
    base = ROOT.parent / f".vitrine-compare-{base_rev}-{os.getpid()}"
    _git("worktree", "add", "--detach", "--quiet", str(base), base_rev)
    try:
        if (ROOT / "node_modules").exists():
            (base / "node_modules").symlink_to(ROOT / "node_modules")
        for name in args.only:
            outputs = {}
            for label, tree in ((f"earlier {base_rev}", base), (f"this {head_rev}", ROOT)):
                print(f"# {name} on {label} ...", file=sys.stderr, flush=True)
                outputs[label] = _run(tree, name, BENCHMARKS[name], out / f"{name}-{label.split()[0]}.txt")
            _report(name, outputs)
    finally:
        _git("worktree", "remove", "--force", str(base))
    print(f"\nraw outputs: {out}")


def _git(*argv: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *argv], check=True, capture_output=True, text=True).stdout.strip()


def _run(tree: Path, name: str, argv: list[str], log: Path) -> str:
    """One benchmark script of ``tree``, importing that tree's code (also in its subprocesses)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, str(tree / "benchmarks" / f"{name}.py"), *argv], cwd=tree, env=env,
                          capture_output=True, text=True)
    log.write_text(done.stdout + "\n--- stderr ---\n" + done.stderr)
    if done.returncode:
        return f"(exit {done.returncode}; see {log})\n" + done.stderr[-2000:]
    return done.stdout


def _report(name: str, outputs: dict[str, str]) -> None:
    (before_label, before), (after_label, after) = outputs.items()
    print(f"\n## {name}\n")
    for label, text in outputs.items():
        print(f"### {label}\n\n{text.rstrip()}\n")
    rows = dict(_figures(before))
    shared = [(key, rows[key], figures) for key, figures in _figures(after) if key in rows]
    if not shared:
        return
    print(f"### side by side ({after_label} / {before_label})\n")
    print("| line | earlier | this | this / earlier, figure by figure |\n| --- | --- | --- | --- |")
    for key, old, new in shared:
        ratios = " · ".join(f"{b / a:.2f}" if a else "-" for a, b in zip(old, new, strict=False))
        print(f"| {key} | {' · '.join(_fmt(v) for v in old)} | {' · '.join(_fmt(v) for v in new)} | {ratios} |")


def _figures(text: str) -> list[tuple[str, list[float]]]:
    """(label, figures) of each line with figures; a label seen again gets its ordinal (rows per client count)."""
    seen: dict[str, int] = {}
    found = []
    for line in text.splitlines():
        key, figures = _split(line)
        if key and figures:
            seen[key] = seen.get(key, 0) + 1
            found.append((key if seen[key] == 1 else f"{key} ({seen[key]})", figures))
    return found


def _split(line: str) -> tuple[str, list[float]]:
    """A line's label (its words, figures taken out) and its figures."""
    figures = [float(n.replace(",", "")) for n in NUMBER.findall(line)]
    key = " ".join(NUMBER.sub("#", line).replace("|", " ").split())
    return key, figures


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) and abs(value) >= 100 else f"{value:g}"


if __name__ == "__main__":
    main()
