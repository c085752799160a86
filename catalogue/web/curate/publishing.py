"""An exhibition's way to the public: its preview (the visitor's page and manifest, for its curators
only), publishing, unpublishing and scheduling, and its revisions (compared, restored).

Every form carries the version it started from; a save from a stale version answers 409 with what
the other curator changed (catalogue/diffing.py) and the same action offered again.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Response, abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...diffing import FieldChange, diff
from ...i18n import LANGUAGES
from ...model import Exhibition, LanguageMap, Revision, ValidationError, today
from ...services import services
from ...services.catalogue import NotFound, Route
from ...services.exhibitions import Forbidden, Missing
from ...store import StaleVersion
from ...urls import Urls
from ..auth import signed_in, signed_user
from ..http import iiif_response, presentation_type, urls
from ..pages import exhibition_page
from . import bp

ACTIONS = {"publish": "published", "unpublish": "draft", "schedule": "scheduled"}
SUMMARY_PATHS = 4  # the changed fields a revision's line names before "and N more"


class PreviewUrls(Urls):
    """The public URLs, but the exhibition's manifest, collection and page named at its preview, which
    dereference for its curators while it is a draft (the public ones are 404 until it opens)."""

    def __init__(self, public: Urls):
        super().__init__(public.base, site=public.site, images=public.images, suffix=public.suffix)

    @property
    def key(self) -> str:
        return f"{super().key}\x1fpreview"

    def exhibition_manifest(self, slug: str) -> str:
        return self.page(f"/curate/exhibitions/{slug}/preview/manifest")

    def exhibition_collection(self, slug: str) -> str:
        return self.page(f"/curate/exhibitions/{slug}/preview/collection")

    def exhibition_page(self, slug: str) -> str:
        return self.page(f"/curate/exhibitions/{slug}/preview")



def _exhibition(slug: str) -> Exhibition:
    try:
        return services().exhibitions.get(slug, signed_user())
    except Missing:
        abort(404, _("There is no exhibition '%(slug)s'.", slug=slug))


def _version() -> int:
    """The version the form started from (a missing or bad one can only be stale)."""
    value = request.form.get("version", "")
    return int(value) if value.isascii() and value.isdigit() else -1


# -- preview -------------------------------------------------------------------------

@bp.get("/exhibitions/<slug>/preview")
@signed_in("curator")
def preview(slug: str) -> str:
    """The exhibition's page exactly as visitors will see it, with a banner saying it is a preview."""
    try:
        route = services().catalogue.route(slug, signed_user())
    except NotFound:
        abort(404, _("There is no exhibition '%(slug)s'.", slug=slug))
    return exhibition_page(route, PreviewUrls(urls()).exhibition_manifest(slug), "curate/preview.html")


@bp.get("/exhibitions/<slug>/preview/<any(manifest, collection):kind>")
@signed_in("curator")
def preview_document(slug: str, kind: str) -> Response:
    """The exhibition's own manifest (or collection) as it will be published, drafts included, for
    its curators; the manifest's ``partOf`` names the preview collection, so a viewer finds both."""
    try:
        services().catalogue.exhibition(slug, signed_user())
    except NotFound:
        abort(404, _("There is no exhibition '%(slug)s'.", slug=slug))
    documents = services().documents
    build = documents.exhibition_manifest if kind == "manifest" else documents.exhibition_collection
    document = build(slug, PreviewUrls(urls()), drafts=True)
    if document is None:
        abort(404, _("There is no exhibition '%(slug)s'.", slug=slug))
    return iiif_response(document, presentation_type(request.headers.get("Accept"), 3)[1])


# -- publishing -------------------------------------------------------------------------

@dataclass
class Gap:
    """A stop whose caption is missing in some of the catalogue's languages."""

    number: int
    label: LanguageMap  # the work's
    missing: list[str]


def caption_gaps(route: Route) -> list[Gap]:
    """The stops without a caption in one of nl/fr/de/en: publishing warns of them, it does not refuse."""
    gaps = []
    for stop in route.stops:
        missing = [code for code in LANGUAGES if not any(t.strip() for t in stop.item.caption.get(code, []))]
        if missing:
            gaps.append(Gap(stop.number, stop.obj.label, missing))
    return gaps


def _publishing_page(exhibition: Exhibition, status: int = 200, error: ValidationError | None = None) -> Response:
    route = services().catalogue.route(exhibition.slug, signed_user())
    page = render_template("curate/publishing.html", exhibition=exhibition, today=today(),
                           public=exhibition.published, gaps=caption_gaps(route), error=error)
    return make_response(page, status)


@bp.get("/exhibitions/<slug>/publish")
@signed_in("curator")
def publishing(slug: str) -> Response:
    """Where the exhibition stands (draft, scheduled, published) and the ways to change that."""
    return _publishing_page(_exhibition(slug))


