"""Image request syntax and the pyramid geometry shared with the manifests."""
from __future__ import annotations

import pytest

from catalogue.iiif import levels
from catalogue.iiif.errors import ImageError
from catalogue.iiif.request import Limits, parse, resolve

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
    cap = Limits(max_area=4096 * 4096, cap=0.25, max_width=250, max_height=200)
    assert plan("full/max/0/default.jpg", limits=cap).size == (250, 200)
    assert plan("0,0,400,400/max/0/default.jpg", limits=cap).size == (100, 100)
    assert plan("0,0,400,400/!300,300/0/default.jpg", limits=cap).size == (100, 100)
    assert plan("0,0,400,400/^200,/0/default.jpg", limits=cap).size == (200, 200)
    assert refusal("0,0,400,400/200,/0/default.jpg", limits=cap) == 403
    assert refusal("full/^500,/0/default.jpg", limits=cap) == 403


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


def test_a_limit_keeps_every_level_and_size_within_it():
    assert levels.scale_factors(5120, 2880, max_width=800) == [8, 16]
    assert levels.scale_factors(1000, 872, max_width=300) == [4]
    assert levels.sizes(5120, 2880, max_width=800)[-1] == (800, 450)
    assert levels.sizes(2000, 4000, max_width=800)[-1] == (400, 800)
    assert levels.capped_size(300, 200, 800) == (300, 200)


def test_thumbnail_and_detail_sizes_are_ones_the_service_serves():
    assert levels.thumbnail_size(5120, 2880) == (640, 360)
    assert levels.thumbnail_size(5120, 2880, max_width=800) == (640, 360)
    assert levels.region_size(1000, 500, 5120, 2880, target=400) == (400, 200)
    assert levels.region_size(1000, 500, 5120, 2880, target=400, max_width=800) == (156, 78)
    cap = Limits(max_area=4096 * 4096, cap=800 / 5120, max_width=800, max_height=450)
    assert plan("0,0,1000,500/156,78/0/default.jpg", 5120, 2880, cap).size == (156, 78)
