"""IIIF Presentation 3 documents: valid, complete, and served as the specification asks."""
from __future__ import annotations

import re

import pytest

from catalogue.access import TieredPolicy
from support import assert_valid_presentation

MEDIA_TYPE = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'


def fetch(client, url: str, **headers) -> dict:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == MEDIA_TYPE
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["ETag"]
    return response.get_json(force=True)


def walk(client, url: str, seen: dict) -> None:
    """Follow a collection down to every manifest, as a harvester does."""
    doc = fetch(client, url)
    seen[url] = doc
    for item in doc.get("items", []) if doc["type"] == "Collection" else []:
        path = item["id"].replace("http://localhost", "")
        if path not in seen:
            walk(client, path, seen)


def test_every_published_manifest_is_reachable_from_the_top_collection_and_valid(collection, client):
    seen: dict = {}
    walk(client, "/iiif/collection", seen)
    manifests = [u for u, d in seen.items() if d["type"] == "Manifest"]
    assert sorted(manifests) == sorted([
        "/iiif/object/album/manifest", "/iiif/object/coins/manifest", "/iiif/object/horse/manifest",
        "/iiif/object/lamp-post/manifest", "/iiif/object/rocket/manifest", "/iiif/exhibition/origins/manifest",
    ])
    for url, doc in seen.items():
        assert doc["id"] == "http://localhost" + url  # ids dereference
        assert_valid_presentation(doc)
    assert not [url for url in seen if "secret-draft" in url]


def test_object_manifest_describes_the_work(collection, client):
    m = fetch(client, "/iiif/object/coins/manifest")
    assert m["label"]["nl"] == ["Griekse munten uit Pompeii"]
    assert m["rights"] == "http://creativecommons.org/publicdomain/mark/1.0/"
    assert m["requiredStatement"]["value"] == {"en": ["Brooklyn Museum"]}
    provider = m["provider"][0]
    assert provider["label"]["fr"] == ["Musée de Brooklyn"]
    assert provider["homepage"][0]["id"] == "https://www.brooklynmuseum.org/"
    assert provider["logo"][0]["format"] == "image/png"
    assert m["homepage"][0]["id"] == "http://localhost/object/coins"
    assert m["seeAlso"][0]["id"] == "http://localhost/api/objects/coins"
    subjects = next(e for e in m["metadata"] if e["label"]["en"] == ["Subject"])
    assert subjects["value"]["de"] == ["Geld", "Bibliothek, Bibliothekswissenschaft"]  # the thesaurus in German
    canvas = m["items"][0]
    assert (canvas["width"], canvas["height"]) == (384, 303)
    body = canvas["items"][0]["items"][0]["body"]
    assert body["service"][0] == {"id": "http://localhost/iiif/image/coins-1", "type": "ImageService3", "profile": "level2"}
    assert (body["width"], body["height"]) == (384, 303)
    assert canvas["items"][0]["items"][0]["target"] == canvas["id"]


def test_html_is_sanitised_in_summaries_and_removed_from_labels(collection, client):
    coins = fetch(client, "/iiif/object/coins/manifest")
    assert coins["summary"]["en"] == ["<p>Coins photographed by the <b>Brooklyn Museum</b>.</p>"]
    horse = fetch(client, "/iiif/object/horse/manifest")
    assert horse["label"]["en"] == ["Horse silhouette"]


def test_nav_date_comes_from_the_earliest_year(collection, client):
    assert fetch(client, "/iiif/object/rocket/manifest")["navDate"] == "2016-01-01T00:00:00Z"
    assert "navDate" not in fetch(client, "/iiif/object/coins/manifest")  # BCE has no xsd:dateTime here


def test_book_is_paged_with_a_canvas_per_page_and_a_table_of_contents(collection, client):
    m = fetch(client, "/iiif/object/album/manifest")
    assert m["behavior"] == ["paged"]
    assert [c["label"] for c in m["items"]] == [{"en": ["Cover"]}, {"none": ["p. 2"]}, {"none": ["p. 3"]}]
    assert [(c["width"], c["height"]) for c in m["items"]] == [(512, 512), (384, 303), (400, 328)]
    assert [r["label"]["en"][0] for r in m["structures"]] == ["Cover", "Plates"]
    assert [i["id"].rsplit("/", 1)[-1] for i in m["structures"][1]["items"]] == ["2", "3"]


