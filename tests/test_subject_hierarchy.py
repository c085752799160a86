"""A source's subject tree comes in whole: nested subject entries (``narrower``) declare each level's
terms with their broader term, works take the most specific ones, and a subject finds the works of
its narrower subjects too. On the first Tate records, the tree read from Tate's own JSON here."""
from __future__ import annotations

import gzip
import json
from itertools import islice

from support import ROOT, SHARED

from catalogue.ingest.mapping import read_mapped
from catalogue.services.imports import run_import

TATE_JSON = SHARED / "data" / "tate" / "artworks.jsonl.gz"
TATE_JSON_MAPPING = ROOT / "catalogue" / "mappings" / "tate-artworks.json"
N = 90  # works: a subject finds at most this many, one page of the API


def _imported(app, tmp_path) -> list[dict]:
    works = tmp_path / "artworks.jsonl.gz"
    with gzip.open(TATE_JSON, "rb") as src, gzip.open(works, "wb") as dst:
        dst.writelines(islice(src, N))
    svc = app.extensions["vitrine"]
    run_import(svc.store, read_mapped(works, TATE_JSON_MAPPING), svc.media_dir)
    with gzip.open(works, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _tree(records: list[dict]) -> tuple[dict[str, tuple[str, str | None]], dict[str, set[str]]]:
    """Every term of the records' trees: URI → (name, broader URI); and each term's works (its own
    and its narrower terms'), by accession number."""
    terms: dict[str, tuple[str, str | None]] = {}
    works: dict[str, set[str]] = {}

    def walk(node: dict, broader: str | None, acno: str) -> None:
        uri = f"tate-subject:{node['id']}"
        terms[uri] = (node["name"], broader)
        works.setdefault(uri, set()).add(acno)
        for child in node.get("children", []):
            walk(child, uri, acno)

    for record in records:
        for top in (record.get("subjects") or {}).get("children", []):
            walk(top, None, record["acno"])
    return terms, works


def test_every_level_of_tates_subject_tree_is_a_concept_with_its_broader_one(app, store, tmp_path):
    records = _imported(app, tmp_path)
    terms, _ = _tree(records)
    levels = {name: broader for name, broader in terms.values()}
    assert None in levels.values() and len(terms) > 100
    concepts = {c.uri: c for c in store.concepts(list(terms))}
    assert {uri: (c.label["en"][0], c.broader) for uri, c in concepts.items()} == terms
    for record in records:  # a work's subjects are its tree's leaves, the terms nothing is under
        leaves = {f"tate-subject:{leaf['id']}" for top in (record.get("subjects") or {}).get("children", [])
                  for middle in top.get("children", []) for leaf in middle.get("children", [])}
        assert set(store.get_object(record["acno"]).subjects) == leaves, record["acno"]


def test_a_broader_subject_finds_the_works_of_every_subject_under_it(app, client, tmp_path):
    records = _imported(app, tmp_path)
    terms, works = _tree(records)
    top = max((uri for uri, (_, broader) in terms.items() if broader is None), key=lambda uri: len(works[uri]))
    middle = next(uri for uri, (_, broader) in terms.items() if broader == top)
    for uri in (top, middle):
        found = client.get(f"/api/search?subject={uri}&size=100").get_json()
        assert found["total"] == len(works[uri]) and {h["id"] for h in found["hits"]} == works[uri], uri
        counts = {v["value"]: v["count"] for v in found["facets"]["subject"]}
        assert counts[uri] == len(works[uri])  # the subject asked counts the works under it
        assert len(counts) <= 21  # and those under it are listed as any value, not all selected
    page = client.get(f"/subject/{top}").get_data(as_text=True)
    assert f"{len(works[top])} works" in page
    assert f'href="/subject/{middle}"' in page  # a narrower subject, linked from its broader one
