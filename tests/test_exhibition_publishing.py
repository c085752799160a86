"""A curator's preview of an exhibition (the visitor's page and manifest), and publishing it: now,
back to draft, or on its opening date; a stale form meets a conflict page, a form without its CSRF
token is refused."""
from __future__ import annotations

import dataclasses
import json
import re

import pytest
from test_curator_foundation import PASSWORD, signed_in_client, token_of

from catalogue.model import ExhibitionItem

SLUG = "secret-draft"


@pytest.fixture
def people(collection):
    """ann curates the draft, bob curates nothing of it, root is an admin, ed an editor."""
    svc = collection.extensions["vitrine"]
    for name, roles in (("ann", ["curator"]), ("bob", ["curator"]), ("root", ["admin"]), ("ed", ["editor"])):
        svc.accounts.add(name, PASSWORD, roles=roles)
    draft = svc.store.get_exhibition(SLUG)
    svc.exhibitions.save(dataclasses.replace(draft, curators=["ann"]))
    return collection



def form(client, path: str) -> dict[str, str]:
    """The CSRF token and the version a page's forms carry."""
    page = client.get(path)
    assert page.status_code == 200, page.data[:300]
    return {"csrf_token": token_of(page.data),
            "version": re.search(rb'name="version" value="(\d+)"', page.data).group(1).decode()}


def test_a_curator_previews_the_draft_as_the_visitors_page_with_a_banner(people):
    client = signed_in_client(people, "ann")
    page = client.get(f"/curate/exhibitions/{SLUG}/preview")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Preview — not published" in html
    assert '<article class="exhibition">' in html and "Work in progress" in html  # exhibition.html itself
    assert 'id="stop-1"' in html and "/object/horse" in html
    assert f'data-manifest="http://localhost/curate/exhibitions/{SLUG}/preview/manifest"' in html
    assert '<meta name="robots" content="noindex, nofollow">' in html and 'rel="canonical"' not in html
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in page.headers["X-Robots-Tag"]


def test_the_preview_manifest_is_the_exhibition_manifest_named_at_its_preview(people):
    client = signed_in_client(people, "ann")
    response = client.get(f"/curate/exhibitions/{SLUG}/preview/manifest")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    manifest = json.loads(response.data)
    assert manifest["type"] == "Manifest" and manifest["label"] == {"en": ["Work in progress"]}
    assert manifest["id"] == f"http://localhost/curate/exhibitions/{SLUG}/preview/manifest"
    body = manifest["items"][0]["items"][0]["items"][0]["body"]
    assert body["service"][0]["id"].startswith("http://localhost/iiif/image/")  # the public Image API
    assert client.get(body["id"]).status_code == 200
    part_of = manifest["partOf"][0]["id"]
    assert part_of == f"http://localhost/curate/exhibitions/{SLUG}/preview/collection"
    collection = client.get(part_of)
    assert collection.status_code == 200 and json.loads(collection.data)["type"] == "Collection"


def test_an_admin_previews_any_exhibition(people):
    client = signed_in_client(people, "root")
    assert client.get(f"/curate/exhibitions/{SLUG}/preview").status_code == 200
    assert client.get(f"/curate/exhibitions/{SLUG}/preview/manifest").status_code == 200


PAGES = [f"/curate/exhibitions/{SLUG}/{page}" for page in
         ("preview", "preview/manifest", "preview/collection", "publish", "revisions", "revisions/1/2")]


@pytest.mark.parametrize("path", PAGES)
def test_another_curator_gets_404_an_editor_403_and_someone_signed_out_the_login(people, path):
    assert signed_in_client(people, "bob").get(path).status_code == 404
    assert signed_in_client(people, "ed").get(path).status_code == 403
    signed_out = signed_in_client(people, None).get(path)
    assert signed_out.status_code == 302 and "/curate/login?next=" in signed_out.headers["Location"]


def test_an_unknown_exhibition_is_404_to_its_would_be_curator(people):
    assert signed_in_client(people, "ann").get("/curate/exhibitions/no-such/preview").status_code == 404


def test_the_publishing_page_says_where_it_stands_and_offers_publish_and_schedule(people):
    html = signed_in_client(people, "ann").get(f"/curate/exhibitions/{SLUG}/publish").get_data(as_text=True)
    assert "Draft" in html and 'value="publish"' in html and 'value="schedule"' in html
    assert 'value="unpublish"' not in html
    assert "It needs an opening date" in html
    assert f'href="/curate/exhibitions/{SLUG}"' in html  # back to the editor


