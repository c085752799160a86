"""The exhibition editor's pages (issue 12, items 7, 8, 10 and 12's conflict page): create, edit,
sections and works (added by searching inside the editor), reorder by the keyboard's forms, remove,
duplicate, delete with confirmation, errors at their field, no lost update, CSRF, who may see what,
and text that cannot turn into markup on any page that shows it."""
from __future__ import annotations

import html
import json
import re

import pytest
from test_curator_foundation import PASSWORD, signed_in_client, token_of

from catalogue.model import Exhibition, ExhibitionItem, Section

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def editing(collection):
    accounts = collection.extensions["vitrine"].accounts
    accounts.add("ann", PASSWORD, roles=["curator"])
    accounts.add("bob", PASSWORD, roles=["curator"])
    accounts.add("carl", PASSWORD, roles=["curator"])
    accounts.add("eddie", PASSWORD, roles=["editor"])
    return collection



def svc(app):
    return app.extensions["vitrine"]


def form_of(page: bytes) -> dict[str, list[str]]:
    """The editor form's fields as a browser sends them (hidden and visible, in document order), no button."""
    text = page.decode()
    start = text.index('id="editor-form"')
    body = text[start:text.index("</form>", start)]
    fields: dict[str, list[str]] = {}
    for match in re.finditer(r'<textarea\b([^>]*)>(.*?)</textarea>|<(input|select)\b([^>]*)>', body, re.S):
        attrs = match.group(1) or match.group(4)
        tag = "textarea" if match.group(1) is not None else match.group(3)
        name = re.search(r'name="([^"]+)"', attrs)
        if not name or 'type="submit"' in attrs:
            continue
        if tag == "textarea":
            value = html.unescape(match.group(2))
        elif tag == "select":
            rest = body[match.end():body.index("</select>", match.end())]
            chosen = re.search(r'<option value="([^"]*)" selected', rest)
            value = html.unescape(chosen.group(1)) if chosen else ""
        else:
            found = re.search(r'value="([^"]*)"', attrs)
            value = html.unescape(found.group(1)) if found else ""
        fields.setdefault(name.group(1), []).append(value)
    return fields


def post_form(client, slug: str, fields: dict[str, list[str]], action: str = "save", **changes):
    data = {k: list(v) for k, v in fields.items()}
    for key, value in changes.items():
        data[key.replace("__", ".")] = [value]
    data["action"] = [action]
    return client.post(f"/curate/exhibitions/{slug}", data=data)


def create(client, slug="birth", **fields):
    token = token_of(client.get("/curate/exhibitions/new").data)
    data = {"csrf_token": token, "slug": slug, "title.en": "Birth", "title.nl": "Geboorte", "curators": "ann"}
    data.update({k.replace("__", "."): v for k, v in fields.items()})
    return client.post("/curate/exhibitions/new", data=data)


def built(app, slug="birth", user="ann"):
    """An exhibition of two sections, straight through the service (what the editor tests start from)."""
    ex = Exhibition(slug=slug, title={"en": ["Birth"]}, curators=[user], sections=[
        Section({"en": ["First"]}, items=[ExhibitionItem("coins", {"en": ["Coins"]}),
                                          ExhibitionItem("horse", {"en": ["Horse"]})]),
        Section({"en": ["Second"]}, items=[ExhibitionItem("rocket", {"en": ["Rocket"]})]),
    ])
    svc(app).exhibitions.save(ex, svc(app).accounts.get(user), expected=0)
    return svc(app).store.get_exhibition(slug)


def order(app, slug="birth"):
    return [[i.object for i in s.items] for s in svc(app).store.get_exhibition(slug).sections]


# -- create, list ------------------------------------------------------------------------------


