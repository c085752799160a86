"""The JSON API of everything the editor does: exhibitions, their sections and items, moves,
revisions, publishing, and the objects' metadata — with ETags, If-Match (428, 412), 422 with field
paths, and the same doors as the curator pages (401, 403, 404)."""
from __future__ import annotations

import dataclasses
import gzip
import json
import threading
import time

import pytest
import requests
from support import http_server
from test_curator_foundation import PASSWORD, sign_in, token_of

BIRTH = {
    "slug": "birth",
    "title": {"en": ["Birth"], "nl": ["Geboorte"]},
    "sections": [{"title": {"en": ["Coins"]}, "items": [{"object": "coins", "caption": {"en": ["Two coins"]}}]}],
}


@pytest.fixture
def team(collection):
    """ann and bob curate (ann the draft), eve has no role yet, ed edits Brooklyn's objects, root is admin."""
    svc = collection.extensions["vitrine"]
    svc.accounts.add("ann", PASSWORD, roles=["curator"])
    svc.accounts.add("bob", PASSWORD, roles=["curator"])
    svc.accounts.add("eve", PASSWORD)
    svc.accounts.add("ed", PASSWORD, roles=["editor"], institutions=["brooklyn"])
    svc.accounts.add("root", PASSWORD, roles=["admin"])
    draft = svc.exhibitions.get("secret-draft", svc.accounts.get("root"))
    svc.exhibitions.save(dataclasses.replace(draft, curators=["ann"]))
    return collection


class Api:
    """A test client speaking for one user with a Bearer token made by the accounts service."""

    def __init__(self, app, name: str | None):
        self.client = app.test_client()
        self.headers = {}
        if name:
            secret = app.extensions["vitrine"].accounts.create_token(name, "tests")[1]
            self.headers["Authorization"] = f"Bearer {secret}"

    def __call__(self, method: str, path: str, body=None, etag: str | None = None, **headers):
        headers = {**self.headers, **headers}
        if etag:
            headers["If-Match"] = etag
        return self.client.open(path, method=method, headers=headers,
                                json=body if body is not None else None)

    def read(self, path: str):
        response = self("GET", path)
        assert response.status_code == 200, response.get_json()
        return response.get_json(), response.headers["ETag"]


def api(app, name):
    return Api(app, name)


# -- exhibitions: the whole record -----------------------------------------------------------

def test_a_curator_lists_creates_reads_and_deletes_an_exhibition_with_etags(team):
    ann = api(team, "ann")
    listed = ann("GET", "/api/exhibitions").get_json()
    assert [e["slug"] for e in listed["exhibitions"]] == ["secret-draft"]
    created = ann("POST", "/api/exhibitions", BIRTH)
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/exhibitions/birth")
    assert created.headers["ETag"] == '"birth-1"'
    assert created.get_json()["curators"] == ["ann"] and created.get_json()["status"] == "draft"
    record, etag = ann.read("/api/exhibitions/birth")
    assert etag == '"birth-1"' and record["title"] == BIRTH["title"] and record["version"] == 1
    assert ann("GET", "/api/exhibitions/birth").headers["Cache-Control"] == "private, no-store"
    assert ann("GET", "/api/exhibitions/birth", **{"If-None-Match": etag}).status_code == 304
    assert ann("POST", "/api/exhibitions", BIRTH).status_code == 409  # the slug is taken
    assert ann("DELETE", "/api/exhibitions/birth").status_code == 428
    assert ann("DELETE", "/api/exhibitions/birth", etag=etag).status_code == 204
    assert ann("GET", "/api/exhibitions/birth").status_code == 404
    assert team.test_client().get("/exhibition/birth").status_code == 404


