"""The exhibition editor: the curator's exhibitions, create, edit, duplicate and delete.

The editor page is one form: the exhibition's details, its sections and their items, each text in
nl, fr, de and en side by side. Every button of it (save, move up/down, remove, add a section)
sends the whole form, so nothing typed is lost by an action, and works without JavaScript;
static/exhibition-editor.js adds drag and drop (SortableJS) on top. The form names its sections and
items by their place (``s0``, ``s0i2``) and lists them in document order (``row``), so a drag that
moves the elements changes the order the server reads. Every write carries the version the form
started from; a stale one meets the conflict page (409): the other curator's change, and the form
again with what this curator typed, now based on the current version.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any

from flask import (
    Response,
    abort,
    flash,
    get_flashed_messages,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ...diffing import FieldChange, diff
from ...iiif.presentation import ALLOWED_TAGS
from ...model import Exhibition, ExhibitionItem, LanguageMap, Section, User, ValidationError, check_id, pick
from ...services import services
from ...services.exhibitions import Forbidden, Missing
from ...store import StaleVersion
from ..asking import answer, asked
from ..auth import signed_in, signed_user
from ..http import urls
from ..results import results
from ..views import language, route_card
from . import bp

LANGS = ("nl", "fr", "de", "en")  # the languages every text of an exhibition is written in
_KEY = re.compile(r"s(\d{1,4})(?:i(\d{1,5}))?")
_PATH = re.compile(r"sections\[(\d+)\](?:\.items\[(\d+)\])?(?:\.(\w+))?")


# -- reading the form ---------------------------------------------------------------


def _lmap(form: MultiDict, prefix: str) -> LanguageMap:
    """A language map from the fields ``<prefix>.<lang>`` (empty ones left out)."""
    out: LanguageMap = {}
    for key in form:
        head, _dot, lang = key.rpartition(".")
        if head == prefix and lang and form.get(key, "").strip():
            out[lang] = [form[key].strip()]
    return out


def _version_of(form: MultiDict) -> int:
    value = form.get("version", "")
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        abort(400, _("The form does not say which version it started from."))
    return int(value)


def _region(text: str, where: str) -> list[int] | None:
    if not text.strip():
        return None
    try:
        region = [int(v) for v in text.split(",")]
    except ValueError:
        raise ValidationError(f"{where}.region", _("must be four whole numbers: x, y, width, height")) from None
    return region


def _safe_region(text: str) -> list[int] | None:
    try:
        return _region(text, "")
    except ValidationError:
        return None


def _item_from(form: MultiDict, key: str, where: str) -> dict[str, Any]:
    media = form.get(f"{key}.media", "0")
    return {
        "object": form.get(f"{key}.object", ""),
        "media": int(media) if media.isascii() and media.isdigit() and len(media) < 6 else -1,
        "region": _region(form.get(f"{key}.region", ""), where),
        "caption": _lmap(form, f"{key}.caption"),
        "alt": _lmap(form, f"{key}.alt"),
    }


def _cover_from(value: str) -> dict[str, Any] | None:
    """The cover select's value ``object:media:x,y,w,h`` (one of the exhibition's items)."""
    if not value:
        return None
    obj, _c, rest = value.partition(":")
    media, _c, region = rest.partition(":")
    return {"object": obj, "media": int(media) if media.isdigit() and len(media) < 6 else -1,
            "region": _region(region, "cover")}


def cover_value(item: ExhibitionItem | None) -> str:
    if item is None:
        return ""
    return f"{item.object}:{item.media}:{','.join(map(str, item.region or []))}"


def _names(text: str) -> list[str]:
    return list(dict.fromkeys(n.strip() for n in re.split(r"[,;\n]+", text) if n.strip()))


def _details(form: MultiDict, base: dict[str, Any]) -> dict[str, Any]:
    """The exhibition's own fields as the form has them, checked beyond the model's rules."""
    data = dict(base)
    data.update(
        title=_lmap(form, "title"),
        summary=_lmap(form, "summary"),
        curators=_names(form.get("curators", "")),
        venue=form.get("venue", "") or None,
        opens=form.get("opens", "").strip() or None,
        closes=form.get("closes", "").strip() or None,
    )
    if not data["curators"]:
        raise ValidationError("curators", _("name at least one curator"))
    for name in [n for n in data["curators"] if n not in base.get("curators", [])]:  # a co-curator added
        user = services().accounts.get(name)
        if user is None or not user.has("curator"):
            raise ValidationError("curators", _("%(name)s is not a user with the curator role", name=name))
    if data["venue"] and data["venue"] not in {i.id for i in services().institutions.institutions()}:
        raise ValidationError("venue", _("choose one of the catalogue's institutions"))
    return data


def _typed(form: MultiDict, current: Exhibition) -> dict[str, Any]:
    """The whole exhibition as the editor form has it (sections and items in the order sent)."""
    data = _details(form, current.to_dict())
    sections: list[dict[str, Any]] = []
    for key in form.getlist("row"):
        match = _KEY.fullmatch(key)
        if not match:
            continue
        if match.group(2) is None:
            sections.append({"title": _lmap(form, f"{key}.title"),
                             "introduction": _lmap(form, f"{key}.introduction"), "items": []})
        elif sections:
            where = f"sections[{len(sections) - 1}].items[{len(sections[-1]['items'])}]"
            sections[-1]["items"].append(_item_from(form, key, where))
    data["sections"] = sections
    cover = _cover_from(form.get("cover", ""))
    data["cover"] = cover
    return data


def _exhibition(data: dict[str, Any], version: int) -> Exhibition:
    exhibition = Exhibition.from_dict({**data, "version": version})
    if exhibition.cover and not any(
            (i.object, i.media, i.region) == (exhibition.cover.object, exhibition.cover.media, exhibition.cover.region)
            for i in exhibition.items):
        raise ValidationError("cover", _("choose one of the exhibition's works"))
    return exhibition


# -- what the pages show --------------------------------------------------------------


def field_of(path: str) -> str:
    """The form field (group) a ValidationError's path names: ``sections[0].items[1].caption.en[0]`` →
    ``s0i1.caption``."""
    match = _PATH.match(path)
    if match:
        section, item, name = match.groups()
        key = f"s{section}" + (f"i{item}" if item is not None else "")
        return f"{key}.{name}" if name else key
    return path.split(".")[0].split("[")[0]


def missing(exhibition: Exhibition) -> dict[str, Any]:
    """Which of nl/fr/de/en each text still lacks: per stop (caption, alt), per section, and in all."""
    def lacking(lmap: LanguageMap) -> list[str]:
        return [lang for lang in LANGS if lang not in lmap]

    stops = {}
    totals = dict.fromkeys(LANGS, 0)
    texts = [exhibition.title, exhibition.summary]
    for s, section in enumerate(exhibition.sections):
        texts += [section.title, section.introduction]
        stops[f"s{s}"] = {"title": lacking(section.title), "introduction": lacking(section.introduction)}
        for i, item in enumerate(section.items):
            stops[f"s{s}i{i}"] = {"caption": lacking(item.caption), "alt": lacking(item.alt)}
            texts += [item.caption, item.alt]
    for lmap in texts:
        for lang in lacking(lmap):
            totals[lang] += 1
    return {"stops": stops, "totals": {k: v for k, v in totals.items() if v},
            "title": lacking(exhibition.title), "summary": lacking(exhibition.summary)}


def status_name(status: str) -> str:
    """An exhibition's status as a curator reads it."""
    return {"draft": _("Draft"), "scheduled": _("Scheduled"), "published": _("Published")}.get(status, status)


