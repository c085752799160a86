"""The JSON API: an object's catalogue record."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify

from ..model import is_id
from ..services import services
from .http import urls

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/objects/<object_id>")
def object_record(object_id: str):
    """The record as stored (Vitrine's JSON format), with links to its manifest and page.

    An id that is not valid names nothing, whatever the store holds (a newline in it broke the ETag).
    """
    obj = services().store.get_object(object_id) if is_id(object_id) else None
    if obj is None:
        abort(404, f"no object {object_id[:200]!r}")
    base = urls()
    record = obj.to_dict()
    record["links"] = {
        "page": base.object_page(obj.id),
        "manifest": base.manifest(obj.id) if obj.media else None,
        "media": {m.id: base.image_service(m.id) + "/info.json" if m.is_image else base.media(m.id) for m in obj.media},
    }
    response = jsonify(record)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["ETag"] = f'"{obj.id}-{obj.version}"'
    return response
