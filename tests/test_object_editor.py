"""Metadata editing by editors (issue 12, items 14 and 15): the form, language by language; the same
validation as the importer; no lost update; revisions and restore; the index, the manifest and the
tiles follow at once; withdraw, restore and delete; who may do what; CSRF; XSS rendered inert."""
from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from support import import_file
from test_curator_foundation import PASSWORD, signed_in_client, token_of

from catalogue import create_app

PUBLIC = "http://creativecommons.org/publicdomain/zero/1.0/"
IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"
RETINA = Path(__file__).resolve().parents[2] / "shared" / "data" / "media" / "images" / "skimage_retina.jpg"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">go</a>'


@pytest.fixture
def editors(collection):
    accounts = collection.extensions["vitrine"].accounts
    accounts.add("ed", PASSWORD, roles=["editor"], institutions=["brooklyn"])
    accounts.add("sam", PASSWORD, roles=["editor"], institutions=["spacex"])
    accounts.add("cur", PASSWORD, roles=["curator"])
    accounts.add("root", PASSWORD, roles=["admin"])
    return collection



def form_of(page: str) -> dict[str, list[str]]:
    """What the browser would send for the object form as shown (inputs, textareas, the selected option)."""
    form = page[page.index('id="object-form"'):]
    form = form[:form.index("</form>")]
    fields: dict[str, list[str]] = {}
    for tag in re.finditer(r"<input ([^>]*)>", form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(1)))
        if "name" not in attrs or attrs.get("form") or attrs.get("type") == "checkbox":
            continue
        fields.setdefault(attrs["name"], []).append(html.unescape(attrs.get("value", "")))
    for tag in re.finditer(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields.setdefault(tag.group(1), []).append(html.unescape(tag.group(2)))
    select = re.search(r'<select [^>]*name="rights".*?</select>', form, re.S).group(0)
    chosen = re.search(r'<option value="([^"]*)" selected', select)
    fields["rights"] = [html.unescape(chosen.group(1)) if chosen else ""]
    return fields


def edit(client, object_id: str, change, action: str = "save", **extra):
    """Open the form, change what ``change(fields)`` changes, and send it."""
    page = client.get(f"/curate/objects/{object_id}").get_data(as_text=True)
    fields = form_of(page)
    change(fields)
    fields.update({"csrf_token": [token_of(page.encode())], "action": [action]})
    fields.update({k: [v] for k, v in extra.items()})
    return client.post(f"/curate/objects/{object_id}", data=fields)


def put(fields, name, value):
    fields[name] = [value]


# -- every field ----------------------------------------------------------------------------------

def test_an_editor_corrects_every_field_language_by_language_and_it_is_a_new_version(editors):
    svc = editors.extensions["vitrine"]
    before = svc.store.get_object("coins")
    client = signed_in_client(editors, "ed")
    page = client.get("/curate/objects/coins").get_data(as_text=True)
    for code in ("nl", "fr", "de", "en"):
        assert f'name="label.{code}" lang="{code}"' in page
    assert 'name="label.none" lang="und"' in page and "(Nederlands)" in page

    def change(f):
        put(f, "label.fr", "Monnaies grecques de Pompéi (corrigé)")
        put(f, "label.de", "Griechische Münzen aus Pompeji")
        put(f, "summary.nl", "Munten, <b>gefotografeerd</b>.")
        put(f, "metadata.0.value.nl", "Zilver")
        put(f, "metadata.1.label.en", "Diameter")
        put(f, "metadata.1.value.none", "18 mm")
        put(f, "creators.0.role", "photographer (studio)")
        put(f, "creators.1.name", "Jane Doe")
        put(f, "creators.1.role", "cataloguer")
        put(f, "date", "c. 90 BCE")
        put(f, "earliest", "-120")
        put(f, "latest", "-60")
        put(f, "rights", "http://creativecommons.org/licenses/by/4.0/")
        put(f, "required_statement.value.fr", "Musée de Brooklyn")

    response = edit(client, "coins", change)
    assert response.status_code == 302 and "saved=1" in response.headers["Location"]
    after = svc.store.get_object("coins")
    assert after.version == before.version + 1
    assert after.label["fr"] == ["Monnaies grecques de Pompéi (corrigé)"]
    assert after.label["de"] == ["Griechische Münzen aus Pompeji"] and after.label["en"] == before.label["en"]
    assert after.summary["nl"] == ["Munten, <b>gefotografeerd</b>."]
    assert [(m.label, m.value) for m in after.metadata] == [
        ({"en": ["Medium"]}, {"nl": ["Zilver"], "en": ["Silver"]}),
        ({"en": ["Diameter"]}, {"none": ["18 mm"]})]
    assert [(c.name, c.role, c.uri) for c in after.creators] == [
        ("Brooklyn Museum", "photographer (studio)", "http://www.wikidata.org/entity/Q632682"),
        ("Jane Doe", "cataloguer", None)]
    assert (after.date, after.earliest, after.latest) == ("c. 90 BCE", -120, -60)
    assert after.rights == "http://creativecommons.org/licenses/by/4.0/"
    assert after.required_statement.value == {"en": ["Brooklyn Museum"], "fr": ["Musée de Brooklyn"]}
    assert after.media == before.media and after.collections == before.collections
    assert "Saved: version" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_pair_and_a_creator_are_removed_and_rights_can_be_not_stated(editors):
    client = signed_in_client(editors, "ed")

    def change(f):
        put(f, "metadata.0.remove", "1")
        put(f, "creators.0.remove", "1")
        put(f, "rights", "")
        for lang in ("en",):
            put(f, f"required_statement.label.{lang}", "")
            put(f, f"required_statement.value.{lang}", "")

    assert edit(client, "coins", change).status_code == 302
    obj = editors.extensions["vitrine"].store.get_object("coins")
    assert (obj.metadata, obj.creators, obj.rights, obj.required_statement) == ([], [], None, None)


def test_the_rights_select_offers_the_licences_and_statements_with_their_names_and_not_stated(editors):
    page = signed_in_client(editors, "ed").get("/curate/objects/coins").get_data(as_text=True)
    select = re.search(r'<select [^>]*name="rights".*?</select>', page, re.S).group(0)
    values = re.findall(r'<option value="([^"]*)"', select)
    assert values[0] == "" and "Not stated" in select
    assert IN_COPYRIGHT in values and "http://creativecommons.org/licenses/by-sa/4.0/" in values
    assert "In copyright" in select and "CC BY 4.0" in select
    assert re.search(r'value="http://creativecommons.org/publicdomain/mark/1.0/" selected', select)


# -- validation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value, key, words", [
    ("earliest", "long ago", "earliest", "is not a year"),
    ("latest", "-500", "latest", "is before earliest year"),
    ("label.en", "", "label", "is required"),
    ("summary.fr", "x" * 20_001, "summary.fr", "the limit is 20,000"),
    ("creators.1.role", "without a name", "creators.1.name", "is required"),
    ("metadata.1.label.en", "A name without a value", "metadata.1.value", "is required"),
])
def test_an_invalid_field_is_shown_at_the_field_and_nothing_is_saved(editors, field, value, key, words):
    svc = editors.extensions["vitrine"]
    before = svc.store.get_object("coins")
    client = signed_in_client(editors, "ed")

    def change(f):
        if field == "label.en":
            for lang in ("nl", "fr", "en"):
                put(f, f"label.{lang}", "")
        put(f, field, value)
        put(f, "date", "typed, kept")

    response = edit(client, "coins", change)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="e-{key}"' in page and words in html.unescape(page)
    assert f'href="#f-{key}"' in page
    assert 'value="typed, kept"' in page  # what was typed is still in the form
    assert svc.store.get_object("coins").version == before.version