def test_a_write_without_if_match_is_428_a_stale_one_412_naming_who_saved_and_a_fresh_one_200(team):
    ann, bob = api(team, "ann"), api(team, "bob")
    record, etag = ann.read("/api/exhibitions/secret-draft")
    record["curators"] = ["ann", "bob"]
    shared = ann("PUT", "/api/exhibitions/secret-draft", record, etag=etag)
    assert shared.status_code == 200
    etag = shared.headers["ETag"]
    assert etag == f'"secret-draft-{record["version"] + 1}"' and shared.get_json()["curators"] == ["ann", "bob"]
    anns, bobs = ann.read("/api/exhibitions/secret-draft")[0], bob.read("/api/exhibitions/secret-draft")[0]
    anns["title"] = {"en": ["Ann's title"]}
    bobs["title"] = {"en": ["Bob's title"]}
    missing = bob("PUT", "/api/exhibitions/secret-draft", bobs)
    assert missing.status_code == 428 and missing.get_json()["status"] == 428
    saved = ann("PUT", "/api/exhibitions/secret-draft", anns, etag=etag)
    assert saved.status_code == 200 and saved.headers["ETag"] != etag
    stale = bob("PUT", "/api/exhibitions/secret-draft", bobs, etag=etag)
    assert stale.status_code == 412
    assert stale.headers["ETag"] == saved.headers["ETag"]
    body = stale.get_json()
    assert body["status"] == 412 and body["saved_by"] == "ann" and body["etag"] == saved.headers["ETag"]
    assert ann.read("/api/exhibitions/secret-draft")[0]["title"] == {"en": ["Ann's title"]}
    # Bob re-reads, keeps Ann's title and adds his summary: both edits stand.
    again, fresh = bob.read("/api/exhibitions/secret-draft")
    again["summary"] = {"en": ["Bob's summary"]}
    assert bob("PUT", "/api/exhibitions/secret-draft", again, etag=fresh).status_code == 200
    final = ann.read("/api/exhibitions/secret-draft")[0]
    assert final["title"] == {"en": ["Ann's title"]} and final["summary"] == {"en": ["Bob's summary"]}


