"""Render an image request that no pre-cut tile answers, with Pillow.

The pixels come from the coarsest pyramid level that still has the resolution
the output needs (only the tiles the region touches are decoded), or from the
original when nothing finer exists, decoded in JPEG draft mode where that helps.
``width`` x ``height`` is the image served: for a work in copyright its capped
derivative, whose coordinates the plan is in and whose resolution no output
exceeds, even when the viewer asks for an upscaled size.
"""
from __future__ import annotations

import io
import time
from math import ceil
from pathlib import Path

from PIL import Image

from .errors import ImageError
from .pyramid import Pyramid, Reader
from .request import Plan
from .source import open_source

JPEG_QUALITY = 85
WEBP_QUALITY = 80
PNG_COMPRESSION = 3  # zlib level: a tenth of the time of level 6 for a few percent more bytes
_EPS = 1e-9


class _Source(Reader):
    """The original, decoded at the smallest JPEG draft size that still has the needed resolution
    (``resolution``: pixels per pixel of the ``width`` x ``height`` image served)."""

    def __init__(self, path: Path, width: int, height: int, resolution: float, max_pixels: int, decoded=None):
        at_least = (max(1, ceil(width * resolution)), max(1, ceil(height * resolution)))
        self.image = decoded or open_source(path, max_pixels, at_least)
        self.size = self.image.size

    def read(self, box):
        return self.image, (0, 0)


def render(
    plan: Plan,
    width: int,
    height: int,
    pyramid: Pyramid | None,
    source: Path,
    max_pixels: int,
    deadline: float,
    original: Image.Image | None = None,
) -> bytes:
    """The encoded image for ``plan``; ImageError(503) if it cannot finish before ``deadline``.

    ``original`` is the source already decoded (by the request that cuts the pyramid from it).
    """
    x, y, rw, rh = plan.region
    wanted = min(plan.needed_resolution, 1.0)
    level = _choose(pyramid, wanted)
    original_reader = lambda: _Source(source, width, height, wanted, max_pixels, original)  # noqa: E731
    try:
        box, pixels, (ox, oy) = _read(level or original_reader(), plan.region, width, height)
    except FileNotFoundError:
        if level is None:
            raise
        # The pyramid was replaced or withdrawn meanwhile (a cut, a work put in copyright): the original answers.
        box, pixels, (ox, oy) = _read(original_reader(), plan.region, width, height)
    _check(deadline)
    # Never more detail than the image served has: reduce to its pixels first, then upscale if asked.
    step = (min(plan.size[0], rw), min(plan.size[1], rh))
    local = (box[0] - ox, box[1] - oy, box[2] - ox, box[3] - oy)
    if all(v == int(v) for v in local) and step == (local[2] - local[0], local[3] - local[1]):
        image = pixels.crop(tuple(map(int, local)))  # pixel for pixel: nothing to resample
    else:
        image = pixels.resize(step, Image.Resampling.LANCZOS, box=local, reducing_gap=3.0)
    if step != plan.size:
        image = image.resize(plan.size, Image.Resampling.BICUBIC)
    _check(deadline)
    image = _turn(image, plan)
    image = _colour(image, plan.quality)
    _check(deadline)
    return encode(image, plan.format, pixels.info.get("icc_profile"))


def _read(reader: Reader, region: tuple[int, int, int, int], width: int, height: int):
    """The box of ``region`` in the reader's coordinates, and the pixels covering it with their origin."""
    x, y, rw, rh = region
    sx, sy = reader.size[0] / width, reader.size[1] / height
    box = (x * sx, y * sy, (x + rw) * sx, (y + rh) * sy)
    return (box, *reader.read(box))


def _choose(pyramid: Pyramid | None, wanted: float) -> Reader | None:
    """The coarsest level with at least ``wanted`` resolution (levels are listed finest first)."""
    if pyramid is None:
        return None
    chosen = None
    for resolution, reader in pyramid.levels():
        if resolution + _EPS >= wanted:
            chosen = reader
    return chosen


def _turn(image: Image.Image, plan: Plan) -> Image.Image:
    if plan.mirror:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    degrees = plan.rotation
    if degrees == 0:
        return image
    if degrees in (90, 180, 270):
        turns = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}
        return image.transpose(turns[int(degrees)])
    fill: int | tuple[int, ...]
    if plan.format == "jpg":
        fill = 255 if image.mode == "L" else (255, 255, 255)
    else:  # a transparent background, as the specification recommends
        image = image.convert("LA" if image.mode == "L" else "RGBA")
        fill = (0, 0) if image.mode == "LA" else (0, 0, 0, 0)
    return image.rotate(-degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def _colour(image: Image.Image, quality: str) -> Image.Image:
    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
    if quality in ("default", "color"):
        return image
    grey = image.convert("L")
    if quality == "bitonal":
        grey = grey.point(lambda v: 255 if v >= 128 else 0)
    if alpha is not None:
        return Image.merge("LA", (grey, alpha))
    return grey.convert("1") if quality == "bitonal" else grey


def encode(image: Image.Image, fmt: str, icc: bytes | None = None) -> bytes:
    """Image bytes in a IIIF format; a colour profile travels only with colour pixels."""
    out = io.BytesIO()
    icc = icc if image.mode in ("RGB", "RGBA") else None
    if fmt == "jpg":
        if image.mode not in ("RGB", "L"):
            image = image.convert("L" if image.mode in ("1", "LA") else "RGB")
        image.save(out, "JPEG", quality=JPEG_QUALITY, icc_profile=icc)
    elif fmt == "png":
        image.save(out, "PNG", compress_level=PNG_COMPRESSION, icc_profile=icc)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if image.mode == "LA" else "RGB")
        image.save(out, "WEBP", quality=WEBP_QUALITY, icc_profile=icc)
    return out.getvalue()


def _check(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise ImageError(503, "this image took too long to render; try a smaller size or region")

