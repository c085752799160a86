"""Fetching what another institution publishes (IIIF manifests, collections, info.json, images).

The one way an import reads the network: http(s) only, a timeout for every read and for the whole
document, a size limit, a bounded number of redirects (each one http(s) too), and a
:class:`FetchError` that names the URL and says what went wrong in plain words (404, not JSON,
too large, timed out, refused). Nothing is cached or written: the importer decides what to keep.

No address that is not globally routable is connected to (loopback, private, link-local such as a
cloud's metadata service at 169.254.169.254, shared, unspecified, multicast, reserved; an IPv4-mapped
IPv6 address counts as its IPv4 address), unless the catalogue's ``IMPORT_ALLOWED_NETWORKS`` allows
it: a URL pasted on the import page, or named by a manifest, must not reach the server's own
network. The check is made as each connection is opened (so on every redirect hop, every member,
every image), on every address the host name resolves to, and the connection is made to the very
address checked, so a name that resolves to a public address when checked and to a private one a
moment later (DNS rebinding) connects nowhere it should not. Through an HTTP(S) proxy of the
environment (``HTTPS_PROXY``) the proxy connects: the name is checked as resolved here, and what the
proxy resolves it to is the proxy's to check.
"""
from __future__ import annotations

import functools
import io
import ipaddress
import json
import re
import socket
import struct
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit

import requests
import urllib3
from PIL import Image
from requests.adapters import HTTPAdapter
from requests.utils import select_proxy
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError, NewConnectionError

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


Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
SETTING = "IMPORT_ALLOWED_NETWORKS"
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # an IPv4 address reached through a NAT64 gateway


def allowed_networks(setting: str | Iterable[str] | None) -> tuple[Network, ...]:
    """The IMPORT_ALLOWED_NETWORKS setting: networks and addresses ("10.20.0.0/16 192.168.5.7 fd00::/8"),
    spaced or comma-separated, or a list; ValueError naming one that is none."""
    if isinstance(setting, str) or setting is None:
        setting = (setting or "").replace(",", " ").split()
    networks = []
    for text in setting:
        try:
            networks.append(ipaddress.ip_network(str(text).strip(), strict=False))
        except ValueError:
            raise ValueError(f"{SETTING}: {str(text)[:100]!r} is not a network (10.20.0.0/16) or an address") from None
    return tuple(networks)


class AddressRefused(Exception):
    """A connection the rule does not let through; ``str()`` says which address and why."""


def refusal(address: str, allowed: Iterable[Network] = ()) -> str | None:
    """Why ``address`` may not be connected to (``"10.0.0.5 is a private address"``), None when it may:
    a globally routable unicast address, or one in an ``allowed`` network."""
    ip: Address = ipaddress.ip_address(address)
    seen = ip
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            seen = ip.ipv4_mapped
        elif ip in NAT64:
            seen = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    allowed = tuple(allowed)
    if any(a in n for a in {ip, seen} for n in allowed if a.version == n.version):
        return None
    if seen.is_global and not seen.is_multicast:
        return None
    kind = ("a loopback" if seen.is_loopback else "a link-local" if seen.is_link_local
            else "an unspecified" if seen.is_unspecified else "a multicast" if seen.is_multicast
            else "a private" if seen.is_private and not seen.is_reserved else "not a public")
    return f"{address} is {kind} address"


def checked_addresses(host: str, port: int | None, allowed: Iterable[Network] = ()) -> list[str]:
    """Every address ``host`` resolves to, when the rule lets every one of them through; else
    AddressRefused naming the first that it does not (socket.gaierror when the name resolves to nothing)."""
    host = host.strip("[]")
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    allowed = tuple(allowed)
    for address in addresses:
        if why := refusal(address, allowed):
            if ipaddress.ip_address(address) != _literal(host):
                why = f"{host} resolves to {why.replace(' is ', ', ', 1)}"
            raise AddressRefused(f"refused: {why}; set VITRINE_{SETTING} to allow it")
    return addresses


def networks_of(url: str) -> tuple[Network, ...]:
    """The addresses the host of ``url`` resolves to now, each as a network of one (to allow a host that
    configuration names, wherever it runs); none when it does not resolve."""
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return ()
    return tuple(dict.fromkeys(ipaddress.ip_network(str(info[4][0]).split("%")[0]) for info in infos))