def test_publish_now_makes_it_public_and_unpublish_takes_it_back(people):
    client = signed_in_client(people, "ann")
    visitor = people.test_client()
    assert visitor.get(f"/exhibition/{SLUG}").status_code == 404
    start = form(client, f"/curate/exhibitions/{SLUG}/publish")
    done = client.post(f"/curate/exhibitions/{SLUG}/publish", data={**start, "action": "publish"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/curate/exhibitions/{SLUG}/publish")
    assert visitor.get(f"/exhibition/{SLUG}").status_code == 200
    page = client.get(f"/curate/exhibitions/{SLUG}/publish").get_data(as_text=True)
    assert "Published" in page and 'value="unpublish"' in page and 'value="publish"' not in page
    client.post(f"/curate/exhibitions/{SLUG}/publish", data={**form(client, f"/curate/exhibitions/{SLUG}/publish"),
                                                            "action": "unpublish"})
    assert visitor.get(f"/exhibition/{SLUG}").status_code == 404
    store = people.extensions["vitrine"].store
    assert store.get_exhibition(SLUG).status == "draft"
    assert [c.user for c in store.changes_for("exhibition", SLUG)][:2] == ["ann", "ann"]


def test_schedule_without_an_opening_date_is_refused_at_the_form(people):
    client = signed_in_client(people, "ann")
    refused = client.post(f"/curate/exhibitions/{SLUG}/publish",
                          data={**form(client, f"/curate/exhibitions/{SLUG}/publish"), "action": "schedule"})
    assert refused.status_code == 422
    assert "needs an opening date" in refused.get_data(as_text=True)
    assert people.extensions["vitrine"].store.get_exhibition(SLUG).status == "draft"


def test_schedule_shows_when_it_opens_and_it_opens_on_that_day(people):
    svc = people.extensions["vitrine"]
    svc.exhibitions.save(dataclasses.replace(svc.store.get_exhibition(SLUG), opens="2999-05-01"))
    client = signed_in_client(people, "ann")
    page = client.get(f"/curate/exhibitions/{SLUG}/publish").get_data(as_text=True)
    assert "It opens to visitors on 1 May 2999" in page or "May 1, 2999" in page
    done = client.post(f"/curate/exhibitions/{SLUG}/publish",
                       data={**form(client, f"/curate/exhibitions/{SLUG}/publish"), "action": "schedule"})
    assert done.status_code == 303
    assert svc.store.get_exhibition(SLUG).status == "scheduled"
    page = client.get(f"/curate/exhibitions/{SLUG}/publish").get_data(as_text=True)
    assert "Scheduled" in page and "without anyone acting" in page
    assert people.test_client().get(f"/exhibition/{SLUG}").status_code == 404
    preview = client.get(f"/curate/exhibitions/{SLUG}/preview").get_data(as_text=True)
    assert "Visitors will see it from" in preview


def test_a_stale_publish_meets_a_conflict_page_naming_who_saved_and_offering_to_retry(people):
    svc = people.extensions["vitrine"]
    client = signed_in_client(people, "ann")
    started = form(client, f"/curate/exhibitions/{SLUG}/publish")
    root = svc.accounts.get("root")
    current = svc.store.get_exhibition(SLUG)
    svc.exhibitions.save(dataclasses.replace(current, title={"en": ["Renamed meanwhile"]}), root,
                         expected=current.version)
    conflict = client.post(f"/curate/exhibitions/{SLUG}/publish", data={**started, "action": "publish"})
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "Someone saved meanwhile" in html and "root saved version" in html
    assert "title.en" in html and "Renamed meanwhile" in html and "Work in progress" in html
    assert svc.store.get_exhibition(SLUG).status == "draft"  # nothing written
    retry = {"csrf_token": token_of(conflict.data), "action": "publish",
             "version": re.search(rb'name="version" value="(\d+)"', conflict.data).group(1).decode()}
    assert retry["version"] == str(current.version + 1)
    assert client.post(f"/curate/exhibitions/{SLUG}/publish", data=retry).status_code == 303
    published = svc.store.get_exhibition(SLUG)
    assert published.status == "published" and published.title == {"en": ["Renamed meanwhile"]}


def test_publishing_without_the_csrf_token_is_refused(people):
    client = signed_in_client(people, "ann")
    data = form(client, f"/curate/exhibitions/{SLUG}/publish")
    refused = client.post(f"/curate/exhibitions/{SLUG}/publish", data={"version": data["version"], "action": "publish"})
    assert refused.status_code == 400
    assert people.extensions["vitrine"].store.get_exhibition(SLUG).status == "draft"


def test_another_curator_cannot_publish_it(people):
    client = signed_in_client(people, "bob")
    token = token_of(client.get("/curate/").data)
    refused = client.post(f"/curate/exhibitions/{SLUG}/publish", data={"csrf_token": token, "version": "1",
                                                                      "action": "publish"})
    assert refused.status_code == 404
    assert people.extensions["vitrine"].store.get_exhibition(SLUG).status == "draft"


def test_publishing_warns_of_stops_without_a_caption_in_every_language(people):
    svc = people.extensions["vitrine"]
    draft = svc.store.get_exhibition(SLUG)
    section = draft.sections[0]
    items = [ExhibitionItem("horse", caption={"en": ["A horse"], "nl": ["Een paard"], "fr": ["Un cheval"],
                                              "de": ["Ein Pferd"]}),
             ExhibitionItem("horse", caption={"en": ["Again"], "nl": ["Weer"]})]
    svc.exhibitions.save(dataclasses.replace(draft, sections=[dataclasses.replace(section, items=items)]))
    html = signed_in_client(people, "ann").get(f"/curate/exhibitions/{SLUG}/publish").get_data(as_text=True)
    assert "1 stop has no caption in every language" in html
    warning = html[html.index("publishing-warning"):]
    assert "Stop 2" in warning and "Stop 1 " not in warning
    assert 'lang="fr">Français' in warning and 'lang="de">Deutsch' in warning and 'lang="nl">' not in warning
    assert 'value="publish"' in html  # a warning, not a refusal
