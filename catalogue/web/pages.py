"""Pages for people: home, institution browse list, object page, exhibition page, media files."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, send_file

from ..model import in_copyright, pick
from ..services import services
from .http import urls
from .views import card, language

bp = Blueprint("pages", __name__)


@bp.app_context_processor
def helpers():
    return {"pick": pick, "lang": language()}


@bp.get("/")
def home():
    store = services().store
    lang = language()
    counts = {i.id: store.count_objects(institution=i.id) for i in store.institutions()}
    return render_template(
        "home.html",
        institutions=[(i, counts[i.id]) for i in store.institutions()],
        exhibitions=store.exhibitions("published"),
        total=sum(counts.values()),
        lang=lang,
    )


@bp.get("/institution/<institution_id>")
def institution(institution_id: str):
    store = services().store
    inst = store.get_institution(institution_id)
    if inst is None:
        abort(404, f"There is no institution {institution_id!r} in this catalogue.")
    lang = language()
    size = current_app.config["BROWSE_PAGE_SIZE"]
    page = request.args.get("page", 1, type=int)
    total = store.count_objects(institution=institution_id)
    pages = max(1, -(-total // size))
    if not 1 <= page <= pages:
        abort(404, f"Page {page} does not exist; this list has {pages} page(s).")
    objects = store.list_objects(institution=institution_id, offset=(page - 1) * size, limit=size)
    base = urls()
    return render_template(
        "institution.html", institution=inst, cards=[card(o, lang, base) for o in objects],
        total=total, page=page, pages=pages, collections=store.collections(institution_id), lang=lang,
    )


@bp.get("/object/<object_id>")
def object_page(object_id: str):
    store = services().store
    obj = store.get_object(object_id)
    if obj is None:
        abort(404, f"There is no object {object_id!r} in this catalogue.")
    lang = language()
    base = urls()
    return render_template(
        "object.html",
        obj=obj,
        card=card(obj, lang, base),
        institution=store.get_institution(obj.institution),
        concepts=store.concepts(obj.subjects),
        manifest=base.manifest(obj.id) if obj.media else None,
        media_url={m.id: base.media(m.id) for m in obj.media},
        lang=lang,
    )


@bp.get("/exhibition/<slug>")
def exhibition(slug: str):
    store = services().store
    exh = store.get_exhibition(slug)
    if exh is None or not exh.published:
        abort(404, f"There is no exhibition {slug!r}.")
    lang = language()
    base = urls()
    objects = {o.id: o for o in store.get_objects(i.object for i in exh.items)}
    route = []
    for section in exh.sections:
        stops = []
        for item in section.items:
            obj = objects.get(item.object)
            if obj is None or item.media >= len(obj.media):
                continue
            view = card(obj, lang, base)
            media = obj.media[item.media]
            if item.region and media.is_image:
                view.thumbnail = f"{base.image_service(media.id)}/{','.join(map(str, item.region))}/400,/0/default.jpg"
            stops.append((item, view))
        route.append((section, stops))
    return render_template(
        "exhibition.html", exhibition=exh, route=route, manifest=base.exhibition_manifest(slug), lang=lang,
    )


@bp.get("/media/<media_id>")
def media_file(media_id: str):
    """An original file (3D model, sound, film, open image); works in copyright only through the Image API."""
    found = services().store.get_media(media_id)
    if found is None:
        abort(404, f"There is no media file {media_id!r}.")
    media, _, rights = found
    if media.is_image and in_copyright(rights):
        abort(403, "This work is in copyright: it is shown at reduced size through the IIIF Image API only.")
    path = (services().media_dir / media.path).resolve()
    if not path.is_relative_to(services().media_dir.resolve()) or not path.is_file():
        abort(404, f"The file of media {media_id!r} is missing.")
    response = send_file(path, mimetype=media.format, conditional=True, max_age=86400)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
