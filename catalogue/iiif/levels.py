"""Pyramid geometry shared by the Image API and the manifests that point at it.

One place decides the tile size, the scale factors and the whole-image sizes, so
the tiles cut on disk, the ``tiles``/``sizes`` of info.json and the thumbnails a
manifest names always agree.

``limit`` (``max_width`` in the signatures) is the longest side a work in
copyright may be served at: the Image API's ``maxWidth``, with ``maxHeight``
inferred equal, as the specification says a client must assume.
"""
from __future__ import annotations

from math import ceil

TILE_SIZE = 512
SMALLEST = 64  # the smallest whole-image size worth advertising
LARGEST = 2048  # whole-image sizes are for thumbnails and previews; bigger views use tiles


def capped_size(width: int, height: int, limit: int | None) -> tuple[int, int]:
    """The whole image scaled down so that neither side exceeds ``limit`` (never up)."""
    if limit is None or max(width, height) <= limit:
        return width, height
    scale = limit / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def scale_factors(width: int, height: int, tile: int = TILE_SIZE, max_width: int | None = None) -> list[int]:
    """1, 2, 4, ... up to the first factor at which the whole image fits one tile.

    ``max_width`` (a work in copyright) keeps only the factors whose level fits
    within it, going further down when even one tile would be larger.
    """
    def side(factor: int) -> int:
        return max(ceil(width / factor), ceil(height / factor))

    factors = [1]
    while side(factors[-1]) > tile or (max_width is not None and side(factors[-1]) > max_width):
        factors.append(factors[-1] * 2)
    return [f for f in factors if max_width is None or side(f) <= max_width]


def sizes(width: int, height: int, max_width: int | None = None) -> list[tuple[int, int]]:
    """Whole-image sizes at each power-of-two reduction up to LARGEST px, smallest first.

    ``max_width`` (a work in copyright) drops the sizes larger than allowed and
    adds the largest allowed one, which is the work's ``max`` size.
    """
    out = []
    factor = 1
    while True:
        w, h = ceil(width / factor), ceil(height / factor)
        if max(w, h) <= min(LARGEST, max_width or LARGEST):
            out.append((w, h))
        if max(w, h) <= SMALLEST or (w == 1 and h == 1):
            break
        factor *= 2
    if max_width is not None:
        top = capped_size(width, height, max_width)
        if top not in out and max(top) <= LARGEST:
            out.append(top)
    return sorted(out)


def thumbnail_size(width: int, height: int, target: int = 400, max_width: int | None = None) -> tuple[int, int]:
    """The advertised size closest above ``target`` px wide (or the largest below it)."""
    options = sizes(width, height, max_width)
    wide_enough = [s for s in options if s[0] >= target]
    return wide_enough[0] if wide_enough else options[-1]


def region_size(
    region_width: int, region_height: int, width: int, height: int, target: int = 400, max_width: int | None = None
) -> tuple[int, int]:
    """A view of a region (an exhibition detail) at most ``target`` px wide that the service will serve.

    Never larger than the region itself, nor finer than a work in copyright may be shown.
    """
    cap = capped_size(width, height, max_width)[0] / width
    scale = min(1.0, target / region_width, cap)
    return max(1, round(region_width * scale)), max(1, round(region_height * scale))