def _langs(lmap: LanguageMap) -> list[str]:
    """The languages a text's fields are shown in: the four, then any other it already has."""
    return [*LANGS, *(k for k in lmap if k not in LANGS)]


def _text(lmap: LanguageMap, lang: str) -> str:
    return "\n".join(lmap.get(lang, []))


def _cards(exhibition: Exhibition) -> dict[str, Any]:
    """Each item's card (its label, and its picture: the detail's crop when it has one), by key."""
    objects = services().catalogue.objects(i.object for i in exhibition.items)
    lang, base = language(), urls()
    cards = {}
    for s, section in enumerate(exhibition.sections):
        for i, item in enumerate(section.items):
            obj = objects.get(item.object)
            cards[f"s{s}i{i}"] = route_card(obj, item, lang, base) if obj and item.media < len(obj.media) else None
    return cards


def _last_saved(slug: str, user: User) -> Any:
    revisions = services().exhibitions.revisions(slug, user)
    return revisions[0] if revisions else None


def _page(template: str, status: int = 200, **context: Any) -> Response:
    context.setdefault("errors", {})
    response = make_response(render_template(
        template, langs=LANGS, field_langs=_langs, status_name=status_name, text_of=_text, cover_value=cover_value,
        allowed_tags=sorted(ALLOWED_TAGS), institutions=services().institutions.institutions(),
        said=get_flashed_messages(), **context), status)
    return response


def _editor(exhibition: Exhibition, version: int, status: int = 200, **context: Any) -> Response:
    user = signed_user()
    return _page("curate/exhibition_editor.html", status, exhibition=exhibition, version=version,
                 missing=missing(exhibition), cards=_cards(exhibition),
                 last=_last_saved(exhibition.slug, user) if exhibition.version else None, **context)



