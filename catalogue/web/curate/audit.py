"""The audit trail for admins: who changed what, and when, per object, per exhibition, and lately."""
from __future__ import annotations

from flask import Response, make_response, render_template, request

from ...services import services
from ..auth import account, signed_in
from . import bp


@bp.get("/audit")
@signed_in("admin")
def audit() -> Response:
    """The latest changes to the catalogue, newest first, a page at a time."""
    page = request.args.get("page", "1")
    latest = services().audit.latest(account(), int(page) if page.isdigit() and len(page) < 9 else 1)
    return make_response(render_template("curate/audit.html", latest=latest))


@bp.get("/audit/object/<object_id>")
@signed_in("admin")
def audit_object(object_id: str) -> Response:
    return _trail("object", object_id)


@bp.get("/audit/exhibition/<slug>")
@signed_in("admin")
def audit_exhibition(slug: str) -> Response:
    return _trail("exhibition", slug)


def _trail(kind: str, ref: str) -> Response:
    """Every logged change of one record, and what each kept revision changed."""
    trail = services().audit.trail(kind, ref, account())
    return make_response(render_template("curate/audit_record.html", trail=trail))
