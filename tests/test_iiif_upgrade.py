"""Presentation 2.x upgraded to 3.0 faithfully (issue 13, item 7), on every P2 document of the shared corpus.

The expectations are read from the P2 document by this test's own small reader, not by the upgrader:
canvases of the first sequence, labels in every language, image service ids, ranges.
"""
from __future__ import annotations

import json
import re

import pytest
from support import SHARED, assert_valid_presentation

from catalogue.iiif.presentation import plain
from catalogue.iiif.upgrade import UpgradeError, presentation_version, upgrade

CORPUS = SHARED / "data" / "iiif-manifests"
P2 = sorted(path.name for path in (CORPUS / "p2").glob("*.json"))
P3 = sorted(path.name for path in (CORPUS / "p3").glob("*.json"))

# The P2 documents that cannot become a valid Presentation 3 document, and why (the error's words).
REFUSED = {
    "manifesto__manifest-with-thumbnail.json": "label: missing",
    "mirador__iiifauth.json": "label: missing",
    "uv__iiif-collection.json": "label: missing",
}


def read(folder: str, name: str) -> dict:
    return json.loads((CORPUS / folder / name).read_text(encoding="utf-8"))


# -- the test's own reading of a P2 document ----------------------------------

def _list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def p2_text(value) -> dict:
    """A P2 label as the language map it means: strings in no language, ``@value``s in theirs."""
    lmap: dict = {}
    for item in _list(value):
        if isinstance(item, dict):
            lang = item.get("@language") or "none"
            lmap.setdefault(lang if re.fullmatch(r"[A-Za-z-]+", lang) else "none", []).append(item["@value"])
        else:
            lmap.setdefault("none", []).append(str(item))
    return plain(lmap)


def p2_canvases(doc: dict) -> list:
    sequences = _list(doc.get("sequences"))
    return sequences[0].get("canvases", []) if sequences else []


def p2_image_services(doc: dict) -> set:
    ids = set()
    for canvas in p2_canvases(doc):
        for annotation in canvas.get("images", []):
            resource = annotation["resource"]
            for image in [resource, resource.get("default"), *_list(resource.get("item")), resource.get("full")]:
                for service in _list(image.get("service") if isinstance(image, dict) else None):
                    if not isinstance(service, dict):
                        continue
                    said = json.dumps(service.get("profile")) + str(service.get("@context"))
                    if re.search(r"iiif\.io/api/image|library\.stanford\.edu/iiif/image-api", said):
                        ids.add(service["@id"])
    return ids


def p3_image_services(doc: dict) -> set:
    ids = set()

    def bodies(body):
        if body.get("type") == "Choice":
            for item in body["items"]:
                yield from bodies(item)
        elif body.get("type") == "SpecificResource":
            yield from bodies(body["source"])
        else:
            yield body

    for canvas in doc["items"]:
        for page in canvas["items"]:
            for annotation in page["items"]:
                for body in bodies(annotation["body"]):
                    ids |= {s["id"] for s in body.get("service", []) if s["type"].startswith("ImageService")}
    return ids


def p3_ranges(ranges: list) -> int:
    """Ranges described (a reference to a range described elsewhere does not count twice)."""
    return sum(1 + p3_ranges([i for i in r["items"] if i["type"] == "Range" and "items" in i]) for r in ranges)


# -- every document of the corpus ----------------------------------------------

@pytest.mark.parametrize("name", P2)
def test_every_p2_document_upgrades_to_valid_presentation_3_or_is_refused_with_its_reason(name):
    doc = read("p2", name)
    assert presentation_version(doc) == 2
    if name in REFUSED:
        with pytest.raises(UpgradeError, match=re.escape(REFUSED[name])):
            upgrade(doc)
        return
    new = upgrade(doc)
    assert_valid_presentation(new)
    assert new["id"] == doc["@id"]
    assert new["label"] == p2_text(doc["label"])
    if new["type"] == "Manifest":
        canvases = p2_canvases(doc)
        assert [c["id"] for c in new["items"]] == [c["@id"] for c in canvases]
        labels = [p2_text(c["label"]) if "label" in c else None for c in canvases]
        assert [c.get("label") for c in new["items"]] == labels
        assert p3_image_services(new) == p2_image_services(doc)
        assert p3_ranges(new.get("structures", [])) == len(doc.get("structures", []))
    else:
        members = [m["@id"] for key in ("members", "collections", "manifests") for m in doc.get(key, [])]
        assert sorted(i["id"] for i in new.get("items", [])) == sorted(dict.fromkeys(members))


