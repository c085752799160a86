"""The detail of an exhibition item, drawn on its image: which image a stop shows, and the whole of it
or a rectangle of it in the image's full-size pixels (ExhibitionItem.region).

The page is also the fallback without JavaScript: the four numbers alone are the form. The
partial templates/curate/_detail.html is what the exhibition editor's item form includes too;
``detail_view`` (a template global) prepares what it shows.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import NoReturn

from flask import Response, abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...i18n import language
from ...model import DigitalObject, Exhibition, ExhibitionItem, pick
from ...services import services
from ...services.catalogue import NotFound
from ...services.exhibitions import Forbidden, Missing
from ...store import StaleVersion
from ..assets import asset_url
from ..auth import account, signed_in
from ..http import urls
from ..views import detail_image
from ..visitor import access
from . import bp

SIDES = ("x", "y", "w", "h")


@dataclass
class DetailImage:
    """One image of the work a detail may be drawn on."""

    index: int  # in the object's media
    info: str  # its Image API info.json
    width: int
    height: int


@dataclass
class DetailView:
    """What the detail fieldset shows: the images to choose from, the one chosen, its four numbers, and
    the crop a visitor will see (None for the whole image, or numbers not yet a detail inside it)."""

    images: list[DetailImage]
    image: DetailImage
    numbers: list[str]
    region: list[int] | None
    crop: str | None
    openseadragon: str
    annotorious: str
    annotorious_css: str


def images(obj: DigitalObject) -> list[DetailImage]:
    """The images of a work with a known size: a detail is drawn only on those (a loan's on its lender's
    service; a plain remote image has none to cut a region)."""
    return [DetailImage(i, f"{m.service if m.is_remote else urls().image_service(m.id)}/info.json", m.width, m.height)
            for i, m in enumerate(obj.media) if m.is_image and m.width and m.height and (m.service or not m.is_remote)]


def inside(region: list[int], image: DetailImage) -> bool:
    x, y, w, h = region
    return w > 0 and h > 0 and x + w <= image.width and y + h <= image.height


def detail_view(obj: DigitalObject, media: int, region: list | None) -> DetailView:
    """The fieldset of ``obj``'s detail: ``media`` and ``region`` as stored, or as the curator typed them."""
    choices = images(obj)
    image = next((i for i in choices if i.index == media), choices[0] if choices else DetailImage(media, "", 0, 0))
    numbers = [str(v) for v in region] if region else ["", "", "", ""]
    shown = list(region) if region and all(isinstance(v, int) for v in region) and inside(list(region), image) \
        else None
    crop = None
    if shown and image.info and access(obj.rights, obj.media[image.index]).visible:
        crop = detail_image(obj, obj.media[image.index], (shown[0], shown[1], shown[2], shown[3]), urls())
    return DetailView(choices, image, numbers, shown, crop, asset_url("openseadragon.js"),
                      asset_url("annotorious.js"), asset_url("annotorious.css"))


# -- the page -------------------------------------------------------------------------


class Refused(ValueError):
    """The form names no detail the item can have: the message says why, in the curator's language."""


def _item(exhibition: Exhibition, section: int, item: int) -> ExhibitionItem:
    try:
        return exhibition.sections[section].items[item]
    except IndexError:
        abort(404, _("There is no item %(item)s in section %(section)s of this exhibition.",
                     item=item, section=section))


def _work(item: ExhibitionItem) -> DigitalObject:
    try:
        return services().catalogue.object(item.object)
    except NotFound:
        abort(404)


def _typed(form) -> list[str]:
    return [form.get(f"region_{side}", "").strip() for side in SIDES]


def _asked(form, obj: DigitalObject, item: ExhibitionItem) -> tuple[int, list[int] | None]:
    """The media file and region the form asks for; Refused when it cannot be one."""
    choices = {image.index: image for image in images(obj)}
    media = form.get("media", type=int)
    media = item.media if media is None else media
    if media not in choices:
        raise Refused(_("This image cannot be chosen for a detail."))
    typed = _typed(form)
    if form.get("extent") == "whole" or (form.get("extent") is None and not any(typed)):
        return media, None
    try:
        region = [int(value) for value in typed]
    except ValueError:
        raise Refused(_("Enter the detail as four whole numbers.")) from None
    image = choices[media]
    if min(region) < 0 or not inside(region, image):
        raise Refused(_("The detail must lie inside the image (%(width)s × %(height)s pixels).",
                        width=image.width, height=image.height))
    return media, region


def _editor_page(slug: str, section: int, item: int) -> str:
    """Where a saved detail goes back to: the exhibition editor's page, at this item."""
    return url_for("curate.exhibition", slug=slug, _anchor=f"s{section}i{item}")


def _page(exhibition: Exhibition, section: int, index: int, obj: DigitalObject, media: int,
          region: list | None, version: int, error: str | None = None, status: int = 200) -> Response:
    page = render_template(
        "curate/detail.html", exhibition=exhibition, work=pick(obj.label, language()), obj=obj, media=media,
        region=region, version=version, detail_error=error, back=_editor_page(exhibition.slug, section, index),
        action=url_for("curate.detail", slug=exhibition.slug, section=section, item=index),
    )
    return make_response(page, status)


def _refuse(slug: str) -> NoReturn:
    """Not this user's exhibition: 403 for one the public may see, 404 for a draft (it stays unseen)."""
    try:
        services().catalogue.exhibition(slug)
    except NotFound:
        abort(404, _("There is no exhibition '%(slug)s'.", slug=slug))
    abort(403)


@bp.route("/exhibitions/<slug>/items/<int:section>/<int:item>/detail", methods=["GET", "POST"])
@signed_in("curator")
def detail(slug: str, section: int, item: int) -> Response:
    """One item's detail: GET shows it on the image; POST saves the image and region chosen, from the
    version the form started from (a stale one is refused and the numbers typed are kept)."""
    user = account()
    try:
        exhibition = services().exhibitions.get(slug, user)
    except Missing:
        _refuse(slug)
    entry = _item(exhibition, section, item)
    obj = _work(entry)
    if request.method == "GET":
        return _page(exhibition, section, item, obj, entry.media, entry.region, exhibition.version)
    version = request.form.get("version", type=int)
    version = exhibition.version if version is None else version
    try:
        media, region = _asked(request.form, obj, entry)
    except Refused as refused:
        return _page(exhibition, section, item, obj, request.form.get("media", entry.media, type=int),
                     _typed(request.form), version, str(refused), 422)
    sections = list(exhibition.sections)
    items = list(sections[section].items)
    items[item] = dataclasses.replace(entry, media=media, region=region)
    sections[section] = dataclasses.replace(sections[section], items=items)
    try:
        services().exhibitions.save(dataclasses.replace(exhibition, sections=sections), user, expected=version)
    except StaleVersion as stale:
        message = _("Someone else saved this exhibition after you opened this page. Your numbers are kept: "
                    "look at the exhibition again, then save.")
        # The form now starts from the version saved meanwhile: saving again is a choice made knowingly.
        return _page(exhibition, section, item, obj, media, region or _typed(request.form), stale.current,
                     message, 409)
    except Forbidden:
        abort(403)
    return redirect(_editor_page(slug, section, item))  # type: ignore[return-value]


bp.add_app_template_global(detail_view, "detail_view")
