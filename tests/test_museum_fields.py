"""The fields museums keep (issue 13, item 10): in the manifest, on the object page, in search (the
classification facet, exact accession numbers, sorting by accession number and acquisition date),
the FACETS setting, and edited through the form and the JSON API."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from support import COLLECTION, assert_valid_presentation, import_file
from test_curator_foundation import PASSWORD, sign_in, token_of
from test_editing_api import Api, _errors
from test_object_editor import form_of

from catalogue import create_app
from catalogue.search import SearchRequest

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TURNER = {
    "name": "Joseph Mallord William Turner", "role": "artist", "born": "1775", "died": "1851",
    "nationality": "British", "uri": "http://vocab.getty.edu/ulan/500026846",
    "authorities": ["https://www.wikidata.org/wiki/Q159758", "javascript:alert(1)"],
}
SHIPWRECK = {
    "kind": "object", "id": "shipwreck", "type": "image", "institution": "tate",
    "label": {"en": ["The Shipwreck"]}, "media": ["images/rocket.jpg"],
    "creators": [TURNER], "date": "1805",
    "accession_number": "N00476", "classification": ["painting"],
    "medium": {"en": ["Oil paint on canvas"], "fr": ["Huile sur toile"]},
    "dimensions": [
        {"type": "height", "value": 1705, "unit": "mm", "part": "support"},
        {"type": "width", "value": 2416, "unit": "mm", "part": "support"},
        {"type": "weight", "value": 12.5, "unit": "kg"},
    ],
    "provenance": {"en": ["Turner Bequest 1856"]},
    "credit_line": {"en": ["Accepted by the nation as part of the Turner Bequest 1856"]},
    "acquired": "1856-03-12", "location": "Clore Gallery, room 4",
    "rights": "http://creativecommons.org/publicdomain/zero/1.0/",
}
RECORDS = [
    {"kind": "institution", "id": "tate", "label": {"en": ["Tate"]}},
    SHIPWRECK,
    {"kind": "object", "id": "negative", "type": "image", "institution": "tate", "label": {"en": ["Pier"]},
     "accession_number": "P01498", "classification": ["Photographic Negative"], "acquired": "1920",
     "medium": {"en": ["Gelatin silver negative. Glass plate."]}},
    {"kind": "object", "id": "print", "type": "image", "institution": "tate", "label": {"en": ["Bridge"]},
     "accession_number": "N01498", "classification": ["print", "Photographic Negative"],
     "acquired": "1901-05", "provenance": {"en": ["Bought from the Vaughan collection"]}},
    {"kind": "object", "id": "plain", "type": "image", "institution": "tate", "label": {"en": ["Untracked"]}},
]


@pytest.fixture
def museum(app, tmp_path):
    folder = tmp_path / "museum"
    shutil.copytree(COLLECTION.parent / "images", folder / "images")
    path = folder / "records.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n")
    import_file(app, path)
    return app


def metadata(manifest: dict, lang: str) -> dict[str, list[str]]:
    """The manifest's metadata as a reader of ``lang`` sees it: label -> values."""
    def shown(lmap):
        return lmap.get(lang) or lmap.get("none") or lmap.get("en")
    return {shown(m["label"])[0]: shown(m["value"]) for m in manifest["metadata"]}


# -- manifests -----------------------------------------------------------------------------------