def _get(slug: str) -> Exhibition:
    try:
        return services().exhibitions.get(slug, signed_user())
    except Missing:
        abort(404)


def _merge(before: Any, mine: Any, theirs: Any) -> Any:
    """Three-way: what only one side changed is taken from that side; where both changed the same
    text, this curator's (the conflict page shows theirs beside it)."""
    if mine == before:
        return theirs
    if theirs == before or mine == theirs:
        return mine
    if isinstance(mine, dict) and isinstance(theirs, dict):
        before = before if isinstance(before, dict) else {}
        merged = {k: _merge(before.get(k), mine.get(k), theirs.get(k)) for k in dict.fromkeys([*mine, *theirs])}
        return {k: v for k, v in merged.items() if v is not None}
    if isinstance(mine, list) and isinstance(theirs, list) and isinstance(before, list) \
            and len(mine) == len(theirs) == len(before):
        return [_merge(b, m, t) for b, m, t in zip(before, mine, theirs, strict=True)]
    return mine


def _conflict(slug: str, expected: int, typed: Exhibition | None, action: str,
              retry: dict[str, Any] | None = None) -> Response:
    """409: what the other curator changed since ``expected`` (who, when, field by field), and this
    curator's edit kept: their form again, now on the current version."""
    user = signed_user()
    current = _get(slug)
    changes: list[FieldChange] = []
    try:
        started = services().exhibitions.revision(slug, expected, user)
        changes = diff(started.to_dict(), current.to_dict())
    except Missing:
        started = None
    savers = [r for r in services().exhibitions.revisions(slug, user) if r.version > expected]
    context = {"conflict": {"changes": changes, "savers": savers, "current": current, "action": action,
                            "retry": retry or {}}}
    if typed is not None:
        if started is not None:
            merged = _merge(started.to_dict(), typed.to_dict(), current.to_dict())
            typed = Exhibition.from_dict({**merged, "version": current.version})
        return _editor(typed, current.version, 409, **context)
    return _page("curate/exhibition_conflict.html", 409, exhibition=current, version=current.version, **context)


# -- moving, removing, adding -----------------------------------------------------------------


def _label(exhibition: Exhibition, s: int, i: int | None) -> str:
    lang = language()
    if i is None:
        return pick(exhibition.sections[s].title, lang)
    obj = services().catalogue.objects([exhibition.sections[s].items[i].object]).get(
        exhibition.sections[s].items[i].object)
    return pick(obj.label, lang) if obj else exhibition.sections[s].items[i].object


def _act(exhibition: Exhibition, action: str) -> tuple[Exhibition, str, str]:
    """Apply a button's action; the exhibition after it, the sentence that announces it, and the
    element to come back to."""
    verb, _c, key = action.partition(":")
    sections = [dataclasses.replace(s, items=list(s.items)) for s in exhibition.sections]
    if verb == "reorder":  # a drag and drop: the form itself came in the new order
        return exhibition, _("Saved the new order."), "sections"
    if verb == "add-section":
        title = request.form.get("new-section", "").strip()
        if not title:
            raise ValidationError("new-section", _("give the new section a title"))
        sections.append(Section(title={language(): [title]}))
        return (dataclasses.replace(exhibition, sections=sections),
                _("Added the section “%(name)s”.", name=title), f"s{len(sections) - 1}")
    match = _KEY.fullmatch(key)
    if verb not in ("up", "down", "remove") or not match:
        return exhibition, _("Saved."), ""
    s, i = int(match.group(1)), None if match.group(2) is None else int(match.group(2))
    if s >= len(sections) or (i is not None and i >= len(sections[s].items)):
        return exhibition, _("Saved."), ""
    name = _label(exhibition, s, i)
    if verb == "remove":
        if i is None:
            del sections[s]
        else:
            del sections[s].items[i]
        return (dataclasses.replace(exhibition, sections=sections),
                _("Removed “%(name)s”.", name=name), "sections")
    step = -1 if verb == "up" else 1
    if i is None:
        to = max(0, min(len(sections) - 1, s + step))
        sections.insert(to, sections.pop(s))
        moved = dataclasses.replace(exhibition, sections=sections)
        return moved, _("Moved the section “%(name)s” to position %(n)d of %(total)d.",
                        name=name, n=to + 1, total=len(sections)), f"s{to}-{verb}"
    items = sections[s].items
    item = items.pop(i)
    to_s, to_i = s, i + step
    if to_i < 0 and s > 0:  # off the top of its section: to the end of the one before
        to_s, to_i = s - 1, len(sections[s - 1].items)
    elif to_i > len(items) and s < len(sections) - 1:  # off the bottom: to the start of the next
        to_s, to_i = s + 1, 0
    to_i = max(0, min(to_i, len(sections[to_s].items)))
    sections[to_s].items.insert(to_i, item)
    return (dataclasses.replace(exhibition, sections=sections),
            _("Moved “%(name)s” to position %(n)d of %(total)d in “%(section)s”.", name=name, n=to_i + 1,
              total=len(sections[to_s].items), section=pick(sections[to_s].title, language())),
            f"s{to_s}i{to_i}-{verb}")