def test_the_new_exhibition_form_labels_each_text_with_its_language(editing):
    page = signed_in_client(editing, "ann").get("/curate/exhibitions/new").data.decode()
    for lang in ("nl", "fr", "de", "en"):
        assert f'id="title.{lang}" name="title.{lang}" lang="{lang}"' in page
        assert f'<label for="summary.{lang}">' in page
    assert 'name="csrf_token"' in page and 'value="ann"' in page  # the author is a curator from the start
    assert '<option value="spacex">' in page  # the venue: an institution of the catalogue


def test_a_curator_creates_a_draft_with_titles_summaries_venue_and_dates(editing):
    client = signed_in_client(editing, "ann")
    response = create(client, summary__fr="Une <b>naissance</b>", venue="brooklyn", opens="2026-03-01",
                      closes="2026-09-30", curators="ann, bob")
    assert response.status_code == 302 and response.headers["Location"].endswith("/curate/exhibitions/birth")
    ex = svc(editing).store.get_exhibition("birth")
    assert ex.title == {"en": ["Birth"], "nl": ["Geboorte"]} and ex.summary == {"fr": ["Une <b>naissance</b>"]}
    assert (ex.status, ex.venue, ex.opens, ex.closes, ex.curators) == (
        "draft", "brooklyn", "2026-03-01", "2026-09-30", ["ann", "bob"])
    assert svc(editing).store.revisions("exhibition", "birth")[0].user == "ann"
    page = client.get(response.headers["Location"]).data.decode()
    assert "Created the exhibition “Birth”." in page


@pytest.mark.parametrize("slug, message", [("bad slug!", "is not a valid id"), ("origins", "is taken"),
                                           ("secret-draft", "is taken")])
def test_a_malformed_or_taken_slug_is_refused_at_its_field_and_nothing_is_saved(editing, slug, message):
    before = svc(editing).store.get_exhibition("origins")
    response = create(signed_in_client(editing, "ann"), slug=slug)
    page = response.data.decode()
    assert response.status_code == 422
    assert re.search(r'<p class="field-error" id="slug-error">[^<]*' + message, page)
    assert 'aria-invalid="true"' in page and 'value="Geboorte"' in page  # what was typed stays
    assert svc(editing).store.get_exhibition("origins") == before
    assert len(svc(editing).store.exhibitions()) == 2


def test_a_co_curator_must_be_a_user_with_the_curator_role(editing):
    client = signed_in_client(editing, "ann")
    for names in ("ann, nobody", "ann, eddie"):
        response = create(client, curators=names)
        assert response.status_code == 422
        assert "is not a user with the curator role" in response.data.decode()
    assert svc(editing).store.get_exhibition("birth") is None


def test_the_list_shows_status_dates_who_saved_last_and_the_languages_missing(editing):
    client = signed_in_client(editing, "ann")
    create(client, opens="2026-03-01")
    page = client.get("/curate/exhibitions").data.decode()
    row = page[page.index('href="/curate/exhibitions/birth"'):]
    row = row[:row.index("</tr>")]
    assert "2026-03-01" in row and "status-draft" in row and "ann at " in row
    assert "fr, de" in row  # the title is in en and nl only
    assert "Work in progress" not in page  # not ann's
    assert 'href="/curate/exhibitions/new"' in page


# -- the editor ------------------------------------------------------------------------------