def test_the_manifest_carries_every_museum_field_labelled_in_each_language(museum, client):
    manifest = client.get("/iiif/object/shipwreck/manifest").get_json(force=True)
    english, german = metadata(manifest, "en"), metadata(manifest, "de")
    assert english["Accession number"] == ["N00476"]
    assert english["Classification"] == ["painting"]
    assert english["Medium"] == ["Oil paint on canvas"]
    assert english["Dimensions"] == ["support: 1705 × 2416 mm", "weight 12.5 kg"]
    assert german["Maße"] == ["Bildträger: 1705 × 2416 mm", "Gewicht 12,5 kg"]
    assert english["Provenance"] == ["Turner Bequest 1856"]
    assert english["Acquired"] == ["March 12, 1856"] and german["Erworben"] == ["12. März 1856"]
    assert english["Location"] == ["Clore Gallery, room 4"]
    assert german["Inventarnummer"] == ["N00476"]
    assert english["Creator"] == ['<span><a href="http://vocab.getty.edu/ulan/500026846">Joseph Mallord William '
                                  'Turner</a> (artist, 1775–1851, British)</span>']
    # a record without a required statement: its credit line is what must be shown with the work
    assert manifest["requiredStatement"]["label"]["en"] == ["Credit line"]
    assert manifest["requiredStatement"]["value"]["en"] == [SHIPWRECK["credit_line"]["en"][0]]
    assert_valid_presentation(manifest)
    p2 = client.get("/iiif/2/object/shipwreck/manifest").get_json(force=True)
    assert "N00476" in json.dumps(p2["metadata"])


