"""What a requester may see of a work: the one access policy, asked by every door.

info.json and image requests (``iiif/image.py``), ``/media/`` and the object page, the IIIF
documents, thumbnails and search hits all ask :class:`AccessPolicy` and nothing else; the
copyright cap (COPYRIGHT_MAX_WIDTH) is read here only. A policy is chosen by ACCESS_POLICY;
the curator login and IIIF Auth 2.0 will arrive as a richer :class:`Requester` and a policy
that reads its roles and tokens, with no door changed.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from .model import MediaFile, in_copyright


@dataclass(frozen=True)
class Requester:
    """Who asks. Anonymous today; later a signed-in user's roles and IIIF Auth 2.0 access tokens."""

    roles: frozenset[str] = frozenset()
    tokens: frozenset[str] = frozenset()

    @property
    def anonymous(self) -> bool:
        return not self.roles and not self.tokens


ANONYMOUS = Requester()


@dataclass(frozen=True)
class Access:
    """What a requester may see of one media file: all of it, the image reduced to ``max_width`` px
    on its longer side (its capped derivative, the only image its service then knows), or nothing."""

    level: Literal["full", "reduced", "none"]
    max_width: int | None = None

    @classmethod
    def reduced(cls, max_width: int) -> Access:
        return cls("reduced", int(max_width))

    @property
    def visible(self) -> bool:
        """Whether the media file is shown at all."""
        return self.level != "none"

    @property
    def whole(self) -> bool:
        """Whether its original may be sent as it is (``/media/``) and its image served at full size."""
        return self.level == "full"

    @property
    def limit(self) -> int | None:
        """The longer side the image is capped to (None: not capped)."""
        return self.max_width if self.level == "reduced" else None


FULL = Access("full")
NONE = Access("none")


class AccessPolicy(Protocol):
    """Decides what a requester may see of a work's media file, from the work's rights."""

    #: What tells this policy's public decisions apart, for cache keys (document ETags).
    key: str

    def decide(self, requester: Requester, rights: str | None, media: MediaFile) -> Access:
        ...


class TieredPolicy:
    """The museum rule: an open work is seen whole; a work in copyright only as images reduced to
    ``max_width`` px, and nothing of its 3D models, sound or film (their originals cannot be reduced)."""

    def __init__(self, max_width: int):
        self.max_width = int(max_width)
        self.key = f"tiered:{self.max_width}"

    def decide(self, requester: Requester, rights: str | None, media: MediaFile) -> Access:
        if not in_copyright(rights) or media.is_remote:  # a loan's institution serves (and caps) its own images
            return FULL
        return Access.reduced(self.max_width) if media.is_image else NONE


class DenyPolicy:
    """Nothing of any work to anyone: a catalogue whose records are public but whose media are not (yet)."""

    key = "deny"

    def decide(self, requester: Requester, rights: str | None, media: MediaFile) -> Access:
        return NONE


# What lets anyone copy a work: a Creative Commons licence or public-domain tool (CC0, the Public
# Domain Mark). rightsstatements.org's statements do not (in copyright, undetermined, or "no copyright"
# with conditions a copy must check by hand).
_COPYABLE = re.compile(r"https?://creativecommons\.org/(licenses|publicdomain)/")


def may_mirror(rights: str | None) -> bool:
    """Whether a loan's remote images may be copied into this catalogue's own files and tiles: only
    when its rights say anyone may copy it (not in copyright, not an unknown or undetermined status)."""
    return rights is not None and _COPYABLE.match(rights) is not None


POLICIES = ("tiered", "deny")


def open_policy(config: Mapping) -> AccessPolicy:
    """The policy ACCESS_POLICY names ("tiered", the default, or "deny"), or the policy object it holds
    (an application embedding Vitrine, or a test, passes its own)."""
    chosen = config.get("ACCESS_POLICY") or "tiered"
    if not isinstance(chosen, str):
        return chosen
    if chosen == "tiered":
        return TieredPolicy(int(config["COPYRIGHT_MAX_WIDTH"]))
    if chosen == "deny":
        return DenyPolicy()
    raise ValueError(f"ACCESS_POLICY {chosen!r} is not one of {', '.join(POLICIES)}")
