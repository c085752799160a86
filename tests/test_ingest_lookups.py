"""A mapping's lookups: a second file of the source, keyed (an API dump's makers beside its works),
from which a transform takes a value. On the Tate JSON and CSV with Tate's own artists files, and on
small files written here for each rule: a missing file, a path out of the folder, a take that names
nothing, a key in two records."""
from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
from itertools import islice
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import DATA, ROOT, SHARED

from catalogue.cli import main
from catalogue.ingest import IngestError
from catalogue.ingest.csvfile import read_csv
from catalogue.ingest.mapping import Mapping, read_mapped
from catalogue.services.imports import run_import

TATE = SHARED / "data" / "tate"
TATE_JSON_MAPPING = ROOT / "catalogue" / "mappings" / "tate-artworks.json"
TATE_CSV_MAPPING = ROOT / "catalogue" / "mappings" / "tate.json"


def _import(app, records):
    svc = app.extensions["vitrine"]
    return run_import(svc.store, records, svc.media_dir)


def _tate_works(folder: Path, n: int) -> Path:
    """The first n lines of Tate's artworks.jsonl.gz, in ``folder``."""
    target = folder / "artworks.jsonl.gz"
    with gzip.open(TATE / "artworks.jsonl.gz", "rb") as src, gzip.open(target, "wb") as dst:
        dst.writelines(islice(src, n))
    return target


