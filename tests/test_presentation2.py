"""IIIF Presentation 2.1 for older clients: negotiated on the 3.0 URLs, explicit under /iiif/2/, shaped as real P2 manifests are."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest


P2 = 'application/ld+json;profile="http://iiif.io/api/presentation/2/context.json"'
P3 = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
CONTEXT = "http://iiif.io/api/presentation/2/context.json"
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "iiif-manifests" / "p2"
NEGOTIATED = ["/iiif/collection", "/iiif/collection/brooklyn", "/iiif/object/album/manifest",
              "/iiif/exhibition/origins/manifest", "/iiif/exhibition/origins/collection"]

# -- the shape real Presentation 2 documents have -------------------------------------------

V3_ONLY = {"id", "type", "items", "summary", "requiredStatement", "rights", "behavior", "homepage",
           "provider", "partOf", "body", "target", "placeholderCanvas", "start"}


def _real() -> list[dict]:
    docs = []
    for path in sorted(REAL.glob("*.json")):
        doc = json.loads(path.read_text())
        if doc.get("@context") == CONTEXT or CONTEXT in (doc.get("@context") or []):
            docs.append(doc)
    return docs


def _keys(docs: list[dict]) -> dict[str, set[str]]:
    """The keys real P2 documents use at each place: manifest, canvas, annotation, resource, service, range, collection."""
    found: dict[str, set[str]] = {}

    def add(place: str, obj) -> None:
        if isinstance(obj, dict):
            found.setdefault(place, set()).update(obj)

    for doc in docs:
        add(doc["@type"], doc)
        for ref in doc.get("manifests", []) + doc.get("collections", []) + doc.get("members", []):
            add("member", ref)
        for rng in doc.get("structures", []):
            add("sc:Range", rng)
        for canvas in (c for s in doc.get("sequences", []) if isinstance(s, dict) for c in s.get("canvases", [])):
            add("sc:Canvas", canvas)
            for annotation in canvas.get("images", []) if isinstance(canvas, dict) else []:
                add("oa:Annotation", annotation)
                add("resource", annotation.get("resource"))
                resource = annotation.get("resource")
                for service in _many(resource.get("service") if isinstance(resource, dict) else None):
                    add("service", service)
    return found


def _many(value) -> list[dict]:
    """A property real P2 documents give as one object or a list of them, as a list of the objects."""
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]


REAL_DOCS = _real()
REAL_KEYS = _keys(REAL_DOCS)
# The 2.1 specification (5.1-5.3) allows these on any resource; the corpus's collections and canvases
# just happen not to use them.
REAL_KEYS["sc:Collection"] |= {"thumbnail", "logo", "within", "related", "description"}
REAL_KEYS["sc:Canvas"] |= {"rendering", "within", "related", "attribution", "license", "description"}


def _is_value(value) -> bool:
    """A P2 text: a string, a ``@value``/``@language`` pair, or a list of them."""
    items = value if isinstance(value, list) else [value]
    return all(isinstance(i, str) or (isinstance(i, dict) and isinstance(i.get("@value"), str)) for i in items)


def _is_link(value) -> bool:
    items = value if isinstance(value, list) else [value]
    return all(isinstance(i, str) or (isinstance(i, dict) and isinstance(i.get("@id"), str)) for i in items)


def p2_problems(doc: dict, keys: dict[str, set[str]] = REAL_KEYS) -> list[str]:
    """What in ``doc`` is not shaped as real Presentation 2 manifests and collections are (empty: none)."""
    problems: list[str] = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            problems.append(what)

    def common(obj: dict, place: str, where: str) -> None:
        check(isinstance(obj.get("@id"), str) and obj["@id"].startswith("http"), f"{where}: @id")
        known = keys.get(place, set())
        check(set(obj) <= known, f"{where}: keys real P2 {place}s never have: {sorted(set(obj) - known)}")
        check(not set(obj) & V3_ONLY, f"{where}: 3.0 keys {sorted(set(obj) & V3_ONLY)}")
        for key in ("label", "description", "attribution"):
            check(key not in obj or _is_value(obj[key]), f"{where}: {key} is not a P2 value")
        for entry in obj.get("metadata", []):
            check(_is_value(entry.get("label")) and _is_value(entry.get("value")), f"{where}: metadata {entry}")
        for key in ("license", "logo", "thumbnail", "related", "seeAlso", "rendering", "within"):
            check(key not in obj or _is_link(obj[key]), f"{where}: {key} is not a link")
        check("navDate" not in obj or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", obj["navDate"]), f"{where}: navDate")

    context = doc.get("@context")
    check(context == CONTEXT or isinstance(context, list) and context[0] == CONTEXT, "@context")
    common(doc, doc.get("@type", "?"), doc.get("@type", "?"))
    if doc.get("@type") == "sc:Collection":
        for key, kind in (("manifests", "sc:Manifest"), ("collections", "sc:Collection")):
            for ref in doc.get(key, []):
                common(ref, "member", key)
                check(ref.get("@type") == kind and "label" in ref, f"{key}: {ref.get('@id')} type or label")
        return problems
    check(doc.get("@type") == "sc:Manifest", "@type sc:Manifest")
    sequences = doc.get("sequences")
    first = sequences[0] if isinstance(sequences, list) and sequences and isinstance(sequences[0], dict) else {}
    check(first.get("@type") == "sc:Sequence" and bool(first.get("canvases")), "sequences[0].canvases")
    canvas_ids = set()
    for n, canvas in enumerate(first.get("canvases", [])):
        where = f"canvas {n}"
        common(canvas, "sc:Canvas", where)
        canvas_ids.add(canvas.get("@id"))
        check(canvas.get("@type") == "sc:Canvas" and "label" in canvas, f"{where}: @type, label")
        check(all(isinstance(canvas.get(d), int) and canvas[d] > 0 for d in ("width", "height")), f"{where}: width/height")
        for annotation in canvas.get("images", []):
            check(set(annotation) <= keys["oa:Annotation"], f"{where}: annotation keys {sorted(annotation)}")
            check(annotation.get("@type") == "oa:Annotation" and annotation.get("motivation") == "sc:painting"
                  and annotation.get("on") == canvas["@id"], f"{where}: painting annotation")
            resource = annotation.get("resource", {})
            check(set(resource) <= keys["resource"], f"{where}: resource keys {sorted(resource)}")
            check(resource.get("@type") in ("dctypes:Image", "dcTypes:Image") and isinstance(resource.get("@id"), str), f"{where}: resource")
            for service in _many(resource.get("service")):
                check(set(service) <= keys["service"], f"{where}: service keys {sorted(service)}")
                check(service.get("@context") == "http://iiif.io/api/image/2/context.json"
                      and isinstance(service.get("@id"), str) and "profile" in service, f"{where}: image service 2")
    for rng in doc.get("structures", []):
        common(rng, "sc:Range", "range")
        check(rng.get("@type") == "sc:Range" and "label" in rng, "range: @type, label")
        check(all(c in canvas_ids for c in rng.get("canvases", [])), f"range {rng.get('@id')}: canvases of this manifest")
    return problems


def test_the_check_accepts_the_real_p2_manifests_and_refuses_a_3_0_one(collection, client):
    manifests = [d for d in REAL_DOCS if d.get("@type") == "sc:Manifest"]
    accepted = [d["@id"] for d in manifests if not p2_problems(d)]
    assert len(REAL_DOCS) > 60 and len(accepted) >= 0.8 * len(manifests), [
        (d["@id"], p2_problems(d)[:2]) for d in manifests if p2_problems(d)]
    v3 = client.get("/iiif/object/album/manifest").get_json(force=True)
    assert p2_problems(v3)


# -- negotiation and the explicit URLs ---------------------------------------------------------

@pytest.mark.parametrize("url", NEGOTIATED)
def test_the_p2_profile_gets_presentation_2_on_the_same_url_with_its_own_etag(collection, client, url):
    v2 = client.get(url, headers={"Accept": P2})
    v3 = client.get(url)
    assert v2.status_code == v3.status_code == 200
    assert v2.headers["Content-Type"] == P2 and v3.headers["Content-Type"] == P3
    assert "Accept" in v2.headers["Vary"] and "Accept" in v3.headers["Vary"]
    assert v2.headers["ETag"] != v3.headers["ETag"]
    assert v2.get_json(force=True)["@context"] == CONTEXT and v3.get_json(force=True)["@context"].endswith("3/context.json")
    again = client.get(url, headers={"Accept": P2, "If-None-Match": v2.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(url, headers={"If-None-Match": v2.headers["ETag"]}).status_code == 200  # not the 3.0 form's tag


@pytest.mark.parametrize("accept", ["", "*/*", "application/ld+json", P3, "text/html",
                                    f"{P2};q=0.5, {P3}"])
def test_anything_but_a_preference_for_the_p2_profile_stays_presentation_3(collection, client, accept):
    response = client.get("/iiif/object/album/manifest", headers={"Accept": accept} if accept else {})
    assert response.headers["Content-Type"] == P3
    assert response.get_json(force=True)["type"] == "Manifest"


def test_a_gzipped_p2_manifest_revalidates_with_its_own_tag(collection, client):
    first = client.get("/iiif/object/album/manifest", headers={"Accept": P2, "Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip" and first.headers["ETag"].endswith('-p2-gzip"')
    again = client.get("/iiif/object/album/manifest",
                       headers={"Accept": P2, "Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def _walk(client, url: str, seen: dict, **headers) -> None:
    """Follow a 2.1 collection to every manifest by @id, as a P2 harvester does."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.data[:200])
    doc = seen[url] = response.get_json(force=True)
    for ref in doc.get("collections", []) + doc.get("manifests", []):
        path = ref["@id"].replace("http://localhost", "")
        if path not in seen:
            _walk(client, path, seen, **headers)


