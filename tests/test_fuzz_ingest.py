"""Fuzzing the record parser: whatever a file holds, an import either happens or is refused cleanly.

Refused means an IngestError whose every problem names the file, the row and (for a
record that is an object) the field, and a store exactly as it was. Never another
exception: a traceback is a defect. ``VITRINE_FUZZ=long`` (benchmarks/fuzz.py) runs the
same properties with many more examples.
"""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from catalogue.ingest import IngestError
from catalogue.ingest.jsonfile import read_json
from support import COLLECTION, import_file

VALID = [json.loads(line) for line in COLLECTION.read_text(encoding="utf-8").splitlines()]
FIELDS = sorted({key for record in VALID for key in record} | {"homepage", "logo", "broader", "uri", "slug",
                                                              "version", "curators", "opens", "closes"})
EXAMPLES = settings.default.max_examples * 2 // 5  # 60 in CI (an import is ~20 ms), 2,000 in the long run
WHOLE_RECORD = ("invalid JSON", "not UTF-8", "a record must be a JSON object", "the record is over")

scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(10**30), max_value=10**30)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30))
hostile_text = st.sampled_from([
    "", " ", "x\n", "rocket\n", "\u2028", "\x00", "\ud800", "javascript:alert(1)", "//evil.example",
    "<img src=x onerror=alert(1)>", "x" * 1001, "x" * 20_001, "../../etc/passwd", "images/coins.png\x00",
    "kbr:LEXICON_00000016", "http://creativecommons.org/licenses/by/4.0/", "2020-02-30", "-0", "1e5",
])
json_values = st.recursive(
    scalars | hostile_text,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), children, max_size=5),
    max_leaves=12,
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An import folder with the test collection's media, so valid records import for real."""
    target = tmp_path / "import"
    shutil.copytree(COLLECTION.parent, target)
    return target


def snapshot(store) -> tuple:
    """Everything an import could have written."""
    return (store.last_seq(), [o.to_dict() for o in store.iter_objects()],
            [i.to_dict() for i in store.institutions()], [c.to_dict() for c in store.collections()],
            store.concepts_count(), [e.to_dict() for e in store.exhibitions()])


def import_or_refuse(app, store, path: Path, records_are_objects: bool) -> None:
    """The property: imported, or refused with located problems and nothing written."""
    before = snapshot(store)
    try:
        import_file(app, path, notify=False)
    except IngestError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == str(path), problem
            assert isinstance(problem.row, int) and problem.row >= 1, problem
            if records_are_objects or not problem.message.startswith(WHOLE_RECORD):
                assert problem.field, problem
            assert "Traceback" not in problem.message, problem
        assert snapshot(store) == before


def write_jsonl(path: Path, records: list) -> Path:
    """Records as JSON Lines, text raw (U+2028 too); a lone surrogate becomes its JSON escape."""
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8",
                    errors="backslashreplace")
    return path


@settings(max_examples=EXAMPLES)
@given(st.lists(json_values, min_size=1, max_size=3))
def test_any_json_values_import_or_are_refused_with_their_place(app, store, folder, values):
    import_or_refuse(app, store, write_jsonl(folder / "fuzz.jsonl", VALID[:2] + values), records_are_objects=False)


def paths(value, prefix=()):
    """Every place in a record a mutation can reach: (path to it, its value)."""
    yield prefix, value
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from paths(child, prefix + (key,))


@st.composite
def mutated_collection(draw):
    """The test collection with one value somewhere replaced, removed or made hostile."""
    records = copy.deepcopy(VALID)
    row = draw(st.integers(0, len(records) - 1))
    places = [p for p, _ in paths(records[row]) if p]
    place = draw(st.sampled_from(places))
    parent = records[row]
    for key in place[:-1]:
        parent = parent[key]
    action = draw(st.sampled_from(["replace", "hostile", "newline", "delete"]))
    if action == "delete":
        del parent[place[-1]]
    elif action == "newline" and isinstance(parent[place[-1]], str):
        parent[place[-1]] += draw(st.sampled_from(["\n", "\r\n", "\u2028", " \x0b"]))
    else:
        parent[place[-1]] = draw(hostile_text if action == "hostile" else json_values)
    return records


@settings(max_examples=EXAMPLES)
@given(mutated_collection())
def test_a_mutated_valid_collection_imports_or_is_refused_with_file_row_and_field(app, store, folder, records):
    import_or_refuse(app, store, write_jsonl(folder / "mutated.jsonl", records), records_are_objects=True)


raw_lines = st.one_of(
    st.binary(max_size=40),
    st.sampled_from([b"[" * 100_000, b"{\"a\":" * 50_000, b"1" * 5000, b"NaN", b"-Infinity", b"1e999",
                     b"\"\xff\xfe\"", b"{\"id\": \"caf\xc3\"}", b"\xef\xbb\xbf{}", b"\"\\ud800\"", b"\"a\xe2\x80\xa8b\""]),
    st.builds(lambda line, cut: line[:cut], st.sampled_from([json.dumps(r).encode() for r in VALID]), st.integers(0, 400)),
)


@settings(max_examples=EXAMPLES)
@given(st.lists(raw_lines, min_size=1, max_size=4), st.sampled_from([b"\n", b"\r\n"]), st.sampled_from([".jsonl", ".json"]))
def test_any_bytes_are_read_as_records_or_refused_with_their_line(tmp_path, lines, end, suffix):
    path = tmp_path / f"raw{suffix}"
    path.write_bytes(end.join(lines))
    try:
        records = list(read_json(path))
    except IngestError as exc:
        for problem in exc.problems:
            assert problem.file == str(path) and isinstance(problem.row, int) and problem.row >= 1, problem
            assert problem.message.startswith(WHOLE_RECORD), problem
        return
    assert all(isinstance(r.row, int) and r.row >= 1 for r in records)