def check_url(url: str, allowed: Iterable[Network] = ()) -> None:
    """FetchError when the rule refuses the host of ``url`` (a name that does not resolve passes: the
    fetch says so); the fetch checks again, on every connection."""
    parts = urlsplit(url)
    try:
        checked_addresses(parts.hostname or "", parts.port, allowed)
    except AddressRefused as exc:
        raise FetchError(url, str(exc)) from None
    except (OSError, UnicodeError, ValueError):
        pass


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _connect_checked(conn: HTTPConnection, allowed: tuple[Network, ...], connect: Callable[[], socket.socket]
                     ) -> socket.socket:
    """Resolve the connection's host once, check every address, then connect to those addresses
    themselves (TLS still verifies, and Host still names, the host name)."""
    host = conn._dns_host
    try:
        addresses = checked_addresses(host, conn.port, allowed)
    except socket.gaierror as exc:
        raise NameResolutionError(conn.host, conn, exc) from exc
    error: Exception | None = None
    for address in addresses:
        conn._dns_host = address
        try:
            return connect()
        except NewConnectionError as exc:
            error = exc
        finally:
            conn._dns_host = host
    raise error or NewConnectionError(conn, f"{host} has no address")


class _Checked(HTTPConnection):
    """A connection that connects only to an address the guard allows (its HTTPS twin below)."""

    def __init__(self, *args: Any, allowed: tuple[Network, ...] = (), **kwargs: Any):
        self.allowed = allowed
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        return _connect_checked(self, self.allowed, super()._new_conn)


class _HTTPConnection(_Checked):
    pass


class _HTTPSConnection(_Checked, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """requests' adapter, its connections made only where the rule (:func:`refusal`) lets them."""

    def __init__(self, allowed: tuple[Network, ...] = ()):
        self.allowed = allowed
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # each pool hands ``allowed`` to its connections (as connection keywords, not pool keys)
        self.poolmanager.pool_classes_by_scheme = cast(dict[str, type[HTTPConnectionPool]], {
            "http": functools.partial(_HTTPPool, allowed=self.allowed),
            "https": functools.partial(_HTTPSPool, allowed=self.allowed),
        })

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: bool | str = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        if request.url and select_proxy(request.url, proxies or {}):  # the proxy connects: the name is checked here
            parts = urlsplit(request.url)
            try:
                checked_addresses(parts.hostname or "", parts.port, self.allowed)
            except socket.gaierror as exc:
                raise requests.ConnectionError(f"Name or service not known ({exc})", request=request) from None
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)


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
    allowed: tuple[Network, ...] = ()  # the networks IMPORT_ALLOWED_NETWORKS allows besides public addresses
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def __post_init__(self) -> None:
        adapter = GuardedAdapter(tuple(self.allowed))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

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
            except AddressRefused as exc:
                raise FetchError(url, str(exc)) from None
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
                try:
                    body = read_body(response, limit, deadline, partial)
                except TooLarge:
                    raise FetchError(url, f"is over {limit:,} bytes; the limit is {limit:,}") from None
                except requests.Timeout:
                    raise FetchError(url, f"took longer than {self.timeout:g} s to read") from None
                except requests.RequestException as exc:
                    raise FetchError(url, f"broke off while being read ({exc.__class__.__name__})") from None
                return Fetched(response.url or url, response.status_code, headers, body)
        raise FetchError(url, f"redirects more than {MAX_REDIRECTS} times")


class TooLarge(requests.RequestException):
    """A body over the limit it is read within."""


def read_body(response: requests.Response, limit: int, deadline: float, partial: bool = False) -> bytes:
    """A streamed body, read as it arrives: at most ``limit`` bytes (``partial``: its first ``limit``
    bytes; else TooLarge) by ``deadline`` (a time.monotonic(); else requests.Timeout). Each piece is what
    one read of the connection gives (urllib3's read1): ``iter_content`` waits for a whole piece, so a
    server sending a byte at a time, each within the read timeout, held the reader past its deadline. A
    connection that breaks off is a requests exception, as ``iter_content`` makes it."""
    body = bytearray()
    try:
        while piece := response.raw.read1(64 << 10, decode_content=True):
            body += piece
            if len(body) > limit:
                if partial:
                    return bytes(body[:limit])
                raise TooLarge(f"{response.url} is over {limit:,} bytes")
            if time.monotonic() > deadline:
                raise requests.Timeout(f"{response.url} took longer than its deadline to read")
    except urllib3.exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from None
    except urllib3.exceptions.HTTPError as exc:  # the connection broke off (IncompleteRead), timed out, ...
        raise requests.exceptions.ChunkedEncodingError(exc) from None
    return bytes(body)


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