def test_the_editor_saves_texts_in_each_language_and_shows_what_is_still_missing(editing):
    built(editing)
    client = signed_in_client(editing, "ann")
    page = client.get("/curate/exhibitions/birth").data
    fields = form_of(page)
    assert fields["row"] == ["s0", "s0i0", "s0i1", "s1", "s1i0"]
    assert "Caption missing in: nl, fr, de" in page.decode()
    response = post_form(client, "birth", fields, s0i0__caption__nl="Munten <i>uit</i> Pompeii",
                         s0i0__alt__en="Two silver coins", s0__introduction__de="Zuerst Münzen")
    assert response.status_code == 302
    ex = svc(editing).store.get_exhibition("birth")
    item = ex.sections[0].items[0]
    assert item.caption == {"en": ["Coins"], "nl": ["Munten <i>uit</i> Pompeii"]}
    assert item.alt == {"en": ["Two silver coins"]}
    assert ex.sections[0].introduction == {"de": ["Zuerst Münzen"]}
    page = client.get("/curate/exhibitions/birth").data.decode()
    assert 'lang="nl" rows="3">Munten &lt;i&gt;uit&lt;/i&gt; Pompeii</textarea>' in page
    assert "Caption missing in: fr, de" in page and "Alt text missing in: nl, fr, de" in page
    assert "b, br, i" in page and "Anything else is removed when you save." in page  # the HTML allowed
    for path in ("/preview", "/publish", "/revisions", "/items/0/1/detail"):
        assert f'href="/curate/exhibitions/birth{path}"' in page