def _tate_artists() -> tuple[dict[int, str], set[int]]:
    """Each artist id's URL in the first record with that id, and the rows (line numbers) of the later
    records with the same id and another URL, read from Tate's file here."""
    urls: dict[int, str] = {}
    differing = set()
    with gzip.open(TATE / "artists.jsonl.gz", "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            artist = json.loads(line)
            if artist["id"] in urls and urls[artist["id"]] != artist["url"]:
                differing.add(number)
            urls.setdefault(artist["id"], artist["url"])
    return urls, differing


def test_each_tate_creator_links_to_its_record_in_the_artists_file_beside_the_works(app, store, tmp_path):
    works = _tate_works(tmp_path, 300)
    shutil.copy(TATE / "artists.jsonl.gz", tmp_path)
    result = _import(app, read_mapped(works, TATE_JSON_MAPPING))
    urls, differing = _tate_artists()
    linked = 0
    with gzip.open(works, "rt", encoding="utf-8") as lines:
        for line in lines:
            work = json.loads(line)
            obj = store.get_object(work["acno"])
            assert [c.uri for c in obj.creators] == [urls.get(c["id"]) for c in work["contributors"]], work["acno"]
            linked += sum(c.uri is not None for c in obj.creators)
    assert linked >= 300
    # the artists file has ids twice with another URL: the first is taken, each later one a warning with its row
    assert differing and {w.row for w in result.warnings if w.file.endswith("artists.jsonl.gz")} == differing
    assert all("is taken, not" in w.message and w.field == "url" for w in result.warnings)


def test_the_tate_csv_takes_the_same_links_from_tates_artist_data_csv(app, store, tmp_path):
    shutil.copy(DATA / "tate" / "sample.csv", tmp_path)
    shutil.copy(TATE / "artist_data.csv", tmp_path)  # UTF-8 with a BOM, as Tate ships it
    result = _import(app, read_csv(tmp_path / "sample.csv", TATE_CSV_MAPPING))
    with (TATE / "artist_data.csv").open(encoding="utf-8-sig", newline="") as f:
        urls = {row["id"]: row["url"] for row in csv.DictReader(f)}
    with (DATA / "tate" / "sample.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 130 and result.warnings == []
    for row in rows:
        assert store.get_object(row["accession_number"]).creators[0].uri == urls[row["artistId"]]


def test_the_artist_link_shows_on_the_object_page(app, store, client, tmp_path):
    works = _tate_works(tmp_path, 5)
    shutil.copy(TATE / "artists.jsonl.gz", tmp_path)
    _import(app, read_mapped(works, TATE_JSON_MAPPING))
    obj = store.list_objects(limit=1)[0]
    uri = obj.creators[0].uri
    assert uri and uri.startswith("http://www.tate.org.uk/art/artists/")
    page = client.get(f"/object/{obj.id}")
    assert page.status_code == 200 and f'href="{uri}"' in page.get_data(as_text=True)


def test_without_its_optional_lookup_file_an_import_warns_and_leaves_the_values_out(app, store, tmp_path):
    works = _tate_works(tmp_path, 20)  # no artists.jsonl.gz beside it
    result = _import(app, read_mapped(works, TATE_JSON_MAPPING))
    assert result.written.created == 20
    assert [(w.file, w.row, w.field) for w in result.warnings] == [(str(TATE_JSON_MAPPING), None, "lookups.artists.file")]
    assert "artists.jsonl.gz is not in" in result.warnings[0].message
    assert all(c.uri is None for o in store.list_objects(limit=50) for c in o.creators)


def test_the_warning_is_printed_by_vitrine_ingest(tmp_path):
    works = _tate_works(tmp_path, 3)
    env = {"VITRINE_INSTANCE": str(tmp_path / "instance")}
    result = CliRunner().invoke(main, ["ingest", "json", str(works), "--mapping", str(TATE_JSON_MAPPING)], env=env)
    assert result.exit_code == 0, result.output
    assert "warning: " in result.output and "lookups.artists.file: artists.jsonl.gz is not in" in result.output


# -- the rules, on small files -------------------------------------------------

def _things(folder: Path, lookup: dict, take: str = "page") -> tuple[Path, Path]:
    records = folder / "things.jsonl"
    records.write_text("".join(json.dumps({"id": f"thing-{i}", "title": f"Thing {i}", "maker": {"id": i % 2}}) + "\n"
                               for i in range(4)), encoding="utf-8")
    mapping = folder / "mapping.json"
    mapping.write_text(json.dumps({
        "lookups": {"makers": lookup},
        "defaults": {"institution": "museum", "type": "image"},
        "declare": [{"kind": "institution", "id": "museum", "label": {"en": ["The Museum"]}}],
        "fields": {"id": "id", "label": {"path": "title", "language": "en"},
                   "creators": {"path": "maker", "name": {"path": "id", "template": "maker {value}"},
                                "uri": {"path": "id", "transform": [{"lookup": "makers", "take": take}]}}},
    }), encoding="utf-8")
    return records, mapping


def _makers(folder: Path, *makers: dict, name: str = "makers.json") -> None:
    (folder / name).write_text(json.dumps(list(makers)), encoding="utf-8")


def test_a_key_in_two_records_with_the_same_values_is_no_warning(app, store, tmp_path):
    records, mapping = _things(tmp_path, {"file": "makers.json", "key": "id"})
    _makers(tmp_path, {"id": 0, "page": "https://example.org/m/0"}, {"id": 1, "page": "https://example.org/m/1"},
            {"id": 0, "page": "https://example.org/m/0", "other": "fields differ"})
    result = _import(app, read_mapped(records, mapping))
    assert result.warnings == []
    assert [store.get_object(f"thing-{i}").creators[0].uri for i in range(4)] == [
        f"https://example.org/m/{i % 2}" for i in range(4)]


def test_a_missing_lookup_file_that_is_not_optional_stops_the_import_and_writes_nothing(app, store, tmp_path):
    records, mapping = _things(tmp_path, {"file": "makers.json", "key": "id"})
    with pytest.raises(IngestError) as caught:
        _import(app, read_mapped(records, mapping))
    assert [(p.field, p.row) for p in caught.value.problems] == [("lookups.makers.file", None)]
    assert "makers.json is not in" in caught.value.problems[0].message
    assert store.list_objects(limit=5) == [] and store.get_institution("museum") is None


@pytest.mark.parametrize("file", ["../makers.json", "/etc/passwd", "sub/../../makers.json"])
def test_a_lookup_file_named_outside_the_records_folder_is_refused(tmp_path, file):
    (tmp_path / "in").mkdir()
    records, mapping = _things(tmp_path / "in", {"file": file, "key": "id"})
    _makers(tmp_path)
    with pytest.raises(IngestError) as caught:
        list(read_mapped(records, mapping))
    assert [p.field for p in caught.value.problems] == ["lookups.makers.file"]
    assert "must name a file in the records file's folder" in caught.value.problems[0].message


def test_a_lookup_file_linked_from_outside_the_records_folder_is_refused(tmp_path):
    (tmp_path / "in").mkdir()
    records, mapping = _things(tmp_path / "in", {"file": "makers.json", "key": "id"})
    _makers(tmp_path, {"id": 0, "page": "https://example.org/secret"})
    os.symlink(tmp_path / "makers.json", tmp_path / "in" / "makers.json")
    with pytest.raises(IngestError) as caught:
        list(read_mapped(records, mapping))
    assert "must name a file in the records file's folder" in caught.value.problems[0].message


def test_a_take_that_names_nothing_in_the_lookup_file_is_a_mapping_error_naming_its_spec(tmp_path):
    records, mapping = _things(tmp_path, {"file": "makers.json", "key": "id"}, take="pgae")
    _makers(tmp_path, {"id": 0, "page": "https://example.org/m/0"})
    with pytest.raises(IngestError) as caught:
        list(read_mapped(records, mapping))
    problem, = caught.value.problems
    assert problem.field == "fields.creators.uri.transform[0].take"
    assert problem.message == f"path 'pgae' names nothing in {tmp_path / 'makers.json'}"


def test_a_transform_naming_no_lookup_and_a_lookup_without_its_key_are_mapping_errors(tmp_path):
    _, mapping = _things(tmp_path, {"file": "makers.json", "key": "id"})
    spec = json.loads(mapping.read_text())
    spec["fields"]["creators"]["uri"]["transform"] = [{"lookup": "artists", "take": "page"}]
    mapping.write_text(json.dumps(spec))
    with pytest.raises(IngestError, match=r"fields\.creators\.uri\.transform\[0\]\.lookup: names no lookup .*"
                                          r"\(these: makers\)"):
        Mapping(mapping, at="path")
    spec["lookups"] = {"makers": {"file": "makers.json"}}
    mapping.write_text(json.dumps(spec))
    with pytest.raises(IngestError, match=r"lookups\.makers: must be \{\"file\""):
        Mapping(mapping, at="path")


def test_a_csv_lookup_files_rows_are_named_by_their_spreadsheet_row(app, tmp_path):
    records, mapping = _things(tmp_path, {"file": "makers.csv", "key": "id"})
    (tmp_path / "makers.csv").write_text("id,page\n0,https://example.org/m/0\n1,https://example.org/m/1\n"
                                         "0,https://example.org/m/zero\n", encoding="utf-8")
    result = _import(app, read_mapped(records, mapping))
    assert [(Path(w.file).name, w.row, w.field) for w in result.warnings] == [("makers.csv", 4, "page")]
    assert "key '0' is also at row 2" in result.warnings[0].message


def test_a_lookup_file_over_its_record_limit_is_refused_naming_the_row(tmp_path, monkeypatch):
    import catalogue.ingest.mapping as mapping_module

    monkeypatch.setattr(mapping_module, "LOOKUP_MAX_RECORDS", 3)  # the bound, lowered: not 1,000,001 records here
    records, mapping = _things(tmp_path, {"file": "makers.json", "key": "id"})
    _makers(tmp_path, *({"id": i, "page": f"https://example.org/m/{i}"} for i in range(4)))
    with pytest.raises(IngestError) as caught:
        list(read_mapped(records, mapping))
    problem, = caught.value.problems
    assert (Path(problem.file).name, problem.row) == ("makers.json", 4)
    assert problem.message == "a lookup file holds at most 3 records"


def test_a_lookup_file_that_is_not_json_is_refused_naming_its_line(tmp_path):
    records, mapping = _things(tmp_path, {"file": "makers.jsonl", "key": "id"})
    (tmp_path / "makers.jsonl").write_text('{"id": 0, "page": "https://example.org/m/0"}\n{"id": 1, "page": \n',
                                           encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        list(read_mapped(records, mapping))
    problem, = caught.value.problems
    assert (Path(problem.file).name, problem.row) == ("makers.jsonl", 2) and "invalid JSON" in problem.message


def test_a_key_takes_each_value_from_the_first_of_its_records_that_has_it(app, store, tmp_path):
    records, mapping = _things(tmp_path, {"file": "makers.json", "key": "id"})
    _makers(tmp_path, {"id": 0}, {"id": 1, "page": "https://example.org/m/1"}, {"id": 0, "page": "https://example.org/m/0"})
    result = _import(app, read_mapped(records, mapping))
    assert result.warnings == []
    assert store.get_object("thing-0").creators[0].uri == "https://example.org/m/0"


def test_the_tate_csv_gives_its_creators_the_life_dates_the_tate_json_gives(app, store, tmp_path):
    shutil.copy(DATA / "tate" / "sample.csv", tmp_path)
    shutil.copy(TATE / "artist_data.csv", tmp_path)
    _import(app, read_csv(tmp_path / "sample.csv", TATE_CSV_MAPPING))
    ids = {obj.id for obj in store.iter_objects()}
    works = tmp_path / "works.jsonl"
    with gzip.open(TATE / "artworks.jsonl.gz", "rt", encoding="utf-8") as lines:
        works.write_text("".join(line for line in lines if json.loads(line)["acno"] in ids), encoding="utf-8")
    shutil.copy(TATE / "artists.jsonl.gz", tmp_path)
    from_json = {r.data["id"]: r.data["creators"] for r in read_mapped(works, TATE_JSON_MAPPING)
                 if r.data.get("kind", "object") == "object"}
    assert len(from_json) == len(ids) == 130
    dated = 0
    for object_id, creators in from_json.items():
        made = store.get_object(object_id).creators
        assert [(c.born, c.died) for c in made] == [(c.get("born"), c.get("died")) for c in creators], object_id
        dated += made[0].born is not None
    assert dated >= 100
