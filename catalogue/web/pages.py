"""Pages for people: home, exhibitions, institution and collection lists, objects, media files, sitemap."""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from babel.lists import format_list
from flask import Blueprint, Response, abort, redirect, render_template, request, send_file, url_for
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _

from ..config import PROJECT_DIR
from ..i18n import LANGUAGES, NAMES
from ..iiif import content_state as content_states
from ..model import Exhibition, pick
from ..services import services
from ..services.catalogue import Gone, NotFound, Route
from . import results as search_results
from . import seo
from .asking import answer
from .assets import asset_url
from .http import urls
from .reuse import reuse
from .trail import result_link, trail
from .views import (
    artwork_jsonld,
    authorities,
    card,
    creator_details,
    exhibition_covers,
    exhibition_status,
    exhibitions_by_status,
    lang_of,
    language,
    museum_details,
    rich_text,
    rights,
    shown_date,
    shown_role,
    status_label,
    stop_link,
    stop_views,
    type_label,
    web_link,
)
from .visitor import access, offered, reduced_to

bp = Blueprint("pages", __name__)
STATIC = PROJECT_DIR / "catalogue" / "static"


@bp.app_template_filter("number")
def number(value: int) -> str:
    return format_decimal(value)


@bp.app_template_filter("day")
def day(value: str | None) -> str:
    return format_date(date.fromisoformat(value), "long") if value else ""


@bp.app_context_processor
def helpers():
    return {
        "pick": pick, "lang": language(), "languages": [(c, NAMES[c]) for c in LANGUAGES],
        "switch_language": seo.switch_language, "alternates": seo.alternates, "robots": seo.robots,
        "canonical": seo.canonical, "listing_title": seo.listing_title, "asset_url": asset_url, "rich_text": rich_text,
        "status_label": status_label, "type_label": type_label, "web_link": web_link,
        "content_state": _content_state, "lang_of": lang_of, "shown_date": shown_date, "shown_role": shown_role,
        "result_link": result_link, "creator_details": creator_details, "authorities": authorities,
        "museum_details": museum_details,
    }


def _content_state(manifest: str, canvas: str | None = None) -> str:
    """A Content State of a manifest (or one of its canvases), as links and drag-and-drop carry it."""
    return content_states.encode(content_states.ContentState(manifest, canvas))


@bp.get("/")
def home() -> str:
    lang = language()
    base = urls()
    overview = services().catalogue.overview()
    highlights = []  # a work with an image from each institution
    for samples in overview.samples.values():
        cards = (card(o, lang, base) for o in samples)
        highlights += [c for c in cards if c.thumbnail][:1]
    types = services().searching.overview(lang).facets.get("type", [])
    groups = exhibitions_by_status(overview.exhibitions)
    featured = groups["current"] + groups["upcoming"]
    return render_template(
        "home.html",
        covers=_covers(featured),
        institutions=overview.institutions,
        collections=overview.collections,
        featured=featured,
        types=types,
        holdings=holdings(types, lang),
        highlights=highlights[:8],
        total=overview.total,
    )


def holdings(types: list, lang: str) -> str:
    """What this catalogue holds, from its type counts: "30 pictures, 3 3D models and 1 book"."""
    kinds = {
        "image": lambda n: ngettext("%(count)s picture", "%(count)s pictures", n, count=format_decimal(n)),
        "book": lambda n: ngettext("%(count)s book", "%(count)s books", n, count=format_decimal(n)),
        "3d": lambda n: ngettext("%(count)s 3D model", "%(count)s 3D models", n, count=format_decimal(n)),
        "audio": lambda n: ngettext("%(count)s recording", "%(count)s recordings", n, count=format_decimal(n)),
        "video": lambda n: ngettext("%(count)s film", "%(count)s films", n, count=format_decimal(n)),
    }
    said = [kinds[t.value](t.count) for t in types if t.value in kinds and t.count]
    return format_list(said, locale=lang) if said else ""


def _covers(exhibitions: list[Exhibition]) -> dict[str, str | None]:
    return exhibition_covers(exhibitions, services().catalogue.works(exhibitions), language(), urls())


