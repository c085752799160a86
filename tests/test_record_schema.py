"""The published JSON Schema of the import format describes the records Vitrine really imports."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from support import COLLECTION, ROOT

SCHEMA = json.loads((ROOT / "catalogue" / "schemas" / "record.schema.json").read_text())
FILES = [COLLECTION, ROOT / "media" / "demo" / "catalogue.jsonl", ROOT / "catalogue" / "data" / "kbr-thesaurus.jsonl"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_shipped_records_match_the_schema(path: Path):
    validator = jsonschema.Draft7Validator(SCHEMA)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        errors = list(validator.iter_errors(json.loads(line)))
        assert not errors, f"{path.name}:{number}: {errors[0].message[:300]}"


def test_schema_refuses_what_the_importer_refuses():
    validator = jsonschema.Draft7Validator(SCHEMA)
    assert not validator.is_valid({"id": "x", "institution": "i"})  # no label
    assert not validator.is_valid({"id": "x y", "label": "X", "institution": "i"})  # id not URL-safe
    assert not validator.is_valid({"kind": "exhibition", "slug": "s", "title": "T", "status": "hidden"})