# -- subjects from the thesaurus ------------------------------------------------------------------

def test_a_concept_the_thesaurus_gains_is_found_by_the_next_search_for_it(editors):
    from catalogue.model import Concept
    from catalogue.store import Batch

    svc = editors.extensions["vitrine"]
    client = signed_in_client(editors, "ed")
    assert 'value="test:lantern"' not in client.get("/curate/objects/coins?find=lantaarn").get_data(as_text=True)
    with svc.store.writer() as writer:
        writer.write(Batch(concepts=[Concept("test:lantern", {"nl": ["Lantaarn"], "en": ["Lantern"]})]))
    found = client.get("/curate/objects/coins?find=lantaarn").get_data(as_text=True)
    assert 'name="add_subject" value="test:lantern"' in found


def test_a_subject_is_found_in_another_language_and_added_then_saved(editors):
    svc = editors.extensions["vitrine"]
    client = signed_in_client(editors, "ed")
    found = client.get("/curate/objects/coins?find=Geburt").get_data(as_text=True)  # German, editor reads English
    assert 'name="add_subject" value="test:birth"' in found
    assert '<span lang="fr">naissance</span>' in found and '<span lang="nl">geboorte</span>' in found
    added = edit(client, "coins", lambda f: put(f, "label.de", "Münzen"), action="add", add_subject="test:birth")
    page = added.get_data(as_text=True)
    assert added.status_code == 200 and 'name="subjects" value="test:birth"' in page
    assert 'value="Münzen"' in page  # typed text kept, not saved yet
    assert "test:birth" not in svc.store.get_object("coins").subjects
    fields = form_of(page)
    fields.update({"csrf_token": [token_of(page.encode())], "action": ["save"]})
    assert client.post("/curate/objects/coins", data=fields).status_code == 302
    obj = svc.store.get_object("coins")
    assert obj.subjects == ["test:money", "kbr:LEXICON_00000016", "test:birth"] and obj.label["de"] == ["Münzen"]
    assert "coins" in [h.id for h in svc.searching.search(_request("naissance", size=10)).hits]