@bp.get("/exhibitions")
def exhibitions() -> str:
    published = services().catalogue.exhibitions()
    return render_template("exhibitions.html", groups=exhibitions_by_status(published), covers=_covers(published))


def _within(facet: str, value: str, endpoint: str, **url_values):
    """The search page's results fixed to one institution or collection, with the other facets."""
    asked = search_results.asked_search({facet: [value]})
    return search_results.results(asked, answer(asked), endpoint, (facet,), **url_values)


@bp.get("/institution/<institution_id>")
def institution(institution_id: str) -> str:
    try:
        view = services().catalogue.institution(institution_id)
    except NotFound:
        abort(404, _("There is no institution '%(id)s' in this catalogue.", id=institution_id))
    return render_template(
        "institution.html", institution=view.institution,
        results=_within("institution", view.institution.id, "pages.institution", institution_id=view.institution.id),
        collections=view.collections,
        total=view.total,
    )


@bp.get("/collection/<collection_id>")
def collection(collection_id: str) -> str:
    try:
        view = services().catalogue.collection(collection_id)
    except NotFound:
        abort(404, _("There is no collection '%(id)s' in this catalogue.", id=collection_id))
    return render_template(
        "collection.html", collection=view.collection,
        institution=view.institution,
        results=_within("collection", collection_id, "pages.collection", collection_id=collection_id),
        total=view.total,
    )


@bp.get("/view")
def content_state():
    """A IIIF Content State (``?iiif-content=``, any form the specification allows) opened in
    Vitrine's own viewer: the object's page at that canvas and region."""
    value = request.args.get("iiif-content")
    if not value:
        abort(400, "give the state to open as iiif-content (a URI, JSON, or base64url-encoded JSON)")
    return redirect(_opened_at(value), 303)


def _opened_at(value: str) -> str:
    """The page that shows a content state: 400 for one that cannot be read or names no work here."""
    try:
        state = content_states.decode(value)
    except content_states.ContentStateError as exc:
        abort(400, str(exc))
    prefix = urls().documents
    path = state.manifest[len(prefix):] if state.manifest.startswith(prefix) else ""
    kind, _sep, rest = path.partition("/")
    ref = rest.removesuffix("/manifest")
    catalogue = services().catalogue
    try:
        if kind == "exhibition" and rest.endswith("/manifest"):  # a draft is named by nothing
            exhibition = catalogue.exhibition(ref)
            return url_for("pages.exhibition", slug=ref, **_canvas_and_view(state, len(exhibition.items)))
        if kind == "object" and rest.endswith("/manifest"):
            obj = catalogue.object(ref)
            return url_for("pages.object_page", object_id=obj.id, **_canvas_and_view(state, len(obj.media)))
    except NotFound:
        pass
    abort(400, f"iiif-content names no manifest of this catalogue: {state.manifest[:200]!r}")


def _canvas_and_view(state: content_states.ContentState, canvases: int) -> dict[str, Any]:
    """The ``canvas=N&view=x,y,zoom`` of Vitrine's viewer pages for a content state's canvas and region."""
    number = state.canvas.rsplit("/canvas/", 1)[1] if state.canvas else ""
    if not (number.isascii() and number.isdigit() and 1 <= int(number) <= canvases):
        return {}
    args: dict[str, Any] = {"canvas": int(number)}
    if state.region:
        x, y, w, h = state.region
        # Mirador's viewer state: the centre in canvas pixels, and OpenSeadragon's zoom (1 / visible width)
        args["view"] = f"{x + w // 2},{y + h // 2},{0.9 / max(w, h):.4g}"
    return args