def test_the_documents_refused_are_the_listed_ones_and_every_other_p2_document_upgrades():
    refused = {}
    for name in P2:
        try:
            upgrade(read("p2", name))
        except UpgradeError as error:
            refused[name] = str(error)
    assert sorted(refused) == sorted(REFUSED)
    assert len(P2) == 117 and len(P2) - len(refused) == 114


@pytest.mark.parametrize("name", P3)
def test_every_p3_document_goes_through_unchanged(name):
    doc = read("p3", name)
    before = json.dumps(doc, sort_keys=True)
    assert presentation_version(doc) == 3
    assert upgrade(doc) is doc
    assert json.dumps(doc, sort_keys=True) == before


def test_the_cookbook_manifest_published_in_2_and_3_comes_out_as_its_3_twin():
    new = upgrade(read("p2", "cookbook__0057-publishing-v2-and-v3__manifest-v2.json"))
    twin = read("p3", "cookbook__0057-publishing-v2-and-v3__manifest-v3.json")
    assert (new["@context"], new["id"], new["type"]) == (twin["@context"], twin["id"], twin["type"])
    # The v2 label has no language, so "none" is the faithful reading; the v3 twin says "en".
    assert new["label"] == {"none": twin["label"]["en"]}
    assert len(new["items"]) == len(twin["items"])
    for canvas, twin_canvas in zip(new["items"], twin["items"], strict=True):
        assert (canvas["id"], canvas["type"], canvas["width"], canvas["height"]) == (
            twin_canvas["id"], twin_canvas["type"], twin_canvas["width"], twin_canvas["height"])
        assert canvas["label"] == {"none": ["p. 1"]}  # the v2 canvas has a label the twin leaves out
        [page], [twin_page] = canvas["items"], twin_canvas["items"]
        assert page["type"] == twin_page["type"] == "AnnotationPage"
        assert page["items"] == twin_page["items"]  # annotation ids, motivation, body, target, services
    assert set(new) == set(twin)


# -- the rules, one by one -------------------------------------------------------

BASE = "https://example.org/iiif/book1"


def manifest(**extra) -> dict:
    """A small P2 manifest: one canvas with one image behind an Image API 2 service."""
    doc = {
        "@context": "http://iiif.io/api/presentation/2/context.json",
        "@id": f"{BASE}/manifest", "@type": "sc:Manifest", "label": "Book 1",
        "sequences": [{"@type": "sc:Sequence", "canvases": [{
            "@id": f"{BASE}/canvas/p1", "@type": "sc:Canvas", "label": "p. 1", "width": 1200, "height": 1800,
            "images": [{"@type": "oa:Annotation", "motivation": "sc:painting", "on": f"{BASE}/canvas/p1",
                        "resource": {"@id": f"{BASE}/image/p1/full/full/0/default.jpg", "@type": "dctypes:Image",
                                     "format": "image/jpeg", "width": 1200, "height": 1800,
                                     "service": {"@context": "http://iiif.io/api/image/2/context.json",
                                                 "@id": f"{BASE}/image/p1",
                                                 "profile": "http://iiif.io/api/image/2/level1.json"}}}],
        }]}],
    }
    doc.update(extra)
    return doc


def test_languages_become_language_maps_and_bogus_tags_are_kept_where_the_schema_allows_them():
    new = upgrade(manifest(
        label=[{"@value": "Livre", "@language": "fr"}, {"@value": "Book", "@language": "English"},
               {"@value": "本", "@language": "jp"}, {"@value": "Buch", "@language": "de_DE"}, "Boek"],
        metadata=[{"label": "Date",
                   "value": [{"@value": "1508", "@language": "de"}, {"@value": "1508", "@language": "fr"}]},
                  {"label": [{"@value": "Author", "@language": "en"}, {"@value": "Auteur", "@language": "fr"}],
                   "value": "Anon."}],
        description=[{"@value": "A book", "@language": "en"}, {"@value": "Un livre", "@language": "fr"}],
    ))
    assert new["label"] == {"fr": ["Livre"], "English": ["Book"], "jp": ["本"], "none": ["Buch", "Boek"]}
    assert new["metadata"] == [
        {"label": {"none": ["Date"]}, "value": {"de": ["1508"], "fr": ["1508"]}},
        {"label": {"en": ["Author"], "fr": ["Auteur"]}, "value": {"none": ["Anon."]}},
    ]
    assert new["summary"] == {"en": ["A book"], "fr": ["Un livre"]}
    assert_valid_presentation(new)