def _save(exhibition: Exhibition, expected: int) -> None:
    services().exhibitions.save(exhibition, signed_user(), expected=expected)


# -- the pages -------------------------------------------------------------------------------


@bp.get("/exhibitions")
@signed_in("curator")
def exhibitions() -> Response:
    """The exhibitions this user curates (every one for an admin): status, dates, last save, languages."""
    user = signed_user()
    rows = [(e, _last_saved(e.slug, user), missing(e)) for e in services().exhibitions.editable(user)]
    return _page("curate/exhibition_list.html", rows=rows)


@bp.route("/exhibitions/new", methods=["GET", "POST"])
@signed_in("curator")
def new_exhibition() -> Response:
    """Create an exhibition: its slug, title and summary in each language, curators, venue, dates."""
    user = signed_user()
    if request.method == "GET":
        return _page("curate/exhibition_new.html", exhibition=Exhibition(slug="", title={}, curators=[user.name]))
    form = request.form
    data: dict[str, Any] = {"slug": form.get("slug", "").strip(), "status": "draft"}
    try:
        check_id(data["slug"], "slug")
        exhibition = _exhibition(_details(form, data), 0)
        _save(exhibition, 0)
    except ValidationError as exc:
        shown = Exhibition(slug=data["slug"], title=_lmap(form, "title"), summary=_lmap(form, "summary"),
                           curators=_names(form.get("curators", "")), venue=form.get("venue") or None,
                           opens=form.get("opens") or None, closes=form.get("closes") or None)
        return _page("curate/exhibition_new.html", 422, exhibition=shown,
                     errors={field_of(exc.field): exc.message})
    except (Forbidden, StaleVersion):
        shown = dataclasses.replace(exhibition, slug=data["slug"])
        return _page("curate/exhibition_new.html", 422, exhibition=shown,
                     errors={"slug": _("%(slug)s is taken: choose another", slug=data["slug"])})
    flash(_("Created the exhibition “%(name)s”.", name=pick(exhibition.title, language())))
    return redirect(url_for("curate.exhibition", slug=exhibition.slug))  # type: ignore[return-value]


@bp.get("/exhibitions/<slug>")
@signed_in("curator")
def exhibition(slug: str) -> Response:
    """The editor: details, sections and items, languages missing, links to add works and publish."""
    current = _get(slug)
    return _editor(current, current.version)


@bp.post("/exhibitions/<slug>")
@signed_in("curator")
def save_exhibition(slug: str) -> Response:
    """Save the editor's form, after the action of the button pressed (move, remove, add a section)."""
    current = _get(slug)
    expected = _version_of(request.form)
    action = request.form.get("action", "save")
    try:
        typed = _exhibition(_typed(request.form, current), expected)
    except ValidationError as exc:
        shown = _shown(request.form, current, expected)
        return _editor(shown, expected, 422, errors={field_of(exc.field): exc.message})
    try:
        changed, said, back = _act(typed, action)
        _save(changed, expected)
    except ValidationError as exc:
        return _editor(typed, expected, 422, errors={field_of(exc.field): exc.message})
    except StaleVersion:
        return _conflict(slug, expected, typed, action)
    except Forbidden:
        abort(403)
    flash(said)
    return redirect(url_for("curate.exhibition", slug=slug) + (f"#{back}" if back else ""))  # type: ignore[return-value]


