"""Image API 3.0 request syntax: ``{region}/{size}/{rotation}/{quality}.{format}``.

``parse`` checks the syntax alone (400); ``resolve`` applies it to one image and
its limits, giving a :class:`Plan` in whole pixels, or the status the
specification asks for: 400 for sizes it forbids, 403 for more than a work in
copyright may show, 501 for formats the API defines but Vitrine does not produce.

Every limit holds for the image as sent, after rotation (its bounding box):
``max`` and ``!w,h`` shrink to fit, explicit sizes beyond a limit are refused.
Numbers are the grammar's ASCII digits only, of a bounded length, so nothing a
client sends reaches Pillow, ``int`` or ``float`` as something they choke on.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from .errors import ImageError

QUALITIES = ("default", "color", "gray", "bitonal")
FORMATS = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
NOT_OFFERED = ("tif", "gif", "jp2", "pdf")
# The longest side each encoder can write: libjpeg refuses more than 65,500 px, libwebp 16,383.
ENCODER_SIDE = {"jpg": ("JPEG", 65_500), "webp": ("WebP", 16_383)}
# More digits than any image has pixels: longer numbers are refused before int() or float() sees them.
MAX_DIGITS = 15

# [0-9], not \d: \d (and int()) also accept Arabic-Indic, full-width and other Unicode digits.
_INT = r"[0-9]+"
_NUM = r"[0-9]+(?:\.[0-9]+)?"
_REGION_PX = re.compile(rf"({_INT}),({_INT}),({_INT}),({_INT})")
_REGION_PCT = re.compile(rf"pct:({_NUM}),({_NUM}),({_NUM}),({_NUM})")
_SIZE = re.compile(rf"(\^)?(?:(max)|({_INT}),|,({_INT})|pct:({_NUM})|(!)?({_INT}),({_INT}))")
_ROTATION = re.compile(rf"(!)?({_NUM})")
_EPS = 1e-6
_SHOWN = 40  # characters of a refused segment quoted back in the message

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
    """What one viewer may get of one image: a work in copyright is served as its capped derivative,
    so its whole image is at most ``max_width`` x ``max_height`` and every pixel of that may be seen."""

    max_area: int
    max_width: int | None = None
    max_height: int | None = None


@dataclass(frozen=True)
class Plan:
    """A request applied to an image: what to cut, how big, and how to turn and colour it."""

    region: tuple[int, int, int, int]  # x, y, w, h in pixels of the image served (a detail's plan: ``moved``)
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
        raise ImageError(400, f"{_shown(quality_format)} is not {{quality}}.{{format}}, e.g. default.jpg")
    if quality not in QUALITIES:
        raise ImageError(400, f"quality {_shown(quality)} is not one of {', '.join(QUALITIES)}")
    parsed_region = _parse_region(region)
    parsed_size = _parse_size(size)
    mirror, degrees = _parse_rotation(rotation)
    if fmt not in FORMATS:
        if fmt in NOT_OFFERED:
            raise ImageError(501, f"format {fmt!r} is not produced here; use jpg, png or webp")
        raise ImageError(400, f"format {_shown(fmt)} is not one of jpg, png, webp")
    return Request(parsed_region, parsed_size, mirror, degrees, quality, fmt)


def parse_v2(region: str, size: str, rotation: str, quality_format: str) -> Request:
    """Image API 2.1 syntax: as 3.0, but ``full`` is the ``max`` size and there is no ``^``
    (a 2.1 size larger than its region enlarges it: see ``as_v2``)."""
    if size.startswith("^"):
        raise ImageError(400, f"size {_shown(size)}: Image API 2.1 has no ^; ask /iiif/image/ (3.0) to upscale")
    return parse(region, "max" if size == "full" else size, rotation, quality_format)


def as_v2(request: Request, width: int, height: int) -> Request:
    """A 2.1 request in 3.0 terms: a size larger than its region is an upscale (2.1's sizeAboveFull),
    within it the same request, under the same limits and rights."""
    _, form, a, b = request.size
    _, _, rw, rh = _region_box(request.region, width, height)
    larger = {
        "w": lambda: a > rw, "h": lambda: b > rh, "pct": lambda: a > 100, "max": lambda: False,
        "wh": lambda: a > rw or b > rh, "confined": lambda: min(a / rw, b / rh) > 1,
    }[form]()
    return replace(request, size=(True, form, a, b)) if larger else request


def _shown(text: str) -> str:
    """A client's segment as quoted in a refusal: a repr, cut short, so every message stays short."""
    return repr(text) if len(text) <= _SHOWN else repr(text[:_SHOWN]) + "..."


def _parsed(digits: str, segment: str, text: str) -> int | float:
    """An integer or decimal the grammar matched; 400 if its whole part has more than MAX_DIGITS digits."""
    if len(digits.partition(".")[0]) > MAX_DIGITS:
        raise ImageError(400, f"{segment} {_shown(text)} has a number of more than {MAX_DIGITS} digits")
    return float(digits) if "." in digits else int(digits)


def _parse_region(text: str) -> tuple:
    if text in ("full", "square"):
        return (text,)
    if m := _REGION_PX.fullmatch(text):
        return ("px", *(_parsed(v, "region", text) for v in m.groups()))
    if m := _REGION_PCT.fullmatch(text):
        values = tuple(float(_parsed(v, "region", text)) for v in m.groups())
        if any(v > 100 for v in values):
            raise ImageError(400, f"region {_shown(text)}: percentages cannot exceed 100")
        return ("pct", *values)
    raise ImageError(400, f"region {_shown(text)} is not full, square, x,y,w,h or pct:x,y,w,h")


def _parse_size(text: str) -> tuple:
    m = _SIZE.fullmatch(text)
    if not m:
        raise ImageError(400, f"size {_shown(text)} is not one of {SIZE_FORMS}")
    up, is_max, w_only, h_only, pct, bang, w, h = m.groups()
    upscale = bool(up)
    if is_max:
        return (upscale, "max", None, None)
    size: tuple[bool, str, float | None, float | None]
    if w_only:
        size = (upscale, "w", _parsed(w_only, "size", text), None)
    elif h_only:
        size = (upscale, "h", None, _parsed(h_only, "size", text))
    elif pct:
        size = (upscale, "pct", float(_parsed(pct, "size", text)), None)
    else:
        size = (upscale, "confined" if bang else "wh", _parsed(w, "size", text), _parsed(h, "size", text))
    if 0 in size[2:]:
        raise ImageError(400, f"size {_shown(text)} has no width or no height")
    return size


def _parse_rotation(text: str) -> tuple[bool, float]:
    m = _ROTATION.fullmatch(text)
    if not m:
        raise ImageError(400, f"rotation {_shown(text)} is not a number of degrees (0-360), optionally after !")
    degrees = float(_parsed(m.group(2), "rotation", text))
    if degrees > 360:
        raise ImageError(400, f"rotation {_shown(text)} is more than 360 degrees")
    return bool(m.group(1)), degrees % 360


def parse_detail(text: str, width: int, height: int) -> tuple[int, int, int, int]:
    """An exhibition detail's ``x,y,w,h``: a region of a non-zero size inside the ``width`` x ``height``
    image served, in ASCII digits; ImageError(404) otherwise (there is no such detail service)."""
    m = _REGION_PX.fullmatch(text)
    if not m or any(len(v) > MAX_DIGITS for v in m.groups()):
        raise ImageError(404, f"detail {_shown(text)} is not x,y,w,h in pixels")
    x, y, w, h = map(int, m.groups())
    if not w or not h or x + w > width or y + h > height:
        raise ImageError(404, f"detail {_shown(text)} is not a region inside the image ({width} x {height} px)")
    return x, y, w, h


def moved(plan: Plan, dx: int, dy: int) -> Plan:
    """A plan for a view of an image (a detail) as the same plan on the image: its region moved by the offset."""
    x, y, w, h = plan.region
    return replace(plan, region=(x + dx, y + dy, w, h))


def resolve(request: Request, width: int, height: int, limits: Limits) -> Plan:
    """The request applied to a ``width`` x ``height`` image under ``limits``."""
    x, y, rw, rh = _region_box(request.region, width, height)
    out = _output_size(request, rw, rh, limits)
    canonical = "/".join(
        (
            "full" if (x, y, rw, rh) == (0, 0, width, height) else f"{x},{y},{rw},{rh}",
            _canonical_size(out, rw, rh, request, limits),
            ("!" if request.mirror else "") + _number(request.rotation),
            f"{request.quality}.{request.format}",
        )
    )
    return Plan((x, y, rw, rh), out, request.mirror, request.rotation, request.quality, request.format, canonical)


def turned_size(width: int, height: int, degrees: float) -> tuple[int, int]:
    """The size of a ``width`` x ``height`` image turned ``degrees`` clockwise: its bounding box,
    computed exactly as Pillow's ``rotate(-degrees, expand=True)`` does, so limits hold to the pixel."""
    if degrees in (0, 180):
        return width, height
    if degrees in (90, 270):
        return height, width
    angle = -math.radians(-degrees % 360.0)
    a, b = round(math.cos(angle), 15), round(math.sin(angle), 15)
    d, e = round(-math.sin(angle), 15), round(math.cos(angle), 15)
    cx, cy = width / 2, height / 2
    c, f = a * -cx + b * -cy + cx, d * -cx + e * -cy + cy
    corners = ((0, 0), (width, 0), (width, height), (0, height))
    xs = [a * x + b * y + c for x, y in corners]
    ys = [d * x + e * y + f for x, y in corners]
    return math.ceil(max(xs)) - math.floor(min(xs)), math.ceil(max(ys)) - math.floor(min(ys))


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


def _max_size(rw: int, rh: int, request: Request, limits: Limits) -> tuple[int, int]:
    """The ``max`` size of a region: all its pixels, or fewer under the image's limits."""
    return _within_limits(rw, rh, request, limits)


def _within_limits(w: int, h: int, request: Request, limits: Limits) -> tuple[int, int]:
    """(w, h), or the largest size of its shape whose output, once turned, is within every limit."""
    size = (w, h)
    while (excess := _excess(*size, request, limits)) is not None:
        if size == (1, 1):
            raise excess
        tw, th = turned_size(*size, request.rotation)
        scale = min(
            (limits.max_area / (tw * th)) ** 0.5,
            limits.max_width / tw if limits.max_width else 1,
            limits.max_height / th if limits.max_height else 1,
            _encoder_side(request) / max(tw, th),
        ) * max(size) / max(w, h)
        # Rounding up the turned corners can leave it a pixel over: then one pixel less, until it fits.
        scale = min(scale, (max(size) - 1) / max(w, h))
        size = max(1, int(w * scale)), max(1, int(h * scale))
    return size


def _encoder_side(request: Request) -> float:
    return ENCODER_SIDE[request.format][1] if request.format in ENCODER_SIDE else math.inf


def _excess(w: int, h: int, request: Request, limits: Limits) -> ImageError | None:
    """Why an output of (w, h) before rotation cannot be sent, or None if it can."""
    tw, th = turned_size(w, h, request.rotation)
    shown = f"{w} x {h}" + (f" turned {_number(request.rotation)} degrees ({tw} x {th})" if (tw, th) != (w, h) else "")
    if (limits.max_width and tw > limits.max_width) or (limits.max_height and th > limits.max_height):
        return ImageError(
            403,
            f"this work is in copyright: it is served at most {limits.max_width} x {limits.max_height} px, "
            f"not {shown}",
        )
    if tw * th > limits.max_area:
        return ImageError(400, f"{shown} is more than the {limits.max_area:,} pixels this server renders at once")
    if max(tw, th) > _encoder_side(request):
        name, side = ENCODER_SIDE[request.format]
        return ImageError(400, f"{shown} is too large for {name}: it is at most {side:,} px on a side; ask for png")
    return None


def _output_size(request: Request, rw: int, rh: int, limits: Limits) -> tuple[int, int]:
    upscale, form, a, b = request.size
    if form == "max":
        # ^max is served as max: the official validator expects ^max of an unconstrained image to be its full size.
        return _max_size(rw, rh, request, limits)
    if form == "confined":
        fit = min(a / rw, b / rh)
        if fit > 1 + _EPS and not upscale:
            raise ImageError(400, f"!{a},{b} would enlarge the {rw} x {rh} region; ask for ^!{a},{b} to upscale")
        w, h = max(1, round(rw * fit)), max(1, round(rh * fit))
        return _within_limits(min(w, a), min(h, b), request, limits)
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
    if not upscale and (w > rw or h > rh):
        raise ImageError(400, f"{w} x {h} is larger than the {rw} x {rh} region; prefix the size with ^ to upscale")
    if excess := _excess(w, h, request, limits):
        raise excess
    return w, h


def _canonical_size(out: tuple[int, int], rw: int, rh: int, request: Request, limits: Limits) -> str:
    if out == _max_size(rw, rh, request, limits):
        return "max"
    up = "^" if out[0] > rw or out[1] > rh else ""
    return f"{up}{out[0]},{out[1]}"


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.6f}".rstrip("0")