def test_a_subject_is_removed_and_the_label_shows_in_the_editors_language(editors):
    client = signed_in_client(editors, "ed")
    client.get("/?lang=fr")
    page = client.get("/curate/objects/coins").get_data(as_text=True)
    assert '<span class="subject-label">argent</span>' in page  # test:money in French
    removed = edit(client, "coins", lambda f: None, action="remove", remove_subject="test:money")
    fields = form_of(removed.get_data(as_text=True))
    assert fields["subjects"] == ["kbr:LEXICON_00000016"]


def _request(q: str, size: int = 20):
    from catalogue.search import SearchRequest

    return SearchRequest(q=q, size=size)


# -- no lost update ---------------------------------------------------------------------------------

def test_a_stale_save_meets_the_conflict_page_with_the_other_change_and_keeps_what_was_typed(editors):
    svc = editors.extensions["vitrine"]
    editors.extensions["vitrine"].accounts.add("eda", PASSWORD, roles=["editor"], institutions=["brooklyn"])
    ed, eda = signed_in_client(editors, "ed"), signed_in_client(editors, "eda")
    mine = ed.get("/curate/objects/coins").get_data(as_text=True)
    assert edit(eda, "coins", lambda f: put(f, "label.en", "Their coins")).status_code == 302
    fields = form_of(mine)
    fields.update({"label.en": ["My coins"], "csrf_token": [token_of(mine.encode())], "action": ["save"]})
    response = ed.post("/curate/objects/coins", data=fields)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 409
    assert "eda saved version" in page and "label.en" in page and "Their coins" in page
    assert 'value="My coins"' in page  # what this editor typed is kept
    assert svc.store.get_object("coins").label["en"] == ["Their coins"]
    again = form_of(response.get_data(as_text=True))  # the conflict form carries the version now stored
    again.update({"csrf_token": [token_of(mine.encode())], "action": ["save"]})
    assert ed.post("/curate/objects/coins", data=again).status_code == 302
    assert svc.store.get_object("coins").label["en"] == ["My coins"]
    assert [r.data["label"]["en"] for r in svc.objects.revisions("coins")[:2]] == [["My coins"], ["Their coins"]]


# -- revisions, restore; the index, the manifest, the tiles and the change log follow -------------

