"""What a requester may see of a work: the one place the rights rules live.

Asked by the media route, the object page and the IIIF documents (the Image API's
size limits follow the same rule in ``iiif/image.py``); the curator login and IIIF
Auth 2.0 will extend it here.
"""
from __future__ import annotations

from .model import MediaFile, in_copyright


def original_allowed(rights: str | None) -> bool:
    """Whether original files may be sent as they are: never for a work in copyright, whatever their kind."""
    return not in_copyright(rights)


def shown(media: MediaFile, rights: str | None) -> bool:
    """Whether a media file appears at all: an image always (the Image API reduces a work in copyright),
    a 3D model, sound or film only when its original may be sent."""
    return media.is_image or original_allowed(rights)
