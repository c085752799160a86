"""The JSON API of everything the editor does: exhibitions (their sections, items, moves, revisions,
publishing) and objects (metadata, revisions, withdraw, restore, delete), for scripts with an API
token (``Authorization: Bearer``) and for the editor's own pages (a session and ``X-CSRFToken``).

No lost update: a GET of an editable record carries its ETag (``"<id>-<version>"``, web/http.py's
one format); every write must send it back in ``If-Match`` (428 without it), and a write from an
older version is refused with 412, the current ETag and who saved meanwhile. A write answers with
the record as saved and its new ETag. Bodies are checked as an import's records are (the model's
``from_dict``, then the catalogue's rules in the services), and every key must be a field the
model knows: 422 lists each problem by its field path (``sections[0].items[2].region``).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request, url_for

from ..diffing import diff
from ..model import (
    EXHIBITION_STATUSES,
    Creator,
    DigitalObject,
    Dimension,
    Exhibition,
    ExhibitionItem,
    MediaFile,
    MetadataEntry,
    Revision,
    Section,
    TocEntry,
    ValidationError,
)
from ..roles import may_edit_object
from ..services import exhibitions as exhibition_service
from ..services import objects as object_service
from ..services import services
from ..services.catalogue import Gone, NotFound
from ..store import StaleVersion
from .auth import account, signed_in, signed_user
from .http import JSON, etag_version, json_response, record_etag

bp = Blueprint("editing_api", __name__, url_prefix="/api")

BODY_MAX = 1024 * 1024  # bytes: an exhibition of 200 stops with captions in four languages is ~150 kB
READ_ONLY = ("version", "created", "updated", "links")  # as read; the store sets them, If-Match names the version
OPENAPI = Path(__file__).resolve().parents[1] / "static" / "openapi.json"

# What each record may hold, and what its nested records are: every other key is refused.
_NAMES = {Exhibition: "an exhibition", Section: "a section", ExhibitionItem: "an item", DigitalObject: "an object",
          Creator: "a creator", MetadataEntry: "a metadata entry", MediaFile: "a media file",
          TocEntry: "a table of contents entry", Dimension: "a dimension"}
_NESTED: dict[type, dict[str, type]] = {
    Exhibition: {"cover": ExhibitionItem, "sections": Section},
    Section: {"items": ExhibitionItem},
    DigitalObject: {"metadata": MetadataEntry, "creators": Creator, "required_statement": MetadataEntry,
                    "media": MediaFile, "toc": TocEntry, "dimensions": Dimension},
}


class Invalid(Exception):
    """A body with problems (web: 422, each named by its field path)."""

    def __init__(self, problems: list[ValidationError]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# -- errors: service exceptions as HTTP ------------------------------------------------------

@bp.errorhandler(Invalid)
def _invalid(exc: Invalid) -> Response:
    response = jsonify(error="the body has problems: " + str(exc), status=422,
                       errors=[{"field": p.field, "message": p.message} for p in exc.problems])
    response.status_code = 422
    return response


@bp.errorhandler(ValidationError)
def _rule(exc: ValidationError) -> Response:
    return _invalid(Invalid([exc]))


@bp.errorhandler(StaleVersion)
def _stale(exc: StaleVersion) -> Response:
    """412 with what the client needs to start again: the current ETag and who saved meanwhile."""
    latest = _latest(exc.kind, exc.ref)
    if latest is None or latest.version != exc.current:
        latest = None  # deleted, or saved by no one we can name
    saved_by = latest.user if latest else None
    response = jsonify(
        error=f"{exc.kind} {exc.ref!r} is at version {exc.current}, not the one you read"
              f"{f' ({saved_by} saved it meanwhile)' if saved_by else ''}: read it again and redo your change",
        status=412, current=exc.current, etag=record_etag(exc.ref, exc.current) if exc.current else None,
        saved_by=saved_by, saved_at=latest.time if latest else None,
    )
    response.status_code = 412
    if exc.current:
        response.headers["ETag"] = record_etag(exc.ref, exc.current)
    return response


def _latest(kind: str, ref: str) -> Revision | None:
    try:
        if kind == "exhibition":
            revisions = services().exhibitions.revisions(ref, account())
        else:
            revisions = services().objects.revisions(ref)
    except exhibition_service.Missing:
        return None
    return revisions[0] if revisions else None


def _error(status: int) -> Callable[[Exception], Response]:
    def handle(exc: Exception) -> Response:
        response = jsonify(error=str(exc.args[0]) if exc.args else str(exc), status=status)
        response.status_code = status
        return response
    return handle


bp.register_error_handler(exhibition_service.Forbidden, _error(403))
bp.register_error_handler(object_service.Forbidden, _error(403))
bp.register_error_handler(exhibition_service.Missing, _error(404))
bp.register_error_handler(object_service.Missing, _error(404))
bp.register_error_handler(object_service.UnknownObjects, _error(404))
bp.register_error_handler(Gone, lambda exc: _error(410)(Exception(f"object {str(exc)!r} was withdrawn")))
bp.register_error_handler(NotFound, lambda exc: _error(404)(Exception(f"no object {str(exc)[:200]!r}")))


# -- the request: preconditions and bodies ------------------------------------------------------

def _expected(kind: str, ref: str) -> tuple[Exhibition | DigitalObject, int]:
    """What every write asks first, in this order, before it reads a body: the record this user may
    write (403 / 404 / 410), and the version the write starts from: the one ``If-Match`` names (428
    without it; 412 when it is not the current one). ``*`` matches any current version (RFC 9110)."""
    current = _editable(ref) if kind == "exhibition" else _own_object(ref)
    if "If-Match" not in request.headers:
        abort(428, f"send If-Match with the ETag of the {kind} you read (GET it first): "
                   "a write that names no version could undo someone else's")
    named = [v for v in (etag_version(tag, ref) for tag in request.if_match.as_set()) if v is not None]
    if not request.if_match.star_tag and current.version not in named:
        raise StaleVersion(kind, ref, max(named, default=0), current.version)
    return current, current.version


def _body(allowed: type | None = None) -> Any:
    """The JSON body (415 if it is not JSON, 413 above BODY_MAX, 400 if it does not parse)."""
    if request.mimetype != JSON:
        abort(415, "send the body as application/json")
    if (request.content_length or 0) > BODY_MAX:
        abort(413, f"the body is larger than {BODY_MAX:,} bytes")
    raw = request.stream.read(BODY_MAX + 1)
    if len(raw) > BODY_MAX:
        abort(413, f"the body is larger than {BODY_MAX:,} bytes")
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except ValueError as exc:
        abort(400, f"the body is not JSON: {exc}")
    except RecursionError:
        abort(400, "the body nests deeper than any record does")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _object_body(where: str = "") -> dict:
    data = _body()
    if not isinstance(data, dict):
        raise Invalid([ValidationError(where, "must be a JSON object")])
    return data


def _unknown(data: dict, kind: type, path: str = "") -> list[ValidationError]:
    """Every key of ``data`` (and of its nested records) that is not a field of ``kind``."""
    names = {f.name for f in dataclasses.fields(kind)}
    out = []
    for key, value in data.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in names:
            out.append(ValidationError(where, f"is not a field of {_NAMES[kind]}"))
            continue
        nested = _NESTED.get(kind, {}).get(key)
        if nested is not None and isinstance(value, dict):
            out += _unknown(value, nested, where)
        elif nested is not None and isinstance(value, list):
            for i, entry in enumerate(value):
                if isinstance(entry, dict):
                    out += _unknown(entry, nested, f"{where}[{i}]")
    return out


def _parsed_exhibition(data: dict) -> Exhibition:
    """An exhibition from ``data``, or Invalid naming every problem the model finds (each part is
    checked on its own, so one bad item does not hide the next)."""
    problems = _unknown(data, Exhibition)
    problems += _problems(Exhibition.from_dict, {k: v for k, v in data.items() if k != "sections"}, "")
    sections = data.get("sections")
    if isinstance(sections, list):
        for s, section in enumerate(sections):
            if not isinstance(section, dict):
                problems.append(ValidationError(f"sections[{s}]", "must be an object"))
                continue
            problems += _problems(Section.from_dict, {k: v for k, v in section.items() if k != "items"},
                                  f"sections[{s}]")
            items = section.get("items")
            for i, item in enumerate(items if isinstance(items, list) else []):
                problems += _problems(ExhibitionItem.from_dict, item, f"sections[{s}].items[{i}]")
    problems += [] if problems else _problems(Exhibition.from_dict, data, "")
    if problems:
        raise Invalid(_distinct(problems))
    return Exhibition.from_dict(data)


def _parsed_object(data: dict) -> DigitalObject:
    problems = _unknown(data, DigitalObject) + _problems(DigitalObject.from_dict, data, "")
    if problems:
        raise Invalid(problems)
    return DigitalObject.from_dict(data)


def _problems(parse: Callable[[dict], object], data: Any, where: str) -> list[ValidationError]:
    if not isinstance(data, dict):
        return [ValidationError(where, "must be an object")]
    try:
        parse(data)
    except ValidationError as exc:
        return [exc.within(where) if where else exc]
    return []


def _distinct(problems: list[ValidationError]) -> list[ValidationError]:
    return list({(p.field, p.message): p for p in problems}.values())



# -- answers ---------------------------------------------------------------------------------------

def _json(data: Any, etag: str | None = None, status: int = 200, location: str | None = None) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")), status, content_type=JSON)
    if etag:
        response.headers["ETag"] = etag
    if location:
        response.headers["Location"] = location
    return response


def _read(record: Exhibition, ref: str) -> Response:
    """A GET of an editable record: its ETag, and 304 to a client that has this version."""
    body = json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()
    # By ETag only: two saves within one second share a Last-Modified, never a version.
    return json_response(body, record_etag(ref, record.version))


def _saved(kind: str, ref: str, status: int = 200, location: Callable[[dict], str] | None = None) -> Response:
    """The record as saved, with its new ETag (the record and the tag from one read); ``location``
    names a part of it that the write added."""
    if kind == "object":
        record: Exhibition | DigitalObject = services().catalogue.object(ref)
    else:
        try:
            record = services().exhibitions.get(ref, signed_user())
        except exhibition_service.Missing:  # the user took themselves off its curators
            return Response(status=204)
    data = record.to_dict()
    return _json(data, record_etag(ref, record.version), status, location(data) if location else None)


def _revisions(revisions: list[Revision], link: Callable[[int], str]) -> Response:
    """Revisions newest first, each with what it changed from the one before."""
    listed = []
    for i, revision in enumerate(revisions):
        before = revisions[i + 1].data if i + 1 < len(revisions) else {}
        listed.append({"version": revision.version, "user": revision.user, "time": revision.time,
                       "changes": [dataclasses.asdict(c) for c in diff(before, revision.data)],
                       "url": link(revision.version)})
    return _json({"revisions": listed})


# -- writes: who may, from which version, the record as saved ---------------------------------------

def _editable(slug: str) -> Exhibition:
    """The exhibition if this user may edit it; 403 for a public one they do not curate, 404 otherwise."""
    try:
        return services().exhibitions.get(slug, signed_user())
    except exhibition_service.Missing:
        try:
            services().catalogue.exhibition(slug)
        except NotFound:
            raise exhibition_service.Missing(f"no exhibition {slug[:200]!r}") from None
        abort(403, f"you do not curate exhibition {slug!r}")


def _own_object(object_id: str) -> DigitalObject:
    """A catalogue object this user may edit (404 / 410 / 403)."""
    obj = services().catalogue.object(object_id)
    if not may_edit_object(signed_user(), obj):
        abort(403, f"you do not edit the objects of {obj.institution!r}")
    return obj


def _edit(kind: str, ref: str, change: Callable[[dict], Any], status: int = 200,
          location: Callable[[dict], str] | None = None) -> Response:
    """A write of the record's JSON: checked against If-Match (``_expected``), ``change`` applied to
    it (reading the body), the whole checked as an import's records are, saved, answered as saved.
    Writes a service makes from elsewhere than the body (publish, restore) take the same three steps."""
    current, expected = _expected(kind, ref)
    data = {k: v for k, v in current.to_dict().items() if k not in READ_ONLY}
    change(data)
    if kind == "exhibition":
        services().exhibitions.save(_parsed_exhibition(data), signed_user(), expected)
    else:
        services().objects.update(_parsed_object(data), signed_user(), expected)
    return _saved(kind, ref, status, location)


def _whole(kept: dict[str, str]) -> Callable[[dict], None]:
    """The change of a PUT: the record is the body (its read-only keys aside), but for the keys
    ``kept``, each with the problem of a body that changes it (to_dict drops them when empty: [])."""
    def replace(data: dict) -> None:
        body = {k: v for k, v in _object_body().items() if k not in READ_ONLY}
        problems = [ValidationError(key, problem) for key, problem in kept.items()
                    if body.setdefault(key, data.get(key, [])) != data.get(key, [])]
        if problems:
            raise Invalid(problems)
        data.clear()
        data.update(body)
    return replace


# -- exhibitions --------------------------------------------------------------------------------

@bp.get("/exhibitions")
@signed_in("curator")
def exhibitions() -> Response:
    """The exhibitions this user may edit (all of them for an admin)."""
    listed = [{"slug": e.slug, "title": e.title, "status": e.status, "opens": e.opens, "closes": e.closes,
               "version": e.version, "updated": e.updated, "etag": record_etag(e.slug, e.version),
               "url": url_for(".exhibition", slug=e.slug)}
              for e in services().exhibitions.editable(signed_user())]
    return _json({"exhibitions": listed})


@bp.post("/exhibitions")
@signed_in("curator")
def create_exhibition() -> Response:
    """A new exhibition (its author becomes a curator of it): 201 with its Location and ETag; 409 if
    the slug is taken."""
    data = {k: v for k, v in _object_body().items() if k not in READ_ONLY}
    exhibition = _parsed_exhibition(data)
    try:
        services().exhibitions.save(exhibition, signed_user(), expected=0)
    except StaleVersion:
        abort(409, f"there is already an exhibition {exhibition.slug!r}: choose another slug")
    return _saved("exhibition", exhibition.slug, 201, lambda _: url_for(".exhibition", slug=exhibition.slug))


@bp.get("/exhibitions/<slug>")
@signed_in("curator")
def exhibition(slug: str) -> Response:
    """The whole record, as Exhibition.to_dict has it, with its ETag (drafts included, for their curators)."""
    return _read(_editable(slug), slug)


@bp.put("/exhibitions/<slug>")
@signed_in("curator")
def replace_exhibition(slug: str) -> Response:
    return _edit("exhibition", slug, _whole({"slug": f"must be {slug!r}, the exhibition this URL names"}))


@bp.delete("/exhibitions/<slug>")
@signed_in("curator")
def delete_exhibition(slug: str) -> Response:
    services().exhibitions.delete(slug, signed_user(), _expected("exhibition", slug)[1])
    return Response(status=204)


def _index(entries: list, number: int, what: str) -> int:
    if not 0 <= number < len(entries):
        abort(404, f"no {what} {number} (there are {len(entries)}, numbered from 0)")
    return number


def _sections(data: dict) -> list:
    data.setdefault("sections", [])
    return data["sections"]


def _items(data: dict, n: int) -> list:
    section = _sections(data)[_index(_sections(data), n, "section")]
    section.setdefault("items", [])
    return section["items"]


def _move(body: dict, size: int, fields: tuple[str, ...] = ("to",)) -> int:
    """Where a move goes: ``to``, a position within 0..size-1 (422 otherwise, or for another key)."""
    problems = [ValidationError(k, "is not a field of a move") for k in body if k not in fields]
    to = body.get("to")
    if not isinstance(to, int) or isinstance(to, bool) or not 0 <= to < size:
        raise Invalid([*problems, ValidationError("to", f"must be a position from 0 to {size - 1}")])
    if problems:
        raise Invalid(problems)
    return to


@bp.get("/exhibitions/<slug>/sections/<int:n>")
@signed_in("curator")
def section(slug: str, n: int) -> Response:
    """One section as the whole record has it, with the exhibition's ETag."""
    current = _editable(slug)
    sections = current.to_dict().get("sections", [])
    return _json(sections[_index(sections, n, "section")], record_etag(slug, current.version))