def test_3d_object_paints_a_model(collection, client):
    m = fetch(client, "/iiif/object/lamp-post/manifest")
    body = m["items"][0]["items"][0]["items"][0]["body"]
    assert body == {"id": "http://localhost/media/lamp-post-1", "type": "Model", "format": "model/gltf-binary"}
    assert client.get("/media/lamp-post-1").data[:4] == b"glTF"


def test_work_in_copyright_is_painted_at_reduced_size(app, collection, client):
    app.extensions["vitrine"].documents.policy = TieredPolicy(200)
    m = fetch(client, "/iiif/object/horse/manifest")
    body = m["items"][0]["items"][0]["items"][0]["body"]
    assert (body["width"], body["height"]) == (200, 164)
    assert m["thumbnail"][0]["width"] <= 200
    assert client.get("/media/horse-1").status_code == 403


def test_exhibition_manifest_walks_the_route_with_captions_and_a_detail(collection, client):
    m = fetch(client, "/iiif/exhibition/origins/manifest")
    assert m["label"]["nl"] == ["Oorsprong"]
    assert [c["summary"]["fr"][0] for c in m["items"][:2]] == ["Deux monnaies", "Un détail"]
    detail = m["items"][1]
    assert (detail["width"], detail["height"]) == (150, 120)
    body = detail["items"][0]["items"][0]["body"]
    assert body["type"] == "Image"  # the region as an image of its own, with its own service: what every viewer tiles
    detail_service = "http://localhost/iiif/image/coins-1/detail/0,0,150,120"
    assert body["id"] == f"{detail_service}/full/max/0/default.jpg"
    assert [s.get("id") or s["@id"] for s in body["service"]] == [
        detail_service, detail_service.replace("/iiif/image/", "/iiif/image2/")]
    assert client.get(f"{detail_service}/info.json").get_json(force=True)["id"] == detail_service
    assert detail["partOf"][0]["id"].endswith("/iiif/object/coins/manifest")
    assert [r["label"]["en"] for r in m["structures"]] == [["Metal"], ["Flight"]]
    assert [len(r["items"]) for r in m["structures"]] == [2, 2]
    assert m["structures"][0]["summary"]["en"] == ["Coins first."]
    assert m["items"][3]["items"][0]["items"][0]["body"]["type"] == "Model"


def captions(canvas: dict) -> list[dict]:
    """The commenting annotations on a canvas (its ``annotations`` pages)."""
    return [a for page in canvas.get("annotations", []) for a in page["items"] if a["motivation"] == "commenting"]


def test_each_caption_is_a_commenting_annotation_per_language_on_its_canvas(collection, client):
    """Mirador lists a canvas's commenting annotations in its annotation panel: one per language, each
    in its own language (one annotation of four bodies would be shown as one run of four languages)."""
    m = fetch(client, "/iiif/exhibition/origins/manifest")
    first = m["items"][0]
    assert [page["type"] for page in first["annotations"]] == ["AnnotationPage"]
    assert captions(first) == [
        {"id": f"{first['id']}/caption/{lang}", "type": "Annotation", "motivation": "commenting",
         "body": {"type": "TextualBody", "language": lang, "format": "text/plain", "value": text},
         "target": first["id"]}
        for lang, text in (("en", "Two coins"), ("nl", "Twee munten"), ("fr", "Deux monnaies"))
    ]  # the catalogue's default language first, as in every language map
    assert [a["body"]["value"] for a in captions(m["items"][1])] == ["A detail", "Een detail", "Un détail"]
    assert captions(m["items"][1])[0]["target"] == m["items"][1]["id"]  # the detail's own canvas, whole
    assert [a["body"]["value"] for a in captions(m["items"][2])] == ["Lift-off"]
    assert "annotations" not in m["items"][3]  # a stop without a caption has no empty page
    ids = [x["id"] for c in m["items"] for page in c.get("annotations", []) for x in (page, *page["items"])]
    ids += [x["id"] for c in m["items"] for page in c["items"] for x in (page, *page["items"])]
    ids += [c["id"] for c in m["items"]] + [r["id"] for r in m["structures"]]
    assert len(ids) == len(set(ids))  # every id in the manifest is its own
    assert all(i.startswith(m["id"] + "/") for i in ids)
    assert_valid_presentation(m)