def test_the_explicit_p2_urls_lead_a_client_that_cannot_negotiate_through_p2_documents_only(collection, client):
    seen: dict = {}
    _walk(client, "/iiif/2/collection", seen)
    assert "/iiif/2/object/album/manifest" in seen and "/iiif/2/exhibition/origins/manifest" in seen
    for url, doc in seen.items():
        assert doc["@id"] == "http://localhost" + url
        assert not p2_problems(doc), (url, p2_problems(doc))
        ids = re.findall(r'"(http://localhost/iiif/(?:object|collection|exhibition)[^"]*)"', json.dumps(doc))
        assert not ids, f"{url} names 3.0 documents: {ids[:3]}"
    explicit = client.get("/iiif/2/object/album/manifest")
    negotiated = client.get("/iiif/object/album/manifest", headers={"Accept": P2})
    assert explicit.headers["Content-Type"] == P2 and explicit.data == negotiated.data
    assert client.get("/iiif/2/object/album/manifest", headers={"Accept": "application/json"}).headers[
        "Content-Type"] == "application/json"


@pytest.mark.parametrize("url", ["/iiif/2/object/nothing/manifest", "/iiif/2/collection/nowhere",
                                 "/iiif/2/exhibition/secret-draft/manifest"])
def test_unknown_p2_documents_answer_404(collection, client, url):
    assert client.get(url).status_code == 404