def test_html_is_sanitised_in_values_and_removed_from_labels():
    new = upgrade(manifest(
        label="<b>Book</b> 1",
        description='<p>Read <a href="javascript:alert(1)" onclick="x()">this</a><script>alert(1)</script></p>',
        metadata=[{"label": "About",
                   "value": '<span><a href="https://example.org/r">More</a><img src="x" onerror="y"></span>'}],
        attribution="Held by <i>the Library</i>",
    ))
    assert new["label"] == {"none": ["Book 1"]}
    assert new["summary"] == {"none": ["<p>Read <a>this</a></p>"]}
    assert new["metadata"][0]["value"] == {
        "none": ['<span><a href="https://example.org/r">More</a><img src="x"></span>']}
    assert new["requiredStatement"] == {"label": {"none": ["Attribution"]},
                                        "value": {"none": ["<span>Held by <i>the Library</i></span>"]}}


def test_a_creative_commons_or_rightsstatements_license_becomes_rights_and_any_other_a_metadata_pair():
    cc = upgrade(manifest(license="https://creativecommons.org/licenses/by-nc/4.0/"))
    # The rights vocabulary spells its URIs with http.
    assert cc["rights"] == "http://creativecommons.org/licenses/by-nc/4.0/"
    assert "metadata" not in cc
    rs = upgrade(manifest(license=["http://rightsstatements.org/vocab/NoC-NC/1.0/", "https://library.example/terms"]))
    assert rs["rights"] == "http://rightsstatements.org/vocab/NoC-NC/1.0/"
    assert rs["metadata"] == [{"label": {"none": ["License"]}, "value": {"none": ["https://library.example/terms"]}}]
    other = upgrade(manifest(license="http://creativecommons.org/about/pdm"))
    assert "rights" not in other
    assert other["metadata"] == [{"label": {"none": ["License"]}, "value": {"none": ["http://creativecommons.org/about/pdm"]}}]
    for doc in (cc, rs, other):
        assert_valid_presentation(doc)


def test_logo_related_see_also_rendering_within_and_thumbnail_become_typed_resources():
    new = upgrade(manifest(
        attribution="Wellcome Library", logo={"@id": "https://example.org/logo.png", "service": {
            "@context": "http://iiif.io/api/image/2/context.json", "@id": "https://example.org/logo",
            "profile": "http://iiif.io/api/image/2/level0.json"}},
        related={"@id": "https://example.org/book1", "format": "text/html", "label": "Catalogue"},
        seeAlso=["https://example.org/book1.xml"],
        rendering={"@id": "https://example.org/book1.pdf", "format": "application/pdf", "label": "PDF"},
        within="https://example.org/collection/top",
        thumbnail="https://example.org/thumb.jpg",
    ))
    assert new["provider"] == [{
        "id": f"{BASE}/manifest#provider", "type": "Agent", "label": {"none": ["Wellcome Library"]},
        "logo": [{"id": "https://example.org/logo.png", "type": "Image", "format": "image/png",
                  "service": [{"id": "https://example.org/logo", "type": "ImageService2", "profile": "level0"}]}],
    }]
    assert new["homepage"] == [{"id": "https://example.org/book1", "type": "Text", "format": "text/html",
                                "label": {"none": ["Catalogue"]}}]
    assert new["seeAlso"] == [{"id": "https://example.org/book1.xml", "type": "Dataset"}]
    assert new["rendering"] == [{"id": "https://example.org/book1.pdf", "type": "Text", "format": "application/pdf",
                                 "label": {"none": ["PDF"]}}]
    assert new["partOf"] == [{"id": "https://example.org/collection/top", "type": "Collection"}]
    assert new["thumbnail"] == [{"id": "https://example.org/thumb.jpg", "type": "Image", "format": "image/jpeg"}]
    assert_valid_presentation(new)


