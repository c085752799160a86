"""Metadata editing: an editor corrects the records of their institutions' objects, language by
language, withdraws and restores them; an admin deletes them for good.

The form is read back into Vitrine's record format and checked by the importer's own rules
(``DigitalObject.from_dict`` and services/rules.py): an error is shown at its field and nothing is
saved. The form carries the version it started from; a save that finds another one stored meets
the conflict page (409), which shows the other editor's change and keeps what this one typed.
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask import Response, abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ...diffing import FieldChange, diff
from ...i18n import NAMES, language
from ...model import UNITS, DigitalObject, LanguageMap, ValidationError, is_id
from ...roles import may_delete_object
from ...search import RequestError, SearchRequest
from ...services import services
from ...services.objects import Forbidden, Missing, UnknownObjects
from ...store import StaleVersion, StoreError
from ..auth import signed_in, signed_user
from ..views import rights as rights_label
from . import bp

# The languages an editor writes in, in the form's order; "none": text in no language (an inventory number).
LANGUAGES = ("nl", "fr", "de", "en", "none")
PAGE_SIZE = 20
# What the rights select offers: every licence and statement the model accepts that a record of ours uses.
RIGHTS = (
    "http://creativecommons.org/publicdomain/mark/1.0/",
    "http://creativecommons.org/publicdomain/zero/1.0/",
    *(f"http://creativecommons.org/licenses/{kind}/4.0/" for kind in
      ("by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd")),
    *(f"http://rightsstatements.org/vocab/{code}/1.0/" for code in
      ("InC", "InC-OW-EU", "InC-EDU", "InC-NC", "InC-RUU", "NoC-CR", "NoC-NC", "NoC-OKLR", "NoC-US",
       "CNE", "UND", "NKC")),
)
ROWS_MAX = 200  # metadata pairs or creators one form may send



def _editable(object_id: str) -> DigitalObject:
    if not is_id(object_id):
        abort(404)
    try:
        return services().objects.editable(object_id, signed_user())
    except Missing:
        abort(404)
    except Forbidden:
        abort(403)


# -- the lists ---------------------------------------------------------------------------------

@bp.get("/objects")
@signed_in("editor")
def objects() -> Response:
    """The objects this editor may edit (their institutions'; every one for an admin), searched by the
    visitors' search and paged."""
    q = request.args.get("q", "")[:500]
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and 0 < int(page) <= 500 else 1
    institutions = services().objects.institutions_of(signed_user())
    hits, total = [], 0
    if institutions is None or institutions:
        filters = {"institution": institutions} if institutions else {}
        try:
            result = services().searching.search(SearchRequest(
                q=q, lang=language(), filters=filters, size=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE,
                facets=(), sort="relevance" if q.strip() else "title"))
        except RequestError:
            abort(400)
        hits, total = result.hits, result.total
    pages = max(1, -(-total // PAGE_SIZE))
    return make_response(render_template("curate/object_list.html", hits=hits, total=total, q=q, page=number,
                                         pages=pages))


@bp.get("/objects/withdrawn")
@signed_in("editor")
def withdrawn_objects() -> Response:
    """The withdrawn objects of this editor's institutions, each with Restore."""
    user = signed_user()
    return make_response(render_template("curate/object_withdrawn.html", objects=services().objects.withdrawn(user),
                                         may_delete=may_delete_object(user)))


# -- the form ------------------------------------------------------------------------------------

def _texts(form: MultiDict, name: str) -> LanguageMap:
    """A language map from the inputs ``name.<lang>`` (several inputs of one language: several texts)."""
    out: LanguageMap = {}
    for lang in LANGUAGES:
        texts = [t for t in form.getlist(f"{name}.{lang}") if t.strip()]
        if texts:
            out[lang] = texts
    return out


def _count(form: MultiDict, name: str) -> int:
    value = form.get(f"{name}.count", "0")
    return min(int(value), ROWS_MAX) if value.isdigit() else 0


def record_from_form(form: MultiDict, current: DigitalObject) -> dict[str, Any]:
    """The record the form describes: the current one with every field the form edits replaced
    (media, collections, the table of contents and a creator's URI are not the form's and are kept)."""
    record = current.to_dict()
    record["label"] = _texts(form, "label")
    record["summary"] = _texts(form, "summary")
    pairs = []
    for i in range(_count(form, "metadata")):
        pair = {"label": _texts(form, f"metadata.{i}.label"), "value": _texts(form, f"metadata.{i}.value")}
        if form.get(f"metadata.{i}.remove") or not (pair["label"] or pair["value"]):
            continue
        pairs.append(pair)
    record["metadata"] = pairs
    creators = []
    kept = {c["name"]: c for c in record.get("creators", [])}
    for i in range(_count(form, "creators")):
        name, role = form.get(f"creators.{i}.name", "").strip(), form.get(f"creators.{i}.role", "").strip()
        if form.get(f"creators.{i}.remove") or not (name or role):
            continue
        life = {key: form.get(f"creators.{i}.{key}", "").strip() for key in ("born", "died", "nationality")}
        creators.append({**kept.get(form.get(f"creators.{i}.was", ""), {}), "name": name, "role": role, **life})
    record["creators"] = creators
    _museum_fields(form, record)
    for key in ("date", "earliest", "latest"):
        record[key] = form.get(key, "").strip()
    subjects = [s for s in form.getlist("subjects") if s != form.get("remove_subject")]
    added = form.get("add_subject")
    record["subjects"] = list(dict.fromkeys([*subjects, *([added] if added else [])]))
    record["rights"] = form.get("rights", "")
    statement = {"label": _texts(form, "required_statement.label"),
                 "value": _texts(form, "required_statement.value")}
    record["required_statement"] = statement if statement["label"] or statement["value"] else None
    for key in ("version", "created", "updated"):
        record.pop(key, None)
    return record


def _museum_fields(form: MultiDict, record: dict[str, Any]) -> None:
    """The registrar's fields: classification one term a line, dimensions a row each (a row left
    empty is none)."""
    for key in ("accession_number", "acquired", "location"):
        record[key] = form.get(key, "").strip()
    record["classification"] = [t.strip() for t in form.get("classification", "").splitlines() if t.strip()]
    for key in ("medium", "provenance", "credit_line"):
        record[key] = _texts(form, key)
    dimensions = []
    for i in range(_count(form, "dimensions")):
        row = {key: form.get(f"dimensions.{i}.{key}", "").strip() for key in ("type", "value", "unit", "part")}
        if form.get(f"dimensions.{i}.remove") or not (row["type"] or row["value"]):
            continue
        dimensions.append(row)
    record["dimensions"] = dimensions


def field_key(path: str) -> str:
    """A ValidationError's field path as the id of the input that holds it: ``metadata[1].value.en[0]``
    is ``metadata.1.value.en``."""
    path = re.sub(r"\[\d+\]$", "", path)
    return re.sub(r"\[(\d+)\]", r".\1", path)


def _form_page(obj: DigitalObject, record: dict[str, Any], version: int, status: int = 200,
               error: ValidationError | None = None, conflict: dict | None = None) -> Response:
    find = request.args.get("find", "")[:200] if request.method == "GET" else request.form.get("find", "")[:200]
    found = services().objects.concepts(find) if find.strip() else []
    subjects = services().objects.subjects(record.get("subjects", []))
    rights = list(RIGHTS)
    if record.get("rights") and record["rights"] not in rights:
        rights.insert(0, record["rights"])
    page = render_template(
        "curate/object_edit.html", obj=obj, record=record, version=version, edit_languages=LANGUAGES,
        language_names={**{code: NAMES[code] for code in LANGUAGES if code in NAMES}, "none": _("no language")},
        error=error, error_key=field_key(error.field) if error else None, conflict=conflict, find=find,
        found=found, subjects=subjects, rights=[(uri, rights_label(uri)) for uri in rights],
        may_delete=may_delete_object(signed_user()), units=UNITS,
    )
    return make_response(page, status)


@bp.get("/objects/<object_id>")
@signed_in("editor")
def edit_object(object_id: str) -> Response:
    """The form for one object (``?find=`` searches the thesaurus for a subject to add)."""
    obj = _editable(object_id)
    return _form_page(obj, obj.to_dict(), obj.version)


@bp.post("/objects/<object_id>")
@signed_in("editor")
def save_object(object_id: str) -> Response:
    """Save the form (a new version, kept as a revision); adding or removing a subject only shows the
    form again with it, unsaved, with everything typed kept."""
    current = _editable(object_id)
    record = record_from_form(request.form, current)
    version = request.form.get("version", "")
    if not version.isdigit():
        abort(400)  # the form names the version it started from; without it a save could overwrite unseen
    started = int(version)
    if request.form.get("action") != "save":
        return _form_page(current, record, started)
    try:
        obj = DigitalObject.from_dict({**record, "version": current.version})
        services().objects.update(obj, signed_user(), expected=started)
    except ValidationError as exc:
        return _form_page(current, record, started, 422, error=exc)
    except StaleVersion:
        latest = _editable(object_id)
        return _form_page(latest, record, latest.version, 409, conflict=_conflict(latest, started))
    except Forbidden:
        abort(403)
    except StoreError as exc:  # refused by the catalogue's rules (an unknown subject, collection…)
        return _form_page(current, record, started, 422, error=ValidationError("", str(exc)))
    return redirect(url_for("curate.edit_object", object_id=object_id, saved=1))  # type: ignore[return-value]


def _conflict(latest: DigitalObject, started: int) -> dict:
    """What the other editor changed since ``started``, who they were and when."""
    objects = services().objects
    saved = objects.revision(latest.id, latest.version)
    start = objects.revision(latest.id, started)
    changes = _shown(diff(start.data, latest.to_dict())) if start is not None else None
    return {"user": saved.user if saved else None, "time": saved.time if saved else latest.updated,
            "changes": changes}


def _shown(changes: list[FieldChange]) -> list[tuple[str, str, str]]:
    def text(value: Any) -> str:
        if value is None:
            return ""
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    return [(c.path, text(c.before), text(c.after)) for c in changes]


# -- revisions -----------------------------------------------------------------------------------

@bp.get("/objects/<object_id>/revisions")
@signed_in("editor")
def object_revisions(object_id: str) -> Response:
    """Every kept version, what changed between two (``?a=&b=``), and Restore for each earlier one."""
    obj = _editable(object_id)
    revisions = services().objects.revisions(object_id)
    versions = [r.version for r in revisions]

    def chosen(name: str, default: int | None) -> int | None:
        value = request.args.get(name, "")
        return int(value) if value.isdigit() and int(value) in versions else default

    b = chosen("b", versions[0] if versions else None)
    a = chosen("a", versions[1] if len(versions) > 1 else None)
    by_version = {r.version: r for r in revisions}
    changes = _shown(diff(by_version[a].data, by_version[b].data)) if a is not None and b is not None else []
    return make_response(render_template("curate/object_revisions.html", obj=obj, revisions=revisions,
                                         a=a, b=b, changes=changes))


@bp.post("/objects/<object_id>/revisions/<int:number>/restore")
@signed_in("editor")
def restore_object_revision(object_id: str, number: int) -> Response:
    """Save version ``number`` again, as a new revision (POST with the version the page showed)."""
    obj = _editable(object_id)
    version = request.form.get("version", "")
    try:
        services().objects.restore_revision(object_id, number, signed_user(),
                                            expected=int(version) if version.isdigit() else None)
    except Missing:
        abort(404)
    except StaleVersion:
        return _form_page(obj, obj.to_dict(), obj.version, 409, conflict=_conflict(obj, int(version)))
    except ValidationError as exc:
        return _form_page(obj, obj.to_dict(), obj.version, 422, error=exc)
    return redirect(url_for("curate.object_revisions", object_id=object_id))  # type: ignore[return-value]


# -- withdraw, restore, delete ------------------------------------------------------------------

@bp.route("/objects/<object_id>/withdraw", methods=["GET", "POST"])
@signed_in("editor")
def withdraw_object(object_id: str) -> Response:
    """Take an object out of the public catalogue (410 Gone for visitors), kept to be restored."""
    obj = _editable(object_id)
    if request.method == "GET":
        return make_response(render_template("curate/object_confirm.html", obj=obj, action="withdraw"))
    try:
        services().objects.withdraw([object_id], signed_user())
    except Forbidden:
        abort(403)
    except UnknownObjects:
        abort(404)
    return redirect(url_for("curate.withdrawn_objects"))  # type: ignore[return-value]


@bp.post("/objects/<object_id>/restore")
@signed_in("editor")
def restore_object(object_id: str) -> Response:
    """Bring a withdrawn object back into the catalogue (one version newer)."""
    if not is_id(object_id):
        abort(404)
    try:
        services().objects.restore([object_id], signed_user())
    except Forbidden:
        abort(403)
    except UnknownObjects:
        abort(404)
    except StoreError as exc:
        abort(409, str(exc))
    return redirect(url_for("curate.edit_object", object_id=object_id))  # type: ignore[return-value]


@bp.route("/objects/<object_id>/delete", methods=["GET", "POST"])
@signed_in("admin")
def delete_object(object_id: str) -> Response:
    """Delete an object for good, withdrawn or not, with the media imported for it (admins only)."""
    if not is_id(object_id):
        abort(404)
    user = signed_user()
    try:
        obj = services().objects.editable(object_id, user)
    except Missing:
        try:
            obj = services().objects.withdrawn_one(object_id, user)
        except Missing:
            abort(404)
    if request.method == "GET":
        return make_response(render_template("curate/object_confirm.html", obj=obj, action="delete"))
    try:
        services().objects.delete([object_id], user)
    except UnknownObjects:
        abort(404)
    return redirect(url_for("curate.objects"))  # type: ignore[return-value]
