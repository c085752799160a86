"""Fuzzing the Image API request URL against a real catalogue (the test collection imported).

Whatever a client puts in ``{region}/{size}/{rotation}/{quality}.{format}``, the answer is
an image within the limits info.json advertises or a short plain-text refusal, never a
server error. With VITRINE_FUZZ=long (tests/conftest.py) the same properties run 5,000 examples each.
"""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from PIL import Image

from catalogue import create_app
from catalogue.iiif.request import FORMATS, NOT_OFFERED, QUALITIES

PILLOW_FORMAT = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
# Small enough that the largest output renders in a blink, so hundreds of examples stay fast;
# a copyright width below the collection's images, so maxWidth/maxHeight are exercised too.
CONFIG = {"IMAGE_MAX_AREA": 600_000, "COPYRIGHT_MAX_WIDTH": 200}


@pytest.fixture
def app(instance):
    """The conftest app with smaller limits (the ``collection`` fixture imports into it)."""
    app = create_app({"INSTANCE": str(instance), "TESTING": True, **CONFIG})
    yield app
    app.extensions["vitrine"].images.wait_idle(30)
    app.extensions["vitrine"].store.close()


@pytest.fixture
def images(collection) -> dict[str, dict]:
    """Every image in the imported collection, with its info.json."""
    client = collection.test_client()
    ids = sorted(m.id for m, _, _ in collection.extensions["vitrine"].store.iter_media() if m.is_image)
    infos = {media_id: client.get(f"/iiif/image/{media_id}/info.json").get_json(force=True) for media_id in ids}
    assert any("maxWidth" in info for info in infos.values()), "no work in copyright to check maxWidth on"
    return infos


# -- strategies ------------------------------------------------------------------------

HOSTILE_NUMBERS = [
    "-0", "-1", "0", "00", "nan", "NaN", "inf", "-inf", "1e400", "1e3", "0x10", "+5", " 5", "5 ", "1_000",
    "٣", "３", "²", "①", "߁", "०", "9" * 16, "9" * 400, "1" * 5000, "0." + "9" * 400, "1.", ".5", "1..2", "",
]
small = st.integers(0, 1200).map(str)
numbers = st.one_of(  # anything that might be read as a number
    small,
    st.integers(0, 70_000).map(str),
    st.decimals(0, 400, places=3, allow_nan=False).map(str),
    st.sampled_from(HOSTILE_NUMBERS),
    st.integers(0, 10**450).map(str),
)
junk = st.text(max_size=30)
path_ish = st.sampled_from(["..", ".", "%2e%2e", "%2F", "%00", "%0A", "a%2Fb", "~", "%", "%zz", "\\", "*"])


def joined(*parts: st.SearchStrategy[str], sep: str = ",") -> st.SearchStrategy[str]:
    return st.tuples(*parts).map(sep.join)