@bp.post("/exhibitions/<slug>/sections")
@signed_in("curator")
def add_section(slug: str) -> Response:
    """A section added at the end: 201, its Location, the exhibition as saved."""
    return _edit("exhibition", slug, lambda data: _sections(data).append(_object_body()), 201,
                 lambda saved: url_for(".section", slug=slug, n=len(saved["sections"]) - 1))


@bp.put("/exhibitions/<slug>/sections/<int:n>")
@signed_in("curator")
def replace_section(slug: str, n: int) -> Response:
    def replace(data: dict) -> None:
        sections = _sections(data)
        sections[_index(sections, n, "section")] = _object_body()
    return _edit("exhibition", slug, replace)


@bp.delete("/exhibitions/<slug>/sections/<int:n>")
@signed_in("curator")
def delete_section(slug: str, n: int) -> Response:
    return _edit("exhibition", slug, lambda data: _sections(data).pop(_index(_sections(data), n, "section")))


@bp.post("/exhibitions/<slug>/sections/<int:n>/move")
@signed_in("curator")
def move_section(slug: str, n: int) -> Response:
    """Move a section to position ``to`` (0 is the first)."""
    def move(data: dict) -> None:
        sections = _sections(data)
        moving = sections.pop(_index(sections, n, "section"))
        sections.insert(_move(_object_body(), len(sections) + 1), moving)
    return _edit("exhibition", slug, move)


