"""IIIF Content State 1.0: "this canvas of this manifest, this region of it", as a link can carry it.

A content state arrives in an ``iiif-content`` parameter in one of the forms the specification
allows: a plain URI (of a Manifest, or of a Canvas with an optional ``#xywh=``), inline JSON (an
Annotation whose ``target`` says where, or the target alone), or either of those base64url-encoded.
Only states about this catalogue's own documents are understood: a URI elsewhere is never fetched
(it would make Vitrine fetch any address a visitor names).
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from urllib.parse import unquote

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
MAX_LENGTH = 8192  # characters of an iiif-content value: a state names a few URIs, not a document
_XYWH = re.compile(r"(?:pixel:)?(\d{1,9}),(\d{1,9}),(\d{1,9}),(\d{1,9})")


class ContentStateError(ValueError):
    """A content state that cannot be read, with the reason (an HTTP 400)."""


@dataclass(frozen=True)
class ContentState:
    """Where a state points: a manifest, perhaps one of its canvases, perhaps a region of that canvas."""

    manifest: str
    canvas: str | None = None
    region: tuple[int, int, int, int] | None = None


def decode(value: str) -> ContentState:
    """Read an ``iiif-content`` value in any of its forms, or raise ContentStateError."""
    if len(value) > MAX_LENGTH:
        raise ContentStateError(f"iiif-content may be at most {MAX_LENGTH} characters long, not {len(value)}")
    text = value.strip()
    if text.startswith(("http://", "https://")):
        return _from_uri(text, None)
    if not text.startswith("{"):
        text = _unbase64(text)
    if text.startswith(("http://", "https://")):
        return _from_uri(text, None)
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise ContentStateError("iiif-content is neither a URI, JSON, nor base64url-encoded JSON") from None
    return _from_json(data)


def encode(state: ContentState) -> str:
    """The state as an Annotation, base64url-encoded without padding, as the specification recommends."""
    target: dict = {"id": state.manifest, "type": "Manifest"}
    if state.canvas:
        source = {"id": state.canvas, "type": "Canvas", "partOf": [target]}
        target = source
        if state.region:
            target = {"type": "SpecificResource", "source": source, "selector": {
                "type": "FragmentSelector", "conformsTo": "http://www.w3.org/TR/media-frags/",
                "value": "xywh=" + ",".join(map(str, state.region))}}
    annotation = {"@context": CONTEXT, "type": "Annotation", "motivation": ["contentState"], "target": target}
    raw = json.dumps(annotation, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _no_constant(name: str):
    raise ValueError(name)


def _unbase64(text: str) -> str:
    """base64url (padding optional), else percent-encoded text, as UTF-8."""
    if re.fullmatch(r"[A-Za-z0-9_-]+={0,2}", text):
        try:
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8").strip()
        except (binascii.Error, UnicodeDecodeError):
            pass
    decoded = unquote(text).strip()
    if decoded.startswith(("{", "http://", "https://")):
        return decoded
    raise ContentStateError("iiif-content is neither a URI, JSON, nor base64url-encoded JSON")


def _from_json(data) -> ContentState:
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        raise ContentStateError("iiif-content must be an Annotation or the resource it targets")
    if data.get("type") == "Annotation":
        target = data.get("target")
        if isinstance(target, list):
            if len(target) != 1:
                raise ContentStateError("iiif-content: Vitrine opens one target at a time")
            target = target[0]
        return _from_target(target)
    return _from_target(data)


def _from_target(target) -> ContentState:
    if isinstance(target, str):
        return _from_uri(target, None)
    if not isinstance(target, dict):
        raise ContentStateError("iiif-content: the target must be a URI or a resource")
    if target.get("type") == "SpecificResource":
        source, selector = target.get("source"), target.get("selector")
        if isinstance(source, str):
            source = {"id": source, "type": "Canvas"}
        if not isinstance(source, dict):
            raise ContentStateError("iiif-content: a SpecificResource needs a source")
        state = _from_target(source)
        if isinstance(selector, list) and len(selector) == 1:
            selector = selector[0]
        if isinstance(selector, dict) and selector.get("type") == "FragmentSelector":
            return ContentState(state.manifest, state.canvas, _region(str(selector.get("value", ""))))
        if selector is not None:
            raise ContentStateError("iiif-content: only a FragmentSelector (xywh=) region is understood")
        return state
    uri = target.get("id")
    if not isinstance(uri, str):
        raise ContentStateError("iiif-content: the target has no id")
    if target.get("type") == "Canvas":
        part_of = target.get("partOf") or []
        manifests = [p.get("id") for p in part_of if isinstance(p, dict) and p.get("type") == "Manifest"]
        return _from_uri(uri, manifests[0] if manifests and isinstance(manifests[0], str) else None)
    if target.get("type") not in (None, "Manifest"):
        kind = str(target.get("type"))[:40]
        raise ContentStateError(f"iiif-content: Vitrine opens a Manifest or a Canvas, not a {kind}")
    return _from_uri(uri, None)


def _from_uri(uri: str, manifest: str | None) -> ContentState:
    """A Manifest's URI, or a Canvas's (``…/manifest/canvas/N``, perhaps ``#xywh=``)."""
    uri, _, fragment = uri.partition("#")
    region = _region(fragment) if fragment else None
    head, sep, _ = uri.partition("/canvas/")
    if sep:
        return ContentState(manifest or head, uri, region)
    if region:
        raise ContentStateError("iiif-content: a region needs a canvas")
    return ContentState(uri)


def _region(fragment: str) -> tuple[int, int, int, int]:
    match = _XYWH.fullmatch(fragment.removeprefix("xywh="))
    if not fragment.startswith("xywh=") or not match:
        raise ContentStateError(f"iiif-content: the region must be xywh=x,y,w,h, not {fragment[:40]!r}")
    x, y, w, h = (int(n) for n in match.groups())
    if not w or not h:
        raise ContentStateError("iiif-content: the region must have a width and a height")
    return x, y, w, h