def test_revisions_are_listed_compared_and_restored_as_a_new_revision(editors):
    svc = editors.extensions["vitrine"]
    client = signed_in_client(editors, "ed")
    first = svc.store.get_object("coins").version
    edit(client, "coins", lambda f: put(f, "label.en", "Coins, first correction"))
    edit(client, "coins", lambda f: put(f, "label.en", "Coins, second correction"))
    page = html.unescape(client.get("/curate/objects/coins/revisions").get_data(as_text=True))
    assert "Coins, first correction" in page and "Coins, second correction" in page and "label.en" in page
    assert page.count("<td>ed</td>") == 2 and "an import" in page
    compared = html.unescape(client.get(f"/curate/objects/coins/revisions?a={first}&b={first + 2}")
                             .get_data(as_text=True))
    assert "Greek coins from Pompeii" in compared and "Coins, second correction" in compared
    token = token_of(client.get("/curate/objects/coins/revisions").data)
    restored = client.post(f"/curate/objects/coins/revisions/{first}/restore",
                           data={"csrf_token": token, "version": str(first + 2)})
    assert restored.status_code == 302
    obj = svc.store.get_object("coins")
    assert obj.version == first + 3 and obj.label["en"] == ["Greek coins from Pompeii"]
    assert [r.version for r in svc.objects.revisions("coins")] == [first + 3, first + 2, first + 1, first]
    stale = client.post(f"/curate/objects/coins/revisions/{first + 1}/restore",
                        data={"csrf_token": token, "version": str(first + 2)})
    assert stale.status_code == 409 and svc.store.get_object("coins").version == first + 3


def test_the_index_the_manifest_and_the_change_log_follow_a_save_at_once(editors):
    svc = editors.extensions["vitrine"]
    client = signed_in_client(editors, "ed")
    assert edit(client, "coins", lambda f: put(f, "label.en", "Drachms of Vesuvius")).status_code == 302
    visitor = editors.test_client()
    hits = visitor.get("/api/search?q=vesuvius").get_json()["hits"]
    assert [h["id"] for h in hits] == ["coins"]
    manifest = visitor.get("/iiif/object/coins/manifest").get_json()
    assert manifest["label"]["en"] == ["Drachms of Vesuvius"]
    assert "Drachms of Vesuvius" in visitor.get("/object/coins").get_data(as_text=True)
    assert [(c.action, c.user) for c in svc.store.changes_for("object", "coins")][0] == ("update", "ed")


def test_a_rights_change_to_in_copyright_is_served_reduced_in_the_same_moment(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(RETINA, source / "retina.jpg")
    (source / "records.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"kind": "institution", "id": "museum", "label": {"en": ["Museum"]}},
        {"id": "eye", "type": "image", "label": {"en": ["Retina"]}, "institution": "museum", "rights": PUBLIC,
         "media": [{"file": "retina.jpg", "id": "eye-1"}]},
    ]) + "\n")
    app = create_app({"INSTANCE": str(tmp_path / "i"), "TESTING": True})
    try:
        import_file(app, source / "records.jsonl")
        app.extensions["vitrine"].accounts.add("ed", PASSWORD, roles=["editor"], institutions=["museum"])
        visitor = app.test_client()
        assert visitor.get("/iiif/image/eye-1/info.json").get_json()["width"] == 1411
        full = visitor.get("/iiif/image/eye-1/full/max/0/default.jpg")
        assert full.status_code == 200 and _size(full.data) == (1411, 1411)
        client = signed_in_client(app, "ed")
        assert edit(client, "eye", lambda f: put(f, "rights", IN_COPYRIGHT)).status_code == 302
        info = visitor.get("/iiif/image/eye-1/info.json").get_json()
        assert (info["width"], info["height"]) == (800, 800)
        reduced = visitor.get("/iiif/image/eye-1/full/max/0/default.jpg")
        assert reduced.status_code == 200 and _size(reduced.data) == (800, 800)
    finally:
        app.extensions["vitrine"].close()


def _size(data: bytes) -> tuple[int, int]:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size


# -- withdraw, restore, delete ---------------------------------------------------------------------

