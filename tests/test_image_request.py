"""Image request syntax and the pyramid geometry shared with the manifests."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from catalogue.iiif import levels
from catalogue.iiif.errors import ImageError
from catalogue.iiif.request import Limits, parse, resolve, turned_size

OPEN = Limits(max_area=4096 * 4096)


def plan(url: str, width: int = 1000, height: int = 800, limits: Limits = OPEN):
    return resolve(parse(*url.split("/")), width, height, limits)


def refusal(url: str, width: int = 1000, height: int = 800, limits: Limits = OPEN) -> int:
    with pytest.raises(ImageError) as caught:
        plan(url, width, height, limits)
    return caught.value.status


@pytest.mark.parametrize(
    "url, region, size",
    [
        ("full/max/0/default.jpg", (0, 0, 1000, 800), (1000, 800)),
        ("square/max/0/default.jpg", (100, 0, 800, 800), (800, 800)),
        ("10,20,30,40/max/0/default.jpg", (10, 20, 30, 40), (30, 40)),
        ("900,700,500,500/max/0/default.jpg", (900, 700, 100, 100), (100, 100)),
        ("pct:10,10,50,50/max/0/default.jpg", (100, 80, 500, 400), (500, 400)),
        ("full/500,/0/default.jpg", (0, 0, 1000, 800), (500, 400)),
        ("full/,200/0/default.jpg", (0, 0, 1000, 800), (250, 200)),
        ("full/pct:25/0/default.jpg", (0, 0, 1000, 800), (250, 200)),
        ("full/300,300/0/default.jpg", (0, 0, 1000, 800), (300, 300)),
        ("full/!300,300/0/default.jpg", (0, 0, 1000, 800), (300, 240)),
        ("0,0,100,100/^!300,200/0/default.jpg", (0, 0, 100, 100), (200, 200)),
        ("0,0,100,100/^pct:150/0/default.jpg", (0, 0, 100, 100), (150, 150)),
    ],
)
def test_regions_and_sizes_resolve_to_whole_pixels(url, region, size):
    resolved = plan(url)
    assert (resolved.region, resolved.size) == (region, size)


def test_canonical_form_names_max_and_marks_upscaling():
    assert plan("pct:0,0,100,100/1000,/0/default.jpg").canonical == "full/max/0/default.jpg"
    assert plan("0,0,10,10/^20,/!90.50/gray.png").canonical == "0,0,10,10/^20,20/!90.5/gray.png"
    assert plan("full/500,/360/color.webp").canonical == "full/500,400/0/color.webp"


@pytest.mark.parametrize(
    "url, status",
    [
        ("full/max/0/default", 400),
        ("full/max/0/default.gif", 501),
        ("full/max/0/default.jpeg", 400),
        ("full/max/0/grey.jpg", 400),
        ("0,0,0,10/max/0/default.jpg", 400),
        ("pct:0,0,101,10/max/0/default.jpg", 400),
        ("1000,0,10,10/max/0/default.jpg", 400),
        ("-1,0,10,10/max/0/default.jpg", 400),
        ("full/0,/0/default.jpg", 400),
        ("full/1001,/0/default.jpg", 400),
        ("full/!2000,3000/0/default.jpg", 400),
        ("full/^5000,5000/0/default.jpg", 400),
        ("full/max/-90/default.jpg", 400),
        ("full/max/90!/default.jpg", 400),
    ],
)
def test_malformed_or_impossible_requests_are_refused(url, status):
    assert refusal(url) == status


def test_a_capped_image_serves_at_most_its_cap():
    # A work in copyright is served as its capped derivative (here 250 x 200): every pixel of it, no more.
    cap = Limits(max_area=4096 * 4096, max_width=250, max_height=200)
    assert plan("full/max/0/default.jpg", 250, 200, limits=cap).size == (250, 200)
    assert plan("0,0,100,100/max/0/default.jpg", 250, 200, limits=cap).size == (100, 100)
    assert plan("0,0,100,100/!75,75/0/default.jpg", 250, 200, limits=cap).size == (75, 75)
    assert plan("0,0,100,100/^200,/0/default.jpg", 250, 200, limits=cap).size == (200, 200)
    assert refusal("0,0,100,100/200,/0/default.jpg", 250, 200, limits=cap) == 400
    assert refusal("full/^500,/0/default.jpg", 250, 200, limits=cap) == 403


def test_the_validator_expects_caret_max_to_be_max():
    assert plan("full/^max/0/default.jpg").size == (1000, 800)


def test_max_area_scales_max_down_and_refuses_explicit_sizes():
    small = Limits(max_area=1000)
    assert plan("full/max/0/default.jpg", limits=small).size[0] * plan("full/max/0/default.jpg", limits=small).size[1] <= 1000
    assert refusal("full/100,100/0/default.jpg", limits=small) == 400


def test_scale_factors_reach_one_tile_and_sizes_stop_at_thumbnails():
    assert levels.scale_factors(5120, 2880) == [1, 2, 4, 8, 16]
    assert levels.scale_factors(512, 100) == [1]
    assert levels.sizes(5120, 2880) == [(40, 23), (80, 45), (160, 90), (320, 180), (640, 360), (1280, 720)]
    assert levels.sizes(1000, 1000)[-1] == (1000, 1000)


def test_a_work_in_copyright_has_the_geometry_of_its_capped_derivative():
    assert levels.capped_size(5120, 2880, 800) == (800, 450)
    assert levels.capped_size(2000, 4000, 800) == (400, 800)
    assert levels.capped_size(300, 200, 800) == (300, 200)
    assert levels.sizes(800, 450) == [(50, 29), (100, 57), (200, 113), (400, 225), (800, 450)]
    assert levels.scale_factors(800, 450) == [1, 2]


def test_thumbnail_and_detail_sizes_are_ones_the_service_serves():
    assert levels.thumbnail_size(5120, 2880) == (640, 360)
    assert levels.thumbnail_size(5120, 2880, max_width=800) == (400, 225)
    assert levels.region_size(1000, 500, target=400) == (400, 200)
    assert levels.region_size(156, 78, target=400) == (156, 78)
    assert plan("0,0,156,78/156,78/0/default.jpg", 800, 450).size == (156, 78)


# -- limits hold for the output as sent (issue 8, defects 3 and 4) -------------------

def output_size(url: str, width: int = 1000, height: int = 800, limits: Limits = OPEN) -> tuple[int, int]:
    resolved = plan(url, width, height, limits)
    return turned_size(*resolved.size, resolved.rotation)


def test_a_best_fit_size_turned_fits_max_area_after_rotation():
    # Was 5794 x 5794 (33.6 MP) against a maxArea of 16.8 MP.
    w, h = output_size("full/^!99999,99999/45/default.png", 512, 512)
    assert w * h <= OPEN.max_area and w > 4000
    w, h = output_size("full/max/45/default.png", 4096, 4096)
    assert w * h <= OPEN.max_area


def test_an_explicit_size_over_max_area_once_turned_is_refused():
    with pytest.raises(ImageError) as caught:
        plan("full/^4096,4096/45/default.png", 512, 512)
    assert caught.value.status == 400 and "pixels" in caught.value.message and "45" in caught.value.message


def test_max_width_and_height_hold_for_the_turned_output():
    cap = Limits(max_area=4096 * 4096, max_width=250, max_height=200)
    assert output_size("full/max/90/default.jpg", 250, 200, limits=cap) == (160, 200)
    w, h = output_size("full/max/30/default.png", 250, 200, limits=cap)
    assert w <= 250 and h <= 200
    assert refusal("full/250,200/90/default.jpg", 250, 200, limits=cap) == 403


@pytest.mark.parametrize(
    "url, words",
    [
        ("0,0,1,400/^1,70000/0/default.jpg", "65,500"),
        ("0,0,1,400/^,70000/0/default.jpg", "65,500"),
        ("0,0,1,400/^1,20000/0/default.webp", "16,383"),
        ("0,0,400,1/^20000,1/90/default.webp", "16,383"),
    ],
)
def test_sizes_beyond_what_the_format_can_encode_are_refused_up_front(url, words):
    with pytest.raises(ImageError) as caught:
        plan(url)
    assert caught.value.status == 400 and words in caught.value.message


def test_a_best_fit_size_keeps_within_what_the_format_can_encode():
    assert output_size("0,0,1,400/^!100000,70000/0/default.png") == (175, 70000)
    w, h = output_size("0,0,1,400/^!100000,70000/0/default.webp")
    assert 16380 <= h <= 16383 and w == 40
    w, h = output_size("0,0,1,400/^!100000,70000/0/default.jpg")
    assert 65490 <= h <= 65500


@pytest.mark.parametrize(
    "url",
    [
        "full/!100,0/0/default.jpg",
        "full/!0,100/0/default.jpg",
        "full/!0,0/0/default.jpg",
        "full/^!0,0/0/default.jpg",
        "full/0,0/0/default.jpg",
        "full/pct:0/0/default.jpg",
        "full/,0/0/default.jpg",
    ],
)
def test_a_size_with_no_width_or_height_is_refused(url):
    assert refusal(url) == 400


@pytest.mark.parametrize(
    "url",
    [
        "full/^" + "9" * 400 + ",/0/default.jpg",
        "full/," + "9" * 400 + "/0/default.jpg",
        "full/^!" + "9" * 400 + ",1/0/default.jpg",
        "full/pct:" + "9" * 400 + "/0/default.jpg",
        "full/^pct:" + "1" * 400 + "/0/default.jpg",
        "full/^pct:" + "9" * 5000 + "/0/default.jpg",
        "0,0," + "9" * 5000 + ",10/max/0/default.jpg",
        "pct:0,0," + "9" * 400 + ",10/max/0/default.jpg",
        "full/max/" + "9" * 400 + "/default.jpg",
        "full/max/" + "9" * 5000 + ".5/default.jpg",
    ],
)
def test_numbers_of_hundreds_of_digits_are_refused(url):
    assert refusal(url) == 400


@pytest.mark.parametrize(
    "url",
    [
        "full/٣,/0/default.jpg",  # Arabic-Indic three
        "full/３,/0/default.jpg",  # full-width three
        "full/²,/0/default.jpg",
        "٠,0,10,10/max/0/default.jpg",
        "pct:１,0,10,10/max/0/default.jpg",
        "full/max/٩٠/default.jpg",
        "full/max/-0/default.jpg",
        "full/max/nan/default.jpg",
        "full/max/1e400/default.jpg",
        "full/max/inf/default.jpg",
        "full/pct:nan/0/default.jpg",
        "full/pct:inf/0/default.jpg",
        "full/pct:1e400/0/default.jpg",
        "pct:nan,0,10,10/max/0/default.jpg",
        "pct:0,0,inf,10/max/0/default.jpg",
        "full/-0,/0/default.jpg",
        "full/100,\n/0/default.jpg",
        "full/max/0\n/default.jpg",
        "0,0,10,10\n/max/0/default.jpg",
    ],
)
def test_only_the_grammar_s_ascii_numbers_are_accepted(url):
    assert refusal(url) == 400


def test_an_echoed_segment_is_cut_short():
    with pytest.raises(ImageError) as caught:
        plan("full/" + "x" * 5000 + "/0/default.jpg")
    assert len(caught.value.message) < 200


@given(
    st.integers(1, 60), st.integers(1, 60),
    st.one_of(st.floats(0, 360, exclude_max=True), st.sampled_from([0.0, 45.0, 90.0, 135.0, 180.0, 270.0, 359.999999])),
)
@settings(max_examples=300)
def test_the_turned_size_is_the_size_pillow_makes(width, height, degrees):
    image = Image.new("L", (width, height))
    assert turned_size(width, height, degrees) == image.rotate(-degrees, expand=True).size
