"""Image API 3.0 request syntax: ``{region}/{size}/{rotation}/{quality}.{format}``.

``parse`` checks the syntax alone (400); ``resolve`` applies it to one image and
its limits, giving a :class:`Plan` in whole pixels, or the status the
specification asks for: 400 for sizes it forbids, 403 for more than a work in
copyright may show, 501 for formats the API defines but Vitrine does not produce.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from math import ceil

from .errors import ImageError

QUALITIES = ("default", "color", "gray", "bitonal")
FORMATS = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
NOT_OFFERED = ("tif", "gif", "jp2", "pdf")

_NUM = r"\d+(?:\.\d+)?"
_REGION_PX = re.compile(r"^(\d+),(\d+),(\d+),(\d+)$")
_REGION_PCT = re.compile(rf"^pct:({_NUM}),({_NUM}),({_NUM}),({_NUM})$")
_SIZE = re.compile(rf"^(\^)?(?:(max)|(\d+),|,(\d+)|pct:({_NUM})|(!)?(\d+),(\d+))$")
_ROTATION = re.compile(rf"^(!)?({_NUM})$")
_EPS = 1e-6

SIZE_FORMS = "max, w,, ,h, w,h, !w,h or pct:n, each optionally after ^"


@dataclass(frozen=True)
class Request:
    """A syntactically valid image request, not yet applied to an image."""

    region: tuple  # ("full",) | ("square",) | ("px", x, y, w, h) | ("pct", x, y, w, h)
    size: tuple  # (upscale, form, a, b): form in max, w, h, wh, confined, pct
    mirror: bool
    rotation: float
    quality: str
    format: str


@dataclass(frozen=True)
class Limits:
    """What one viewer may get of one image.

    ``cap`` is the finest resolution allowed (1 = every pixel; a work in copyright
    is capped so the whole image is at most ``max_width`` x ``max_height``).
    """

    max_area: int
    cap: float = 1.0
    max_width: int | None = None
    max_height: int | None = None


@dataclass(frozen=True)
class Plan:
    """A request applied to an image: what to cut, how big, and how to turn and colour it."""

    region: tuple[int, int, int, int]  # x, y, w, h in full-image pixels
    size: tuple[int, int]  # before rotation
    mirror: bool
    rotation: float
    quality: str
    format: str
    canonical: str

    @property
    def mimetype(self) -> str:
        return FORMATS[self.format]

    @property
    def needed_resolution(self) -> float:
        """Output pixels per source pixel along the more demanding axis."""
        return max(self.size[0] / self.region[2], self.size[1] / self.region[3])


def parse(region: str, size: str, rotation: str, quality_format: str) -> Request:
    """Check the four path segments of an image request; ImageError(400/501) if malformed."""
    quality, dot, fmt = quality_format.rpartition(".")
    if not dot:
        raise ImageError(400, f"{quality_format!r} is not {{quality}}.{{format}}, e.g. default.jpg")
    if quality not in QUALITIES:
        raise ImageError(400, f"quality {quality!r} is not one of {', '.join(QUALITIES)}")
    parsed_region = _parse_region(region)
    parsed_size = _parse_size(size)
    mirror, degrees = _parse_rotation(rotation)
    if fmt not in FORMATS:
        if fmt in NOT_OFFERED:
            raise ImageError(501, f"format {fmt!r} is not produced here; use jpg, png or webp")
        raise ImageError(400, f"format {fmt!r} is not one of jpg, png, webp")
    return Request(parsed_region, parsed_size, mirror, degrees, quality, fmt)


def _parse_region(text: str) -> tuple:
    if text in ("full", "square"):
        return (text,)
    if m := _REGION_PX.match(text):
        return ("px", *map(int, m.groups()))
    if m := _REGION_PCT.match(text):
        values = tuple(map(float, m.groups()))
        if any(v > 100 for v in values):
            raise ImageError(400, f"region {text!r}: percentages cannot exceed 100")
        return ("pct", *values)
    raise ImageError(400, f"region {text!r} is not full, square, x,y,w,h or pct:x,y,w,h")


def _parse_size(text: str) -> tuple:
    m = _SIZE.match(text)
    if not m:
        raise ImageError(400, f"size {text!r} is not one of {SIZE_FORMS}")
    up, is_max, w_only, h_only, pct, bang, w, h = m.groups()
    upscale = bool(up)
    if is_max:
        return (upscale, "max", None, None)
    if w_only:
        return (upscale, "w", int(w_only), None)
    if h_only:
        return (upscale, "h", None, int(h_only))
    if pct:
        return (upscale, "pct", float(pct), None)
    return (upscale, "confined" if bang else "wh", int(w), int(h))


def _parse_rotation(text: str) -> tuple[bool, float]:
    m = _ROTATION.match(text)
    if not m:
        raise ImageError(400, f"rotation {text!r} is not a number of degrees (0-360), optionally after !")
    degrees = float(m.group(2))
    if degrees > 360:
        raise ImageError(400, f"rotation {text!r} is more than 360 degrees")
    return bool(m.group(1)), degrees % 360


def resolve(request: Request, width: int, height: int, limits: Limits) -> Plan:
    """The request applied to a ``width`` x ``height`` image under ``limits``."""
    x, y, rw, rh = _region_box(request.region, width, height)
    out = _output_size(request.size, rw, rh, limits)
    canonical = "/".join(
        (
            "full" if (x, y, rw, rh) == (0, 0, width, height) else f"{x},{y},{rw},{rh}",
            _canonical_size(out, rw, rh, limits),
            ("!" if request.mirror else "") + _number(request.rotation),
            f"{request.quality}.{request.format}",
        )
    )
    return Plan((x, y, rw, rh), out, request.mirror, request.rotation, request.quality, request.format, canonical)


def _region_box(region: tuple, width: int, height: int) -> tuple[int, int, int, int]:
    kind = region[0]
    if kind == "full":
        return 0, 0, width, height
    if kind == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    if kind == "px":
        x, y, w, h = region[1:]
    else:
        px, py, pw, ph = region[1:]
        x, y = round(width * px / 100), round(height * py / 100)
        w = max(1, round(width * pw / 100)) if pw else 0
        h = max(1, round(height * ph / 100)) if ph else 0
    if w == 0 or h == 0:
        raise ImageError(400, "the region has no width or no height")
    if x >= width or y >= height:
        raise ImageError(400, f"the region starts outside the image ({width} x {height} px)")
    return x, y, min(w, width - x), min(h, height - y)


def max_size(rw: int, rh: int, limits: Limits) -> tuple[int, int]:
    """The ``max`` size of a region: all its pixels, or fewer under the image's limits."""
    if limits.cap < 1:
        rw, rh = max(1, round(rw * limits.cap)), max(1, round(rh * limits.cap))
    return _within_limits(rw, rh, limits)


