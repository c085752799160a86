"""Source images: opened safely, upright, in the two modes the Image API serves.

Every decode of an original goes through here, so the decompression-bomb check,
the EXIF orientation and the colour mode are decided once for tiles, renders and
info.json alike.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import cast

from PIL import Image, ImageOps

from .errors import ImageError

# EXIF orientations that turn the stored image by a quarter.
_SWAPS_SIDES = {5, 6, 7, 8}
_ORIENTATION = 0x0112


def _open(path: Path, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except FileNotFoundError:
        raise ImageError(404, "the image file of this media is missing") from None
    except Image.DecompressionBombError:
        raise ImageError(413, "the source image is too large to serve") from None
    except OSError:
        raise ImageError(404, "the media file is not an image Vitrine can read") from None
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise ImageError(
            413, f"the source image has {width * height:,} pixels; this server decodes at most {max_pixels:,}"
        )
    return image


def _orientation(image: Image.Image) -> int | None:
    # Pillow decodes a whole PNG to look for an eXIf chunk after the pixels: only trust one found before.
    if image.format == "PNG" and "exif" not in image.info:
        return None
    return image.getexif().get(_ORIENTATION)


def image_size(path: Path, max_pixels: int = 100_000_000) -> tuple[int, int]:
    """Width and height as displayed (EXIF orientation applied), read from the header only."""
    with _open(path, max_pixels) as image:
        width, height = image.size
        if _orientation(image) in _SWAPS_SIDES:
            return height, width
        return width, height


def open_source(path: Path, max_pixels: int, at_least: tuple[int, int] | None = None) -> Image.Image:
    """The decoded image, upright, as RGB or L (transparency flattened onto white).

    ``at_least`` lets a JPEG decode at a DCT-reduced size no smaller than that
    (draft mode): a tenth of the work for a small view of a large original.
    """
    image = _open(path, max_pixels)
    orientation = _orientation(image)
    if at_least and image.format == "JPEG":
        w, h = at_least
        if orientation in _SWAPS_SIDES:
            w, h = h, w
        image.draft(image.mode if image.mode in ("RGB", "L") else "RGB", (w, h))
    try:
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ImageError(422, "the image file of this media is damaged") from None
    icc = image.info.get("icc_profile")
    if orientation and orientation != 1:
        image = ImageOps.exif_transpose(image)
    image = _normalise(image)
    if icc:
        image.info["icc_profile"] = icc
    return image


def _normalise(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    if image.mode == "1":
        return image.convert("L")
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return _to_8bit(image)
    if image.mode == "P" and "transparency" not in image.info:
        return image.convert("RGB")
    if image.mode in ("RGBA", "LA", "PA", "P", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat = Image.alpha_composite(background, rgba)
        return flat.convert("L" if image.mode in ("LA", "La") else "RGB")
    return image.convert("RGB")


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit and float greys, stretched to 0-255 from their own range."""
    image = image.convert("I") if image.mode.startswith("I;16") else image
    # One band here (I or F), so the extrema are one (min, max) pair, not one pair per band.
    low, high = cast(tuple[float, float], image.getextrema())
    if high <= low:
        return Image.new("L", image.size, 0)
    return image.point(lambda v: (v - low) * 255.0 / (high - low)).convert("L")