@bp.get("/object/<object_id>")
def object_page(object_id: str):
    if request.args.get("iiif-content"):
        return redirect(_opened_at(request.args["iiif-content"]), 303)
    try:
        view = services().catalogue.object_view(object_id)
    except Gone:
        abort(410, _("The object '%(id)s' was withdrawn from this catalogue.", id=object_id))
    except NotFound:
        abort(404, _("There is no object '%(id)s' in this catalogue.", id=object_id))
    obj, institution, concepts = view.obj, view.institution, view.concepts
    lang = language()
    base = urls()
    links = offered(obj, base)
    licence = rights(obj.rights)
    manifest = base.manifest(obj.id) if any(access(obj.rights, m).visible for m in obj.images) else None
    return render_template(
        "object.html",
        obj=obj,
        card=card(obj, lang, base),
        institution=institution,
        collections=view.collections,
        concepts=[(c, url_for("pages.subject", uri=c.uri)) for c in concepts],
        creators=[(c, url_for("pages.creator", name=c.name)) for c in obj.creators],
        rights=licence,
        manifest=manifest,
        reduced_to=reduced_to(obj),
        # Originals sent by /media/: offered to whoever may have them whole (visitor.offered).
        models=[(m, links[m.id]) for m in obj.media if m.format.startswith("model/") and m.id in links],
        players=[(m, links[m.id]) for m in obj.media if m.format.startswith(("audio/", "video/")) and m.id in links],
        jsonld=artwork_jsonld(obj, institution, concepts, lang, base),
        page_url=base.object_page(obj.id),
        journey=_journey(obj.id),
        # discovery: more like this, the results list the visitor came from, download and cite
        related=[card(o, lang, base) for o in services().discovery.related(obj, lang)],
        trail=trail(obj.id),
        reuse=reuse(obj, institution, licence, lang, base, manifest),
    )


# -- discovery: makers, subjects, favourites -------------------------------------

@bp.get("/creator/<path:name>")
def creator(name: str) -> str:
    """A maker's page: who they are as the records say, and their works (paged like an institution's)."""
    try:
        maker = services().discovery.maker(name, language())
    except NotFound:
        abort(404, _("There is no maker '%(name)s' in this catalogue.", name=name))
    return render_template("creator.html", maker=maker,
                           results=_within("creator", maker.name, "pages.creator", name=maker.name))


@bp.get("/subject/<path:uri>", merge_slashes=False)
def subject(uri: str) -> str:
    """A subject's page: its labels in every language, its place in the thesaurus, its works."""
    try:
        found = services().discovery.subject(uri)
    except NotFound:
        abort(404, _("There is no subject '%(uri)s' in this catalogue.", uri=uri))
    return render_template("subject.html", subject=found,
                           results=_within("subject", found.concept.uri, "pages.subject", uri=found.concept.uri))


MAX_FAVOURITES = 100  # works a shared favourites link may name


@bp.get("/favourites")
def favourites() -> str:
    """The visitor's favourites: kept in the browser (favourites.js draws them); a shared link
    (``?ids=a,b,c``) is drawn here, so it works for whoever opens it."""
    asked = [i for i in dict.fromkeys(request.args.get("ids", "").split(",")) if i][:MAX_FAVOURITES + 1]
    found = services().catalogue.objects(asked[:MAX_FAVOURITES])
    lang, base = language(), urls()
    return render_template(
        "favourites.html", shared="ids" in request.args,
        cards=[card(found[i], lang, base) for i in asked if i in found],
        unknown=len(asked[:MAX_FAVOURITES]) - len(found), cut=len(asked) > MAX_FAVOURITES, limit=MAX_FAVOURITES,
    )


@bp.get("/exhibition/<slug>")
def exhibition(slug: str) -> str:
    try:
        route = services().catalogue.route(slug)
    except NotFound:
        abort(404, _("There is no exhibition '%(slug)s'.", slug=slug))
    return exhibition_page(route, urls().exhibition_manifest(slug))


def exhibition_page(route: Route, manifest: str, template: str = "exhibition.html") -> str:
    """An exhibition's page as visitors see it, its viewer opening ``manifest``: the visitor's route
    and the curator's preview (another ``template`` that extends this one, another manifest URL)."""
    views = stop_views(route, language(), urls())
    by_number = {v.number: v for v in views}
    sections = [(section, [by_number[s.number] for s in stops]) for section, stops in route.sections]
    return render_template(
        template, exhibition=route.exhibition, sections=sections, stops=views,
        in_viewer=[v for v in views if v.canvas],
        manifest=manifest, status=exhibition_status(route.exhibition),
        model_viewer=asset_url("model-viewer.js") if any(v.model for v in views) else None,
    )