def test_the_gzipped_etag_a_client_read_is_accepted_in_if_match(team):
    ann = api(team, "ann")
    record, etag = ann.read("/api/exhibitions/secret-draft")
    record["summary"] = {"en": ["A long summary. " * 200]}  # worth compressing
    ann("PUT", "/api/exhibitions/secret-draft", record, etag=etag)
    response = ann("GET", "/api/exhibitions/secret-draft", **{"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip" and response.headers["ETag"].endswith('-gzip"')
    record = json.loads(gzip.decompress(response.data))
    record["summary"] = {"en": ["Read gzipped"]}
    assert ann("PUT", "/api/exhibitions/secret-draft", record, etag=response.headers["ETag"]).status_code == 200


# -- sections, items, moves ---------------------------------------------------------------

def test_sections_and_items_are_added_replaced_moved_and_removed_one_by_one(team):
    ann = api(team, "ann")
    base = "/api/exhibitions/secret-draft"
    _, etag = ann.read(base)
    added = ann("POST", f"{base}/sections", {"title": {"en": ["Two"]}}, etag=etag)
    assert added.status_code == 201 and added.headers["Location"].endswith(f"{base}/sections/1")
    assert [s["title"]["en"][0] for s in added.get_json()["sections"]] == ["One", "Two"]
    etag = added.headers["ETag"]
    item = ann("POST", f"{base}/sections/1/items", {"object": "coins", "caption": {"en": ["Coins"]}}, etag=etag)
    assert item.status_code == 201 and item.headers["Location"].endswith(f"{base}/sections/1/items/0")
    etag = item.headers["ETag"]
    item = ann("POST", f"{base}/sections/1/items", {"object": "rocket", "region": [10, 10, 100, 50]}, etag=etag)
    etag = item.headers["ETag"]
    assert ann("GET", f"{base}/sections/1/items/1").get_json() == {"object": "rocket", "media": 0,
                                                              "region": [10, 10, 100, 50]}
    replaced = ann("PUT", f"{base}/sections/1/items/0", {"object": "coins", "caption": {"fr": ["Monnaies"]}},
                   etag=etag)
    assert replaced.get_json()["sections"][1]["items"][0]["caption"] == {"fr": ["Monnaies"]}
    etag = replaced.headers["ETag"]
    moved = ann("POST", f"{base}/sections/1/items/1/move", {"to": 0}, etag=etag)
    assert [i["object"] for i in moved.get_json()["sections"][1]["items"]] == ["rocket", "coins"]
    etag = moved.headers["ETag"]
    across = ann("POST", f"{base}/sections/1/items/1/move", {"to": 0, "section": 0}, etag=etag)
    sections = across.get_json()["sections"]
    assert [i["object"] for i in sections[0]["items"]] == ["coins", "horse"]
    assert [i["object"] for i in sections[1]["items"]] == ["rocket"]
    etag = across.headers["ETag"]
    swapped = ann("POST", f"{base}/sections/1/move", {"to": 0}, etag=etag)
    assert [s["title"]["en"][0] for s in swapped.get_json()["sections"]] == ["Two", "One"]
    etag = swapped.headers["ETag"]
    flight = {"title": {"en": ["Flight"]}, "items": [{"object": "rocket", "media": 0}]}
    retitled = ann("PUT", f"{base}/sections/0", flight, etag=etag)
    assert retitled.get_json()["sections"][0] == flight
    etag = retitled.headers["ETag"]
    gone = ann("DELETE", f"{base}/sections/1/items/0", etag=etag)
    assert [i["object"] for i in gone.get_json()["sections"][1]["items"]] == ["horse"]
    etag = gone.headers["ETag"]
    gone = ann("DELETE", f"{base}/sections/0", etag=etag)
    assert [s["title"]["en"][0] for s in gone.get_json()["sections"]] == ["One"]
    assert ann("GET", f"{base}/sections/5").status_code == 404
    assert ann("DELETE", f"{base}/sections/5/items/0", etag=gone.headers["ETag"]).status_code == 404
    bad_move = ann("POST", f"{base}/sections/0/items/0/move", {"to": 7}, etag=gone.headers["ETag"])
    assert bad_move.status_code == 422 and bad_move.get_json()["errors"][0]["field"] == "to"
    revisions = ann("GET", f"{base}/revisions").get_json()["revisions"]
    assert len(revisions) >= 9 and {r["user"] for r in revisions[:9]} == {"ann"}


# -- invalid input: 422 with field paths, and the body's bounds --------------------------------

def _errors(response) -> dict[str, str]:
    assert response.status_code == 422, (response.status_code, response.get_json())
    body = response.get_json()
    assert body["status"] == 422 and body["error"]
    return {e["field"]: e["message"] for e in body["errors"]}


def test_invalid_input_is_422_naming_each_field_by_its_path(team):
    ann = api(team, "ann")
    record, etag = ann.read("/api/exhibitions/secret-draft")

    def put(change):
        data = json.loads(json.dumps(record))
        change(data)
        return ann("PUT", "/api/exhibitions/secret-draft", data, etag=etag)

    outside = _errors(put(lambda d: d["sections"][0]["items"][0].update(region=[300, 300, 200, 200])))
    assert "outside the 400x328 image" in outside["sections[0].items[0].region"]
    assert "unknown language" in _errors(put(lambda d: d.update(title={"xx-nonsense-": ["?"]})))["title"]
    assert "unknown object" in _errors(put(lambda d: d["sections"][0]["items"][0].update(object="nothing")))[
        "sections[0].items[0].object"]
    unknown = _errors(put(lambda d: d["sections"][0].update(colour="red")))
    assert unknown == {"sections[0].colour": "is not a field of a section"}
    every = _errors(put(lambda d: (d.update(title={"zz": ["?"]}, colour="red"),
                                   d["sections"][0]["items"][0].update(region=[1, 2]))))
    assert set(every) == {"colour", "title", "sections[0].items[0].region"}
    assert ann.read("/api/exhibitions/secret-draft")[1] == etag  # nothing was written


def test_a_body_that_is_not_json_too_big_or_malformed_is_refused_with_the_json_error_shape(team):
    ann = api(team, "ann")
    _, etag = ann.read("/api/exhibitions/secret-draft")
    client, headers = ann.client, {**ann.headers, "If-Match": etag}
    path = "/api/exhibitions/secret-draft"
    text = client.put(path, data="title=x", headers=headers, content_type="application/x-www-form-urlencoded")
    assert text.status_code == 415 and text.get_json()["status"] == 415
    broken = client.put(path, data='{"title": ', headers=headers, content_type="application/json")
    assert broken.status_code == 400 and broken.get_json()["status"] == 400
    huge = client.put(path, data=json.dumps({"title": {"en": ["x" * (1024 * 1024)]}}), headers=headers,
                      content_type="application/json")
    assert huge.status_code == 413 and huge.get_json()["status"] == 413
    deep = client.put(path, data="[" * 200_000 + "]" * 200_000, headers=headers, content_type="application/json")
    assert deep.status_code == 400 and deep.get_json()["status"] == 400
    listed = client.put(path, data="[]", headers=headers, content_type="application/json")
    assert listed.status_code == 422
    assert ann.read(path)[1] == etag


def test_html_in_a_caption_comes_back_sanitised(team):
    ann = api(team, "ann")
    _, etag = ann.read("/api/exhibitions/secret-draft")
    payload = '<b>Bold</b><script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>'
    saved = ann("PUT", "/api/exhibitions/secret-draft/sections/0/items/0",
                {"object": "horse", "caption": {"en": [payload]}}, etag=etag)
    caption = saved.get_json()["sections"][0]["items"][0]["caption"]["en"][0]
    assert "<b>Bold</b>" in caption
    assert "script" not in caption and "onerror" not in caption and "javascript" not in caption
    assert ann.read("/api/exhibitions/secret-draft")[0]["sections"][0]["items"][0]["caption"]["en"][0] == caption


# -- who may: 401, 403, 404, CSRF ------------------------------------------------------------

def test_signed_out_is_401_without_the_role_403_and_a_draft_of_someone_else_404(team):
    nobody = api(team, None)
    refused = nobody("GET", "/api/exhibitions")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert refused.get_json()["status"] == 401
    forged = nobody("PUT", "/api/exhibitions/secret-draft", {"title": "x"}, etag='"secret-draft-1"',
                    Authorization="Bearer 0123.not-a-token")
    assert forged.status_code == 401
    assert nobody("POST", "/api/exhibitions", BIRTH).status_code == 401
    assert nobody("PUT", "/api/objects/coins", {"label": "x"}, etag='"coins-1"').status_code == 401
    assert api(team, "eve")("GET", "/api/exhibitions").status_code == 403  # no role yet
    assert api(team, "ed")("GET", "/api/exhibitions").status_code == 403  # an editor, not a curator
    assert api(team, "ed")("POST", "/api/exhibitions", BIRTH).status_code == 403
    bob = api(team, "bob")
    assert bob("GET", "/api/exhibitions").get_json()["exhibitions"] == []
    assert bob("GET", "/api/exhibitions/secret-draft").status_code == 404  # a draft he does not curate
    assert bob("GET", "/api/exhibitions/secret-draft/revisions").status_code == 404
    assert bob("PUT", "/api/exhibitions/secret-draft", {}, etag='"secret-draft-2"').status_code == 404
    assert bob("GET", "/api/exhibitions/origins").status_code == 403  # public, but not his to edit
    root = api(team, "root")
    assert {e["slug"] for e in root("GET", "/api/exhibitions").get_json()["exhibitions"]} == {
        "origins", "secret-draft"}


def test_a_session_write_needs_the_csrf_header(team):
    client = team.test_client()
    sign_in(client, "ann")
    page = client.get("/curate/")
    refused = client.post("/api/exhibitions", json=BIRTH)
    assert refused.status_code == 400 and refused.get_json()["status"] == 400
    assert client.get("/api/exhibitions/birth").status_code == 404
    created = client.post("/api/exhibitions", json=BIRTH, headers={"X-CSRFToken": token_of(page.data)})
    assert created.status_code == 201


# -- publish and revisions ---------------------------------------------------------------------

def test_publish_unpublish_and_schedule_through_the_api(team):
    ann, visitor = api(team, "ann"), team.test_client()
    _, etag = ann.read("/api/exhibitions/secret-draft")
    assert ann("POST", "/api/exhibitions/secret-draft/publish", {"status": "published"}).status_code == 428
    published = ann("POST", "/api/exhibitions/secret-draft/publish", {"status": "published"}, etag=etag)
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    assert visitor.get("/exhibition/secret-draft").status_code == 200
    etag = published.headers["ETag"]
    assert _errors(ann("POST", "/api/exhibitions/secret-draft/publish", {"status": "scheduled"}, etag=etag)) \
        .keys() == {"opens"}
    assert _errors(ann("POST", "/api/exhibitions/secret-draft/publish", {"status": "gone"}, etag=etag)) \
        .keys() == {"status"}
    back = ann("POST", "/api/exhibitions/secret-draft/publish", {"status": "draft"}, etag=etag)
    assert back.status_code == 200 and visitor.get("/exhibition/secret-draft").status_code == 404
    record = back.get_json()
    record["opens"] = "2999-01-01"
    later = ann("PUT", "/api/exhibitions/secret-draft", record, etag=back.headers["ETag"])
    scheduled = ann("POST", "/api/exhibitions/secret-draft/publish", {"status": "scheduled"},
                    etag=later.headers["ETag"])
    assert scheduled.get_json()["status"] == "scheduled"
    assert visitor.get("/exhibition/secret-draft").status_code == 404  # not before its opening day


def test_revisions_are_listed_with_their_author_read_and_restored_as_a_new_one(team):
    ann = api(team, "ann")
    record, etag = ann.read("/api/exhibitions/secret-draft")
    first = record["version"]
    record["title"] = {"en": ["Renamed"]}
    etag = ann("PUT", "/api/exhibitions/secret-draft", record, etag=etag).headers["ETag"]
    revisions = ann("GET", "/api/exhibitions/secret-draft/revisions").get_json()["revisions"]
    assert revisions[0]["version"] == first + 1 and revisions[0]["user"] == "ann"
    assert {"path": "title.en", "before": ["Work in progress"], "after": ["Renamed"]} in revisions[0]["changes"]
    old = ann("GET", f"/api/exhibitions/secret-draft/revisions/{first}")
    assert old.status_code == 200 and old.get_json()["title"] == {"en": ["Work in progress"]}
    assert ann("GET", "/api/exhibitions/secret-draft/revisions/999").status_code == 404
    assert ann("POST", f"/api/exhibitions/secret-draft/revisions/{first}/restore",
               etag=f'"secret-draft-{first}"').status_code == 412
    restored = ann("POST", f"/api/exhibitions/secret-draft/revisions/{first}/restore", etag=etag)
    assert restored.status_code == 200 and restored.get_json()["title"] == {"en": ["Work in progress"]}
    assert restored.headers["ETag"] == f'"secret-draft-{first + 2}"'


# -- objects -------------------------------------------------------------------------------------

def test_an_editor_edits_an_object_of_their_institution_and_restores_an_earlier_version(team):
    ed, visitor = api(team, "ed"), team.test_client()
    record, etag = ed.read("/api/objects/coins")
    record["label"] = {"en": ["Coins, corrected"]}
    assert ed("PUT", "/api/objects/coins", record).status_code == 428
    saved = ed("PUT", "/api/objects/coins", record, etag=etag)  # "links" as read are taken back
    assert saved.status_code == 200 and saved.headers["ETag"] == f'"coins-{record["version"] + 1}"'
    assert visitor.get("/api/objects/coins").get_json()["label"] == {"en": ["Coins, corrected"]}
    assert ed("PUT", "/api/objects/coins", record, etag=etag).status_code == 412
    revisions = ed("GET", "/api/objects/coins/revisions").get_json()["revisions"]
    assert [(r["version"], r["user"]) for r in revisions] == [(record["version"] + 1, "ed"),
                                                             (record["version"], None)]
    restored = ed("POST", f"/api/objects/coins/revisions/{record['version']}/restore", etag=saved.headers["ETag"])
    assert restored.status_code == 200 and restored.get_json()["label"]["en"] == ["Greek coins from Pompeii"]
    etag = restored.headers["ETag"]
    assert ed("POST", "/api/objects/coins/revisions/999/restore", etag=etag).get_json() == {
        "error": "no version 999 of object 'coins'", "status": 404}
    bad = dict(restored.get_json(), rights="https://example.org/mine", colour="red")
    assert set(_errors(ed("PUT", "/api/objects/coins", bad, etag=etag))) == {"colour", "rights"}
    assert set(_errors(ed("PUT", "/api/objects/coins", dict(restored.get_json(), subjects=["test:nothing"]),
                          etag=etag))) == {"subjects[0]"}
    media = dict(restored.get_json(), media=[{"id": "x", "path": "/etc/passwd", "format": "image/png"}])
    assert set(_errors(ed("PUT", "/api/objects/coins", media, etag=etag))) == {"media"}


def test_objects_are_edited_only_by_an_editor_of_their_institution_or_an_admin(team):
    rocket, etag = api(team, "root").read("/api/objects/rocket")
    rocket["label"] = {"en": ["Mine"]}
    assert api(team, "ed")("PUT", "/api/objects/rocket", rocket, etag=etag).status_code == 403  # SpaceX's
    assert api(team, "ann")("PUT", "/api/objects/rocket", rocket, etag=etag).status_code == 403  # a curator
    assert api(team, "ed")("GET", "/api/objects/rocket/revisions").status_code == 403
    coins, coins_etag = api(team, "ed").read("/api/objects/coins")
    coins["institution"] = "spacex"  # giving a work away to an institution one does not edit
    assert api(team, "ed")("PUT", "/api/objects/coins", coins, etag=coins_etag).status_code == 403
    assert api(team, "ed")("PUT", "/api/objects/nothing", rocket, etag='"nothing-1"').status_code == 404
    assert api(team, "root")("PUT", "/api/objects/rocket", rocket, etag=etag).status_code == 200


def test_an_object_is_withdrawn_restored_and_by_an_admin_deleted(team):
    ed, root, visitor = api(team, "ed"), api(team, "root"), team.test_client()
    _, etag = ed.read("/api/objects/horse")
    assert ed("POST", "/api/objects/horse/withdraw").status_code == 428
    withdrawn = ed("POST", "/api/objects/horse/withdraw", etag=etag)
    assert withdrawn.status_code == 200 and withdrawn.get_json() == {"id": "horse", "withdrawn": True}
    assert visitor.get("/api/objects/horse").status_code == 410
    assert ed("PUT", "/api/objects/horse", {"label": "x"}, etag=etag).status_code == 410
    restored = ed("POST", "/api/objects/horse/restore", etag="*")
    assert restored.status_code == 200 and restored.headers["ETag"] == f'"horse-{int(etag.strip(chr(34))[6:]) + 1}"'
    assert visitor.get("/api/objects/horse").status_code == 200
    assert ed("POST", "/api/objects/horse/restore", etag="*").status_code == 409  # not withdrawn
    assert ed("DELETE", "/api/objects/horse", etag=restored.headers["ETag"]).status_code == 403
    assert root("DELETE", "/api/objects/horse", etag=etag).status_code == 412
    assert root("DELETE", "/api/objects/horse", etag=restored.headers["ETag"]).status_code == 204
    assert visitor.get("/api/objects/horse").status_code == 404



def test_another_institutions_editor_is_refused_before_their_if_match_is_read(team):
    """Who may write is asked before which version: withdraw and restore answer 403 alike, with
    If-Match or without it (restore once answered 428 / 412 first, as if a precondition could help)."""
    ed, root = api(team, "ed"), api(team, "root")
    _, etag = root.read("/api/objects/rocket")  # SpaceX's: not ed's
    assert ed("POST", "/api/objects/rocket/withdraw").status_code == 403
    assert ed("POST", "/api/objects/rocket/withdraw", etag='"coins-1"').status_code == 403
    assert root("POST", "/api/objects/rocket/withdraw", etag=etag).status_code == 200
    refused = ed("POST", "/api/objects/rocket/restore")
    assert refused.status_code == 403 and refused.get_json()["status"] == 403
    assert ed("POST", "/api/objects/rocket/restore", etag='"coins-1"').status_code == 403
    assert ed("POST", "/api/objects/rocket/restore", etag="*").status_code == 403
    assert root("POST", "/api/objects/rocket/restore").status_code == 428
    assert root("POST", "/api/objects/rocket/restore", etag='"coins-1"').status_code == 412
    assert root("POST", "/api/objects/rocket/restore", etag="*").status_code == 200

# -- no lost update under load -------------------------------------------------------------------

SAVES = 8  # per editor: enough for the eight to meet each other's saves many times over


def test_eight_editors_saving_at_once_lose_no_update_and_meet_no_5xx(team):
    """8 threads x 8 saves of the whole record with If-Match, each re-reading on 412."""
    svc = team.extensions["vitrine"]
    ann = svc.accounts.get("ann")
    from catalogue.model import Exhibition
    svc.exhibitions.save(Exhibition.from_dict({**BIRTH, "sections": [{"title": {"en": ["All"]}}]}), ann,
                         expected=0)
    secret = svc.accounts.create_token("ann", "race")[1]
    server = http_server(team)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/exhibitions/birth"
    accepted, refused, failures, deadline = [], [], [], time.monotonic() + 240

    def editor(number: int) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {secret}"
            for save in range(SAVES):
                caption = f"editor {number} save {save}"
                while time.monotonic() < deadline:
                    read = session.get(url, timeout=30)
                    if read.status_code != 200:
                        failures.append(read.status_code)
                        return
                    record = read.json()
                    record["sections"][0].setdefault("items", []).append(
                        {"object": "coins", "caption": {"en": [caption]}})
                    written = session.put(url, json=record, headers={"If-Match": read.headers["ETag"]}, timeout=30)
                    if written.status_code == 200:
                        accepted.append(caption)
                        break
                    if written.status_code != 412:
                        failures.append(written.status_code)
                        return
                    refused.append(caption)  # someone saved first: read again and redo the change

    try:
        threads = [threading.Thread(target=editor, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        server.shutdown()
        server.server_close()
    assert failures == []
    assert len(accepted) == 8 * SAVES and refused  # the editors did meet each other's saves

    final = svc.exhibitions.get("birth", ann)
    assert sorted(item.caption["en"][0] for item in final.items) == sorted(accepted)


# -- the API's own description -------------------------------------------------------------------

def test_the_openapi_description_is_served(team):
    response = team.test_client().get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json()["openapi"].startswith("3.1")