# -- what the 2.1 documents say ------------------------------------------------------------------

def p2(client, url: str) -> dict:
    return client.get(url, headers={"Accept": P2}).get_json(force=True)


def test_a_p2_manifest_says_what_the_3_0_one_says(collection, client):
    v3 = client.get("/iiif/object/album/manifest").get_json(force=True)
    v2 = p2(client, "/iiif/object/album/manifest")
    canvases = v2["sequences"][0]["canvases"]
    assert [c["@id"].replace("/iiif/2/", "/iiif/") for c in canvases] == [c["id"] for c in v3["items"]]
    assert v2["label"][0] == {"@value": v3["label"]["en"][0], "@language": "en"}  # default language first
    assert v2["license"] == v3["rights"]
    assert v2["within"] == "http://localhost/iiif/2/collection/brooklyn"
    assert v2["seeAlso"][0]["profile"] == v3["seeAlso"][0]["profile"]
    resource = canvases[0]["images"][0]["resource"]
    assert resource["@id"].startswith("http://localhost/iiif/image2/")
    assert resource["service"]["@id"] == "http://localhost/iiif/image2/" + resource["@id"].split("/")[5]
    assert client.get(resource["@id"].replace("http://localhost", "")).status_code == 200
    assert client.get(resource["service"]["@id"].replace("http://localhost", "") + "/info.json").status_code == 200


def test_a_p2_book_is_paged_with_its_table_of_contents_as_ranges(collection, client):
    book = next(d for d in (p2(client, f"/iiif/object/{o}/manifest") for o in ("album", "coins", "horse"))
                if d.get("viewingHint") == "paged")
    v3 = client.get(book["@id"].replace("http://localhost/iiif/2", "/iiif")).get_json(force=True)
    assert book["sequences"][0]["viewingHint"] == "paged"
    assert [r["canvases"] for r in book["structures"]] == [
        [i["id"].replace("/iiif/", "/iiif/2/") for i in r["items"]] for r in v3["structures"]]
    assert all(r["@type"] == "sc:Range" for r in book["structures"])


