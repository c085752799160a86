"""Fetching what another institution publishes (IIIF manifests, collections, info.json, images).

The one way an import reads the network: http(s) only, a timeout for every read and for the whole
document, a size limit, a bounded number of redirects (each one http(s) too), and a
:class:`FetchError` that names the URL and says what went wrong in plain words (404, not JSON,
too large, timed out, refused). Nothing is cached or written: the importer decides what to keep.
"""
from __future__ import annotations

import io
import json
import re
import struct
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import requests
from PIL import Image

from ..model import is_web_url
from ..version import __version__

TIMEOUT = 20.0  # seconds for a whole document; a connection or a read stalls for at most this long
MAX_BYTES = 20 << 20  # a IIIF manifest of a 4,000-page book is about 10 MB
MAX_REDIRECTS = 5
USER_AGENT = f"Vitrine/{__version__} (IIIF import)"


class FetchError(Exception):
    """A URL that gave nothing an import can use; ``str()`` says which and why."""

    def __init__(self, url: str, message: str):
        super().__init__(f"{url}: {message}")
        self.url = url
        self.message = message


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON; anything else is a FetchError naming the URL."""
        try:
            return json.loads(self.body.decode("utf-8-sig"), parse_constant=_no_constant)
        except UnicodeDecodeError:
            raise FetchError(self.url, "is not UTF-8 text, so not a IIIF document") from None
        except (ValueError, RecursionError) as exc:
            raise FetchError(self.url, f"is not JSON ({_reason(exc)}), so not a IIIF document") from None

    @property
    def cors(self) -> bool:
        """Whether a viewer on another site may read it (``Access-Control-Allow-Origin``)."""
        return bool(self.headers.get("access-control-allow-origin", "").strip())


@dataclass
class Fetcher:
    """Reads http(s) URLs within limits; one per import (it keeps its HTTP connections)."""

    timeout: float = TIMEOUT
    max_bytes: int = MAX_BYTES
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def get(self, url: str, limit: int | None = None, *, accept: str = "application/json") -> Fetched:
        """The document at ``url``: at most ``limit`` bytes (default ``max_bytes``), read within ``timeout``.

        A body larger than the limit is refused, never cut (:meth:`head_bytes` reads a part).
        """
        return self._get(url, limit or self.max_bytes, accept, partial=False)

    def head_bytes(self, url: str, count: int) -> Fetched:
        """The first ``count`` bytes of ``url`` (an image's header, to read its size)."""
        return self._get(url, count, "image/*", partial=True)

    def get_json(self, url: str) -> Any:
        return self.get(url).json()

    def _get(self, url: str, limit: int, accept: str, partial: bool) -> Fetched:
        deadline = time.monotonic() + self.timeout
        for _ in range(MAX_REDIRECTS + 1):
            if not is_web_url(url):
                raise FetchError(url, "is not an http(s) URL; only http:// and https:// are fetched")
            try:
                response = self.session.get(
                    url, stream=True, allow_redirects=False, timeout=(self.timeout, self.timeout),
                    headers={"Accept": accept, "User-Agent": USER_AGENT},
                )
            except requests.Timeout:
                raise FetchError(url, f"did not answer within {self.timeout:g} s") from None
            except requests.ConnectionError as exc:
                raise FetchError(url, f"cannot be reached ({_connection_reason(exc)})") from None
            except requests.RequestException as exc:
                raise FetchError(url, f"cannot be fetched ({exc.__class__.__name__})") from None
            with response:
                if response.is_redirect:
                    location = response.headers.get("location", "")
                    url = requests.compat.urljoin(url, location)
                    continue
                if response.status_code != 200:
                    reason = response.reason or ""
                    raise FetchError(url, f"answered HTTP {response.status_code} {reason}".rstrip())
                headers = {k.lower(): v for k, v in response.headers.items()}
                declared = headers.get("content-length", "")
                if not partial and declared.isdigit() and int(declared) > limit:
                    raise FetchError(url, f"is {int(declared):,} bytes; the limit is {limit:,}")
                body = bytearray()
                try:
                    for chunk in response.iter_content(64 << 10):
                        body += chunk
                        if len(body) > limit:
                            if partial:
                                del body[limit:]
                                break
                            raise FetchError(url, f"is over {limit:,} bytes; the limit is {limit:,}")
                        if time.monotonic() > deadline:
                            raise FetchError(url, f"took longer than {self.timeout:g} s to read")
                except requests.RequestException as exc:
                    raise FetchError(url, f"broke off while being read ({exc.__class__.__name__})") from None
                return Fetched(response.url or url, response.status_code, headers, bytes(body))
        raise FetchError(url, f"redirects more than {MAX_REDIRECTS} times")


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _reason(exc: Exception) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(":")[0]


def _connection_reason(exc: Exception) -> str:
    text = str(exc)
    for words in ("Connection refused", "Name or service not known", "No route to host",
                  "certificate verify failed", "Temporary failure in name resolution"):
        if words in text:
            return words.lower()
    return "connection failed"


IMAGE_CONTEXTS = {"http://iiif.io/api/image/2/context.json": "ImageService2",
                  "http://iiif.io/api/image/3/context.json": "ImageService3"}


def image_service(url: str, fetcher: Fetcher) -> dict:
    """What a IIIF image service says of itself (``<url>/info.json``): its base URI, Image API
    version (``service_type``) and full size; FetchError when it is no Image API 2 or 3 service."""
    base = url.removesuffix("/info.json").rstrip("/")
    info_url = f"{base}/info.json"
    fetched = fetcher.get(info_url)
    info = fetched.json()
    if not isinstance(info, dict):
        raise FetchError(info_url, "is not an image service's info.json (not a JSON object)")
    contexts = info.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    kinds = [IMAGE_CONTEXTS[c] for c in contexts if isinstance(c, str) and c in IMAGE_CONTEXTS]
    if not kinds:
        raise FetchError(info_url, "is not a IIIF Image API 2 or 3 info.json (its @context names neither)")
    width, height = info.get("width"), info.get("height")
    if not all(_pixels(n) for n in (width, height)):
        raise FetchError(info_url, "gives no width and height in whole pixels")
    sizes = sorted({(s["width"], s["height"]) for s in info.get("sizes") or [] if isinstance(s, dict)
                    and _pixels(s.get("width")) and _pixels(s.get("height"))})
    if not sizes and _level(info) == 0:
        sizes = [(width, height)]  # a level-0 service without sizes serves its full size only
    return {"service": base, "service_type": kinds[-1], "width": width, "height": height,
            "sizes": [list(s) for s in sizes], "cors": fetched.cors}


def _pixels(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n > 0


def _level(info: dict) -> int:
    """The compliance level an info.json claims (``level2``, ``.../level1.json``); 0 when unsure."""
    profile = info.get("profile")
    names = profile if isinstance(profile, list) else [profile]
    for name in names:
        if isinstance(name, str) and (found := re.search(r"level([012])(\.json)?$", name)):
            return int(found.group(1))
    return 0


HEADER_BYTES = 64 << 10  # a JPEG's size is in its first kilobytes, unless EXIF or an ICC profile comes first
MAX_HEADER_BYTES = 4 << 20


def image_size(url: str, fetcher: Fetcher) -> dict:
    """The size and format of a plain remote image, read from its first bytes (Pillow reads a JPEG's,
    PNG's, WebP's or TIFF's size from the header); more is read while the header goes on, and a
    FetchError says when the bytes are no image."""
    count = HEADER_BYTES
    while True:
        fetched = fetcher.head_bytes(url, count)
        try:
            with warnings.catch_warnings():  # nothing is decoded: a large size is no bomb here
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(fetched.body)) as image:
                    width, height = image.size
                    fmt = Image.MIME.get(image.format or "")
        except Image.DecompressionBombError:
            raise FetchError(url, "is an image of more pixels than Vitrine reads") from None
        except (OSError, SyntaxError, ValueError, struct.error):  # cut off inside the header, or not an image
            if len(fetched.body) >= count and count < MAX_HEADER_BYTES:
                count *= 4
                continue
            if len(fetched.body) >= count:
                raise FetchError(url, f"gives no image size in its first {count:,} bytes") from None
            raise FetchError(url, "is not an image Vitrine can read (JPEG, PNG, WebP, TIFF, GIF)") from None
        if not fmt:
            raise FetchError(url, "is not an image Vitrine can read (JPEG, PNG, WebP, TIFF, GIF)")
        return {"format": fmt, "width": width, "height": height}