def test_a_caption_with_markup_is_a_sanitised_html_annotation(app, client):
    from support import COLLECTION, import_file

    from catalogue.model import Exhibition

    import_file(app, COLLECTION)
    services = app.extensions["vitrine"]
    route = Exhibition.from_dict({
        "slug": "hostile", "title": {"en": ["Hostile"]}, "status": "published",
        "sections": [{"title": {"en": ["All"]}, "items": [
            {"object": "coins", "caption": {"en": XSS, "none": ["Plain & simple"]}}]}],
    })
    services.exhibitions.save(route)  # cleaned on save: a payload with nothing left is no caption
    kept = services.store.get_exhibition("hostile").items[0].caption
    m = fetch(client, "/iiif/exhibition/hostile/manifest")
    bodies = [a["body"] for a in captions(m["items"][0])]
    assert len(bodies) == sum(len(texts) for texts in kept.values()) >= len(XSS)
    for body in bodies:
        for danger in DANGER:
            assert danger not in body["value"].lower(), body
        if "<" in body["value"] or "&" in body["value"]:  # HTML as IIIF marks it: a whole element
            assert body["format"] == "text/html"
            assert body["value"].startswith("<") and body["value"].endswith(">"), body
        else:
            assert body["format"] == "text/plain", body
    assert bodies[0] == {"type": "TextualBody", "language": "en", "format": "text/html",
                         "value": '<span>Hello <img src="x"></span>'}
    assert bodies[-1] == {"type": "TextualBody", "format": "text/html", "value": "<span>Plain &amp; simple</span>"}
    assert_valid_presentation(m)


def test_the_presentation_2_manifest_keeps_each_caption_as_its_canvas_description(collection, client):
    m = client.get("/iiif/2/exhibition/origins/manifest").get_json(force=True)
    canvases = m["sequences"][0]["canvases"]
    assert canvases[0]["description"] == [{"@value": "Two coins", "@language": "en"},
                                          {"@value": "Twee munten", "@language": "nl"},
                                          {"@value": "Deux monnaies", "@language": "fr"}]
    assert all("annotations" not in c for c in canvases)  # nothing of 3.0 leaks into 2.1


def test_exhibition_collection_lists_its_manifest_then_each_work_once_in_route_order(collection, client):
    c = fetch(client, "/iiif/exhibition/origins/collection")
    assert c["items"][0] == {"id": "http://localhost/iiif/exhibition/origins/manifest", "type": "Manifest",
                             "label": c["label"]}
    assert [i["id"].rsplit("/", 2)[-2] for i in c["items"][1:]] == ["coins", "rocket", "lamp-post"]


