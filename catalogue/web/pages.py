"""Pages for people: home, exhibitions, institution and collection lists, objects, media files, sitemap."""
from __future__ import annotations

import hashlib
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, render_template, request, send_file, url_for
from flask_babel import format_date, format_decimal, gettext as _

from ..config import PROJECT_DIR
from ..i18n import LANGUAGES, NAMES
from ..iiif import content_state as content_states
from ..model import is_id, pick
from ..search import SearchRequest
from ..services import services
from . import results as search_results
from .asking import answer
from .assets import asset_url
from .http import urls
from .visitor import access
from .views import (
    artwork_jsonld, card, exhibition_covers, exhibition_status, exhibitions_by_status, language, rich_text,
    route_card, rights, search_link, status_label, type_label, web_link,
)

bp = Blueprint("pages", __name__)
SITEMAP_SIZE = 50_000  # URLs per sitemap file, the protocol's limit
STATIC = PROJECT_DIR / "catalogue" / "static"


@bp.app_template_filter("number")
def number(value: int) -> str:
    return format_decimal(value)


@bp.app_template_filter("day")
def day(value: str | None) -> str:
    return format_date(date.fromisoformat(value), "long") if value else ""


@bp.app_context_processor
def helpers():
    def switch_language(code: str) -> str:
        """This page in another language (a search keeps its state, not its cursor)."""
        args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("lang", "cursor", "p")]
        return f"{request.path}?{urlencode(args + [('lang', code)])}"

    return {
        "pick": pick, "lang": language(), "languages": [(c, NAMES[c]) for c in LANGUAGES],
        "switch_language": switch_language, "asset_url": asset_url, "rich_text": rich_text,
        "status_label": status_label, "type_label": type_label, "web_link": web_link,
        "content_state": _content_state,
    }


def _content_state(manifest: str, canvas: str | None = None) -> str:
    """A Content State of a manifest (or one of its canvases), as links and drag-and-drop carry it."""
    return content_states.encode(content_states.ContentState(manifest, canvas))


@bp.get("/")
def home():
    store = services().store
    lang = language()
    base = urls()
    institutions = store.institutions()
    counts = {i.id: store.count_objects(institution=i.id) for i in institutions}
    collections = [(c, store.count_objects(collection=c.id)) for c in store.collections()]
    groups = exhibitions_by_status(store.exhibitions("published"))
    overview = services().search.search(SearchRequest(lang=lang, size=1))
    highlights = []  # a work with an image from each institution
    for inst in institutions:
        cards = (card(o, lang, base) for o in store.list_objects(institution=inst.id, limit=4))
        highlights += [c for c in cards if c.thumbnail][:1]
    featured = groups["current"] + groups["upcoming"]
    return render_template(
        "home.html",
        covers=_covers(featured),
        institutions=[(i, counts[i.id]) for i in institutions],
        collections=collections,
        featured=featured,
        types=overview.facets.get("type", []),
        highlights=highlights[:8],
        total=sum(counts.values()),
    )


def _covers(exhibitions: list) -> dict[str, str | None]:
    objects = services().store.get_objects({i.object for e in exhibitions for i in e.items})
    return exhibition_covers(exhibitions, {o.id: o for o in objects}, language(), urls())


@bp.get("/exhibitions")
def exhibitions():
    published = services().store.exhibitions("published")
    return render_template("exhibitions.html", groups=exhibitions_by_status(published), covers=_covers(published))


def _within(facet: str, value: str, endpoint: str, **url_values):
    """The search page's results fixed to one institution or collection, with the other facets."""
    asked = search_results.asked_search({facet: [value]})
    return search_results.results(asked, answer(asked), endpoint, (facet,), **url_values)


@bp.get("/institution/<institution_id>")
def institution(institution_id: str):
    store = services().store
    inst = store.get_institution(institution_id)
    if inst is None:
        abort(404, _("There is no institution '%(id)s' in this catalogue.", id=institution_id))
    return render_template(
        "institution.html", institution=inst,
        results=_within("institution", inst.id, "pages.institution", institution_id=inst.id),
        collections=[(c, store.count_objects(collection=c.id)) for c in store.collections(institution_id)],
        total=store.count_objects(institution=institution_id),
    )