def test_a_work_in_copyright_is_capped_in_p2_exactly_as_in_3_0(app, collection, client):
    for object_id in ("album", "coins", "horse", "rocket"):
        v3 = client.get(f"/iiif/object/{object_id}/manifest").get_json(force=True)
        v2 = p2(client, f"/iiif/object/{object_id}/manifest")
        for c3, c2 in zip(v3["items"], v2["sequences"][0]["canvases"]):
            body = c3["items"][0]["items"][0]["body"]
            if body["type"] != "Image":
                continue
            resource = c2["images"][0]["resource"]
            assert (c2["width"], c2["height"]) == (c3["width"], c3["height"])
            assert (resource["width"], resource["height"]) == (body["width"], body["height"])
    capped = [o for o in ("album", "coins", "horse", "rocket")
              if "InC" in client.get(f"/iiif/object/{o}/manifest").get_json(force=True).get("rights", "")]
    assert capped, "the test collection has a work in copyright"
    for object_id in capped:
        resource = p2(client, f"/iiif/object/{object_id}/manifest")["sequences"][0]["canvases"][0]["images"][0]["resource"]
        assert max(resource["width"], resource["height"]) <= app.config["COPYRIGHT_MAX_WIDTH"]


def test_a_p2_exhibition_mirrors_the_3_0_stops_details_and_sections(collection, client):
    v3 = client.get("/iiif/exhibition/origins/manifest").get_json(force=True)
    v2 = p2(client, "/iiif/exhibition/origins/manifest")
    canvases = v2["sequences"][0]["canvases"]
    assert len(canvases) == len(v3["items"])
    for c3, c2 in zip(v3["items"], canvases):
        body = c3["items"][0]["items"][0]["body"]
        assert c2["within"] == c3["partOf"][0]["id"].replace("/iiif/", "/iiif/2/")
        assert "summary" not in c3 or c2["description"][0]["@value"] == c3["summary"]["en"][0]  # the caption
        if body["type"] == "Image":
            resource = c2["images"][0]["resource"]
            assert resource["@id"] == body["id"].replace("/iiif/image/", "/iiif/image2/")  # a detail: the same crop
            assert (c2["width"], c2["height"]) == (c3["width"], c3["height"])
    detail = next(c for c in canvases if "/detail/" in c["images"][0]["resource"]["@id"])
    assert detail["images"][0]["resource"]["service"]["@id"] == "http://localhost/iiif/image2/coins-1/detail/0,0,150,120"
    assert [r["label"] for r in v2["structures"]] == [
        [{"@value": t, "@language": lang} for lang, ts in r["label"].items() for t in ts] for r in v3["structures"]]


def test_a_3d_canvas_without_an_image_of_the_object_paints_nothing_in_p2_and_offers_the_model(collection, client):
    manifest = p2(client, "/iiif/object/lamp-post/manifest")
    canvas = manifest["sequences"][0]["canvases"][0]
    assert "images" not in canvas  # P2 has no Model, and there is no image of it to show
    assert canvas["rendering"][0]["format"] == "model/gltf-binary"
    assert canvas["rendering"][0]["@id"].startswith("http://localhost/media/")
    assert (canvas["width"], canvas["height"]) == (1000, 1000)
    assert not p2_problems(manifest)


# -- every document the demo yields ---------------------------------------------------------------

def test_every_p2_document_the_demo_yields_has_the_shape_of_real_p2_manifests(demo_app):
    client = demo_app.test_client()
    seen: dict = {}
    _walk(client, "/iiif/collection", seen, Accept=P2)
    manifests = {u: d for u, d in seen.items() if d["@type"] == "sc:Manifest"}
    assert len(manifests) >= 30
    for url, doc in seen.items():
        assert not p2_problems(doc), (url, p2_problems(doc)[:5])
    for url, doc in manifests.items():
        if "/object/" not in url:
            continue  # an exhibition's 3D stop has no placeholder in 3.0 either (see the report)
        for canvas in doc["sequences"][0]["canvases"]:
            assert canvas.get("images"), f"{url}: {canvas['@id']} paints nothing"  # every demo 3D object has an image
    model = next(d for d in manifests.values()
                 if any(r.get("format", "").startswith("model/") for c in d["sequences"][0]["canvases"]
                        for r in c.get("rendering", [])))
    canvas = next(c for c in model["sequences"][0]["canvases"] if any(
        r.get("format", "").startswith("model/") for r in c.get("rendering", [])))
    assert canvas["images"][0]["resource"]["service"]["@id"].startswith("http://localhost/iiif/image2/")