@bp.post("/exhibitions/<slug>/publish")
@signed_in("curator")
def publish(slug: str) -> Response:
    """Publish now, unpublish (back to draft) or schedule (public from its opening date)."""
    exhibition = _exhibition(slug)
    status = ACTIONS.get(request.form.get("action", ""))
    if status is None:
        abort(400, _("Choose to publish, unpublish or schedule."))
    expected = _version()
    try:
        services().exhibitions.publish(slug, user=signed_user(), expected=expected, status=status)
    except StaleVersion as stale:
        return _conflict(exhibition, stale, "publish", {"action": request.form["action"]})
    except ValidationError as invalid:
        return _publishing_page(exhibition, 422, invalid)
    except Forbidden:
        abort(403)
    return redirect(url_for("curate.publishing", slug=slug), 303)  # type: ignore[return-value]


# -- revisions ---------------------------------------------------------------------------

@dataclass
class RevisionLine:
    """A revision as the list shows it: who, when, and the fields that changed from the one before."""

    revision: Revision
    changes: list[FieldChange]

    @property
    def paths(self) -> list[str]:
        return [c.path for c in self.changes]


def _lines(revisions: list[Revision]) -> list[RevisionLine]:
    """Newest first, each compared with the one saved before it (the first: everything is new)."""
    older = [*revisions[1:], None]
    return [RevisionLine(r, diff(o.data if o else {}, r.data)) for r, o in zip(revisions, older, strict=True)]


@bp.get("/exhibitions/<slug>/revisions")
@signed_in("curator")
def revisions(slug: str) -> Response:
    """Every saved version, newest first: number, author, time, what changed (``?a=&b=``: compare two)."""
    exhibition = _exhibition(slug)
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if a is not None and b is not None:
        return redirect(url_for("curate.compare", slug=slug, a=a, b=b))  # type: ignore[return-value]
    lines = _lines(services().exhibitions.revisions(slug, signed_user()))
    return make_response(render_template("curate/revisions.html", exhibition=exhibition, lines=lines,
                                         shown=SUMMARY_PATHS))


@bp.get("/exhibitions/<slug>/revisions/<int:a>/<int:b>")
@signed_in("curator")
def compare(slug: str, a: int, b: int) -> Response:
    """What changed from version ``a`` to version ``b``, field by field, language by language."""
    exhibition = _exhibition(slug)
    kept = {r.version: r for r in services().exhibitions.revisions(slug, signed_user())}
    if a not in kept or b not in kept:
        abort(404, _("There is no such version of this exhibition."))
    return _diff_page(exhibition, kept[a], kept[b], diff(kept[a].data, kept[b].data))


@bp.post("/exhibitions/<slug>/revisions/<int:number>/restore")
@signed_in("curator")
def restore(slug: str, number: int) -> Response:
    """Save version ``number`` again, as a new revision (the versions since are kept)."""
    exhibition = _exhibition(slug)
    try:
        services().exhibitions.restore(slug, number, signed_user(), expected=_version())
    except Missing:
        abort(404, _("There is no such version of this exhibition."))
    except StaleVersion as stale:
        return _conflict(exhibition, stale, "restore", {"number": number})
    except ValidationError as invalid:  # an old version may name a work the catalogue no longer has
        abort(422, invalid.message and f"{invalid.field}: {invalid.message}")
    return redirect(url_for("curate.revisions", slug=slug), 303)  # type: ignore[return-value]


def _leaves(path: str, value: Any) -> Iterator[tuple[str, Any]]:
    """The texts and numbers inside a record, each by its field path (a language map: one per language)."""
    if isinstance(value, dict) and value:
        for key, inner in value.items():
            yield from _leaves(f"{path}.{key}", inner)
    elif isinstance(value, list) and value and any(isinstance(v, dict) for v in value):
        for index, inner in enumerate(value):
            yield from _leaves(f"{path}[{index}]", inner)
    else:
        yield path, value


def readable(changes: list[FieldChange]) -> list[FieldChange]:
    """Changes as a person reads them: a part added or removed whole (a section, a stop, a caption)
    is shown field by field and language by language, as every other change is."""
    out = []
    for change in changes:
        if change.before is not None and change.after is not None:
            out.append(change)
            continue
        added = change.before is None
        out += [FieldChange(path, None if added else value, value if added else None)
                for path, value in _leaves(change.path, change.after if added else change.before)]
    return out


def _diff_page(exhibition: Exhibition, before: Revision, after: Revision, changes: list[FieldChange],
               status: int = 200, **conflict: Any) -> Response:
    page = render_template("curate/revision_diff.html", exhibition=exhibition, before=before, after=after,
                           changes=readable(changes), **conflict)
    return make_response(page, status)


def _conflict(exhibition: Exhibition, stale: StaleVersion, action: str, fields: dict[str, Any]) -> Response:
    """409: someone saved since this form was opened. Say who and what they changed; offer the
    same action again from the version there is now (nothing was written)."""
    kept = {r.version: r for r in services().exhibitions.revisions(exhibition.slug, signed_user())}
    current = kept.get(stale.current)
    started = kept.get(stale.expected) or current
    if current is None or started is None:  # deleted meanwhile
        abort(404, _("There is no exhibition '%(slug)s'.", slug=exhibition.slug))
    return _diff_page(exhibition, started, current, diff(started.data, current.data), 409,
                      conflict=action, retry=fields, current=current)