def test_a_section_is_added_with_its_title_and_announced(editing):
    built(editing)
    client = signed_in_client(editing, "ann")
    fields = form_of(client.get("/curate/exhibitions/birth").data)
    response = post_form(client, "birth", fields, "add-section", **{"new-section": "Third"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#s2")
    assert [s.title for s in svc(editing).store.get_exhibition("birth").sections][-1] == {"en": ["Third"]}
    assert "Added the section “Third”." in client.get("/curate/exhibitions/birth").data.decode()
    refused = post_form(client, "birth", form_of(client.get("/curate/exhibitions/birth").data), "add-section")
    assert refused.status_code == 422 and 'id="new-section-error"' in refused.data.decode()


def test_works_from_two_institutions_are_added_by_searching_inside_the_editor(editing):
    built(editing)
    client = signed_in_client(editing, "ann")
    page = client.get("/curate/exhibitions/birth/works?q=falcon&section=1").data.decode()
    assert "Falcon 9 launch" in page and "Add to section “Second”" in page
    assert 'name="object" value="rocket"' in page
    token, version = token_of(page.encode()), re.search(r'name="version" value="(\d+)"', page).group(1)
    added = client.post("/curate/exhibitions/birth/works", data={
        "csrf_token": token, "version": version, "object": "lamp-post", "section": "1", "back": "q=falcon&section=1"})
    assert added.status_code == 302 and added.headers["Location"].endswith("/works?q=falcon&section=1")
    assert "Added “Street lamp” to “Second”." in client.get(added.headers["Location"]).data.decode()
    page = client.get("/curate/exhibitions/birth/works?institution=brooklyn&section=0&lang=fr").data.decode()
    assert "Silhouette de cheval" in page and "Falcon 9" not in page  # a facet, in the language asked
    assert 'href="/curate/exhibitions/birth/works?' in page  # facet links stay inside the editor
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    client.post("/curate/exhibitions/birth/works", data={
        "csrf_token": token, "version": version, "object": "album", "section": "0"})
    assert order(editing) == [["coins", "horse", "album"], ["rocket", "lamp-post"]]


def test_move_up_and_down_reorder_sections_and_works_and_announce_the_new_place(editing):
    built(editing)
    client = signed_in_client(editing, "ann")
    response = post_form(client, "birth", form_of(client.get("/curate/exhibitions/birth").data), "down:s0i0")
    assert response.headers["Location"].endswith("#s0i1-down")
    assert order(editing) == [["horse", "coins"], ["rocket"]]
    page = client.get("/curate/exhibitions/birth").data.decode()
    assert re.search(r'role="status" aria-live="polite"><p>Moved “Greek coins from Pompeii” to position 2 of 2 '
                     r'in “First”.</p>', page)
    post_form(client, "birth", form_of(page.encode()), "down:s0i1")  # off the bottom: into the next section
    assert order(editing) == [["horse"], ["coins", "rocket"]]
    post_form(client, "birth", form_of(client.get("/curate/exhibitions/birth").data), "up:s1")
    assert order(editing) == [["coins", "rocket"], ["horse"]]
    assert "Moved the section “Second” to position 1 of 2." in client.get("/curate/exhibitions/birth").data.decode()


def test_the_order_the_form_lists_is_the_order_saved(editing):
    """What a drag does: the page's elements move, so the form lists them in their new order."""
    built(editing)
    client = signed_in_client(editing, "ann")
    fields = form_of(client.get("/curate/exhibitions/birth").data)
    fields["row"] = ["s1", "s1i0", "s0i1", "s0", "s0i0"]
    assert post_form(client, "birth", fields, "reorder").status_code == 302
    assert order(editing) == [["rocket", "horse"], ["coins"]]
    assert "Saved the new order." in client.get("/curate/exhibitions/birth").data.decode()


def test_a_work_and_a_section_are_removed(editing):
    built(editing)
    client = signed_in_client(editing, "ann")
    post_form(client, "birth", form_of(client.get("/curate/exhibitions/birth").data), "remove:s0i0")
    assert order(editing) == [["horse"], ["rocket"]]
    assert "Removed “Greek coins from Pompeii”." in client.get("/curate/exhibitions/birth").data.decode()
    post_form(client, "birth", form_of(client.get("/curate/exhibitions/birth").data), "remove:s0")
    assert order(editing) == [["rocket"]]


def test_the_cover_is_one_of_the_exhibitions_works(editing):
    built(editing)
    client = signed_in_client(editing, "ann")
    fields = form_of(client.get("/curate/exhibitions/birth").data)
    assert post_form(client, "birth", fields, cover="rocket:0:").status_code == 302
    assert svc(editing).store.get_exhibition("birth").cover.object == "rocket"
    fields = form_of(client.get("/curate/exhibitions/birth").data)
    assert fields["cover"] == ["rocket:0:"]
    refused = post_form(client, "birth", fields, cover="album:0:")
    assert refused.status_code == 422 and 'id="cover-error"' in refused.data.decode()


def test_a_validation_error_is_shown_at_its_field_with_the_text_typed_and_nothing_is_saved(editing):
    before = built(editing)
    client = signed_in_client(editing, "ann")
    fields = form_of(client.get("/curate/exhibitions/birth").data)
    response = post_form(client, "birth", fields, opens="2026-05-01", closes="2026-01-01",
                         s0i0__caption__fr="Mon texte")
    page = response.data.decode()
    assert response.status_code == 422
    assert '<p class="field-error" id="closes-error">is before the opening date</p>' in page
    assert 'lang="fr" rows="3">Mon texte</textarea>' in page
    response = post_form(client, "birth", fields, s1__title__en="")
    assert response.status_code == 422 and 'id="s1.title-error">is required' in response.data.decode()
    assert svc(editing).store.get_exhibition("birth") == before


# -- duplicate, delete -------------------------------------------------------------------------


def test_duplicate_makes_a_draft_under_a_new_slug_curated_by_whoever_made_it(editing):
    svc(editing).exhibitions.save(Exhibition(slug="shared", title={"en": ["Shared"]}, curators=["bob", "ann"],
                                             status="published", sections=built(editing).sections))
    client = signed_in_client(editing, "ann")
    page = client.get("/curate/exhibitions/shared/duplicate").data
    assert b'value="shared-copy"' in page
    response = client.post("/curate/exhibitions/shared/duplicate", data={"csrf_token": token_of(page),
                                                                         "slug": "shared-copy"})
    assert response.status_code == 302
    copy = svc(editing).store.get_exhibition("shared-copy")
    assert (copy.status, copy.curators, copy.title) == ("draft", ["ann"], {"en": ["Shared"]})
    assert [len(s.items) for s in copy.sections] == [2, 1]
    taken = client.post("/curate/exhibitions/shared/duplicate", data={"csrf_token": token_of(page), "slug": "birth"})
    assert taken.status_code == 422 and "is taken" in taken.data.decode()


def test_delete_asks_for_confirmation_and_then_deletes(editing):
    built(editing)
    client = signed_in_client(editing, "ann")
    page = client.get("/curate/exhibitions/birth/delete")
    assert page.status_code == 200 and "Delete “Birth”?" in page.data.decode()
    assert svc(editing).store.get_exhibition("birth") is not None  # asking deletes nothing
    version = re.search(rb'name="version" value="(\d+)"', page.data).group(1).decode()
    assert client.get("/curate/exhibitions/birth/delete").status_code == 200
    response = client.post("/curate/exhibitions/birth/delete", data={"csrf_token": token_of(page.data),
                                                                    "version": version})
    assert response.status_code == 302 and svc(editing).store.get_exhibition("birth") is None
    assert "Deleted the exhibition “Birth”." in client.get("/curate/exhibitions").data.decode()


def test_a_delete_from_a_stale_confirmation_page_meets_the_conflict_page(editing):
    built(editing)
    client = signed_in_client(editing, "ann")
    page = client.get("/curate/exhibitions/birth/delete").data
    post_form(client, "birth", form_of(client.get("/curate/exhibitions/birth").data), title__fr="Naissance")
    version = re.search(rb'name="version" value="(\d+)"', page).group(1).decode()
    response = client.post("/curate/exhibitions/birth/delete", data={"csrf_token": token_of(page), "version": version})
    assert response.status_code == 409 and "title.fr" in response.data.decode()
    assert svc(editing).store.get_exhibition("birth") is not None


# -- no lost update ------------------------------------------------------------------------------


@pytest.mark.parametrize("second", ["ann", "bob"])  # a second tab of the same curator, and another curator
def test_a_stale_save_meets_the_conflict_page_with_the_other_change_and_the_text_typed(editing, second):
    svc(editing).exhibitions.save(Exhibition(slug="birth", title={"en": ["Birth"]}, curators=["ann", "bob"],
                                             sections=built(editing).sections))
    first, other = signed_in_client(editing, "ann"), signed_in_client(editing, second)
    mine = form_of(first.get("/curate/exhibitions/birth").data)
    theirs = form_of(other.get("/curate/exhibitions/birth").data)
    assert post_form(other, "birth", theirs, s0i0__caption__fr="Leurs monnaies").status_code == 302
    response = post_form(first, "birth", mine, s0i1__caption__nl="Mijn paard")
    page = response.data.decode()
    assert response.status_code == 409
    assert "Someone else saved this exhibition while you were editing" in page
    assert f"saved by {second} at" in page
    assert "<code>sections[0].items[0].caption.fr</code>" in page and "Leurs monnaies" in page  # their change
    assert 'lang="nl" rows="3">Mijn paard</textarea>' in page  # what I typed, kept
    stored = svc(editing).store.get_exhibition("birth")
    assert stored.sections[0].items[0].caption["fr"] == ["Leurs monnaies"]
    assert "nl" not in stored.sections[0].items[1].caption  # nothing of mine saved silently
    again = form_of(response.data)
    assert again["version"] == [str(stored.version)]  # the form is now based on the current version
    assert post_form(first, "birth", again).status_code == 302  # saved after looking
    saved = svc(editing).store.get_exhibition("birth")
    assert saved.sections[0].items[1].caption["nl"] == ["Mijn paard"]
    assert saved.sections[0].items[0].caption["fr"] == ["Leurs monnaies"]  # theirs kept: the fields I left alone


def test_a_stale_add_of_a_work_meets_the_conflict_page_and_can_be_repeated(editing):
    before = built(editing)
    client = signed_in_client(editing, "ann")
    page = client.get("/curate/exhibitions/birth/works?q=falcon").data
    post_form(client, "birth", form_of(client.get("/curate/exhibitions/birth").data), title__de="Geburt")
    response = client.post("/curate/exhibitions/birth/works", data={
        "csrf_token": token_of(page), "version": str(before.version), "object": "lamp-post", "section": "0"})
    assert response.status_code == 409 and "Add the work to their version" in response.data.decode()
    assert order(editing) == [["coins", "horse"], ["rocket"]]


# -- doors -------------------------------------------------------------------------------------------


def test_an_editor_form_without_its_csrf_token_is_refused(editing):
    before = built(editing)
    client = signed_in_client(editing, "ann")
    fields = form_of(client.get("/curate/exhibitions/birth").data)
    del fields["csrf_token"]
    assert post_form(client, "birth", fields, title__fr="Naissance").status_code == 400
    assert client.post("/curate/exhibitions/birth/delete", data={"version": "1"}).status_code == 400
    assert client.post("/curate/exhibitions/new", data={"slug": "x", "title.en": "X"}).status_code == 400
    assert svc(editing).store.get_exhibition("birth") == before and svc(editing).store.get_exhibition("x") is None


def test_a_curator_who_does_not_curate_it_finds_nothing_there(editing):
    built(editing)
    carl = signed_in_client(editing, "carl")
    for path in ("", "/works", "/duplicate", "/delete"):
        assert carl.get(f"/curate/exhibitions/birth{path}").status_code == 404
        assert carl.get(f"/curate/exhibitions/secret-draft{path}").status_code == 404
    token = token_of(carl.get("/curate/exhibitions").data)
    assert carl.post("/curate/exhibitions/birth/delete", data={"csrf_token": token, "version": "1"}).status_code == 404
    assert "Birth" not in carl.get("/curate/exhibitions").data.decode()
    assert svc(editing).store.get_exhibition("birth") is not None


def test_signed_out_is_sent_to_login_and_a_user_without_the_curator_role_gets_403(editing):
    built(editing)
    anonymous = editing.test_client()
    response = anonymous.get("/curate/exhibitions/birth")
    assert response.status_code == 302 and "/curate/login" in response.headers["Location"]
    assert signed_in_client(editing, "eddie").get("/curate/exhibitions").status_code == 403


# -- XSS -----------------------------------------------------------------------------------------------


def test_markup_typed_in_every_field_stays_inert_on_the_editor_the_public_page_and_the_manifest(editing):
    client = signed_in_client(editing, "ann")
    refused = create(client, slug=XSS)
    assert refused.status_code == 422 and "<script>alert" not in refused.data.decode()
    create(client, **{f"{name}.{lang}": f"{name} {XSS}" for name in ("title", "summary") for lang in ("en", "fr")})
    client.post("/curate/exhibitions/birth/works", data={
        "csrf_token": token_of(client.get("/curate/exhibitions/new").data), "version": "1", "object": "coins"})
    fields = form_of(client.get("/curate/exhibitions/birth").data)
    texts = {"s0__title__en": f"Section {XSS}", "s0__introduction__en": f"Intro {XSS}",
             "s0i0__caption__en": f"Caption {XSS}", "s0i0__alt__en": f"Alt {XSS}"}
    assert post_form(client, "birth", fields, **texts).status_code == 302
    ann = svc(editing).accounts.get("ann")
    for path in ("", "/works", "/duplicate", "/delete"):
        page = client.get(f"/curate/exhibitions/birth{path}").data.decode()
        assert "<script>alert" not in page and "<img src=x" not in page and "onerror=alert" not in page.replace(
            "onerror=alert(1)&gt;", ""), path
    assert "<script>alert" not in client.get("/curate/exhibitions").data.decode()
    stored = svc(editing).store.get_exhibition("birth")
    svc(editing).exhibitions.publish("birth", True, ann, expected=stored.version)
    public = editing.test_client()
    page = public.get("/exhibition/birth").data.decode()
    assert "Section" in page and "Caption" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    manifest = public.get("/iiif/exhibition/birth/manifest")
    assert manifest.status_code == 200
    text = json.dumps(manifest.get_json())
    assert "<script" not in text and "onerror" not in text