def test_a_credit_line_beside_a_required_statement_is_metadata(app, client, tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(COLLECTION.parent / "images", folder / "images")
    record = {**SHIPWRECK,
              "required_statement": {"label": {"en": ["Attribution"]}, "value": {"en": ["Tate"]}}}
    (folder / "r.jsonl").write_text(json.dumps(RECORDS[0]) + "\n" + json.dumps(record) + "\n")
    import_file(app, folder / "r.jsonl")
    manifest = client.get("/iiif/object/shipwreck/manifest").get_json(force=True)
    assert manifest["requiredStatement"]["value"] == {"en": ["Tate"]}
    assert metadata(manifest, "nl")["Naamsvermelding"] == [SHIPWRECK["credit_line"]["en"][0]]


# -- the object page -----------------------------------------------------------------------------

def test_the_object_page_lists_the_museum_fields_in_the_readers_language(museum, client):
    page = client.get("/object/shipwreck?lang=fr").get_data(as_text=True)
    assert "Numéro d’inventaire" in page and "N00476" in page
    assert "Huile sur toile" in page
    assert "support : 1705 × 2416 mm" in page or "support : 1705 × 2416 mm" in page
    assert "12 mars 1856" in page and "Clore Gallery, room 4" in page
    assert "1775–1851" in page and "British" in page
    assert 'href="https://www.wikidata.org/wiki/Q159758"' in page
    assert "javascript:alert" not in page
    assert "Turner Bequest 1856" in page
    jsonld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert (jsonld["identifier"], jsonld["artMedium"], jsonld["artform"]) == ("N00476", "Huile sur toile", ["painting"])
    assert jsonld["creator"][0]["birthDate"] == "1775" and jsonld["creator"][0]["nationality"] == "British"


def test_hostile_museum_text_is_shown_inert(app, client, tmp_path):
    folder = tmp_path / "h"
    folder.mkdir()
    record = {"kind": "object", "id": "bad", "type": "image", "institution": "tate", "label": {"en": ["Bad"]},
              "accession_number": HOSTILE[:30], "classification": [HOSTILE], "location": HOSTILE,
              "medium": {"en": [HOSTILE]}, "provenance": {"en": [HOSTILE]}, "credit_line": {"en": [HOSTILE]},
              "creators": [{"name": HOSTILE, "nationality": HOSTILE}],
              "dimensions": [{"type": HOSTILE[:40], "value": 3, "unit": "cm", "part": HOSTILE}]}
    (folder / "r.jsonl").write_text(json.dumps(RECORDS[0]) + "\n" + json.dumps(record) + "\n")
    import_file(app, folder / "r.jsonl")
    page = client.get("/object/bad").get_data(as_text=True)
    assert re.search(r"<script>alert|<img[^>]*onerror", page) is None  # no element a browser would run
    assert '<dt>Classification</dt><dd class="museum">&lt;script&gt;alert(&#34;x&#34;)' in page
    assert '<dt>Location</dt><dd class="museum">&lt;script&gt;' in page


# -- search --------------------------------------------------------------------------------------

def test_classification_is_a_facet_counted_and_filtered(museum):
    search = museum.extensions["vitrine"].searching
    result = search.search(SearchRequest(size=10))
    counted = {v.value: v.count for v in result.facets["classification"]}
    assert counted == {"Photographic Negative": 2, "painting": 1, "print": 1}
    negatives = search.search(SearchRequest(filters={"classification": ["Photographic Negative"]}, size=10))
    assert {h.id for h in negatives.hits} == {"negative", "print"}


def test_the_medium_facet_reads_the_medium_field(museum):
    result = museum.extensions["vitrine"].searching.search(SearchRequest(size=10))
    assert {v.value for v in result.facets["medium"]} == {"Oil paint on canvas", "Gelatin silver negative"}


def test_an_accession_number_finds_exactly_its_work(museum):
    search = museum.extensions["vitrine"].searching
    assert [h.id for h in search.search(SearchRequest(q="N01498", size=10)).hits] == ["print"]
    assert [h.id for h in search.search(SearchRequest(q="n00476", size=10)).hits] == ["shipwreck"]


def test_medium_provenance_and_credit_line_are_searched(museum):
    search = museum.extensions["vitrine"].searching
    assert {h.id for h in search.search(SearchRequest(q="Vaughan", size=10)).hits} == {"print"}
    assert {h.id for h in search.search(SearchRequest(q="gelatin", size=10)).hits} == {"negative"}
    assert {h.id for h in search.search(SearchRequest(q="accepted nation", size=10)).hits} == {"shipwreck"}


def test_sorting_by_accession_number_and_by_acquisition_date(museum):
    search = museum.extensions["vitrine"].searching
    by_number = [h.id for h in search.search(SearchRequest(sort="accession", size=10)).hits]
    assert by_number == ["shipwreck", "print", "negative", "plain"]  # N00476 < N01498 < P01498, then none
    by_date = [h.id for h in search.search(SearchRequest(sort="acquired", size=10)).hits]
    assert by_date == ["shipwreck", "print", "negative", "plain"]  # 1856, 1901-05, 1920, then unknown


def test_the_results_page_offers_both_sorts_and_the_classification_facet(museum, client):
    page = client.get("/search?lang=en").get_data(as_text=True)
    assert '<option value="accession"' in page and '<option value="acquired"' in page
    assert "Photographic Negative" in page and "Classification" in page


# -- the FACETS setting --------------------------------------------------------------------------

def test_the_facets_setting_picks_and_orders_the_facets_everywhere(instance, tmp_path):
    app = create_app({"INSTANCE": str(instance), "TESTING": True, "FACETS": "medium, classification"})
    try:
        folder = tmp_path / "m"
        shutil.copytree(COLLECTION.parent / "images", folder / "images")
        (folder / "r.jsonl").write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n")
        import_file(app, folder / "r.jsonl")
        result = app.extensions["vitrine"].searching.search(SearchRequest(size=10))
        assert list(result.facets) == ["medium", "classification"]
        client = app.test_client()
        api = client.get("/api/search").get_json()
        assert list(api["facets"]) == ["medium", "classification"]
        assert client.get("/api/facets/creator").status_code == 404
        assert client.get("/api/facets/classification").status_code == 200
        page = client.get("/search?lang=en").get_data(as_text=True)
        assert re.findall(r'<section class="facet" data-facet="([a-z]+)"', page) == ["medium", "classification"]
    finally:
        app.extensions["vitrine"].close()


def test_an_unknown_facet_in_the_setting_is_refused_at_start(instance):
    with pytest.raises(ValueError, match="FACETS names an unknown facet 'colour'; facets are institution"):
        create_app({"INSTANCE": str(instance), "FACETS": "institution,colour"})


# -- editing -------------------------------------------------------------------------------------

@pytest.fixture
def editor(museum):
    museum.extensions["vitrine"].accounts.add("ed", PASSWORD, roles=["editor"], institutions=["tate"])
    client = museum.test_client()
    assert sign_in(client, "ed").status_code == 302
    return client


def test_an_editor_sets_the_museum_fields_through_the_form(museum, editor):
    page = editor.get("/curate/objects/negative").get_data(as_text=True)
    fields = form_of(page)
    assert fields["accession_number"] == ["P01498"]
    fields.update({
        "accession_number": ["P01499"], "classification": ["Photographic Negative\nglass plate"],
        "medium.en": ["Gelatin silver on glass"], "dimensions.count": ["1"], "dimensions.0.type": ["height"],
        "dimensions.0.value": ["16.5"], "dimensions.0.unit": ["cm"], "dimensions.0.part": [""],
        "acquired": ["1921-04"], "location": ["Store B"], "provenance.en": ["Gift of the photographer"],
        "credit_line.en": ["Presented by the artist 1921"],
        "csrf_token": [token_of(page.encode())], "action": ["save"],
    })
    assert editor.post("/curate/objects/negative", data=fields).status_code == 302
    saved = museum.extensions["vitrine"].store.get_object("negative")
    assert saved.accession_number == "P01499" and saved.classification == ["Photographic Negative", "glass plate"]
    assert saved.medium == {"en": ["Gelatin silver on glass"]} and saved.acquired == "1921-04"
    assert [(d.type, d.value, d.unit) for d in saved.dimensions] == [("height", 16.5, "cm")]
    assert saved.location == "Store B" and saved.credit_line == {"en": ["Presented by the artist 1921"]}
    again = form_of(editor.get("/curate/objects/negative").get_data(as_text=True))
    assert again["dimensions.0.value"] == ["16.5"] and again["acquired"] == ["1921-04"]


def test_a_bad_museum_field_in_the_form_is_shown_at_its_field(museum, editor):
    page = editor.get("/curate/objects/negative").get_data(as_text=True)
    fields = form_of(page)
    fields.update({"acquired": ["1921-13"], "csrf_token": [token_of(page.encode())], "action": ["save"]})
    answer = editor.post("/curate/objects/negative", data=fields)
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert 'name="acquired" value="1921-13" aria-invalid="true" aria-describedby="e-acquired"' in text
    assert "1921-13" in text and "is not a year or a date" in text
    fields.update({"acquired": ["1921"], "dimensions.count": ["1"], "dimensions.0.type": ["height"],
                   "dimensions.0.value": ["3"], "dimensions.0.unit": ["furlong"]})
    answer = editor.post("/curate/objects/negative", data=fields)
    assert answer.status_code == 422 and "is not one of mm, cm" in answer.get_data(as_text=True)


def test_the_api_takes_the_museum_fields_with_errors_at_the_field(museum):
    museum.extensions["vitrine"].accounts.add("ed", PASSWORD, roles=["editor"], institutions=["tate"])
    ed = Api(museum, "ed")
    record, etag = ed.read("/api/objects/print")
    record.update(location="Prints and Drawings Room", dimensions=[{"type": "width", "value": 30, "unit": "cm"}])
    saved = ed("PUT", "/api/objects/print", record, etag=etag)
    assert saved.status_code == 200, saved.data
    assert saved.get_json()["location"] == "Prints and Drawings Room"
    assert museum.extensions["vitrine"].store.get_object("print").dimensions[0].value == 30
    bad = dict(saved.get_json(), acquired="soon", dimensions=[{"type": "width", "value": 30, "unit": "cm", "x": 1}])
    refused = ed("PUT", "/api/objects/print", bad, etag=saved.headers["ETag"])
    assert set(_errors(refused)) == {"acquired", "dimensions[0].x"}
