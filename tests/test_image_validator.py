"""The official IIIF Image API validator (PyPI iiif-validator) against a real Vitrine server."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from catalogue import create_app
from catalogue.services.imports import run_import
from catalogue.ingest.folder import read_folder
from catalogue.model import Institution
from catalogue.store import Batch
from support import http_server

SHARED = Path(__file__).resolve().parents[2] / "shared"
IDENTIFIER = "67352ccc-d1b0-11e1-89ae-279075081939"
VALIDATOR = Path(sys.executable).parent / "iiif-validate.py"

# The validator's tests for optional features, by the info.json claim that calls for them.
OPTIONAL_TESTS = {
    "sizeUpscaling": ["size_up"],
    "rotationArbitrary": ["rot_full_non90", "rot_region_non90"],
    "mirroring": ["rot_mirror", "rot_mirror_180"],
    "profileLinkHeader": ["linkheader_profile"],
    "canonicalLinkHeader": ["linkheader_canonical"],
}
# format_webp cannot pass anywhere on Python 3 (it calls urllib.urlopen, which is Python 2);
# test_image_api.py::test_every_advertised_format_decodes_as_itself makes the same check instead.
BROKEN = {"webp": "format_webp"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Vitrine on 127.0.0.1, with the validator's test image ingested under its identifier."""
    root = tmp_path_factory.mktemp("validator")
    app = create_app({"INSTANCE": str(root / "instance"), "TESTING": True})
    (root / "folder").mkdir()
    shutil.copy(SHARED / "iiif" / f"{IDENTIFIER}.png", root / "folder")
    store = app.extensions["vitrine"].store
    store.write(Batch(institutions=[Institution("iiif", {"en": ["IIIF"]})]))
    # Through the folder importer: a single image keeps its file's name, the validator's identifier.
    records = read_folder(root / "folder", "iiif", "http://creativecommons.org/publicdomain/zero/1.0/")
    run_import(store, records, app.extensions["vitrine"].media_dir)
    httpd = http_server(app)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()  # the listening socket too, or it is an unclosed-socket ResourceWarning
    app.extensions["vitrine"].images.wait_idle(30)
    app.extensions["vitrine"].store.close()


def validate(server: str, *options: str, version: str = "3.0") -> subprocess.CompletedProcess:
    prefix = "iiif/image" if version == "3.0" else "iiif/image2"  # 2.1 beside 3.0
    return subprocess.run(
        [sys.executable, str(VALIDATOR), "--server", server, "--prefix", prefix, "--identifier", IDENTIFIER,
         "--version", version, *options],
        capture_output=True, text=True, timeout=300,
    )


def test_every_level_0_1_and_2_validator_test_passes(server):
    result = validate(server, "--level", "2")
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "Done (33 tests, 0 failures)" in report, report


def test_every_validator_test_for_a_claimed_optional_feature_passes(server):
    with urllib.request.urlopen(f"http://{server}/iiif/image/{IDENTIFIER}/info.json") as response:
        info = json.load(response)
    tests = [t for feature in info["extraFeatures"] for t in OPTIONAL_TESTS.get(feature, [])]
    assert {"size_up", "rot_mirror", "rot_full_non90", "linkheader_profile"} <= set(tests)
    assert set(info["extraFormats"]) <= set(BROKEN)
    result = validate(server, *[f"--test={t}" for t in tests])
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert f"Done ({len(tests)} tests, 0 failures)" in report, report


def test_every_image_api_2_1_level_2_validator_test_passes_at_iiif_image2(server):
    result = validate(server, "--level", "2", version="2.0")  # the validator's name for its 2.x tests
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert re.search(r"Done \((2[0-9]|3[0-9]) tests, 0 failures\)", report), report
