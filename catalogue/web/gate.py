"""The first thing every request meets: who may say where it came from, a Host that is a host, and
the security headers every response carries.

It sits outside everything else (the tile fast path included), so that one rule decides which
proxy headers count and every byte Vitrine sends goes out with the same headers.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from werkzeug.middleware.proxy_fix import ProxyFix

_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
# A DNS name of labels of 1-63 characters (RFC 1123), an IPv4 or a bracketed IPv6 address; then a port.
HOST = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{{1,5}})?")
MAX_HOST = 253 + 6

# Mirador styles itself with inline <style> elements (emotion); model-viewer compiles WebAssembly
# decoders ('wasm-unsafe-eval' allows that, not JavaScript eval) and decodes in blob: workers;
# images and manifests may come from other institutions' IIIF servers, over https.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "connect-src 'self' blob: https:",  # model-viewer reads a glTF's embedded textures from blob: URLs
    "font-src 'self' data:",
    "media-src 'self' blob:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
])
HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
]
# What a viewer on another origin may fetch (IIIF documents and images, the API, original media, viewer assets),
# and read: validators, the profile Link, sizes. Public data without credentials, so any origin.
CORS_PREFIXES = ("/iiif/", "/api/", "/media/", "/assets/")
CORS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "ETag, Last-Modified, Link, Content-Length, Content-Range, Retry-After"),
]
PREFLIGHT = [
    ("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
    ("Access-Control-Max-Age", "86400"),
    ("Allow", "GET, HEAD, OPTIONS"),
]
ALLOWED_HEADERS = "Accept, Accept-Language, Cache-Control, Content-Type, If-Modified-Since, If-None-Match, Range"
_HEADER_NAMES = re.compile(r"[A-Za-z0-9-]{1,64}(?:\s*,\s*[A-Za-z0-9-]{1,64}){0,31}")
# RFC 7239: Forwarded: for=192.0.2.1;proto=https;host=example.org, for="[2001:db8::1]:4711"
_PAIR = re.compile(r'\s*([A-Za-z]+)=("(?:[^"\\]|\\.)*"|[^;,"\s]*)\s*([;,]|$)')
_FORWARDED_AS = {"for": "HTTP_X_FORWARDED_FOR", "proto": "HTTP_X_FORWARDED_PROTO", "host": "HTTP_X_FORWARDED_HOST"}


def trusted_proxies(setting: str | Iterable[str]) -> frozenset[str]:
    """The TRUSTED_PROXIES setting as a set of addresses ("127.0.0.1 ::1", or a list)."""
    if isinstance(setting, str):
        setting = setting.replace(",", " ").split()
    return frozenset(setting)


class Gate:
    """WSGI middleware: forwarded headers only from trusted proxies, a valid Host, security headers."""

    def __init__(self, wsgi_app: Callable, hops: int, proxies: frozenset[str]):
        self.app = wsgi_app
        self.proxies = proxies
        self.hops = hops
        self.forwarded = (
            ProxyFix(self._checked, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
            if hops else None
        )

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.forwarded is not None and environ.get("REMOTE_ADDR") in self.proxies:
            _forwarded_as_x(environ, self.hops)
            return self.forwarded(environ, start_response)
        return self._checked(environ, start_response)

    def _checked(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if host is not None and (len(host) > MAX_HOST or not HOST.fullmatch(host)):
            return _bad_host(start_response)
        cors = environ.get("PATH_INFO", "").startswith(CORS_PREFIXES)
        if cors and environ.get("REQUEST_METHOD") == "OPTIONS":
            return _preflight(environ, start_response)
        added = HEADERS + CORS if cors else HEADERS

        def secured(status: str, headers: list, exc_info=None):
            names = {name.lower() for name, _ in headers}
            headers += [h for h in added if h[0].lower() not in names]
            html = any(name.lower() == "content-type" and value.startswith("text/html") for name, value in headers)
            if html and "content-security-policy" not in names:
                headers.append(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self.app(environ, secured)


def _preflight(environ: dict, start_response: Callable) -> list[bytes]:
    """A CORS preflight: GET and HEAD from any origin, with the headers asked for (names only), else the usual ones."""
    asked = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "").strip()
    allowed = asked if _HEADER_NAMES.fullmatch(asked) else ALLOWED_HEADERS
    start_response("204 No Content", [*CORS, *PREFLIGHT, ("Access-Control-Allow-Headers", allowed), *HEADERS])
    return []


def _forwarded_as_x(environ: dict, hops: int) -> None:
    """A trusted proxy's RFC 7239 Forwarded header, as the X-Forwarded-* headers ProxyFix applies.

    Only the last ``hops`` elements (those the trusted proxies wrote) count, and a field only when
    each of them states it; an X-Forwarded-* header that is there wins; a malformed header counts not at all.
    """
    elements = _forwarded_elements(environ.get("HTTP_FORWARDED", ""))[-hops:]
    if len(elements) < hops:
        return
    for field, key in _FORWARDED_AS.items():
        values = [element.get(field) or "" for element in elements]
        if key not in environ and all(values):
            environ[key] = ", ".join(values)


def _forwarded_elements(header: str) -> list[dict[str, str]]:
    """The elements of a Forwarded header, each {for, proto, host, by: value}; [] if it is malformed."""
    elements, element, position = [], {}, 0
    while position < len(header):
        pair = _PAIR.match(header, position)
        if pair is None or pair.end() == position:
            return []
        name, value, separator = pair.group(1).lower(), pair.group(2), pair.group(3)
        element[name] = _unquoted(value, name)
        if separator != ";":
            elements.append(element)
            element = {}
        position = pair.end()
    return elements


def _unquoted(value: str, name: str) -> str:
    if value.startswith('"'):
        value = re.sub(r"\\(.)", r"\1", value[1:-1])
    if name == "for":  # a node: 192.0.2.1, 192.0.2.1:80, [2001:db8::1]:4711 -> the address alone
        value = value[1:].partition("]")[0] if value.startswith("[") else value.partition(":")[0]
    return value


def _bad_host(start_response: Callable) -> list[bytes]:
    body = b"400 Bad Request: the Host header is not a valid host name.\n"
    start_response("400 Bad Request", [
        ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
        ("Access-Control-Allow-Origin", "*"), *HEADERS,
    ])
    return [body]