@bp.get("/exhibitions/<slug>/sections/<int:n>/items/<int:m>")
@signed_in("curator")
def item(slug: str, n: int, m: int) -> Response:
    """One item as the whole record has it, with the exhibition's ETag."""
    current = _editable(slug)
    items = _items(current.to_dict(), n)
    return _json(items[_index(items, m, "item")], record_etag(slug, current.version))


@bp.post("/exhibitions/<slug>/sections/<int:n>/items")
@signed_in("curator")
def add_item(slug: str, n: int) -> Response:
    """An item (a work, or a detail with ``region``) added at the end of section ``n``: 201."""
    return _edit("exhibition", slug, lambda data: _items(data, n).append(_object_body()), 201,
                 lambda saved: url_for(".item", slug=slug, n=n, m=len(_items(saved, n)) - 1))


@bp.put("/exhibitions/<slug>/sections/<int:n>/items/<int:m>")
@signed_in("curator")
def replace_item(slug: str, n: int, m: int) -> Response:
    def replace(data: dict) -> None:
        items = _items(data, n)
        items[_index(items, m, "item")] = _object_body()
    return _edit("exhibition", slug, replace)


@bp.delete("/exhibitions/<slug>/sections/<int:n>/items/<int:m>")
@signed_in("curator")
def delete_item(slug: str, n: int, m: int) -> Response:
    return _edit("exhibition", slug, lambda data: _items(data, n).pop(_index(_items(data, n), m, "item")))