def test_drafts_are_invisible(collection, client):
    for url in ("/iiif/exhibition/secret-draft/manifest", "/iiif/exhibition/secret-draft/collection"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    top = fetch(client, "/iiif/collection")
    assert all("secret-draft" not in item["id"] for item in top["items"])
    assert client.get("/exhibition/secret-draft").status_code == 404


def test_top_collection_lists_institutions_then_exhibitions(collection, client):
    top = fetch(client, "/iiif/collection")
    assert [i["id"] for i in top["items"]] == [
        "http://localhost/iiif/collection/brooklyn",
        "http://localhost/iiif/collection/spacex",
        "http://localhost/iiif/exhibition/origins/collection",
    ]


def test_large_institution_collection_is_split_into_pages(app, collection, client):
    app.extensions["vitrine"].documents.page_size = 2
    whole = fetch(client, "/iiif/collection/brooklyn")
    assert [i["type"] for i in whole["items"]] == ["Collection", "Collection"]
    assert whole["items"][0]["label"]["en"] == ["Brooklyn Museum: 1–2"]
    pages = [fetch(client, i["id"].replace("http://localhost", "")) for i in whole["items"]]
    listed = [m["id"].rsplit("/", 2)[-2] for p in pages for m in p["items"]]
    assert listed == ["album", "coins", "horse"]
    for page in pages:
        assert_valid_presentation(page)
    assert client.get("/iiif/collection/brooklyn/3").status_code == 404


def test_repeat_request_with_the_etag_gets_304(collection, client):
    first = client.get("/iiif/object/coins/manifest")
    again = client.get("/iiif/object/coins/manifest", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    top = client.get("/iiif/collection")
    assert client.get("/iiif/collection", headers={"If-None-Match": top.headers["ETag"]}).status_code == 304


def test_an_edit_changes_the_etag_and_the_manifest(collection, app, client, store):
    first = client.get("/iiif/object/rocket/manifest")
    obj = store.get_object("rocket")
    obj.label = {"en": ["Falcon 9, lift-off"]}
    store.put_object(obj)
    second = client.get("/iiif/object/rocket/manifest", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert second.get_json(force=True)["label"] == {"en": ["Falcon 9, lift-off"]}


def test_ids_follow_the_proxy_headers(collection, client):
    m = fetch(client, "/iiif/object/coins/manifest", **{
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "collections.example.org", "X-Forwarded-Prefix": "/vitrine"})
    assert m["id"] == "https://collections.example.org/vitrine/iiif/object/coins/manifest"
    assert m["items"][0]["items"][0]["items"][0]["body"]["service"][0]["id"].startswith(
        "https://collections.example.org/vitrine/iiif/image/")


def test_configured_base_url_wins(instance):
    from catalogue import create_app
    from support import COLLECTION, import_file

    app = create_app({"INSTANCE": str(instance), "BASE_URL": "https://iiif.example.be/"})
    import_file(app, COLLECTION)
    m = app.test_client().get("/iiif/object/coins/manifest").get_json(force=True)
    assert m["id"] == "https://iiif.example.be/iiif/object/coins/manifest"


@pytest.mark.parametrize("url", [
    "/iiif/object/nothing/manifest", "/iiif/collection/nowhere", "/iiif/exhibition/none/manifest"])
def test_unknown_ids_answer_404_in_json(collection, client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "error" in response.get_json()


def test_object_without_media_has_no_manifest_but_says_why(app, store, client):
    from catalogue.model import DigitalObject, Institution
    from catalogue.store import Batch

    store.write(Batch(institutions=[Institution("tate", {"en": ["Tate"]})],
                      objects=[DigitalObject("N01498", "image", {"en": ["Sacking a Church"]}, "tate")]))
    response = client.get("/iiif/object/N01498/manifest")
    assert response.status_code == 404
    assert "no digitised media" in response.get_json()["error"]
    assert client.get("/api/objects/N01498").get_json()["label"] == {"en": ["Sacking a Church"]}


# -- hostile text in summaries and metadata (issue 8, defect 15) -------------------------------

XSS = [
    "Hello <img src=x onerror=alert(1)>",
    "<p>fine</p> then <script>alert(1)</script>",
    'Click <a href="javascript:alert(1)">here</a> now',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "x<iframe src=javascript:alert(1)></iframe>",
    '"><img src=x onerror=alert(1)//',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    "<style>*{background:url(javascript:alert(1))}</style>Styled",
    "Fish &amp; chips & <b>peas</b>",
]
DANGER = ("onerror", "onload", "<script", "javascript:", "<svg", "<iframe", "<style", "data:image")


def hostile_object(tmp_path):
    """An object whose every free-text value is one of the payloads."""
    import json
    import shutil

    from support import COLLECTION

    folder = tmp_path / "hostile"
    shutil.copytree(COLLECTION.parent / "images", folder / "images")
    records = [
        {"kind": "institution", "id": "kbr", "label": {"en": ["KBR"]}},
        {"id": "xss", "label": {"en": ["Payloads"]}, "institution": "kbr", "media": ["images/rocket.jpg"],
         "summary": {"en": XSS}, "date": XSS[0], "creators": [{"name": XSS[1], "role": XSS[6]}],
         "metadata": [{"label": {"en": [f"Field {i}"]}, "value": {"en": [payload]}} for i, payload in enumerate(XSS)],
         "required_statement": {"label": {"en": ["Credit"]}, "value": {"en": [XSS[0]]}}},
    ]
    path = folder / "records.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path


def manifest_values(m: dict) -> list[str]:
    values = [t for texts in m["summary"].values() for t in texts]
    for entry in m["metadata"] + [m["requiredStatement"]]:
        values += [t for texts in entry["value"].values() for t in texts]
    return values


def test_every_summary_and_metadata_value_with_markup_is_sanitised_in_the_manifest(app, client, tmp_path):
    from support import import_file

    import_file(app, hostile_object(tmp_path))
    m = fetch(client, "/iiif/object/xss/manifest")
    values = manifest_values(m)
    assert len(values) == len(XSS) * 2 + 4  # summary, metadata; creator, date, institution; credit
    for value in values:
        for danger in DANGER:
            assert danger not in value.lower(), value
        if "<" in value or "&" in value:  # HTML as IIIF marks it: a whole element
            assert value.startswith("<") and value.endswith(">"), value
    assert m["summary"]["en"][0] == '<span>Hello <img src="x"></span>'
    assert m["summary"]["en"][9] == "<span>Fish &amp; chips &amp; <b>peas</b></span>"
    assert_valid_presentation(m)


def live_markup(page: str) -> list[str]:
    """What in a page would run or load: scripts, event handlers, script and data URLs, frames, styles.

    The page's JSON-LD is data (every "<" in it written \\u003c); its own icons are inline SVG.
    """
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            self.tag = (tag, dict(attrs).get("type"))
            if tag in ("iframe", "style", "object", "embed"):
                found.append(tag)
            for name, value in attrs:
                if name.startswith("on") or (value or "").strip().lower().startswith(("javascript:", "data:")):
                    found.append(f"{tag} {name}={value}")

        def handle_data(self, data):
            if getattr(self, "tag", None) == ("script", None) and "alert" in data:
                found.append(f"script {data[:80]}")

    Parser().feed(page)
    return found


def test_the_object_page_shows_hostile_text_sanitised_or_escaped(app, client, tmp_path):
    from support import import_file

    import_file(app, hostile_object(tmp_path))
    page = client.get("/object/xss").get_data(as_text=True)
    assert live_markup(page) == []
    assert 'Hello <img src="x">' in page and "Fish &amp; chips &amp; <b>peas</b>" in page
    assert "Hello &lt;img src=x onerror=alert(1)&gt;" in page  # the date: plain text, escaped


def test_a_provider_never_names_a_url_that_is_not_http(app):
    from catalogue.iiif.presentation import provider
    from catalogue.urls import Urls
    from catalogue.model import Institution

    stored = Institution("kbr", {"en": ["KBR"]}, homepage="javascript:alert(1)", logo="data:image/png;base64,AA")
    agent = provider(stored, Urls("http://localhost"))
    assert "homepage" not in agent and "logo" not in agent
    safe = provider(Institution("kbr", {"en": ["KBR"]}, homepage="https://www.kbr.be/"), Urls("http://localhost"))
    assert safe["homepage"][0]["id"] == "https://www.kbr.be/"


def test_pages_link_only_to_http_urls_whatever_an_object_holds(app):
    from catalogue.urls import Urls
    from catalogue.model import Creator, DigitalObject, Institution
    from catalogue.web.views import artwork_jsonld, web_link

    obj = DigitalObject("x", "image", {"en": ["X"]}, "kbr", homepage="javascript:alert(1)",
                        creators=[Creator("A", uri="javascript:alert(2)"), Creator("B", uri="https://viaf.org/1")])
    institution = Institution("kbr", {"en": ["KBR"]}, homepage="vbscript:msgbox(1)")
    with app.test_request_context("/object/x"):
        data = artwork_jsonld(obj, institution, [], "en", Urls("http://localhost"))
    assert [c.get("sameAs") for c in data["creator"]] == [None, "https://viaf.org/1"]
    assert "url" not in data["provider"]
    assert [web_link(u) for u in (obj.homepage, " https://x.example/", "https://x.example/a")] == [
        None, None, "https://x.example/a"]


# -- what viewers and harvesters read (issue 9) ---------------------------------------------------

def language_maps(doc, found=None) -> list[dict]:
    """Every label, summary and value language map in a document."""
    found = [] if found is None else found
    if isinstance(doc, list):
        for item in doc:
            language_maps(item, found)
    elif isinstance(doc, dict):
        for key, value in doc.items():
            if key in ("label", "summary", "value") and isinstance(value, dict):
                found.append(value)
            else:
                language_maps(value, found)
    return found


def test_every_language_map_lists_the_default_language_first(collection, client):
    seen: dict = {}
    walk(client, "/iiif/collection", seen)
    maps = [lmap for doc in seen.values() for lmap in language_maps(doc)]
    several = [lmap for lmap in maps if len(lmap) > 1]
    assert several
    for lmap in several:
        langs = list(lmap)
        assert langs[0] == "en", lmap
        assert [lang for lang in langs if lang in ("nl", "fr", "de")] == [
            lang for lang in ("nl", "fr", "de") if lang in lmap], lmap
        assert "none" not in langs[:-1], lmap
    top = seen["/iiif/collection"]
    assert list(top["label"]) == ["en", "nl", "fr", "de"]


def test_the_default_language_is_a_setting(instance):
    from catalogue import create_app
    from support import COLLECTION, import_file

    app = create_app({"INSTANCE": str(instance), "DEFAULT_LANGUAGE": "fr"})
    import_file(app, COLLECTION)
    client = app.test_client()
    manifest = fetch(client, "/iiif/object/coins/manifest")
    assert list(manifest["label"])[0] == "fr"
    assert list(manifest["provider"][0]["label"]) == ["fr", "en", "nl", "de"][:len(manifest["provider"][0]["label"])]
    top = fetch(client, "/iiif/collection")
    assert list(top["label"]) == ["fr", "en", "nl", "de"]


def test_see_also_names_the_record_schema_as_its_profile(collection, client):
    import json

    from support import ROOT

    schema_id = json.loads((ROOT / "catalogue" / "schemas" / "record.schema.json").read_text())["$id"]
    see_also = fetch(client, "/iiif/object/coins/manifest")["seeAlso"][0]
    assert see_also["profile"] == schema_id
    assert see_also["format"] == "application/json"


def test_institution_collections_are_part_of_the_top_collection(app, collection, client):
    whole = fetch(client, "/iiif/collection/brooklyn")
    assert whole["partOf"] == [{"id": "http://localhost/iiif/collection", "type": "Collection"}]
    app.extensions["vitrine"].documents.page_size = 2
    page = fetch(client, "/iiif/collection/brooklyn/1")
    assert page["partOf"] == [{"id": "http://localhost/iiif/collection/brooklyn", "type": "Collection"}]


def three_d_with_poster(tmp_path):
    """A 3D object whose record gives the model and a photograph of the object."""
    import json
    import shutil

    from support import COLLECTION

    folder = tmp_path / "posters"
    for sub in ("images", "3d"):
        shutil.copytree(COLLECTION.parent / sub, folder / sub)
    records = [
        {"kind": "institution", "id": "iiif", "label": {"en": ["IIIF"]}},
        {"id": "lamp", "type": "3d", "label": {"en": ["Street lamp"]}, "institution": "iiif",
         "rights": "http://creativecommons.org/licenses/by/4.0/", "media": ["3d/lamp_post.glb", "images/rocket.jpg"]},
    ]
    path = folder / "records.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path


def test_a_3d_canvas_shows_an_image_of_the_object_as_placeholder_and_thumbnail(app, client, tmp_path):
    from support import import_file

    import_file(app, three_d_with_poster(tmp_path))
    m = fetch(client, "/iiif/object/lamp/manifest")
    model = m["items"][0]
    assert model["items"][0]["items"][0]["body"]["type"] == "Model"
    placeholder = model["placeholderCanvas"]
    painted = placeholder["items"][0]["items"][0]["body"]
    assert painted["type"] == "Image" and painted["id"].endswith("/full/max/0/default.jpg")
    assert (placeholder["width"], placeholder["height"]) == (painted["width"], painted["height"])
    for thumb in (m["thumbnail"][0], model["thumbnail"][0]):
        assert thumb["format"] == "image/jpeg" and "/iiif/image/" in thumb["id"]
    assert client.get(painted["id"].replace("http://localhost", "")).data[:2] == b"\xff\xd8"  # a real JPEG
    assert model["rendering"][0]["format"] == "model/gltf-binary"
    assert_valid_presentation(m)


def test_a_3d_object_without_an_image_names_no_glb_as_thumbnail(collection, client):
    m = fetch(client, "/iiif/object/lamp-post/manifest")
    assert "thumbnail" not in m and "thumbnail" not in m["items"][0]


def test_an_open_image_offers_its_full_download_and_a_work_in_copyright_none(app, collection, client):
    coins = fetch(client, "/iiif/object/coins/manifest")
    assert coins["items"][0]["rendering"] == [{
        "id": "http://localhost/iiif/image/coins-1/full/max/0/default.jpg", "type": "Image",
        "label": coins["items"][0]["rendering"][0]["label"], "format": "image/jpeg"}]
    assert coins["rendering"][0]["id"] == "http://localhost/api/objects/coins"
    horse = fetch(client, "/iiif/object/horse/manifest")
    assert "rendering" not in horse["items"][0]


def test_a_book_states_its_viewing_direction(collection, client):
    album = fetch(client, "/iiif/object/album/manifest")
    assert album["viewingDirection"] == "left-to-right"
    assert_valid_presentation(album)


def test_collections_show_a_thumbnail_of_one_of_their_works(app, collection, client):
    app.extensions["vitrine"].documents.policy = TieredPolicy(200)
    for url in ("/iiif/collection/brooklyn", "/iiif/exhibition/origins/collection"):
        doc = fetch(client, url)
        thumb = doc["thumbnail"][0]
        assert thumb["type"] == "Image" and thumb["format"] == "image/jpeg", url
        assert client.get(thumb["id"].replace("http://localhost", "")).status_code == 200, url
        assert_valid_presentation(doc)
    app.extensions["vitrine"].documents.page_size = 2  # the pages' parent shows one too
    assert fetch(client, "/iiif/collection/brooklyn")["thumbnail"][0]["type"] == "Image"


def test_changing_the_default_language_changes_the_etag(collection, client, instance):
    from catalogue import create_app

    english = client.get("/iiif/object/coins/manifest").headers["ETag"]
    french = create_app({"INSTANCE": str(instance), "DEFAULT_LANGUAGE": "fr"}).test_client()
    again = french.get("/iiif/object/coins/manifest", headers={"If-None-Match": english})
    assert again.status_code == 200 and list(again.get_json(force=True)["label"])[0] == "fr"


def test_a_loan_is_painted_from_its_institutions_image_service_by_reference(app, store, client):
    from catalogue.model import DigitalObject, Institution
    from catalogue.store import Batch

    loan = DigitalObject.from_dict({
        "id": "loan-1", "label": {"en": ["A loan"]}, "institution": "lender", "media": [
            {"id": "loan-1-1", "service": "https://images.example.org/iiif/3/abc", "service_type": "ImageService3",
             "width": 4000, "height": 3000},
            {"id": "loan-1-2", "service": "https://images.example.org/iiif/2/def", "service_type": "ImageService2",
             "width": 2000, "height": 1000},
            {"id": "loan-1-3", "url": "https://images.example.org/plain.png", "format": "image/png",
             "width": 640, "height": 480}]})
    store.write(Batch(institutions=[Institution("lender", {"en": ["Lender"]})], objects=[loan]))
    manifest = client.get("/iiif/object/loan-1/manifest").get_json()
    assert_valid_presentation(manifest)
    bodies = [c["items"][0]["items"][0]["body"] for c in manifest["items"]]
    assert [b["id"] for b in bodies] == ["https://images.example.org/iiif/3/abc/full/max/0/default.jpg",
                                         "https://images.example.org/iiif/2/def/full/full/0/default.jpg",
                                         "https://images.example.org/plain.png"]
    assert [(b["width"], b["height"]) for b in bodies] == [(4000, 3000), (2000, 1000), (640, 480)]
    assert bodies[0]["service"] == [{"id": "https://images.example.org/iiif/3/abc", "type": "ImageService3",
                                     "profile": "level0"}]
    assert bodies[1]["service"][0]["@type"] == "ImageService2" and "service" not in bodies[2]
    assert not any("rendering" in c for c in manifest["items"])  # the lender's files are theirs to offer
