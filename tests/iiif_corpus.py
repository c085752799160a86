"""The shared IIIF corpus (../shared/data/iiif-manifests/) served from 127.0.0.1, and documents a test adds.

Each corpus file is served as it is at ``/corpus/<folder>/<name>``. Only a collection's members are
rewritten, since their ids point at the internet: a member that is a corpus document (by its id) points
at that document here, any other at ``/gone/...``, which answers 404. ``/doc/<name>`` serves what a
test puts in ``documents``; ``/status/<code>``, ``/text`` and ``/bytes/<n>`` answer as they say.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from support import SHARED

CORPUS = SHARED / "data" / "iiif-manifests"


def corpus_files(*folders: str) -> list[str]:
    return [f"{folder}/{path.name}" for folder in folders for path in sorted((CORPUS / folder).glob("*.json"))]


def _ids() -> dict[str, str]:
    ids = {}
    for name in corpus_files("p2", "p3"):
        try:
            document = json.loads((CORPUS / name).read_text(encoding="utf-8"))
        except ValueError:
            continue
        ref = document.get("id") or document.get("@id") if isinstance(document, dict) else None
        if isinstance(ref, str):
            ids.setdefault(ref, name)
    return ids


class Corpus:
    """A WSGI app: the corpus, and ``documents`` (name → JSON value) a test adds."""

    def __init__(self) -> None:
        self.documents: dict[str, object] = {}
        self.ids = _ids()
        self.base = ""  # set by the test once served
        self.requests: list[str] = []

    def url(self, name: str) -> str:
        return f"{self.base}/corpus/{name}"

    def doc(self, name: str) -> str:
        return f"{self.base}/doc/{name}"

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        self.requests.append(path)
        kind, _, rest = path.lstrip("/").partition("/")
        body: bytes | None = None
        if kind == "corpus" and (CORPUS / rest).is_file() and ".." not in rest:
            body = self._member_rewritten((CORPUS / rest).read_bytes())
        elif kind == "doc" and rest in self.documents:
            body = json.dumps(self.documents[rest]).encode()
        elif kind == "text":
            start_response("200 OK", [("Content-Type", "text/html")])
            return [b"<!doctype html><title>Not IIIF</title><p>Hello"]
        elif kind == "bytes":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b"[" + b"0," * (int(rest) // 2) + b"0]"]
        elif kind == "status":
            start_response(f"{rest} Whatever", [("Content-Type", "text/plain")])
            return [b"no"]
        if body is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    def _member_rewritten(self, raw: bytes) -> bytes:
        try:
            document = json.loads(raw)
        except ValueError:
            return raw
        if not isinstance(document, dict) or "ollection" not in str(document.get("type") or document.get("@type")):
            return raw
        for key in ("items", "manifests", "collections", "members"):
            for member in document.get(key) or []:
                for id_key in ("id", "@id"):
                    if isinstance(member, dict) and isinstance(member.get(id_key), str):
                        ref = member[id_key]
                        member[id_key] = self.url(self.ids[ref]) if ref in self.ids else \
                            f"{self.base}/gone/{quote(ref, safe='')}"
        return json.dumps(document).encode()


def source_labels(document: dict) -> list[dict]:
    """The canvas labels of a P3 (or upgraded) manifest, in order."""
    return [c.get("label") or {} for c in document.get("items", [])]


def as_path(name: str) -> Path:
    return CORPUS / name