def _journey(object_id: str) -> dict[str, Any] | None:
    """The exhibition a work was opened from (``?exhibition=slug&stop=N``): its stop, the stops
    either side and the way back; None when the address names no stop of a published route showing it."""
    slug, number = request.args.get("exhibition"), request.args.get("stop", type=int)
    if not slug or not number:
        return None
    try:
        route: Route = services().catalogue.route(slug)
    except NotFound:
        return None
    stop = route.stop(number, object_id)
    if stop is None:
        return None
    near = {n: route.stops[n - 1] for n in (number - 1, number + 1) if 1 <= n <= len(route.stops)}
    return {
        "exhibition": route.exhibition, "number": number, "total": len(route.stops),
        "previous": stop_link(slug, number - 1, near[number - 1].obj.id) if number - 1 in near else None,
        "next": stop_link(slug, number + 1, near[number + 1].obj.id) if number + 1 in near else None,
        "route": url_for("pages.exhibition", slug=slug, _anchor=f"stop-{number}"),
    }


@bp.get("/media/<media_id>")
def media_file(media_id: str) -> Response:
    """An original file (3D model, sound, film, open image); works in copyright only through the Image API."""
    catalogue = services().catalogue
    try:
        media, rights_uri = catalogue.media(media_id)
    except NotFound:
        abort(404, _("There is no media file '%(id)s'.", id=media_id))
    if media.is_remote:
        abort(404, _("The image '%(id)s' is served by the institution that lends it, not by this catalogue.",
                     id=media_id))
    if not access(rights_uri, media).whole:  # originals only to whoever may see the work whole
        abort(403, _("This work is in copyright: it is shown at reduced size through the IIIF Image API only."))
    try:
        path = catalogue.media_file(media)
    except FileNotFoundError:
        abort(404, _("The file of media '%(id)s' is missing.", id=media_id))
    return send_file(path, mimetype=media.format, conditional=True, max_age=86400)  # CORS, nosniff: web/gate.py


# -- for crawlers and browsers ------------------------------------------------------

@bp.get("/sitemap.xml")
def sitemap_index() -> Response:
    """A sitemap index: the first file lists the pages, then objects in files of 50,000."""
    base = urls()
    files = [base.sitemap(n) for n in range(1, services().catalogue.sitemap_files() + 1)]
    return Response(render_template("sitemap_index.xml", files=files), mimetype="application/xml")


@bp.get("/sitemap-<int:number>.xml")
def sitemap(number: int) -> Response:
    catalogue = services().catalogue
    base = urls()
    if not 1 <= number <= catalogue.sitemap_files():
        abort(404, _("There is no sitemap file %(number)s.", number=number))
    if number == 1:
        return Response(render_template("sitemap.xml", locations=catalogue.sitemap(1, base)),
                        mimetype="application/xml")
    # A file of 50,000 objects costs ~300 ms to build: built once per version of the catalogue
    # and base URL, and a crawler that has it gets a 304.
    etag = hashlib.sha1(f"{catalogue.version()} {base.key} {number}".encode()).hexdigest()[:20]
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    body = _SITEMAPS.get(etag)
    if body is None:
        body = render_template("sitemap.xml", locations=catalogue.sitemap(number, base))
        while len(_SITEMAPS) >= 4:
            _SITEMAPS.pop(next(iter(_SITEMAPS)), None)
        _SITEMAPS[etag] = body
    response = Response(body, mimetype="application/xml")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


_SITEMAPS: dict[str, str] = {}  # the last few object sitemap files built, by ETag


@bp.get("/robots.txt")
def robots():
    return Response(f"User-agent: *\nAllow: /\nSitemap: {urls().sitemap()}\n",
                    mimetype="text/plain")


@bp.get("/favicon.ico")
def favicon():
    return send_file(STATIC / "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=7 * 86400)
