"""Another institution's IIIF: a Presentation 2 or 3 Manifest, or a Collection of them, as records.

A source is read, never trusted: every document comes through :class:`~.remote.Fetcher` (http(s),
a timeout, a size limit) or from a local file within the same size limit; a Presentation 2 document
is upgraded to 3 first (:func:`catalogue.iiif.upgrade.upgrade`). A collection is followed through its
members and pages (``first``/``next``) up to ``max_depth`` levels and ``max_manifests`` manifests, and
no URL is read twice, so a loop ends. Each manifest becomes one ``object`` record that keeps the
manifest's id as its ``source`` and paints the lender's images by reference (its image services, or
its plain images); its provider becomes an ``institution`` record. A manifest that cannot be kept
(not found, not IIIF, sound or video) becomes a record that carries its problem, so the import
refuses all of it, or with ``--skip-invalid`` reports it, like any other invalid record.

Image services' CORS headers are not checked: a server-side import does not need them, and checking
would read one info.json per page (4,000 for a large book) of a document whose headers may change
tomorrow; the lender's viewers already depend on them.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

from ..iiif.presentation import plain, rich
from ..iiif.upgrade import UpgradeError, presentation_version, upgrade
from ..model import ID_PATTERN, check_rights, is_language, is_web_url
from . import IngestError, Problem, Record
from .remote import Fetched, Fetcher, FetchError

MAX_DEPTH = 5  # collections within collections: a library's tree is 3 or 4 deep
MAX_MANIFESTS = 10_000
ID_MAX = 128
_NOT_ID = re.compile(r"[^A-Za-z0-9._-]+")
# Language tags real manifests use that are no BCP 47 tag (MANIFEST.md lists them).
_LANGUAGE_ALIASES = {"@none": "none", "english": "en", "jp": "ja"}
_IMAGE_SERVICES = {"ImageService2": "ImageService2", "ImageService3": "ImageService3",
                   "http://iiif.io/api/image/2/context.json": "ImageService2",
                   "http://iiif.io/api/image/3/context.json": "ImageService3"}


class Refusal(Exception):
    """A document that cannot be imported: ``where`` (its URL or file) and why."""

    def __init__(self, where: str, field: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where, self.field, self.message = where, field, message


def read_iiif(source: str, *, fetcher: Fetcher | None = None, institution: str | None = None,
              max_depth: int = MAX_DEPTH, max_manifests: int = MAX_MANIFESTS,
              fetched: Callable[[str], None] | None = None) -> Iterator[Record]:
    """Records of the manifest or collection at ``source`` (an http(s) URL or a local file).

    ``institution`` puts every object under that (existing) institution instead of the providers;
    ``fetched(url)`` hears of every manifest read. The source itself failing is an IngestError;
    a member failing is a record carrying its problem (see the module's docstring).
    """
    reader = _Reader(fetcher or Fetcher(), institution, max_depth, max_manifests, fetched)
    yield from reader.read(source)


class _Reader:
    def __init__(self, fetcher: Fetcher, institution: str | None, max_depth: int, max_manifests: int,
                 fetched: Callable[[str], None] | None):
        self.fetcher, self.institution = fetcher, institution
        self.max_depth, self.max_manifests, self.fetched = max_depth, max_manifests, fetched
        self.visited: set[str] = set()
        self.manifests = 0
        self.institutions: set[str] = set()
        self.ids: dict[str, str] = {}  # object id → the manifest id it was made from

    def read(self, source: str) -> Iterator[Record]:
        try:
            document, where = self._load(source)
        except Refusal as exc:
            raise _ingest_error(exc) from None
        if _kind(document) == "Collection":
            refused = False
            for record in self._collection(document, where, 0):
                refused = refused or record.problem is not None
                yield record
            if not self.manifests and not refused:
                raise IngestError([Problem(where, None, "items", "is a collection with no manifest in it")])
        else:
            yield from self._manifest(document, where)

    # -- documents --------------------------------------------------------------

    def _load(self, source: str) -> tuple[dict, str]:
        """The document at ``source`` as Presentation 3, and where it was read."""
        self.visited.add(urldefrag(source)[0])
        try:
            got = self.fetcher.get(source) if is_web_url(source) else _local(source, self.fetcher.max_bytes)
            document = got.json()
        except FetchError as exc:
            raise Refusal(exc.url, "", exc.message) from None
        if not isinstance(document, dict):
            raise Refusal(source, "", "is not a IIIF document (not a JSON object)")
        if presentation_version(document) is None:
            raise Refusal(source, "@context", _not_presentation(document))
        try:
            document = upgrade(document)
        except UpgradeError as exc:
            raise Refusal(source, exc.path, f"cannot be read as Presentation 3: {exc.message}") from None
        if _kind(document) not in ("Manifest", "Collection"):
            raise Refusal(source, "type", f"is a {_kind(document) or 'document without a type'}, "
                                          "not a IIIF Manifest or Collection")
        return document, source

    def _collection(self, collection: dict, where: str, depth: int) -> Iterator[Record]:
        for member in self._members(collection, where):
            kind, ref = _kind(member), _ref(member)
            if kind == "Refused":
                refusal = member["refusal"]
                yield _refused(refusal.where, refusal.field, refusal.message)
                continue
            if kind not in ("Manifest", "Collection") or not ref:
                continue  # a canvas or range in a collection is no member Vitrine imports
            if urldefrag(ref)[0] in self.visited:
                continue
            if kind == "Manifest" and self.manifests >= self.max_manifests:
                yield _refused(where, "items", f"has more than {self.max_manifests:,} manifests; the limit "
                                               f"is {self.max_manifests:,} (--max-manifests)")
                return
            if kind == "Collection" and depth + 1 > self.max_depth:
                yield _refused(ref, "", f"is {depth + 1} collections deep; the limit is {self.max_depth} "
                                        "(--max-depth)")
                continue
            try:
                document, at = self._load(ref)
            except Refusal as exc:
                if kind == "Manifest":
                    self.manifests += 1
                yield _refused(exc.where, exc.field, exc.message)
                continue
            if _kind(document) == "Collection":
                yield from self._collection(document, at, depth + 1)
            else:
                yield from self._manifest(document, at)

    def _members(self, collection: dict, where: str) -> Iterator[dict]:
        """A collection's members, its pages' (``first``/``next``) included, each page read once."""
        yield from _dicts(collection.get("items"))
        page = collection.get("first")
        while page is not None:
            ref = _ref(page) if isinstance(page, dict) else page if isinstance(page, str) else None
            if not ref or urldefrag(ref)[0] in self.visited:
                if isinstance(page, dict) and page.get("items"):
                    yield from _dicts(page.get("items"))
                return
            try:
                page, _ = self._load(ref)
            except Refusal as exc:
                yield {"type": "Refused", "refusal": exc}
                return
            yield from _dicts(page.get("items"))
            page = page.get("next")

    def _manifest(self, manifest: dict, where: str) -> Iterator[Record]:
        self.manifests += 1
        if self.fetched:
            self.fetched(where)
        manifest_id = _ref(manifest) or where
        try:
            provider = None if self.institution else self._provider(manifest, manifest_id)
            institution = provider["id"] if provider else (self.institution or "")
            record = object_record(manifest, self._object_id(manifest_id), institution, where)
        except Refusal as exc:
            yield _refused(exc.where, exc.field, exc.message)
            return
        if provider and provider["id"] not in self.institutions:
            self.institutions.add(provider["id"])
            yield Record(provider, where, None, Path.cwd())
        yield Record(record, where, None, Path.cwd())

    def _provider(self, manifest: dict, manifest_id: str) -> dict:
        """The institution record of a manifest's first provider (its host when it names none)."""
        agents = _dicts(manifest.get("provider"))
        agent = agents[0] if agents else {}
        ref = _ref(agent) or manifest_id
        label = language_map(agent.get("label")) or {"none": [urlsplit(ref).hostname or ref]}
        record: dict[str, Any] = {"kind": "institution", "id": slug(ref if agent else _host(ref)),
                                  "label": plain(label)}
        homepage = [_ref(h) for h in _dicts(agent.get("homepage"))]
        if homepage and is_web_url(homepage[0]):
            record["homepage"] = homepage[0]
        logo = [_ref(h) for h in _dicts(agent.get("logo"))]
        if logo and is_web_url(logo[0]):
            record["logo"] = logo[0]
        return record

    def _object_id(self, manifest_id: str) -> str:
        """A stable id within the id rule; a second manifest whose slug is taken gets a hash of its id."""
        object_id = slug(manifest_id)
        if self.ids.setdefault(object_id, manifest_id) != manifest_id:
            object_id = slug(manifest_id, hashed=True)
            self.ids[object_id] = manifest_id
        return object_id


# -- one manifest ---------------------------------------------------------------

def object_record(manifest: dict, object_id: str, institution: str, where: str) -> dict:
    """The object record of a Presentation 3 manifest."""
    canvases = [c for c in _dicts(manifest.get("items")) if _kind(c) == "Canvas"]
    if not canvases:
        raise Refusal(where, "items", "has no canvas to show")
    record: dict[str, Any] = {
        "id": object_id,
        "type": "book" if "paged" in _list(manifest.get("behavior")) else "image",
        "label": plain(language_map(manifest.get("label"))) or {"none": [object_id]},
        "institution": institution,
        "media": [_media(canvas, n, where) for n, canvas in enumerate(canvases, start=1)],
    }
    if isinstance(manifest.get("id"), str) and is_web_url(manifest["id"]):
        record["source"] = manifest["id"]
    if summary := language_map(manifest.get("summary")):
        record["summary"] = rich(summary)
    metadata = [{"label": plain(language_map(e.get("label"))), "value": rich(language_map(e.get("value")))}
                for e in _dicts(manifest.get("metadata"))]
    metadata = [e for e in metadata if e["label"] and e["value"]]
    rights = manifest.get("rights")
    if isinstance(rights, str) and rights:
        try:
            record["rights"] = check_rights(rights)
        except ValueError:  # a licence Vitrine's rights do not name: kept as what it says
            metadata.append({"label": {"en": ["Rights"]}, "value": {"none": [rights]}})
    if metadata:
        record["metadata"] = metadata
    statement = manifest.get("requiredStatement")
    if isinstance(statement, dict):
        label, value = plain(language_map(statement.get("label"))), rich(language_map(statement.get("value")))
        if label and value:
            record["required_statement"] = {"label": label, "value": value}
    if year := _year(manifest.get("navDate")):
        record["earliest"] = record["latest"] = year
    homepage = [_ref(h) for h in _dicts(manifest.get("homepage"))]
    if homepage and homepage[0] and is_web_url(homepage[0]):
        record["homepage"] = homepage[0]
    pages = {urldefrag(_ref(c) or "")[0]: n for n, c in enumerate(canvases, start=1)}
    if toc := _toc(manifest.get("structures"), pages):
        record["toc"] = toc
    start = manifest.get("start")
    page = pages.get(urldefrag(_ref(start) or _ref(start.get("source")) or "")[0]) if isinstance(start, dict) else None
    if page and page > 1:
        record["start"] = page
    return record


def _media(canvas: dict, n: int, where: str) -> dict:
    """A canvas's image as a remote media entry: its image service by reference, or its image URL."""
    bodies = []
    for page in _dicts(canvas.get("items")):
        for annotation in _dicts(page.get("items")):
            if annotation.get("motivation") in ("painting", ["painting"], None):
                bodies += _dicts(annotation.get("body"))
    field = f"items[{n - 1}]"
    if not bodies:
        raise Refusal(where, field, f"canvas {n} paints nothing (no image)")
    if len(bodies) > 1:
        raise Refusal(where, field, f"canvas {n} paints {len(bodies)} resources (a composition); "
                                    "Vitrine shows one image per canvas")
    body = bodies[0]
    if _kind(body) == "Choice":
        choices = _dicts(body.get("items"))
        body = choices[0] if choices else {}
    if _kind(body) == "SpecificResource":
        source = body.get("source")
        body = source if isinstance(source, dict) else {}
    kind = _kind(body)
    if kind != "Image":
        painted = f"a resource of type {kind}" if kind else "an untyped resource"
        raise Refusal(where, field, f"canvas {n} paints {painted}; Vitrine imports images only "
                                    "(sound, video, text and 3D are refused)")
    width = _size(body.get("width")) or _size(canvas.get("width"))
    height = _size(body.get("height")) or _size(canvas.get("height"))
    if not (width and height):
        raise Refusal(where, field, f"canvas {n} gives no width and height for its image")
    entry: dict[str, Any] = {"width": width, "height": height}
    if label := plain(language_map(canvas.get("label"))):
        entry["label"] = label
    for service in _dicts(body.get("service")):
        version = _IMAGE_SERVICES.get(str(service.get("type") or service.get("@type") or "")) or next(
            (_IMAGE_SERVICES[c] for c in _list(service.get("@context")) if c in _IMAGE_SERVICES), None)
        if version and is_web_url(ref := _ref(service) or ""):
            return {"service": ref.removesuffix("/info.json").rstrip("/"), "service_type": version, **entry}
    url = _ref(body)
    if not url or not is_web_url(url):
        raise Refusal(where, field, f"canvas {n}'s image has no http(s) URL")
    fmt = body.get("format") if isinstance(body.get("format"), str) and body["format"].startswith("image/") \
        else "image/jpeg"
    return {"url": url, "format": fmt, **entry}


def _toc(structures: Any, pages: dict[str, int]) -> list[dict]:
    """The manifest's top ranges as a table of contents: each with the pages it spans, in order."""
    toc = []
    for top in _dicts(structures):
        label = plain(language_map(top.get("label")))
        spanned = sorted(set(_pages(top, pages)))
        if label and spanned:
            toc.append({"label": label, "pages": spanned})
    return toc


def _pages(item: dict, pages: dict[str, int], depth: int = 0) -> Iterator[int]:
    if depth > 20:
        return
    for part in _dicts(item.get("items")):
        kind = _kind(part)
        if kind == "Range":
            yield from _pages(part, pages, depth + 1)
        ref = _ref(part.get("source")) if kind == "SpecificResource" and isinstance(part.get("source"), dict) \
            else part.get("source") if kind == "SpecificResource" else _ref(part)
        if isinstance(ref, str) and (page := pages.get(urldefrag(ref)[0])):
            yield page


# -- values ---------------------------------------------------------------------

def language_map(value: Any) -> dict[str, list[str]]:
    """A Presentation 3 language map as Vitrine keeps it: tags that are no language (``@none``,
    ``English``, ``jp``) read as what they mean, else as ``none``; empty texts dropped."""
    if isinstance(value, str):
        value = {"none": [value]}
    if not isinstance(value, dict):
        return {}
    result: dict[str, list[str]] = {}
    for tag, texts in value.items():
        tag = _LANGUAGE_ALIASES.get(str(tag).lower(), str(tag))
        tag = tag if is_language(tag) else "none"
        kept = [t.strip() for t in _list(texts) if isinstance(t, str) and t.strip()]
        if kept:
            result.setdefault(tag, []).extend(kept)
    return result


def slug(uri: str, *, hashed: bool = False) -> str:
    """An id within Vitrine's id rule made from a URI's host and path (and query): the same URI
    always gives the same id; one too long for the rule (or ``hashed``) ends in a hash of the URI."""
    parts = urlsplit(uri)
    text = f"{parts.hostname or ''}{parts.path}{'?' + parts.query if parts.query else ''}" if parts.scheme else uri
    text = _NOT_ID.sub("-", text).strip("-._") or "iiif"
    if hashed or len(text) > ID_MAX:
        digest = hashlib.sha1(uri.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        text = f"{text[:ID_MAX - 11].rstrip('-._')}-{digest}"
    assert ID_PATTERN.fullmatch(text), text
    return text


def _not_presentation(document: dict) -> str:
    """Why a JSON document is no Presentation 2 or 3 document, naming the version it claims."""
    for context in _list(document.get("@context")):
        if isinstance(context, str) and (match := re.search(r"iiif\.io/api/presentation/(\d+)/", context)):
            return f"is a Presentation {match.group(1)} document; Vitrine imports Presentation 2 and 3"
    return "is not a IIIF Presentation document (neither its @context nor its type names one)"


def _host(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.hostname}" if parts.hostname else uri


def _year(nav_date: Any) -> int | None:
    match = re.match(r"(-?\d{4})-\d\d-\d\d", nav_date) if isinstance(nav_date, str) else None
    return int(match.group(1)) if match else None


def _size(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _kind(document: Any) -> str:
    kind = document.get("type") or document.get("@type") if isinstance(document, dict) else None
    return kind.removeprefix("sc:") if isinstance(kind, str) else ""


def _ref(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    ref = item.get("id") or item.get("@id") if isinstance(item, dict) else None
    return ref if isinstance(ref, str) else None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _dicts(value: Any) -> list[dict]:
    return [v for v in _list(value) if isinstance(v, dict)]


def _local(path: str, limit: int) -> Fetched:
    """A local file read as a fetched document, within the same size limit."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > limit:
            raise FetchError(path, f"is {size:,} bytes; the limit is {limit:,}")
        return Fetched(path, 200, {}, file.read_bytes())
    except OSError as exc:
        raise FetchError(path, f"cannot be read ({exc.strerror or exc.__class__.__name__})") from None


def _refused(where: str, field: str, message: str) -> Record:
    return Record({}, where, None, Path.cwd(), problem=(field, message))


def _ingest_error(exc: Refusal) -> IngestError:
    return IngestError([Problem(exc.where, None, exc.field, exc.message)])
