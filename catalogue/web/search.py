"""Blueprint: search, as JSON (``/api/search``) and as a page for people (``/search``)."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from . import results
from .asking import answer, asked, hit_views

bp = Blueprint("search", __name__)


@bp.get("/api/search")
def api():
    """Search as JSON: hits, facet counts, a suggestion, and the cursor of the next page."""
    result = answer(asked("en", 20))
    return jsonify(
        total=result.total,
        hits=hit_views(result),
        facets={name: [vars(v) for v in values] for name, values in result.facets.items()},
        suggestion=result.suggestion,
        next=result.next,
        timeline=[{"from": b.start, "to": b.end, "count": b.count} for b in result.timeline],
        exhibitions=[vars(e) for e in result.exhibitions],
    )


@bp.get("/search")
def page():
    """The search page: the same search, with a facet sidebar and links that keep the state (web/results.py)."""
    search = results.asked_search()
    return render_template("search.html", results=results.results(search, answer(search), "search.page"))