def _within_limits(w: int, h: int, limits: Limits) -> tuple[int, int]:
    """Scale (w, h) down, keeping its shape, until it fits maxWidth/maxHeight/maxArea."""
    scale = 1.0
    if w * h > limits.max_area:
        scale = (limits.max_area / (w * h)) ** 0.5
    if limits.max_width and w * scale > limits.max_width:
        scale = limits.max_width / w
    if limits.max_height and h * scale > limits.max_height:
        scale = limits.max_height / h
    if scale >= 1:
        return w, h
    return max(1, int(w * scale)), max(1, int(h * scale))


def _output_size(size: tuple, rw: int, rh: int, limits: Limits) -> tuple[int, int]:
    upscale, form, a, b = size
    # The region's pixel dimensions as this viewer may see them.
    avail_w, avail_h = max(1, ceil(rw * limits.cap - _EPS)), max(1, ceil(rh * limits.cap - _EPS))
    if form == "max":
        # ^max is served as max: the official validator expects ^max of an unconstrained image to be its full size.
        return max_size(rw, rh, limits)
    if form == "confined":
        fit = min(a / rw, b / rh)
        if fit > 1 + _EPS and not upscale:
            raise ImageError(400, f"!{a},{b} would enlarge the {rw} x {rh} region; ask for ^!{a},{b} to upscale")
        if not upscale:
            fit = min(fit, limits.cap)  # as large as this viewer may see, no larger
        w, h = max(1, round(rw * fit)), max(1, round(rh * fit))
        return _within_limits(min(w, a), min(h, b), limits)
    if form == "w":
        w, h = a, max(1, round(rh * a / rw))
    elif form == "h":
        w, h = max(1, round(rw * b / rh)), b
    elif form == "pct":
        if a > 100 and not upscale:
            raise ImageError(400, f"pct:{_number(a)} would enlarge the region; ask for ^pct:{_number(a)} to upscale")
        w, h = max(1, round(rw * a / 100)), max(1, round(rh * a / 100))
    else:
        w, h = a, b
    if w == 0 or h == 0:
        raise ImageError(400, "the requested size has no width or no height")
    if not upscale and (w > avail_w or h > avail_h):
        if w > rw or h > rh:
            raise ImageError(400, f"{w} x {h} is larger than the {rw} x {rh} region; prefix the size with ^ to upscale")
        raise ImageError(
            403,
            f"this work is in copyright: this region is served at most {avail_w} x {avail_h} px",
        )
    _check_limits(w, h, limits)
    return w, h


def _check_limits(w: int, h: int, limits: Limits) -> None:
    if (limits.max_width and w > limits.max_width) or (limits.max_height and h > limits.max_height):
        raise ImageError(
            403, f"this work is in copyright: it is served at most {limits.max_width} x {limits.max_height} px"
        )
    if w * h > limits.max_area:
        raise ImageError(400, f"{w} x {h} is more than the {limits.max_area:,} pixels this server renders at once")


def _canonical_size(out: tuple[int, int], rw: int, rh: int, limits: Limits) -> str:
    if out == max_size(rw, rh, limits):
        return "max"
    avail_w, avail_h = ceil(rw * limits.cap - _EPS), ceil(rh * limits.cap - _EPS)
    up = "^" if out[0] > avail_w or out[1] > avail_h else ""
    return f"{up}{out[0]},{out[1]}"


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.6f}".rstrip("0")
