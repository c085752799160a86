"""The first thing every request meets: who may say where it came from, a Host that is a host, and
the security headers every response carries.

It sits outside everything else (the tile fast path included), so that one rule decides which
proxy headers count and every byte Vitrine sends goes out with the same headers.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable

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
    "connect-src 'self' https:",
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
        self.forwarded = (
            ProxyFix(self._checked, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
            if hops else None
        )

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.forwarded is not None and environ.get("REMOTE_ADDR") in self.proxies:
            return self.forwarded(environ, start_response)
        return self._checked(environ, start_response)

    def _checked(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if host is not None and (len(host) > MAX_HOST or not HOST.fullmatch(host)):
            return _bad_host(start_response)

        def secured(status: str, headers: list, exc_info=None):
            names = {name.lower() for name, _ in headers}
            headers += [h for h in HEADERS if h[0].lower() not in names]
            html = any(name.lower() == "content-type" and value.startswith("text/html") for name, value in headers)
            if html and "content-security-policy" not in names:
                headers.append(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self.app(environ, secured)


def _bad_host(start_response: Callable) -> list[bytes]:
    body = b"400 Bad Request: the Host header is not a valid host name.\n"
    start_response("400 Bad Request", [
        ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
        ("Access-Control-Allow-Origin", "*"), *HEADERS,
    ])
    return [body]
