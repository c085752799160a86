"""IIIF Content State 1.0: a link that says "this canvas, this region", in every form the specification allows."""
from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, quote, urlparse

import pytest

from catalogue.iiif.content_state import ContentState, ContentStateError, decode, encode

MANIFEST = "http://localhost/iiif/object/album/manifest"
CANVAS = f"{MANIFEST}/canvas/2"


def annotation(target) -> dict:
    return {"@context": "http://iiif.io/api/presentation/3/context.json", "id": "https://example.org/state/1",
            "type": "Annotation", "motivation": ["contentState"], "target": target}


REGION = {"type": "SpecificResource", "source": {"id": CANVAS, "type": "Canvas",
                                                   "partOf": [{"id": MANIFEST, "type": "Manifest"}]},
          "selector": {"type": "FragmentSelector", "value": "xywh=10,20,300,200"}}
WANTED = ContentState(MANIFEST, CANVAS, (10, 20, 300, 200))


def b64(text: str, padded: bool = False) -> str:
    encoded = base64.urlsafe_b64encode(text.encode()).decode()
    return encoded if padded else encoded.rstrip("=")


@pytest.mark.parametrize("value", [
    json.dumps(annotation(REGION)),                                    # inline JSON
    b64(json.dumps(annotation(REGION))),                               # base64url, no padding (recommended)
    b64(json.dumps(annotation(REGION)), padded=True),                  # base64url with padding
    quote(json.dumps(annotation(REGION))),                             # percent-encoded JSON
    json.dumps(REGION),                                                # the target alone
    json.dumps(annotation([REGION])),                                  # a target list of one
    f"{CANVAS}#xywh=10,20,300,200",                                    # a plain URI of a canvas with a region
    b64(f"{CANVAS}#xywh=10,20,300,200"),
], ids=["json", "base64url", "base64url-padded", "percent", "target", "target-list", "uri", "uri-base64url"])
def test_every_form_of_a_content_state_says_the_same(value):
    assert decode(value) == WANTED


def test_a_manifest_uri_alone_opens_the_manifest():
    assert decode(MANIFEST) == ContentState(MANIFEST)
    assert decode(json.dumps({"id": MANIFEST, "type": "Manifest"})) == ContentState(MANIFEST)


def test_encoding_then_decoding_gives_the_state_back():
    assert decode(encode(WANTED)) == WANTED
    assert "=" not in encode(WANTED) and "+" not in encode(WANTED)


@pytest.mark.parametrize("value, reason", [
    ("x" * 9000, "at most"),
    ("!!not a state", "neither"),
    (b64("[[[["), "neither"),
    ('{"a": NaN}', "neither"),
    ("[" * 100_0 + "]" * 100_0, "neither"),
    (json.dumps(annotation({"type": "Range", "id": "x"})), "not a Range"),
    (json.dumps(annotation([REGION, REGION])), "one target"),
    (f"{CANVAS}#xywh=1,2,0,5", "width"),
    (f"{CANVAS}#t=10,20", "xywh"),
    (f"{MANIFEST}#xywh=1,2,3,4", "canvas"),
    (json.dumps({**REGION, "selector": {"type": "SvgSelector", "value": "<svg/>"}}), "FragmentSelector"),
])
def test_a_state_that_cannot_be_read_is_refused_with_the_reason(value, reason):
    with pytest.raises(ContentStateError) as refused:
        decode(value)
    assert reason in str(refused.value)


def test_the_viewer_opens_at_the_canvas_and_region_a_state_names(collection):
    client = collection.test_client()
    for path in ("/view", "/object/coins"):
        response = client.get(path, query_string={"iiif-content": encode(WANTED)})
        assert response.status_code == 303
        target = urlparse(response.headers["Location"])
        assert target.path == "/object/album"
        args = parse_qs(target.query)
        assert args["canvas"] == ["2"]
        x, y, zoom = args["view"][0].split(",")
        assert (int(x), int(y)) == (160, 120) and 0 < float(zoom) < 1 / 250
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Album of textures" in page.get_data(as_text=True)


def test_a_state_of_a_manifest_elsewhere_is_refused_and_never_fetched(collection):
    client = collection.test_client()
    foreign = encode(ContentState("https://elsewhere.example/iiif/object/album/manifest"))
    response = client.get("/view", query_string={"iiif-content": foreign})
    assert response.status_code == 400 and b"no manifest of this catalogue" in response.data
    bad = client.get("/view", query_string={"iiif-content": "!!"})
    assert bad.status_code == 400 and b"neither" in bad.data
    assert client.get("/view").status_code == 400


def test_a_state_of_a_published_exhibition_opens_its_page_and_of_a_draft_nothing(collection):
    client = collection.test_client()
    state = encode(ContentState("http://localhost/iiif/exhibition/origins/manifest"))
    response = client.get("/view", query_string={"iiif-content": state})
    assert response.status_code == 303 and response.headers["Location"].endswith("/exhibition/origins")
    draft = encode(ContentState("http://localhost/iiif/exhibition/secret-draft/manifest"))
    refused = client.get("/view", query_string={"iiif-content": draft})
    assert refused.status_code == 400 and b"secret" in refused.data and b"no manifest" in refused.data


def test_the_drag_and_drop_link_carries_a_content_state_of_the_manifest(collection):
    import html
    import re

    page = collection.test_client().get("/object/album").get_data(as_text=True)
    href = html.unescape(re.search(r'class="iiif-drag" href="([^"]+)"', page)[1])
    args = parse_qs(urlparse(href).query)
    assert args["manifest"] == [MANIFEST]
    assert decode(args["iiif-content"][0]) == ContentState(MANIFEST)


def test_each_exhibition_stop_links_to_its_content_state_and_the_state_opens_it(collection):
    import html
    import re

    client = collection.test_client()
    page = client.get("/exhibition/origins").get_data(as_text=True)
    links = [html.unescape(h) for h in re.findall(r'<a class="link" href="([^"]+)" data-open-viewer', page)]
    assert links
    manifest = "http://localhost/iiif/exhibition/origins/manifest"
    for n, link in enumerate(links, start=1):
        state = decode(parse_qs(urlparse(link).query)["iiif-content"][0])
        assert state.manifest == manifest and state.canvas.startswith(manifest + "/canvas/")
        opened = client.get(link)
        assert opened.status_code == 303
        assert parse_qs(urlparse(opened.headers["Location"]).query)["canvas"] == [state.canvas.rsplit("/", 1)[1]]
    drag = html.unescape(re.search(r'class="iiif-drag" href="([^"]+)"', page)[1])
    assert decode(parse_qs(urlparse(drag).query)["iiif-content"][0]) == ContentState(manifest)