def _shown(form: MultiDict, current: Exhibition, version: int) -> Exhibition:
    """What the form had, for showing it again with its error: the text as typed, even where a rule refuses it."""
    data = current.to_dict()
    data.update(title=_lmap(form, "title"), summary=_lmap(form, "summary"),
                curators=_names(form.get("curators", "")), venue=form.get("venue") or None,
                opens=form.get("opens") or None, closes=form.get("closes") or None)
    sections: list[Section] = []
    for key in form.getlist("row"):
        match = _KEY.fullmatch(key)
        if match and match.group(2) is None:
            sections.append(Section(_lmap(form, f"{key}.title"), _lmap(form, f"{key}.introduction")))
        elif match and sections:
            media = form.get(f"{key}.media", "0")
            sections[-1].items.append(ExhibitionItem(
                form.get(f"{key}.object", ""), _lmap(form, f"{key}.caption"),
                int(media) if media.isdigit() and len(media) < 6 else 0,
                _safe_region(form.get(f"{key}.region", "")), _lmap(form, f"{key}.alt")))
    fields = {f.name for f in dataclasses.fields(Exhibition)} - {"sections", "cover", "version"}
    return dataclasses.replace(current, **{k: v for k, v in data.items() if k in fields},
                               sections=sections, version=version)


@bp.get("/exhibitions/<slug>/works")
@signed_in("curator")
def exhibition_works(slug: str) -> Response:
    """Add works: the catalogue's search (words, facets, languages as visitors have them), each hit
    with a button that adds it to the section chosen."""
    current = _get(slug)
    search = asked(language(), 12)
    found = results(search, answer(search), "curate.exhibition_works", slug=slug)
    section = request.args.get("section", "0")
    chosen = int(section) if section.isdigit() and int(section) < len(current.sections) else 0
    return _page("curate/exhibition_works.html", exhibition=current, version=current.version,
                 results=found, section=chosen)


@bp.post("/exhibitions/<slug>/works")
@signed_in("curator")
def add_work(slug: str) -> Response:
    """Add a work at the end of a section (a new section "Works" when there is none)."""
    current = _get(slug)
    expected = _version_of(request.form)
    object_id = request.form.get("object", "")
    section = request.form.get("section", "0")
    s = int(section) if section.isdigit() and len(section) < 5 else 0
    sections = [dataclasses.replace(x, items=list(x.items)) for x in current.sections]
    if not sections:
        sections.append(Section(title={language(): [_("Works")]}))
    s = min(s, len(sections) - 1)
    sections[s].items.append(ExhibitionItem(object=object_id))
    back = request.form.get("back", "")
    try:
        _save(dataclasses.replace(current, sections=sections, version=expected), expected)
    except ValidationError as exc:
        abort(422, exc.message)
    except StaleVersion:
        return _conflict(slug, expected, None, "add", {"object": object_id, "section": s, "back": back})
    objects = services().catalogue.objects([object_id])
    name = pick(objects[object_id].label, language()) if object_id in objects else object_id
    flash(_("Added “%(name)s” to “%(section)s”.", name=name, section=pick(sections[s].title, language())))
    target = url_for("curate.exhibition_works", slug=slug)
    return redirect(f"{target}?{back}" if back and "\n" not in back else target)  # type: ignore[return-value]


@bp.route("/exhibitions/<slug>/duplicate", methods=["GET", "POST"])
@signed_in("curator")
def duplicate_exhibition(slug: str) -> Response:
    """A copy under a new slug: a draft, curated by whoever made it."""
    current = _get(slug)
    if request.method == "GET":
        return _page("curate/exhibition_duplicate.html", exhibition=current, new_slug=f"{slug}-copy"[:128])
    new_slug = request.form.get("slug", "").strip()
    copy = dataclasses.replace(current, slug=new_slug, status="draft", curators=[signed_user().name], version=0,
                               created=None, updated=None)
    try:
        check_id(new_slug, "slug")
        _save(copy, 0)
    except ValidationError as exc:
        return _page("curate/exhibition_duplicate.html", 422, exhibition=current, new_slug=new_slug,
                     errors={"slug": exc.message})
    except (Forbidden, StaleVersion):
        return _page("curate/exhibition_duplicate.html", 422, exhibition=current, new_slug=new_slug,
                     errors={"slug": _("%(slug)s is taken: choose another", slug=new_slug)})
    flash(_("Made a copy: “%(slug)s”, a draft.", slug=new_slug))
    return redirect(url_for("curate.exhibition", slug=new_slug))  # type: ignore[return-value]


@bp.route("/exhibitions/<slug>/delete", methods=["GET", "POST"])
@signed_in("curator")
def delete_exhibition(slug: str) -> Response:
    """Delete, after a confirmation page (its revisions are kept)."""
    current = _get(slug)
    if request.method == "GET":
        return _page("curate/exhibition_delete.html", exhibition=current, version=current.version)
    expected = _version_of(request.form)
    try:
        services().exhibitions.delete(slug, signed_user(), expected=expected)
    except StaleVersion:
        return _conflict(slug, expected, None, "delete")
    flash(_("Deleted the exhibition “%(name)s”.", name=pick(current.title, language())))
    return redirect(url_for("curate.exhibitions"))  # type: ignore[return-value]
