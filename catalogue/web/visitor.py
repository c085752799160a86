"""Who is asking, and what they may see: the request's requester and the app's access policy.

Every page, thumbnail and media route asks :func:`access`; the Image API hands :func:`requester`
to the image service, which asks the same policy.
"""
from __future__ import annotations

from ..access import ANONYMOUS, Access, AccessPolicy, Requester
from ..model import DigitalObject, MediaFile
from ..services import services
from ..urls import Urls


def requester() -> Requester:
    """The requester of this request: anonymous for now (the curator login and IIIF Auth 2.0 tokens will
    be read here, from the session and the Authorization header)."""
    return ANONYMOUS


def access_policy() -> AccessPolicy:
    return services().access


def access(rights: str | None, media: MediaFile) -> Access:
    """What this request's requester may see of one media file of a work with these rights."""
    return access_policy().decide(requester(), rights, media)


def offered(obj: DigitalObject, urls: Urls) -> dict[str, str]:
    """Where this requester gets each media file of a work it may have: an image's service (whole or
    reduced), an original file (3D, sound, film) only when it may have it whole, as /media/ sends it.
    The one rule for the JSON record's links and the object page's models and players."""
    links = {}
    for media in obj.media:
        seen = access(obj.rights, media)
        if media.is_remote:  # a loan's image, where its institution serves it
            links[media.id] = f"{media.service}/info.json" if media.service else media.url or ""
        elif media.is_image and seen.visible:
            links[media.id] = urls.image_service(media.id) + "/info.json"
        elif not media.is_image and seen.whole:
            links[media.id] = urls.media(media.id)
    return links


def reduced_to(obj: DigitalObject) -> int | None:
    """The longer side in px this requester sees the work's images at when the policy caps them (a work
    in copyright), so the page can say why zooming in shows no more; None when they are seen whole."""
    return max((limit for m in obj.images if (limit := access(obj.rights, m).limit)), default=None)