def test_viewing_hints_become_behaviors_and_the_sequence_gives_direction_and_start():
    doc = manifest(viewingHint="paged", navDate="1856-01-01T00:00:00Z")
    doc["sequences"][0].update(viewingDirection="right-to-left", viewingHint=["continuous", "top"],
                               startCanvas=f"{BASE}/canvas/p1")
    new = upgrade(doc)
    assert new["behavior"] == ["paged"]  # the manifest's own hint; "top" has no Presentation 3 form
    assert new["viewingDirection"] == "right-to-left"
    assert new["navDate"] == "1856-01-01T00:00:00Z"
    assert new["start"] == {"id": f"{BASE}/canvas/p1", "type": "Canvas"}
    assert_valid_presentation(new)


def test_a_canvas_becomes_an_annotation_page_of_painting_annotations_keeping_the_image_service():
    new = upgrade(manifest())
    [canvas] = new["items"]
    assert (canvas["id"], canvas["type"], canvas["width"], canvas["height"], canvas["label"]) == (
        f"{BASE}/canvas/p1", "Canvas", 1200, 1800, {"none": ["p. 1"]})
    [page] = canvas["items"]
    [annotation] = page["items"]
    assert page["type"] == "AnnotationPage" and page["id"].startswith(f"{BASE}/canvas/p1")
    assert annotation["type"] == "Annotation" and annotation["motivation"] == "painting"
    assert annotation["target"] == f"{BASE}/canvas/p1"
    assert annotation["body"] == {
        "id": f"{BASE}/image/p1/full/full/0/default.jpg", "type": "Image", "format": "image/jpeg",
        "width": 1200, "height": 1800,
        "service": [{"id": f"{BASE}/image/p1", "type": "ImageService2", "profile": "level1"}],
    }


def test_other_content_becomes_annotations_by_reference_and_structures_become_nested_ranges():
    doc = manifest(structures=[
        {"@id": f"{BASE}/range/r0", "@type": "sc:Range", "label": "Contents", "viewingHint": "top",
         "ranges": [f"{BASE}/range/r1"]},
        {"@id": f"{BASE}/range/r1", "@type": "sc:Range", "label": "Chapter 1",
         "canvases": [f"{BASE}/canvas/p1", f"{BASE}/canvas/p1#xywh=0,0,10,10"]},
    ])
    doc["sequences"][0]["canvases"][0]["otherContent"] = [
        {"@id": f"{BASE}/list/p1", "@type": "sc:AnnotationList", "label": "Transcription"}]
    new = upgrade(doc)
    assert new["items"][0]["annotations"] == [{"id": f"{BASE}/list/p1", "type": "AnnotationPage",
                                               "label": {"none": ["Transcription"]}}]
    assert new["structures"] == [{
        "id": f"{BASE}/range/r0", "type": "Range", "label": {"none": ["Contents"]},
        "items": [{"id": f"{BASE}/range/r1", "type": "Range", "label": {"none": ["Chapter 1"]}, "items": [
            {"id": f"{BASE}/canvas/p1", "type": "Canvas"},
            {"id": f"{BASE}/canvas/p1#xywh=0,0,10,10", "type": "Canvas"}]}],
    }]
    assert_valid_presentation(new)


def test_the_first_sequence_is_the_items_and_another_order_of_its_canvases_a_sequence_range():
    doc = manifest()
    first = doc["sequences"][0]["canvases"]
    first.append(dict(first[0], **{"@id": f"{BASE}/canvas/p2"}))
    other = dict(first[0], **{"@id": f"{BASE}/canvas/x"})
    doc["sequences"] += [
        {"@id": f"{BASE}/sequence/reading", "@type": "sc:Sequence", "label": "Reading order",
         "canvases": [f"{BASE}/canvas/p2", f"{BASE}/canvas/p1"]},
        {"@id": f"{BASE}/sequence/other", "@type": "sc:Sequence", "canvases": [other]},  # not this manifest's: dropped
    ]
    new = upgrade(doc)
    assert [c["id"] for c in new["items"]] == [f"{BASE}/canvas/p1", f"{BASE}/canvas/p2"]
    assert new["structures"] == [{
        "id": f"{BASE}/sequence/reading", "type": "Range", "behavior": ["sequence"],
        "label": {"none": ["Reading order"]},
        "items": [{"id": f"{BASE}/canvas/p2", "type": "Canvas"}, {"id": f"{BASE}/canvas/p1", "type": "Canvas"}],
    }]
    assert_valid_presentation(new)


