"""The quality gates: catalogue/ passes ruff and mypy, benchmarks/ ruff, as configured in pyproject.toml.

They run as tests so that the README's one test command (and .ci/run, which runs it) runs them.
"""
from __future__ import annotations

import subprocess
import sys

from support import ROOT


def _gate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_catalogue_and_benchmarks_pass_ruff():
    result = _gate("ruff", "check", "--no-cache", "--output-format", "concise", "catalogue", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_catalogue_passes_mypy(tmp_path):
    result = _gate("mypy", "--cache-dir", str(tmp_path / "mypy"))  # files and strictness: [tool.mypy]
    assert result.returncode == 0, result.stdout + result.stderr
