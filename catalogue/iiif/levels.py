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


def capped(width: int, height: int, limit: int | None) -> bool:
    """Whether a work in copyright is larger than it may be shown (its levels then follow the cap)."""
    return limit is not None and max(width, height) > limit


def tile_width(width: int, height: int, limit: int | None = None) -> int:
    """512 px tiles; a capped work has one tile per level, as wide as the image.

    OpenSeadragon's finest level is always the full ``width`` (it derives its levels from the
    largest scale factor and never reads ``maxWidth``), so a capped work's levels must come from
    ``sizes``: it reads them as its level sizes when there is one per level, and asks a level
    whose size is below the tile width as one ``full/w,h`` image, which the cap allows.
    """
    return max(width, height) if capped(width, height, limit) else TILE_SIZE


def scale_factors(width: int, height: int, tile: int = TILE_SIZE, max_width: int | None = None) -> list[int]:
    """1, 2, 4, ... up to the first factor at which the whole image fits one tile.

    A capped work (``max_width``) has only the factors within its cap, up to the one that gives
    OpenSeadragon as many levels as there are ``sizes``.
    """
    if capped(width, height, max_width):
        factors = [_finest_capped_factor(width, height, max_width)]
        while factors[-1] < 2 ** (len(sizes(width, height, max_width)) - 1):
            factors.append(factors[-1] * 2)
        return factors
    factors = [1]
    while max(ceil(width / factors[-1]), ceil(height / factors[-1])) > tile:
        factors.append(factors[-1] * 2)
    return factors


def sizes(width: int, height: int, max_width: int | None = None) -> list[tuple[int, int]]:
    """Whole-image sizes, smallest first: each power-of-two reduction up to LARGEST px; for a capped
    work its capped size (its ``max``) and the halvings of it, one for each level of its tiles."""
    if capped(width, height, max_width):
        return _capped_sizes(width, height, max_width)
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

def _capped_sizes(width: int, height: int, limit: int) -> list[tuple[int, int]]:
    cap_w, cap_h = capped_size(width, height, limit)
    first = _finest_capped_factor(width, height, limit)  # one size per level, down to this factor at least
    out, k = [], 0
    while True:
        w, h = ceil(cap_w / 2**k), ceil(cap_h / 2**k)
        out.append((w, h))
        if (max(w, h) <= SMALLEST and 2**k >= first) or (w, h) == (1, 1):
            break
        k += 1
    return sorted(out)


def _finest_capped_factor(width: int, height: int, limit: int) -> int:
    """The smallest power of two whose reduction of the whole image is within the cap."""
    cap_w, cap_h = capped_size(width, height, limit)
    factor = 1
    while width / factor > cap_w or ceil(height / factor) > cap_h:
        factor *= 2
    return factor


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