def test_an_editor_withdraws_after_confirming_and_restores_from_the_withdrawn_list(editors):
    svc = editors.extensions["vitrine"]
    client = signed_in_client(editors, "ed")
    confirm = client.get("/curate/objects/coins/withdraw")
    assert confirm.status_code == 200 and "can be restored" in confirm.get_data(as_text=True)
    assert svc.store.get_object("coins") is not None  # the confirmation page changes nothing
    response = client.post("/curate/objects/coins/withdraw", data={"csrf_token": token_of(confirm.data)})
    assert response.status_code == 302
    visitor = editors.test_client()
    assert visitor.get("/object/coins").status_code == 410
    assert visitor.get("/iiif/object/coins/manifest").status_code == 410
    listed = client.get("/curate/objects/withdrawn").get_data(as_text=True)
    assert "coins" in listed and 'action="/curate/objects/coins/restore"' in listed
    assert "coins" not in signed_in_client(editors, "sam").get("/curate/objects/withdrawn").get_data(as_text=True)
    token = token_of(listed.encode())
    assert client.post("/curate/objects/coins/restore", data={"csrf_token": token}).status_code == 302
    assert visitor.get("/object/coins").status_code == 200
    assert [(c.action, c.user) for c in svc.store.changes_for("object", "coins")][:2] == [
        ("create", "ed"), ("delete", "ed")]


def test_only_an_admin_deletes_for_good_after_confirming(editors):
    svc = editors.extensions["vitrine"]
    ed = signed_in_client(editors, "ed")
    assert ed.get("/curate/objects/horse/delete").status_code == 403
    token = token_of(ed.get("/curate/objects/horse").data)
    assert ed.post("/curate/objects/horse/delete", data={"csrf_token": token}).status_code == 403
    root = signed_in_client(editors, "root")
    confirm = root.get("/curate/objects/horse/delete")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.get_data(as_text=True)
    assert root.post("/curate/objects/horse/delete", data={"csrf_token": token_of(confirm.data)}).status_code == 302
    assert svc.store.get_object("horse") is None and not svc.store.is_withdrawn("horse")
    assert editors.test_client().get("/object/horse").status_code == 404
    assert [(c.action, c.user) for c in svc.store.changes_for("object", "horse")][0] == ("delete", "root")
    svc.objects.withdraw(["album"])  # a withdrawn object can be deleted for good too
    confirm = root.get("/curate/objects/album/delete")
    assert root.post("/curate/objects/album/delete", data={"csrf_token": token_of(confirm.data)}).status_code == 302
    assert not svc.store.is_withdrawn("album")


# -- the list ----------------------------------------------------------------------------------------

def test_the_list_shows_the_editors_institutions_objects_searchable_and_an_admin_sees_all(editors):
    ed = signed_in_client(editors, "ed")
    page = ed.get("/curate/objects").get_data(as_text=True)
    linked = set(re.findall(r'href="/curate/objects/([\w.-]+)"', page)) - {"withdrawn"}
    assert linked == {"coins", "horse", "album"}
    searched = ed.get("/curate/objects?q=pompeii").get_data(as_text=True)
    assert set(re.findall(r'href="/curate/objects/([\w.-]+)"', searched)) - {"withdrawn"} == {"coins"}
    assert "rocket" not in ed.get("/curate/objects?q=falcon").get_data(as_text=True)
    admin = signed_in_client(editors, "root").get("/curate/objects").get_data(as_text=True)
    assert {"coins", "rocket", "lamp-post"} <= set(re.findall(r'href="/curate/objects/([\w.-]+)"', admin))


def test_the_list_is_paged(editors, monkeypatch):
    import catalogue.web.curate.objects as module

    monkeypatch.setattr(module, "PAGE_SIZE", 2)
    ed = signed_in_client(editors, "ed")
    first = ed.get("/curate/objects").get_data(as_text=True)
    second = ed.get("/curate/objects?page=2").get_data(as_text=True)
    ids = lambda page: set(re.findall(r'href="/curate/objects/([\w.-]+)"', page)) - {"withdrawn"}  # noqa: E731
    assert len(ids(first)) == 2 and len(ids(second)) == 1 and not ids(first) & ids(second)
    assert 'rel="next" href="/curate/objects?page=2"' in first


# -- who may ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/curate/objects/rocket", "/curate/objects/rocket/revisions",
                                  "/curate/objects/rocket/withdraw"])
