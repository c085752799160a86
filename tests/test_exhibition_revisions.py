"""An exhibition's revisions for its curators: every saved version listed with its author, time and
what changed; any two compared field by field and language by language; any earlier one restored,
as a new revision (409 from a stale page; CSRF required)."""
from __future__ import annotations

import dataclasses
import re

import pytest
from test_curator_foundation import PASSWORD, signed_in_client, token_of

from catalogue.model import Exhibition, Section

SLUG = "birth"


@pytest.fixture
def history(collection):
    """Three versions of "birth": ann creates it, bob (co-curator) retitles it in French and Dutch,
    ann adds a section."""
    svc = collection.extensions["vitrine"]
    svc.accounts.add("ann", PASSWORD, roles=["curator"])
    svc.accounts.add("bob", PASSWORD, roles=["curator"])
    svc.accounts.add("cid", PASSWORD, roles=["curator"])
    ann, bob = svc.accounts.get("ann"), svc.accounts.get("bob")
    svc.exhibitions.save(Exhibition(slug=SLUG, title={"en": ["Birth"], "fr": ["Naissance"]}, curators=["ann", "bob"]),
                         ann, expected=0)
    first = svc.store.get_exhibition(SLUG)
    retitled = {"en": ["Birth"], "fr": ["La naissance"], "nl": ["Geboorte"]}
    svc.exhibitions.save(dataclasses.replace(first, title=retitled), bob, expected=1)
    second = svc.store.get_exhibition(SLUG)
    svc.exhibitions.save(dataclasses.replace(second, sections=[Section(title={"en": ["Mothers"]})]), ann, expected=2)
    return collection



def test_the_list_names_every_version_its_author_and_what_changed(history):
    page = signed_in_client(history, "ann").get(f"/curate/exhibitions/{SLUG}/revisions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = re.findall(r'<tr id="version-(\d+)">(.*?)</tr>', html, re.S)
    assert [number for number, _row in rows] == ["3", "2", "1"]
    three, two, one = (row for _number, row in rows)
    assert "ann" in three and "<code>sections</code>" in three
    assert "bob" in two and "<code>title.fr</code>, <code>title.nl</code>" in two
    assert "ann" in one and "First saved version" in one
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', three)
    assert f'href="/curate/exhibitions/{SLUG}/revisions/1/2"' in two
    assert f'action="/curate/exhibitions/{SLUG}/revisions/1/restore"' in one
    assert "revisions/3/restore" not in html  # the current one is not offered to restore


def test_two_versions_compare_field_by_field_language_by_language(history):
    page = signed_in_client(history, "ann").get(f"/curate/exhibitions/{SLUG}/revisions/1/2")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Changes from version 1 to version 2" in html
    rows = dict(re.findall(r'<tr><th scope="row"><code>([^<]+)</code></th>(.*?)</tr>', html, re.S))
    assert set(rows) == {"title.fr", "title.nl"}
    assert 'lang="fr">Naissance</td>' in rows["title.fr"] and 'lang="fr">La naissance</td>' in rows["title.fr"]
    assert "(none)" in rows["title.nl"] and 'lang="nl">Geboorte</td>' in rows["title.nl"]


def test_any_two_versions_compare_from_the_list_form_and_far_apart(history):
    client = signed_in_client(history, "bob")
    chosen = client.get(f"/curate/exhibitions/{SLUG}/revisions?a=1&b=3")
    assert chosen.status_code == 302
    assert chosen.headers["Location"].endswith(f"/curate/exhibitions/{SLUG}/revisions/1/3")
    html = client.get(chosen.headers["Location"]).get_data(as_text=True)
    assert "<code>title.fr</code>" in html and "<code>sections[0].title.en</code>" in html and "Mothers" in html


def test_an_unknown_version_is_404(history):
    assert signed_in_client(history, "ann").get(f"/curate/exhibitions/{SLUG}/revisions/1/9").status_code == 404


def test_a_diff_shows_html_from_a_caption_as_text_never_as_markup(history):
    svc = history.extensions["vitrine"]
    current = svc.store.get_exhibition(SLUG)
    svc.exhibitions.save(dataclasses.replace(current, title={"en": ['<img src=x onerror="alert(1)">Birth']}),
                         svc.accounts.get("ann"), expected=current.version)
    html = signed_in_client(history, "ann").get(f"/curate/exhibitions/{SLUG}/revisions/3/4").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_restore_saves_the_earlier_version_as_a_new_revision_by_its_restorer(history):
    client = signed_in_client(history, "bob")
    page = client.get(f"/curate/exhibitions/{SLUG}/revisions")
    done = client.post(f"/curate/exhibitions/{SLUG}/revisions/1/restore",
                       data={"csrf_token": token_of(page.data), "version": "3"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/curate/exhibitions/{SLUG}/revisions")
    store = history.extensions["vitrine"].store
    restored = store.get_exhibition(SLUG)
    assert restored.version == 4 and restored.title == {"en": ["Birth"], "fr": ["Naissance"]} and not restored.sections
    revisions = store.revisions("exhibition", SLUG)
    assert [(r.version, r.user) for r in revisions] == [(4, "bob"), (3, "ann"), (2, "bob"), (1, "ann")]
    assert store.changes_for("exhibition", SLUG)[0].user == "bob"
    html = client.get(f"/curate/exhibitions/{SLUG}/revisions").get_data(as_text=True)
    four = re.search(r'<tr id="version-4">(.*?)</tr>', html, re.S).group(1)
    assert "bob" in four and "<code>title.fr</code>" in four and "<code>sections</code>" in four


def test_a_restore_from_a_stale_page_is_409_and_writes_nothing(history):
    svc = history.extensions["vitrine"]
    client = signed_in_client(history, "bob")
    page = client.get(f"/curate/exhibitions/{SLUG}/revisions")
    current = svc.store.get_exhibition(SLUG)
    svc.exhibitions.save(dataclasses.replace(current, summary={"en": ["Meanwhile"]}), svc.accounts.get("ann"),
                         expected=3)
    conflict = client.post(f"/curate/exhibitions/{SLUG}/revisions/1/restore",
                           data={"csrf_token": token_of(page.data), "version": "3"})
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "ann saved version 4" in html and "summary.en" in html and "Meanwhile" in html
    assert f'action="/curate/exhibitions/{SLUG}/revisions/1/restore"' in html and 'name="version" value="4"' in html
    assert svc.store.get_exhibition(SLUG).version == 4


def test_a_restore_without_the_csrf_token_is_refused(history):
    client = signed_in_client(history, "ann")
    assert client.post(f"/curate/exhibitions/{SLUG}/revisions/1/restore", data={"version": "3"}).status_code == 400
    assert history.extensions["vitrine"].store.get_exhibition(SLUG).version == 3


def test_a_curator_of_other_exhibitions_sees_and_restores_nothing_here(history):
    client = signed_in_client(history, "cid")
    assert client.get(f"/curate/exhibitions/{SLUG}/revisions").status_code == 404
    token = token_of(client.get("/curate/").data)
    refused = client.post(f"/curate/exhibitions/{SLUG}/revisions/1/restore", data={"csrf_token": token, "version": "3"})
    assert refused.status_code == 404
    assert history.extensions["vitrine"].store.get_exhibition(SLUG).version == 3