def test_a_css_rotation_keeps_its_stylesheet_and_class():
    new = upgrade(read("p2", "iiifapi__39__manifest.json"))
    annotation = new["items"][0]["items"][0]["items"][0]
    assert annotation["stylesheet"] == {"type": "CssStylesheet", "value": ".rotated {transform: rotate(180deg)}"}
    assert annotation["body"]["styleClass"] == "rotated"
    assert annotation["body"]["source"]["id"] == "http://iiif.io/api/presentation/2.1/example/fixtures/resources/page1-full.png"


def test_a_canvas_without_a_size_takes_its_image_size_and_an_empty_canvas_has_no_annotations():
    doc = manifest()
    canvas = doc["sequences"][0]["canvases"][0]
    canvas["width"] = 0
    del canvas["height"]
    doc["sequences"][0]["canvases"].append({"@id": f"{BASE}/canvas/p2", "@type": "sc:Canvas", "label": "p. 2",
                                            "width": 100, "height": 200, "images": []})
    new = upgrade(doc)
    assert (new["items"][0]["width"], new["items"][0]["height"]) == (1200, 1800)
    assert new["items"][1]["items"] == []
    assert_valid_presentation(new)


def test_auth_services_stay_service_references_and_string_references_are_typed_by_their_description():
    doc = manifest(service=[{"@context": "http://iiif.io/api/auth/1/context.json", "@id": "https://example.org/login",
                             "profile": "http://iiif.io/api/auth/1/login", "label": "Log in",
                             "service": [{"@id": "https://example.org/token", "profile": "http://iiif.io/api/auth/1/token"}]}])
    resource = doc["sequences"][0]["canvases"][0]["images"][0]["resource"]
    resource["service"] = [resource["service"], "https://example.org/login"]
    new = upgrade(doc)
    assert new["service"] == [{"id": "https://example.org/login", "type": "AuthCookieService1",
                               "profile": "http://iiif.io/api/auth/1/login", "label": {"none": ["Log in"]},
                               "service": [{"id": "https://example.org/token", "type": "AuthTokenService1",
                                            "profile": "http://iiif.io/api/auth/1/token"}]}]
    body = new["items"][0]["items"][0]["items"][0]["body"]
    assert body["service"][1] == {"id": "https://example.org/login", "type": "AuthCookieService1"}
    assert_valid_presentation(new)


def test_a_collection_lists_its_members_as_typed_references_with_their_labels():
    new = upgrade({
        "@context": "http://iiif.io/api/presentation/2/context.json", "@id": f"{BASE}/top", "@type": "sc:Collection",
        "label": "Top", "collections": [{"@id": f"{BASE}/sub", "@type": "sc:Collection", "label": "Sub"}],
        "manifests": [{"@id": f"{BASE}/manifest", "@type": "sc:Manifest", "label": "Book 1"}],
    })
    assert new["items"] == [{"id": f"{BASE}/sub", "type": "Collection", "label": {"none": ["Sub"]}},
                            {"id": f"{BASE}/manifest", "type": "Manifest", "label": {"none": ["Book 1"]}}]
    assert_valid_presentation(new)


def test_a_document_without_context_is_placed_by_its_type():
    doc = manifest()
    del doc["@context"]
    assert presentation_version(doc) == 2
    assert upgrade(doc)["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert presentation_version({"id": f"{BASE}/m", "type": "Manifest", "items": []}) == 3


@pytest.mark.parametrize("document", [
    {},
    {"@context": "http://iiif.io/api/image/2/context.json", "@id": f"{BASE}/image/p1", "protocol": "http://iiif.io/api/image"},
    {"@context": "http://iiif.io/api/presentation/4/context.json", "id": f"{BASE}/m", "type": "Manifest"},
    ["sc:Manifest"],
])
def test_what_is_not_presentation_2_or_3_has_no_version_and_is_refused(document):
    assert presentation_version(document) is None
    with pytest.raises(UpgradeError, match="not a IIIF Presentation 2 or 3 document"):
        upgrade(document)


def test_a_broken_part_is_refused_naming_its_json_path():
    doc = manifest()
    canvases = doc["sequences"][0]["canvases"]
    canvases.extend(json.loads(json.dumps(canvases[0])) for _ in range(3))
    del canvases[3]["images"][0]["resource"]
    with pytest.raises(UpgradeError) as error:
        upgrade(doc)
    assert str(error.value) == "sequences[0].canvases[3].images[0]: no resource"
    assert error.value.path == "sequences[0].canvases[3].images[0]"
    assert isinstance(error.value, ValueError)
