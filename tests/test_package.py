"""The wheel: built from this repository, installed into a fresh virtualenv, it serves a catalogue.

Nothing from the source tree is importable there: the fresh virtualenv sees only the wheel and,
through a ``.pth`` file, the shared virtualenv's third-party packages (whose own ``.pth`` files,
such as an editable install of this repository, are not processed from there).
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
import requests

from support import COLLECTION, ROOT, free_port

# What a wheel is built from: the repository without its run-time and installed folders.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "instance", "media", "manifests", "test-artifacts", "build",
    "*.egg-info", "__pycache__", ".pytest_cache", "benchmarks",
    # the caches the quality gates and hypothesis write while this copy is made (pytest -n: at the same time)
    ".mypy_cache", ".ruff_cache", ".hypothesis",
)


# The environment of every command here: nothing that points Python at the source tree.
CLEAN = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VITRINE_"))}


def _run(args: list, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("env", CLEAN)
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A wheel of this repository in a fresh virtualenv, and a small catalogue imported by its `vitrine`."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE, symlinks=True)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(source)])
    shutil.rmtree(source)  # nothing of the source stays around to be imported by accident
    (wheel,) = (tmp / "dist").glob("vitrine_catalogue-*.whl")

    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)])
    # Then the dependencies: the shared virtualenv's packages, after the wheel's on sys.path.
    (site / "shared-venv.pth").write_text(sysconfig.get_path("purelib") + "\n")

    empty = tmp / "cwd"
    empty.mkdir()
    env = {**CLEAN, "VITRINE_INSTANCE": str(tmp / "catalogue")}
    records = shutil.copytree(COLLECTION.parent, tmp / "records") / COLLECTION.name
    imported = _run([str(venv / "bin" / "vitrine"), "ingest", "json", str(records)], cwd=empty, env=env)
    return {"venv": venv, "python": python, "cwd": empty, "env": env, "imported": imported.stdout}


@pytest.fixture(scope="module")
def server(installed):
    """`vitrine serve` of the installed wheel on a free port of 127.0.0.1."""
    port = free_port()
    log = open(installed["cwd"].parent / "serve.log", "wb")  # noqa: SIM115 (closed below, after the server)
    process = subprocess.Popen(
        [str(installed["venv"] / "bin" / "vitrine"), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--threads", "2"],
        cwd=installed["cwd"], env=installed["env"], stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                # a refused connection is a server not yet listening; once it listens, its first answer
                # may be slow on a busy machine (a read timeout of 2 s failed a CI run): it is waited for
                requests.get(base + "/robots.txt", timeout=(2, 60))
                break
            except requests.ConnectionError:
                assert process.poll() is None, Path(log.name).read_text()
                time.sleep(0.1)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_the_installed_package_is_the_wheel_not_the_source_tree(installed):
    where = _run([str(installed["python"]), "-c", "import catalogue, catalogue.config as c; print(catalogue.__file__); print(c.TEMPLATES)"],
                 cwd=installed["cwd"], env=installed["env"]).stdout.split()
    package, templates = (Path(line) for line in where)
    assert package.is_relative_to(installed["venv"]) and templates.is_relative_to(installed["venv"])
    assert (templates / "object.html").is_file()
    assert (package.parent / "static" / "vitrine.css").is_file()
    assert (package.parent / "translations" / "fr" / "LC_MESSAGES" / "messages.mo").is_file()
    assert "5 objects" in installed["imported"]


def test_the_installed_wheel_serves_home_search_and_object_pages(server):
    home = requests.get(server + "/", timeout=10)
    assert home.status_code == 200 and "Brooklyn Museum" in home.text
    found = requests.get(server + "/search", params={"q": "pompeii"}, timeout=10)
    assert found.status_code == 200 and "Greek coins from Pompeii" in found.text
    page = requests.get(server + "/object/coins", timeout=10)
    assert page.status_code == 200 and "Greek coins from Pompeii" in page.text
    french = requests.get(server + "/object/coins", params={"lang": "fr"}, timeout=10)
    assert french.status_code == 200 and "Monnaies grecques de Pompéi" in french.text and 'lang="fr"' in french.text
    css = requests.get(server + "/static/vitrine.css", timeout=10)
    assert css.status_code == 200 and "{" in css.text


def test_viewer_assets_the_wheel_cannot_carry_are_a_clear_404_not_a_500(server):
    missing = requests.get(server + "/assets/mirador.js", timeout=10)
    assert missing.status_code == 404
    assert "mirador is not installed" in missing.text and "npm" in missing.text


def test_the_installed_wheel_says_plainly_that_it_has_no_demo_collection(installed, tmp_path):
    env = {**installed["env"], "VITRINE_INSTANCE": str(tmp_path / "demo")}
    done = subprocess.run([str(installed["venv"] / "bin" / "vitrine"), "demo"], cwd=installed["cwd"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "the demo collection is missing" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_installed_wheel_without_an_instance_writes_into_its_prefix_not_into_site_packages(installed):
    """Without VITRINE_INSTANCE an installed Vitrine keeps its catalogue in Flask's instance folder of an
    installed package (``<prefix>/var/catalogue-instance``), media and published files included."""
    env = {k: v for k, v in installed["env"].items() if k != "VITRINE_INSTANCE"}
    package = Path(_run([str(installed["python"]), "-c", "import catalogue; print(catalogue.__file__)"],
                        cwd=installed["cwd"], env=env).stdout.strip()).parent
    before = sorted(p for p in package.parent.rglob("*") if "__pycache__" not in p.parts)
    records = installed["cwd"].parent / "records" / COLLECTION.name
    _run([str(installed["venv"] / "bin" / "vitrine"), "ingest", "json", str(records)], cwd=installed["cwd"], env=env)
    after = sorted(p for p in package.parent.rglob("*") if "__pycache__" not in p.parts)
    assert after == before  # site-packages unchanged
    instance = installed["venv"] / "var" / "catalogue-instance"
    assert (instance / "vitrine.db").is_file()
    assert any((instance / "media" / "objects").rglob("*.jpg"))


def test_the_installed_wheel_serves_the_viewers_from_the_folder_npm_installed_them_into(installed):
    """VITRINE_NODE_MODULES names where `npm ci` put Mirador and model-viewer for an installed Vitrine."""
    port = free_port()
    env = {**installed["env"], "VITRINE_NODE_MODULES": str(ROOT / "node_modules")}
    process = subprocess.Popen(
        [str(installed["venv"] / "bin" / "vitrine"), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--threads", "2"],
        cwd=installed["cwd"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                page = requests.get(base + "/object/coins", timeout=(2, 60))  # as above: a slow first answer is no failure
                break
            except requests.ConnectionError:
                assert process.poll() is None
                time.sleep(0.1)
        mirador = re.search(r'data-mirador="(/assets/mirador\.js\?v=[^"]+)"', page.text)  # viewer.js loads it
        assert mirador and "v=missing" not in mirador.group(1)
        script = requests.get(base + mirador.group(1).replace("&amp;", "&"), timeout=10)
        assert script.status_code == 200 and len(script.content) > 100_000
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