@bp.get("/collection/<collection_id>")
def collection(collection_id: str):
    store = services().store
    found_collection = store.get_collection(collection_id)
    if found_collection is None:
        abort(404, _("There is no collection '%(id)s' in this catalogue.", id=collection_id))
    return render_template(
        "collection.html", collection=found_collection,
        institution=store.get_institution(found_collection.institution),
        results=_within("collection", collection_id, "pages.collection", collection_id=collection_id),
        total=store.count_objects(collection=collection_id),
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
    kind, _, rest = path.partition("/")
    ref = rest.removesuffix("/manifest")
    exhibition = services().store.get_exhibition(ref) if kind == "exhibition" and rest.endswith("/manifest") else None
    if exhibition is not None and exhibition.published:  # a draft is named by nothing
        return url_for("pages.exhibition", slug=ref, **_canvas_and_view(state, len(exhibition.items)))
    obj = services().store.get_object(ref) if kind == "object" and rest.endswith("/manifest") and is_id(ref) else None
    if obj is None:
        abort(400, f"iiif-content names no manifest of this catalogue: {state.manifest[:200]!r}")
    return url_for("pages.object_page", object_id=obj.id, **_canvas_and_view(state, len(obj.media)))


def _canvas_and_view(state, canvases: int) -> dict:
    """The ``canvas=N&view=x,y,zoom`` of Vitrine's viewer pages for a content state's canvas and region."""
    number = state.canvas.rsplit("/canvas/", 1)[1] if state.canvas else ""
    if not (number.isascii() and number.isdigit() and 1 <= int(number) <= canvases):
        return {}
    args = {"canvas": int(number)}
    if state.region:
        x, y, w, h = state.region
        # Mirador's viewer state: the centre in canvas pixels, and OpenSeadragon's zoom (1 / visible width)
        args["view"] = f"{x + w // 2},{y + h // 2},{0.9 / max(w, h):.4g}"
    return args


@bp.get("/object/<object_id>")
def object_page(object_id: str):
    if request.args.get("iiif-content"):
        return redirect(_opened_at(request.args["iiif-content"]), 303)
    store = services().store
    obj = store.get_object(object_id)
    if obj is None and store.is_withdrawn(object_id):
        abort(410, _("The object '%(id)s' was withdrawn from this catalogue.", id=object_id))
    if obj is None:
        abort(404, _("There is no object '%(id)s' in this catalogue.", id=object_id))
    lang = language()
    base = urls()
    institution = store.get_institution(obj.institution)
    concepts = store.concepts(obj.subjects)
    return render_template(
        "object.html",
        obj=obj,
        card=card(obj, lang, base),
        institution=institution,
        collections=[c for c in (store.get_collection(c) for c in obj.collections) if c],
        concepts=[(c, search_link(subject=c.uri)) for c in concepts],
        creators=[(c, search_link(creator=c.name)) for c in obj.creators],
        rights=rights(obj.rights),
        manifest=base.manifest(obj.id) if any(access(obj.rights, m).visible for m in obj.images) else None,
        models=[(m, base.media(m.id)) for m in obj.media if m.format.startswith("model/") and access(obj.rights, m).visible],
        players=[(m, base.media(m.id)) for m in obj.media
                 if m.format.startswith(("audio/", "video/")) and access(obj.rights, m).visible],
        jsonld=artwork_jsonld(obj, institution, concepts, lang, base),
        page_url=base.object_page(obj.id),
    )


@bp.get("/exhibition/<slug>")
def exhibition(slug: str):
    store = services().store
    exh = store.get_exhibition(slug)
    if exh is None or not exh.published:
        abort(404, _("There is no exhibition '%(slug)s'.", slug=slug))
    lang = language()
    base = urls()
    objects = {o.id: o for o in store.get_objects(i.object for i in exh.items)}
    route, number = [], 0
    for section in exh.sections:
        stops = []
        for item in section.items:
            obj = objects.get(item.object)
            if obj is None or item.media >= len(obj.media):
                continue
            stops.append((item, route_card(obj, item, lang, base), number))
            number += 1
        route.append((section, stops))
    return render_template(
        "exhibition.html", exhibition=exh, route=route, manifest=base.exhibition_manifest(slug),
        status=exhibition_status(exh),
    )


@bp.get("/media/<media_id>")
def media_file(media_id: str):
    """An original file (3D model, sound, film, open image); works in copyright only through the Image API."""
    found = services().store.get_media(media_id)
    if found is None:
        abort(404, _("There is no media file '%(id)s'.", id=media_id))
    media, _object, rights_uri = found
    if not access(rights_uri, media).whole:  # originals only to whoever may see the work whole
        abort(403, _("This work is in copyright: it is shown at reduced size through the IIIF Image API only."))
    path = (services().media_dir / media.path).resolve()
    if not path.is_relative_to(services().media_dir.resolve()) or not path.is_file():
        abort(404, _("The file of media '%(id)s' is missing.", id=media_id))
    return send_file(path, mimetype=media.format, conditional=True, max_age=86400)  # CORS, nosniff: web/gate.py


# -- for crawlers and browsers ------------------------------------------------------

@bp.get("/sitemap.xml")
def sitemap_index():
    """A sitemap index: the first file lists the pages, then objects in files of 50,000."""
    base = urls()
    body = render_template("sitemap_index.xml", files=[base.sitemap(n) for n in range(1, _sitemap_files() + 1)])
    return Response(body, mimetype="application/xml")


def _sitemap_files() -> int:
    """The page list, then the objects in files of SITEMAP_SIZE."""
    return 1 + -(-services().store.count_objects() // SITEMAP_SIZE)


@bp.get("/sitemap-<int:number>.xml")
def sitemap(number: int):
    store = services().store
    base = urls()
    if not 1 <= number <= _sitemap_files():
        abort(404, _("There is no sitemap file %(number)s.", number=number))
    if number == 1:
        locations = [base.page("/"), base.page("/exhibitions")]
        locations += [base.institution_page(i.id) for i in store.institutions()]
        locations += [base.collection_page(c.id) for c in store.collections()]
        locations += [base.exhibition_page(e.slug) for e in store.exhibitions("published")]
        return Response(render_template("sitemap.xml", locations=locations), mimetype="application/xml")
    # A file of 50,000 objects costs ~300 ms to build: built once per version of the catalogue
    # and base URL, and a crawler that has it gets a 304.
    etag = hashlib.sha1(f"{store.url} {store.last_seq()} {base.key} {number}".encode()).hexdigest()[:20]
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    body = _SITEMAPS.get(etag)
    if body is None:
        ids = store.object_labels(offset=(number - 2) * SITEMAP_SIZE, limit=SITEMAP_SIZE)
        body = render_template("sitemap.xml", locations=[base.object_page(object_id) for object_id, _label in ids])
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
