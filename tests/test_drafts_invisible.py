"""A draft, and a scheduled exhibition before its opening day, are invisible everywhere a visitor, a
crawler or a harvester looks: its page and IIIF documents are 404, and no list names it (the
exhibitions page, the home page, the sitemap, search hits, /iiif/collection, content states, the
route back from a work, the static publication). The same exhibition published, or on and after
its opening day, is in every one of them — also when the day comes with nothing saved, past every
cache."""
from __future__ import annotations

import dataclasses
import json
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import catalogue.model
import catalogue.services.searching

SLUG = "secret-draft"
WORD = "zebracorn"  # only this exhibition's title has it
MANIFEST = f"http://localhost/iiif/exhibition/{SLUG}/manifest"


def _day(offset: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def saved(app, **changes):
    svc = app.extensions["vitrine"]
    draft = svc.store.get_exhibition(SLUG)
    svc.exhibitions.save(dataclasses.replace(draft, title={"en": [f"The {WORD} nursery"]}, **changes))
    return app


def seen(app, tmp_path: Path) -> dict[str, bool]:
    """Where a visitor, crawler or harvester finds the exhibition (True: found there)."""
    client = app.test_client()
    page = f"/exhibition/{SLUG}"
    state = json.dumps({"id": MANIFEST, "type": "Manifest"})
    folder = tmp_path / f"static-{len(list(tmp_path.iterdir()))}"
    app.extensions["vitrine"].publishing.publish(folder, "http://static.example", "http://localhost")
    found = {
        "page": client.get(page).status_code == 200,
        "manifest": client.get(f"/iiif/exhibition/{SLUG}/manifest").status_code == 200,
        "collection": client.get(f"/iiif/exhibition/{SLUG}/collection").status_code == 200,
        "manifest 2.1": client.get(f"/iiif/2/exhibition/{SLUG}/manifest").status_code == 200,
        "exhibitions list": page in client.get("/exhibitions").get_data(as_text=True),
        "home page": page in client.get("/").get_data(as_text=True),
        "sitemap": page in client.get("/sitemap-1.xml").get_data(as_text=True),
        "search page": page in client.get(f"/search?q={WORD}").get_data(as_text=True),
        "search api": SLUG in json.dumps(client.get(f"/api/search?q={WORD}").get_json()["exhibitions"]),
        "iiif collection": SLUG in client.get("/iiif/collection").get_data(as_text=True),
        "content state": client.get("/view?iiif-content=" + urllib.parse.quote(state)).status_code == 303,
        "route from a work": page in client.get(f"/object/horse?exhibition={SLUG}&stop=1").get_data(as_text=True),
        "static publication": any(SLUG in str(p) for p in folder.rglob("*")),
    }
    # What is not found is answered as nothing at all: 404, never 403 or 410 (which would say it exists).
    if not found["page"]:
        assert client.get(page).status_code == 404
        assert client.get(f"/iiif/exhibition/{SLUG}/manifest").status_code == 404
    return found


def nowhere(found: dict[str, bool]) -> list[str]:
    return [where for where, yes in found.items() if yes]


def everywhere(found: dict[str, bool]) -> list[str]:
    return [where for where, yes in found.items() if not yes]


def test_a_draft_is_found_nowhere(collection, tmp_path):
    assert nowhere(seen(saved(collection, status="draft"), tmp_path)) == []


def test_a_scheduled_exhibition_before_its_opening_day_is_found_nowhere(collection, tmp_path):
    assert nowhere(seen(saved(collection, status="scheduled", opens=_day(1), closes=None), tmp_path)) == []


@pytest.mark.parametrize("status, opens", [("published", None), ("scheduled", _day(0)), ("scheduled", _day(-1))])
def test_published_or_on_and_after_its_opening_day_it_is_found_everywhere(collection, tmp_path, status, opens):
    assert everywhere(seen(saved(collection, status=status, opens=opens, closes=None), tmp_path)) == []


def test_its_curator_signed_in_does_not_make_the_public_pages_show_a_draft(collection, tmp_path):
    from test_curator_foundation import PASSWORD, sign_in

    svc = collection.extensions["vitrine"]
    svc.accounts.add("ann", PASSWORD, roles=["curator"])
    saved(collection, status="draft", curators=["ann"])
    client = collection.test_client()
    sign_in(client, "ann")
    assert client.get(f"/exhibition/{SLUG}").status_code == 404
    assert client.get(f"/iiif/exhibition/{SLUG}/manifest").status_code == 404
    assert client.get(f"/curate/exhibitions/{SLUG}/preview").status_code == 200


def test_a_scheduled_exhibition_opens_at_midnight_with_nothing_saved_past_every_cache(collection, tmp_path,
                                                                                      monkeypatch):
    saved(collection, status="scheduled", opens=_day(1), closes=None)
    assert nowhere(seen(collection, tmp_path)) == []  # every cache now holds the day before
    tomorrow = _day(1)
    # The clock moves on to the opening day (the one clock the catalogue reads, and the name search keeps of it).
    monkeypatch.setattr(catalogue.model, "today", lambda: tomorrow)
    monkeypatch.setattr(catalogue.services.searching, "today", lambda: tomorrow)
    assert everywhere(seen(collection, tmp_path)) == []