@bp.post("/exhibitions/<slug>/sections/<int:n>/items/<int:m>/move")
@signed_in("curator")
def move_item(slug: str, n: int, m: int) -> Response:
    """Move an item to position ``to`` of its section, or of section ``section`` when given."""
    def move(data: dict) -> None:
        items = _items(data, n)
        moving = items.pop(_index(items, m, "item"))
        body = _object_body()
        target = body.get("section", n)
        if type(target) is not int or not 0 <= target < len(_sections(data)):
            raise Invalid([ValidationError("section", f"must be a section from 0 to {len(_sections(data)) - 1}")])
        into = _items(data, target)
        into.insert(_move(body, len(into) + 1, ("to", "section")), moving)
    return _edit("exhibition", slug, move)


@bp.post("/exhibitions/<slug>/publish")
@signed_in("curator")
def publish(slug: str) -> Response:
    """Set the status: ``published``, ``draft`` (unpublish) or ``scheduled`` (public from its opening date)."""
    _, expected = _expected("exhibition", slug)
    services().exhibitions.publish(slug, user=signed_user(), expected=expected, status=_status(_object_body()))
    return _saved("exhibition", slug)


def _status(body: dict) -> str:
    problems = [ValidationError(k, "is not a field of a publication") for k in body if k != "status"]
    if body.get("status") not in EXHIBITION_STATUSES:
        problems.append(ValidationError("status", f"must be one of {', '.join(EXHIBITION_STATUSES)}"))
    if problems:
        raise Invalid(problems)
    return body["status"]


