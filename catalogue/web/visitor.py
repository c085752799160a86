"""Who is asking, and what they may see: the request's requester and the app's access policy.

Every page, thumbnail and media route asks :func:`access`; the Image API hands :func:`requester`
to the image service, which asks the same policy.
"""
from __future__ import annotations

from ..access import ANONYMOUS, Access, AccessPolicy, Requester
from ..model import MediaFile
from ..services import services


def requester() -> Requester:
    """The requester of this request: anonymous for now (the curator login and IIIF Auth 2.0 tokens will
    be read here, from the session and the Authorization header)."""
    return ANONYMOUS


def access_policy() -> AccessPolicy:
    return services().access


def access(rights: str | None, media: MediaFile) -> Access:
    """What this request's requester may see of one media file of a work with these rights."""
    return access_policy().decide(requester(), rights, media)