def test_an_editor_of_another_institution_gets_403(editors, path):
    assert signed_in_client(editors, "ed").get(path).status_code == 403


def test_an_editor_of_another_institution_cannot_post_either(editors):
    svc = editors.extensions["vitrine"]
    ed = signed_in_client(editors, "ed")
    token = token_of(ed.get("/curate/objects/coins").data)
    before = svc.store.get_object("rocket")
    data = {"csrf_token": token, "action": "save", "label.en": "Mine", "version": str(before.version)}
    assert ed.post("/curate/objects/rocket", data=data).status_code == 403
    assert ed.post("/curate/objects/rocket/withdraw", data={"csrf_token": token}).status_code == 403
    svc.objects.withdraw(["rocket"])
    assert ed.post("/curate/objects/rocket/restore", data={"csrf_token": token}).status_code == 403
    assert svc.store.is_withdrawn("rocket")


@pytest.mark.parametrize("path", ["/curate/objects", "/curate/objects/coins", "/curate/objects/withdrawn",
                                  "/curate/objects/coins/revisions"])
def test_a_curator_without_the_editor_role_gets_403(editors, path):
    assert signed_in_client(editors, "cur").get(path).status_code == 403


@pytest.mark.parametrize("path", ["/curate/objects", "/curate/objects/coins", "/curate/objects/withdrawn"])
def test_signed_out_is_sent_to_login(editors, path):
    response = editors.test_client().get(path)
    assert response.status_code == 302 and "/curate/login?next=" in response.headers["Location"]


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(editors):
    svc = editors.extensions["vitrine"]
    ed = signed_in_client(editors, "ed")
    version = svc.store.get_object("coins").version
    data = {"action": "save", "label.en": "Forged", "version": str(version)}
    assert ed.post("/curate/objects/coins", data=data).status_code == 400
    assert ed.post("/curate/objects/coins/withdraw").status_code == 400
    assert svc.store.get_object("coins").label["en"] == ["Greek coins from Pompeii"]


def test_an_unknown_object_is_404(editors):
    assert signed_in_client(editors, "root").get("/curate/objects/nothing-here").status_code == 404


# -- XSS --------------------------------------------------------------------------------------------

def test_an_xss_payload_in_every_editable_field_is_inert_everywhere_it_is_shown(editors):
    svc = editors.extensions["vitrine"]
    ed = signed_in_client(editors, "ed")

    def change(f):
        for name in ("label.en", "summary.en", "metadata.0.label.en", "metadata.0.value.en", "creators.0.name",
                     "creators.0.role", "date", "required_statement.label.en", "required_statement.value.en"):
            put(f, name, name + XSS)

    assert edit(ed, "coins", change).status_code == 302
    obj = svc.store.get_object("coins")
    for text in (obj.summary["en"][0], obj.metadata[0].value["en"][0], obj.required_statement.value["en"][0]):
        assert "<script" not in text and "onerror" not in text and "javascript:" not in text  # cleaned on save
    pages = {
        "editor": ed.get("/curate/objects/coins").get_data(as_text=True),
        "revisions": ed.get("/curate/objects/coins/revisions").get_data(as_text=True),
        "public": editors.test_client().get("/object/coins").get_data(as_text=True),
    }
    for name, page in pages.items():
        assert "<script>alert" not in page and "<img src=x" not in page, name
        assert 'href="javascript:' not in page, name
    visitor = editors.test_client()
    manifest = visitor.get("/iiif/object/coins/manifest").get_json()
    api = visitor.get("/api/objects/coins")
    assert api.mimetype == "application/json"
    for document in (manifest, api.get_json()):
        shown = list(_strings(document))
        assert any("summary.en" in t for t in shown) and any("label.en" in t for t in shown)
        for text in shown:
            if text.lstrip().startswith("<") or "<" in text and ("summary" in text or "value" in text):
                assert "<script" not in text and "onerror" not in text and "javascript:" not in text, text
            else:  # plain text: a IIIF client shows it as text (it does not begin with "<")
                assert not text.lstrip().startswith("<"), text


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
