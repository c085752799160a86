"""What the index knows and finds, as a visitor meets it (issue 11): honest rights and image facets, a
browse order that starts with pictures, facets that scale, short snippets, suggestions in the query's
language, creators before inscriptions, exhibitions among the results, and a timeline."""
from __future__ import annotations

import csv
import gzip
import html
import re

import pytest

from catalogue import create_app
from catalogue.model import DigitalObject, Exhibition, Institution
from catalogue.search import SearchRequest
from catalogue.services.imports import run_import
from catalogue.ingest.csvfile import read_csv
from catalogue.store import Batch
from support import COLLECTION, ROOT, SHARED, import_file

TATE_CSV = SHARED / "data" / "tate" / "artwork_data.derived.csv.gz"
MAPPING = ROOT / "catalogue" / "mappings" / "tate.json"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"


def _tate_rows() -> list[dict]:
    """A few hundred real Tate rows: the first 250, 60 Turner sketchbook pages about inscriptions,
    the works of others whose title names Turner, and one made-up work whose inscription mentions him."""
    with gzip.open(TATE_CSV, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    chosen = rows[:250]
    chosen += [r for r in rows if "Turner, Joseph" in r["artist"] and "nscription" in r["title"]][:60]
    chosen += [r for r in rows if "Turner" not in r["artist"] and "Turner" in r["title"]][:10]
    makers = {}
    for r in rows:
        makers.setdefault(r["artist"], r)
    chosen += list(makers.values())[:40]  # forty makers: more than a page lists
    extra = dict(rows[0], accession_number="X00001", artist="Smith, John", title="A Bridge at Evening",
                 inscription="Inscribed ‘after Turner, Turner’s manner, Turner’ lower right")
    seen, out = set(), []
    for row in [*chosen, extra]:
        if row["accession_number"] not in seen:
            seen.add(row["accession_number"])
            out.append(row)
    return out


@pytest.fixture(scope="module")
def tate(tmp_path_factory):
    """A catalogue of real Tate records (no media, no rights statement) and the test collection (images)."""
    folder = tmp_path_factory.mktemp("tate")
    rows = _tate_rows()
    path = folder / "tate.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    app = create_app({"INSTANCE": str(folder / "instance"), "TESTING": True})
    svc = app.extensions["vitrine"]
    report = run_import(svc.store, read_csv(path, MAPPING), svc.media_dir)
    assert not report.problems if hasattr(report, "problems") else True
    import_file(app, COLLECTION)
    app.tate_count = len(rows)
    yield app
    svc.close()


def _search(app, **asked):
    return app.extensions["vitrine"].searching.search(SearchRequest(**asked))


def _counts(result, name: str) -> dict[str, int]:
    return {v.value: v.count for v in result.facets.get(name, [])}


def _labels(result, name: str) -> dict[str, str]:
    return {v.value: v.label for v in result.facets.get(name, [])}


# -- item 4: rights -------------------------------------------------------------------------------

def test_works_without_a_rights_statement_are_rights_not_stated_never_open(tate):
    result = _search(tate, size=1)
    rights = _counts(result, "rights")
    assert rights["not-stated"] == tate.tate_count
    assert rights.get("open", 0) < 10  # only the test collection's open works
    assert _labels(result, "rights")["not-stated"] == "Rights not stated"
    assert _labels(_search(tate, size=1, lang="nl"), "rights")["not-stated"] == "Rechten niet vermeld"
    only = _search(tate, size=100, filters={"rights": ["not-stated"]})
    assert only.total == tate.tate_count


class _OnlyCC0:
    """An access policy that shows only CC0 works: it can only decide right if asked with the real rights."""

    key = "only-cc0"

    def decide(self, requester, rights, media):
        from catalogue.access import FULL, NONE
        return FULL if rights == CC0 else NONE


def test_search_hit_thumbnails_ask_the_access_policy_with_the_works_real_rights(tmp_path):
    app = create_app({"INSTANCE": str(tmp_path / "i"), "TESTING": True, "ACCESS_POLICY": _OnlyCC0()})
    image = {"id": "m", "path": "m.jpg", "format": "image/jpeg", "width": 800, "height": 600}
    app.extensions["vitrine"].store.write(Batch(
        institutions=[Institution.from_dict({"id": "i", "label": {"en": ["I"]}})],
        objects=[DigitalObject.from_dict({"id": "cc0", "institution": "i", "label": {"en": ["Free"]}, "rights": CC0,
                                          "media": [dict(image, id="m1")]}),
                 DigitalObject.from_dict({"id": "pdm", "institution": "i", "label": {"en": ["Marked"]},
                                          "rights": "http://creativecommons.org/publicdomain/mark/1.0/",
                                          "media": [dict(image, id="m2")]})]))
    hits = {h["id"]: h for h in app.test_client().get("/api/search").get_json()["hits"]}
    assert hits["cc0"]["thumbnail"] and "/m1/" in hits["cc0"]["thumbnail"]
    assert hits["pdm"]["thumbnail"] is None
    app.extensions["vitrine"].close()


# -- item 3: has image, and the browse order ------------------------------------------------------

def test_the_has_image_facet_counts_works_with_and_without_an_image(tate):
    result = _search(tate, size=1)
    images = _counts(result, "hasimage")
    assert images["no"] >= tate.tate_count and images["yes"] >= 3
    assert _labels(result, "hasimage") == {"yes": "With image", "no": "Without image"}
    assert _labels(_search(tate, size=1, lang="fr"), "hasimage")["no"] == "Sans image"
    assert all(h.image for h in _search(tate, size=50, filters={"hasimage": ["yes"]}).hits)


def _real(title: str) -> bool:
    return bool(re.search(r"[^\W\d_]", title)) and not title.startswith("[")


def test_browsing_shows_works_with_images_and_real_titles_first(tate):
    hits = _search(tate, size=60).hits
    with_images = [i for i, h in enumerate(hits) if h.image]
    assert with_images and with_images == list(range(len(with_images)))
    rest = hits[len(with_images):]
    seen_untitled = False
    for hit in rest:
        if not _real(hit.label):
            seen_untitled = True
        assert not (seen_untitled and _real(hit.label)), [h.label for h in rest]
    first = [h.label for h in rest][:5]
    assert first == sorted(first, key=lambda t: re.sub(r"[^\w\s]", "", t).casefold())  # then by title


# -- item 14: facets at scale ---------------------------------------------------------------------

def test_the_medium_facet_counts_the_tate_mediums(tate):
    medium = _counts(_search(tate, size=1), "medium")
    assert medium["Graphite on paper"] > 50
    found = _search(tate, size=100, filters={"medium": ["Graphite on paper"]})
    assert found.total == medium["Graphite on paper"]


def test_a_facet_whose_one_value_covers_every_hit_is_not_offered_unless_selected(tate):
    result = _search(tate, q="turner", size=5, filters={"institution": ["tate"]})
    assert "type" not in result.facets  # every Tate work is an image
    assert "institution" in result.facets  # selected: kept, so it can be removed
    assert "creator" in result.facets


def test_facet_values_can_be_listed_beyond_twenty_and_filtered_by_a_typed_prefix(tate):
    client = tate.test_client()
    everything = client.get("/api/facets/creator", query_string={"size": 200}).get_json()
    assert len(everything["values"]) > 20
    found = client.get("/api/facets/creator", query_string={"prefix": "tur", "size": 50}).get_json()
    names = [v["label"] for v in found["values"]]
    assert names and all(any(w.lower().startswith("tur") for w in re.split(r"[\s,]+", n)) for n in names)
    assert "Turner, Joseph Mallord William" in names
    # counted for the current search
    narrowed = client.get("/api/facets/creator", query_string={"prefix": "tur", "q": "inscription"}).get_json()
    total = client.get("/api/search", query_string={"q": "inscription", "creator": "Turner, Joseph Mallord William"})
    counted = {v["value"]: v["count"] for v in narrowed["values"]}
    assert counted["Turner, Joseph Mallord William"] == total.get_json()["total"]
    assert client.get("/api/facets/nothing").status_code == 404


def test_search_api_links_a_manifest_only_for_hits_with_media(tate):
    hits = tate.test_client().get("/api/search", query_string={"size": 100}).get_json()["hits"]
    with_media = [h for h in hits if h["thumbnail"]]
    without = [h for h in hits if h["id"].startswith(("A0", "N0", "D0"))]
    assert with_media and without
    assert all(h["manifest"] for h in with_media)
    assert all(h["manifest"] is None for h in without)


# -- item 6: snippets -----------------------------------------------------------------------------

def test_a_snippet_is_a_short_cut_at_words_around_the_match_from_the_field_that_matched(tate):
    hits = _search(tate, q="lower", size=20).hits
    snippets = [h.snippet for h in hits if h.snippet]
    assert snippets
    for snippet in snippets:
        text = html.unescape(re.sub(r"</?mark>", "", snippet))
        assert len(text) <= 170, text
        assert "<mark>" in snippet and ";" not in text
        assert "<" not in re.sub(r"</?mark>", "", snippet)
        assert not text.endswith("…") or text[-2] == " "  # cut between words
    hit = next(h for h in hits if h.id == "X00001")
    assert "Turner" in hit.snippet and "<mark>lower</mark>" in hit.snippet


def test_no_snippet_when_only_the_title_matched(tate):
    hit = next(h for h in _search(tate, q="bridge evening", size=20).hits if h.id == "X00001")
    assert hit.snippet == ""


def test_html_in_a_matched_field_is_stripped_from_the_snippet(tate):
    hit = next(h for h in _search(tate, q="photographed", size=20).hits if h.id == "coins")
    assert "<b>" not in hit.snippet and "script" not in hit.snippet
    assert "<mark>photographed</mark>" in hit.snippet


def test_hits_carry_their_makers_and_display_date(tate):
    hit = next(h for h in _search(tate, q="coins", size=20).hits if h.id == "coins")
    assert hit.creators == ["Brooklyn Museum"] and hit.date == "c. 100 BCE"


# -- item 12: suggestions, creators, exhibitions ---------------------------------------------------

@pytest.fixture
def words(app, store):
    def obj(i: str, label: dict) -> DigitalObject:
        return DigitalObject.from_dict({"id": i, "institution": "i", "label": label})
    store.write(Batch(institutions=[Institution.from_dict({"id": "i", "label": {"en": ["I"]}})], objects=[
        *[obj(f"fr{n}", {"fr": [f"Au bord de la mer {n}"]}) for n in range(5)],
        *[obj(f"nl{n}", {"nl": [f"Schepen op zee {n}"]}) for n in range(5)],
        obj("en1", {"en": ["A child born at sea"]}),
        obj("fr1b", {"fr": ["Une fille née à Gand"]}),
        *[obj(f"p{n}", {"en": [f"Painting of a harbour {n}"]}) for n in range(5)],
    ]))
    return app


def test_spelling_suggestions_come_from_the_querys_language_only(words):
    assert _search(words, q="born", lang="en").suggestion is None  # never the French "bord"
    assert _search(words, q="née", lang="fr").suggestion is None  # never the Dutch "zee"
    assert _search(words, q="paintng", lang="en").suggestion == "painting"


def test_works_by_turner_rank_above_works_that_only_mention_him(tate):
    hits = _search(tate, q="turner", size=100).hits
    by = ["Turner" in " ".join(h.creators) for h in hits]
    assert by[:10] == [True] * 10
    first_other = by.index(False)
    assert all(by[:first_other]) and not any(by[first_other:]), [h.creators for h in hits]


def test_published_exhibitions_that_match_are_found_and_drafts_never(words):
    store = words.extensions["vitrine"].store
    section = {"title": {"en": ["Ports"]}, "items": [{"object": "p1", "caption": {"en": ["A quiet harbour at dawn"]}}]}
    for slug, status in (("harbours", "published"), ("secret", "draft")):
        store.put_exhibition(Exhibition.from_dict({"slug": slug, "status": status, "sections": [section],
                                                   "title": {"en": ["Harbours"], "nl": ["Havens"]}}))
    found = _search(words, q="harbour", lang="nl")
    assert [e.slug for e in found.exhibitions] == ["harbours"]
    assert found.exhibitions[0].title == "Havens"
    assert _search(words, q="mountains").exhibitions == []
    assert _search(words, q="harbour", lang="nl", offset=20).exhibitions == []  # shown on the first page only


# -- item 19: timeline ----------------------------------------------------------------------------

def test_the_timeline_counts_works_per_decade_as_the_year_filter_finds_them(tate):
    result = _search(tate, size=1, start=1500, end=2020)
    assert result.timeline and result.timeline[0].span == 10 and len(result.timeline) == 53
    for bar in result.timeline[:: max(1, len(result.timeline) // 6)]:
        assert bar.count == _search(tate, size=1, start=bar.start, end=bar.end).total, bar


def test_a_timeline_of_more_than_sixty_decades_is_drawn_per_century(tate):
    result = _search(tate, size=1)  # the test collection reaches back to 200 BC
    assert result.timeline[0].start == -200 and {b.span for b in result.timeline} == {100}
    assert len(result.timeline) <= 60
    for bar in result.timeline[::5]:
        assert bar.count == _search(tate, size=1, start=bar.start, end=bar.end).total, bar


def test_the_timeline_counts_years_within_a_range_of_twenty_years_or_less(tate):
    result = _search(tate, size=1, start=1800, end=1815)
    assert [b.start for b in result.timeline] == list(range(1800, 1816))
    assert all(b.span == 1 and b.count == _search(tate, size=1, start=b.start, end=b.start).total
               for b in result.timeline)


def test_the_search_page_draws_the_timeline_as_links_with_a_text_alternative(tate):
    page = tate.test_client().get("/search?from=1500&to=2020").get_data(as_text=True)
    timeline = page[page.index('class="timeline"'):]
    assert re.search(r'href="[^"]*from=1800&amp;to=1809(#[^"]*)?"', timeline)
    assert re.search(r'aria-label="1800s: [0-9,]+ works?"', timeline)
    assert "<table" in timeline and "visually-hidden" in timeline


# -- the index schema -----------------------------------------------------------------------------

def test_an_index_of_an_older_schema_is_rebuilt_by_the_next_catch_up(tmp_path):
    import json

    from catalogue.search.whoosh.backend import SCHEMA_VERSION

    app = create_app({"INSTANCE": str(tmp_path / "i"), "TESTING": True})
    import_file(app, COLLECTION)
    svc = app.extensions["vitrine"]
    folder = svc.search.directory
    svc.close()
    state = json.loads((folder / "vitrine-index.json").read_text())
    (folder / "vitrine-index.json").write_text(json.dumps({**state, "schema": SCHEMA_VERSION - 1}))

    again = create_app({"INSTANCE": str(tmp_path / "i"), "TESTING": True})
    fresh = again.extensions["vitrine"]
    fresh.keeper.catch_up()
    result = fresh.searching.search(SearchRequest(size=1))
    assert result.total == fresh.store.count_objects() and "hasimage" in result.facets
    fresh.close()