@bp.get("/exhibitions/<slug>/revisions")
@signed_in("curator")
def exhibition_revisions(slug: str) -> Response:
    """Every saved version, newest first, with its author, time and what it changed."""
    _editable(slug)
    return _revisions(services().exhibitions.revisions(slug, signed_user()),
                      lambda v: url_for(".exhibition_revision", slug=slug, version=v))


@bp.get("/exhibitions/<slug>/revisions/<int:version>")
@signed_in("curator")
def exhibition_revision(slug: str, version: int) -> Response:
    _editable(slug)
    return _json(services().exhibitions.revision(slug, version, signed_user()).to_dict())


@bp.post("/exhibitions/<slug>/revisions/<int:version>/restore")
@signed_in("curator")
def restore_exhibition_revision(slug: str, version: int) -> Response:
    """Save an earlier version again, as a new revision (If-Match: the current ETag)."""
    _, expected = _expected("exhibition", slug)
    services().exhibitions.restore(slug, version, signed_user(), expected)
    return _saved("exhibition", slug)


# -- objects ------------------------------------------------------------------------------------------

@bp.put("/objects/<object_id>")
@signed_in("editor")
def replace_object(object_id: str) -> Response:
    """The record, corrected (an editor of its institution, or an admin); its media stay as imported."""
    return _edit("object", object_id, _whole({
        "id": f"must be {object_id!r}, the object this URL names",
        "media": "media files come with an import; they are not edited here"}))


