"""Pyramid geometry shared by the Image API and the manifests that point at it.

One place decides the tile size, the scale factors and the whole-image sizes, so
the tiles cut on disk, the ``tiles``/``sizes`` of info.json and the thumbnails a
manifest names always agree.

A work in copyright is served as its capped derivative (``capped_size``: the
longer side ``limit``, COPYRIGHT_MAX_WIDTH): its geometry is that of an open
image of the derivative's size, so every viewer derives only requests it serves.
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


def scale_factors(width: int, height: int, tile: int = TILE_SIZE) -> list[int]:
    """1, 2, 4, ... up to the first factor at which the whole image fits one tile."""
    factors = [1]
    while max(ceil(width / factors[-1]), ceil(height / factors[-1])) > tile:
        factors.append(factors[-1] * 2)
    return factors


def sizes(width: int, height: int) -> list[tuple[int, int]]:
    """Whole-image sizes, smallest first: each power-of-two reduction up to LARGEST px."""
    out = []
    factor = 1
    while True:
        w, h = ceil(width / factor), ceil(height / factor)
        if max(w, h) <= LARGEST:
            out.append((w, h))
        # Stop at thumbnails, unless OpenSeadragon would read the sizes as its levels (one per level) and misplace them.
        if max(w, h) <= SMALLEST and not _read_as_levels(width, height, out) or (w == 1 and h == 1):
            break
        factor *= 2
    return sorted(out)


def _read_as_levels(width: int, height: int, found: list[tuple[int, int]]) -> bool:
    """Whether OpenSeadragon would take these sizes for its levels (it does when there is one per
    level, or one per level but the full size) while they are not its levels' sizes."""
    factors = scale_factors(width, height)
    read = sorted(found) + ([(width, height)] if len(found) == len(factors) - 1 else [])
    return len(read) == len(factors) and read != sorted((ceil(width / f), ceil(height / f)) for f in factors)


def thumbnail_size(width: int, height: int, target: int = 400, max_width: int | None = None) -> tuple[int, int]:
    """The advertised size closest above ``target`` px wide (or the largest below it); a work in
    copyright (``max_width``) advertises the sizes of its capped derivative."""
    options = sizes(*capped_size(width, height, max_width))
    wide_enough = [s for s in options if s[0] >= target]
    return wide_enough[0] if wide_enough else options[-1]


def region_size(region_width: int, region_height: int, target: int = 400) -> tuple[int, int]:
    """A view of a region (an exhibition detail, in the coordinates of the image served) at most
    ``target`` px wide: never larger than the region itself, which the service refuses without ``^``."""
    scale = min(1.0, target / region_width)
    return max(1, round(region_width * scale)), max(1, round(region_height * scale))