def size_forms(n: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Every size form of the grammar, with numbers from ``n``, optionally after ^."""
    return st.tuples(
        st.sampled_from(["", "^"]),
        st.one_of(
            st.sampled_from(["max"]), n.map(lambda v: f"{v},"), n.map(lambda v: f",{v}"),
            joined(n, n), joined(n, n).map("!".__add__), n.map("pct:".__add__),
        ),
    ).map("".join)


def mostly(valid: st.SearchStrategy[str], hostile: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Well formed two times in three, so that a fair share of requests get far enough to render."""
    return st.sampled_from([valid, valid, hostile]).flatmap(lambda chosen: chosen)  # (one_of would flatten the weights away)


regions = mostly(
    st.one_of(
        st.sampled_from(["full", "square"]),
        joined(small, small, small, small),
        joined(*[st.integers(0, 100).map(str)] * 4).map("pct:".__add__),
    ),
    st.one_of(
        st.sampled_from(["FULL", "full ", "pct:", "square,", "full\n"]),
        joined(numbers, numbers, numbers, numbers),
        joined(numbers, numbers, numbers, numbers).map("pct:".__add__),
        junk,
    ),
)
sizes = mostly(
    size_forms(small),
    st.one_of(size_forms(numbers), st.tuples(st.sampled_from(["^^", "!", "!^", "^!!"]), size_forms(numbers)).map("".join), junk),
)
rotations = mostly(
    st.tuples(st.sampled_from(["", "!"]), small.map(lambda v: str(int(v) % 361))).map("".join),
    st.one_of(st.tuples(st.sampled_from(["", "!", "!!", "-"]), numbers).map("".join), junk),
)
qualities = mostly(st.sampled_from(QUALITIES), st.one_of(st.sampled_from(["grey", "Default", "", "default.jpg"]), junk))
formats = mostly(st.sampled_from(list(FORMATS)), st.one_of(st.sampled_from([*NOT_OFFERED, "jpeg", "JPG", "", "png.", "webp/x"]), junk))


def segment(text: str) -> str:
    """A segment as sent: percent-encoded, so the server sees exactly ``text`` in it."""
    return quote(text, safe="!,:^")


# -- the properties --------------------------------------------------------------------

def check(client, info: dict, url: str, fmt: str) -> int:
    """Never a server error; a 200 is the advertised format within the advertised limits; a refusal is short plain text."""
    response = client.get(url)
    status = response.status_code
    body = response.data
    event(f"status {status}")
    assert status < 500 or (status == 501 and fmt in NOT_OFFERED) or status == 503, (url, status, body[:300])
    if status == 200:
        assert response.content_type == FORMATS[fmt], url
        with Image.open(io.BytesIO(body)) as image:
            assert image.format == PILLOW_FORMAT[fmt], url
            image.load()
            width, height = image.size
        assert width * height <= info["maxArea"], (url, image.size)
        assert width <= info.get("maxWidth", width) and height <= info.get("maxHeight", height), (url, image.size)
    else:
        text = body.decode()
        assert response.content_type.startswith("text/plain"), (url, status, response.content_type)
        assert text.startswith(str(status)) and len(text) <= 300 and "Traceback" not in text, (url, text)
    return status


@given(data=st.data(), region=regions, size=sizes, rotation=rotations, quality=qualities, fmt=formats)
@settings(max_examples=settings.default.max_examples * 8 // 3)  # 400 in CI
def test_any_image_request_is_an_image_within_limits_or_a_short_refusal(
    collection, images, data, region, size, rotation, quality, fmt
):
    media_id = data.draw(st.sampled_from(sorted(images)), label="media id")
    url = f"/iiif/image/{media_id}/" + "/".join(map(segment, (region, size, rotation, f"{quality}.{fmt}")))
    check(collection.test_client(), images[media_id], url, fmt)


@given(
    data=st.data(),
    pieces=st.one_of(
        st.lists(st.one_of(path_ish, regions, sizes, rotations), min_size=3, max_size=3),
        st.lists(st.one_of(path_ish, regions, sizes, rotations), max_size=6),
    ),
    fmt=formats,
)
@settings(max_examples=settings.default.max_examples * 2 // 3)  # 100 in CI
def test_raw_path_pieces_never_reach_a_server_error(collection, images, data, pieces, fmt):
    # Not encoded: slashes, dots and escapes here change how the URL is routed.
    media_id = data.draw(st.sampled_from(sorted(images)), label="media id")
    url = f"/iiif/image/{media_id}/" + "/".join(p.replace("?", "%3F").replace("#", "%23") for p in pieces)
    url += f"/default.{segment(fmt)}"
    check(collection.test_client(), images[media_id], url, fmt)


@given(
    data=st.data(),
    region=st.one_of(st.just("full"), st.just("square"), st.tuples(*[st.integers(0, 600)] * 4).map(lambda t: ",".join(map(str, t)))),
    size=st.one_of(
        st.just("max"), st.just("^max"),
        st.tuples(st.sampled_from(["", "^"]), st.sampled_from(["{w},", ",{h}", "{w},{h}", "!{w},{h}", "pct:{w}"]),
                  st.integers(1, 5000), st.integers(1, 5000)).map(lambda t: t[0] + t[1].format(w=t[2], h=t[3])),
    ),
    rotation=st.tuples(st.sampled_from(["", "!"]), st.floats(0, 360)).map(lambda t: t[0] + f"{t[1]:.3f}".rstrip("0").rstrip(".")),
    quality=st.sampled_from(QUALITIES),
    fmt=st.sampled_from(list(FORMATS)),
)
@settings()  # the profile's count: 150 in CI, VITRINE_FUZZ_EXAMPLES in benchmarks/fuzz.py
def test_well_formed_requests_keep_every_advertised_limit(collection, images, data, region, size, rotation, quality, fmt):
    # Every part here is in the grammar: the answer is an image, or a 400/403 saying which limit it passes.
    media_id = data.draw(st.sampled_from(sorted(images)), label="media id")
    url = f"/iiif/image/{media_id}/{region}/{size}/{rotation}/{quality}.{fmt}"
    assert check(collection.test_client(), images[media_id], url, fmt) in (200, 400, 403), url