@bp.get("/objects/<object_id>/revisions")
@signed_in("editor")
def object_revisions(object_id: str) -> Response:
    _own_object(object_id)
    return _revisions(services().objects.revisions(object_id),
                      lambda v: url_for(".restore_object_revision", object_id=object_id, version=v))


@bp.post("/objects/<object_id>/revisions/<int:version>/restore")
@signed_in("editor")
def restore_object_revision(object_id: str, version: int) -> Response:
    """Save an earlier version of the record again, as a new revision (If-Match: the current ETag)."""
    _, expected = _expected("object", object_id)
    services().objects.restore_revision(object_id, version, signed_user(), expected)
    return _saved("object", object_id)


@bp.post("/objects/<object_id>/withdraw")
@signed_in("editor")
def withdraw_object(object_id: str) -> Response:
    """Hide the object from visitors and IIIF, kept to be restored."""
    _expected("object", object_id)
    services().objects.withdraw([object_id], signed_user())
    return _json({"id": object_id, "withdrawn": True})


def _withdrawn(object_id: str) -> bool:
    """Whether the id names a withdrawn object (False: a live one; 404: nothing)."""
    try:
        services().catalogue.object(object_id)
    except Gone:
        return True
    return False


def _names_withdrawn(object_id: str) -> None:
    """If-Match for a withdrawn record, which no one can edit: ``*`` or an ETag of this object."""
    if "If-Match" not in request.headers:
        abort(428, "send If-Match: * (or the ETag of the object as you last read it)")
    if not request.if_match.star_tag and not any(etag_version(t, object_id) is not None
                                                 for t in request.if_match.as_set()):
        abort(412, f"If-Match does not name object {object_id!r}")


@bp.post("/objects/<object_id>/restore")
@signed_in("editor")
def restore_object(object_id: str) -> Response:
    """Bring a withdrawn object back (one version newer); 409 if it is not withdrawn."""
    if not _withdrawn(object_id):
        abort(409, f"object {object_id!r} is not withdrawn")
    services().objects.withdrawn_one(object_id, signed_user())  # who may (403), then which version
    _names_withdrawn(object_id)
    services().objects.restore([object_id], signed_user())
    return _saved("object", object_id)


@bp.delete("/objects/<object_id>")
@signed_in("admin")
def delete_object(object_id: str) -> Response:
    """Delete an object for good, withdrawn or not (admins)."""
    if _withdrawn(object_id):
        _names_withdrawn(object_id)
    else:
        _expected("object", object_id)
    services().objects.delete([object_id], signed_user())
    return Response(status=204)


# -- the description -------------------------------------------------------------------------------

@bp.get("/openapi.json")
def openapi() -> Response:
    """This API described in OpenAPI 3.1 (catalogue/static/openapi.json)."""
    body = OPENAPI.read_bytes()
    return json_response(body, f'"openapi-{hashlib.sha256(body).hexdigest()[:16]}"')

