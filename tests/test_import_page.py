"""The import page for curators and editors (issue 13, item 13): uploads, the dry run's report, the
confirmation, the import in the background, and the history; zips checked before anything of them
is written; roles; a job whose worker died shows as interrupted and left nothing in the store."""
from __future__ import annotations

import io
import json
import re
import time
import zipfile
from pathlib import Path

import pytest
from support import COLLECTION, DATA, import_file
from test_curator_foundation import PASSWORD, signed_in_client, token_of

from catalogue import create_app
from catalogue.store import ImportJob

IMAGE = DATA / "collection" / "images" / "coins.png"
MAPPING = {
    "defaults": {"type": "image"},
    "fields": {"id": "id", "institution": "institution", "label": {"column": "title", "language": "en"},
               "earliest": {"column": "year", "extract": "year"}},
}
HEADER = "id,institution,title,year\nimp-1,brooklyn,Lantern of Ostend,1897\n"
GOOD_CSV = HEADER + "imp-2,brooklyn,Harbour at dusk,1901\n"
BAD_CSV = HEADER + "imp-2,brooklyn,Harbour at dusk,71959-07-01\n"


@pytest.fixture
def site(tmp_path):
    app = create_app({"INSTANCE": str(tmp_path / "instance"), "TESTING": True,
                      "IMPORT_ZIP_MAX_SIZE": 1_000_000, "IMPORT_ZIP_MAX_FILES": 50})
    import_file(app, COLLECTION)
    accounts = app.extensions["vitrine"].accounts
    accounts.add("ed", PASSWORD, roles=["editor"], institutions=["brooklyn"])
    accounts.add("cora", PASSWORD, roles=["curator"])
    accounts.add("nobody", PASSWORD)
    yield app
    app.extensions["vitrine"].close()



def upload(client, expect=303, **files):
    """Send the import form with ``files`` (field -> (name, bytes)) and the other fields given."""
    form_page = client.get("/curate/imports/new")
    assert form_page.status_code == 200
    data = {"csrf_token": token_of(form_page.data)}
    for field_name, value in files.items():
        data[field_name] = (io.BytesIO(value[1]), value[0]) if isinstance(value, tuple) else value
    response = client.post("/curate/imports/new", data=data, content_type="multipart/form-data")
    assert response.status_code == expect, response.data[:2000]
    return response


def job_of(response) -> str:
    return re.search(r"/curate/imports/([0-9a-f]{16})$", response.headers["Location"]).group(1)


def settled(app, client, job_id: str, timeout: float = 60) -> dict:
    """The job's status once its worker has moved it to a state it waits in (asked as the page's script does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/curate/imports/{job_id}/status").get_json()
        if status["status"] not in ("queued", "checking", "running"):
            return status
        app.extensions["vitrine"].importing.wait(job_id, 1)
    raise AssertionError(f"import {job_id} still {status}")


def csv_upload(client, text=GOOD_CSV):
    mapping = json.dumps(MAPPING).encode()
    return upload(client, records=("objects.csv", text.encode()), mapping=("mapping.json", mapping))


def confirm(client, job_id: str, **extra):
    page = client.get(f"/curate/imports/{job_id}")
    return client.post(f"/curate/imports/{job_id}/confirm", data={"csrf_token": token_of(page.data), **extra})


def test_a_csv_with_a_problem_is_reported_then_fixed_confirmed_imported_searchable_and_in_the_history(site):
    client = signed_in_client(site, "ed")
    bad = job_of(csv_upload(client, BAD_CSV))
    assert settled(site, client, bad)["status"] == "checked"
    page = client.get(f"/curate/imports/{bad}").get_data(as_text=True)
    assert "objects.csv" in page and "<td>3</td>" in page and "<code>earliest</code>" in page
    assert "71959" in page  # the message names the bad value
    assert "skip_invalid" in page  # confirming needs the choice to skip the invalid record
    refused = confirm(client, bad)
    assert refused.status_code == 422
    assert site.extensions["vitrine"].store.get_object("imp-1") is None

    fixed = job_of(csv_upload(client))
    assert settled(site, client, fixed)["status"] == "checked"
    report = client.get(f"/curate/imports/{fixed}").get_data(as_text=True)
    assert "Problems</dt><dd>0</dd>" in report and "Objects</dt><dd>2</dd>" in report
    assert site.extensions["vitrine"].store.get_object("imp-1") is None  # a dry run writes nothing
    assert confirm(client, fixed).status_code == 303
    assert settled(site, client, fixed)["status"] == "done"
    done = client.get(f"/curate/imports/{fixed}").get_data(as_text=True)
    assert "What the import did" in done and "Created</dt><dd>2</dd>" in done
    hits = client.get("/api/search?q=Lantern").get_json()
    assert [hit["id"] for hit in hits["hits"]] == ["imp-1"]
    history = client.get("/curate/imports").get_data(as_text=True)
    assert history.count("objects.csv, mapping.json") == 2 and "<td>ed</td>" in history
    assert "2 objects" in history
    assert not list((Path(site.config["IMPORT_DIR"]) / fixed).glob("*"))  # its files went with the job


def test_a_json_lines_upload_is_checked_and_imported(site):
    client = signed_in_client(site, "ed")
    lines = "\n".join(json.dumps({"id": f"jl-{n}", "type": "image", "institution": "brooklyn",
                                  "label": {"en": [f"Dune study {n}"]}}) for n in range(3))
    job = job_of(upload(client, records=("records.jsonl", lines.encode())))
    assert settled(site, client, job)["status"] == "checked"
    assert confirm(client, job).status_code == 303
    assert settled(site, client, job)["status"] == "done"
    assert site.extensions["vitrine"].store.get_object("jl-2").label == {"en": ["Dune study 2"]}


def test_an_api_dump_in_its_museums_own_shape_is_imported_through_its_mapping(site):
    site.extensions["vitrine"].accounts.add("mia", PASSWORD, roles=["editor"], institutions=["museum"])
    client = signed_in_client(site, "mia")
    things = json.loads((DATA / "museum-api" / "things.json").read_text(encoding="utf-8"))
    job = job_of(upload(client, records=("things.json", (DATA / "museum-api" / "things.json").read_bytes()),
                        mapping=("mapping.json", (DATA / "museum-api" / "mapping.json").read_bytes())))
    assert settled(site, client, job)["status"] == "checked"
    report = client.get(f"/curate/imports/{job}").get_data(as_text=True)
    assert "Problems</dt><dd>0</dd>" in report and f"Objects</dt><dd>{len(things)}</dd>" in report
    assert confirm(client, job).status_code == 303
    assert settled(site, client, job)["status"] == "done"
    store = site.extensions["vitrine"].store
    first = things[0]
    obj = store.get_object(first["id"].replace("museum:things/", "thing-"))
    assert obj.accession_number == first["identifier"]["accession"]
    assert [c.name for c in obj.creators] == [m["person"]["name"] for m in first["production"]["makers"]]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_of_media_with_its_records_file_inside_is_imported_with_its_images(site):
    client = signed_in_client(site, "ed")
    record = {"id": "zipped", "type": "image", "institution": "brooklyn", "label": {"en": ["Zipped coins"]},
              "media": ["scans/coins.png"]}
    archive = _zip({"records.jsonl": json.dumps(record).encode(), "scans/coins.png": IMAGE.read_bytes()})
    job = job_of(upload(client, media=("batch.zip", archive)))
    assert settled(site, client, job)["status"] == "checked"
    assert confirm(client, job).status_code == 303
    assert settled(site, client, job)["status"] == "done"
    obj = site.extensions["vitrine"].store.get_object("zipped")
    assert len(obj.media) == 1 and (Path(site.config["MEDIA_DIR"]) / obj.media[0].path).is_file()


def test_a_mappings_lookup_file_comes_in_the_zip_and_its_warnings_are_in_the_report(site):
    client = signed_in_client(site, "ed")
    mapping = {**MAPPING, "lookups": {"makers": {"file": "makers.csv", "key": "id", "optional": True}}}
    mapping["fields"] = {**MAPPING["fields"], "creators": {
        "column": "maker", "uri": {"column": "maker", "transform": [{"lookup": "makers", "take": "page"}]}}}
    records = "id,institution,title,year,maker\nlk-1,brooklyn,Lantern of Ostend,1897,ensor\n"
    makers = b"id,page\nensor,https://example.org/ensor\nensor,https://example.org/james-ensor\n"
    files = {"records": ("objects.csv", records.encode()), "mapping": ("mapping.json", json.dumps(mapping).encode())}

    alone = job_of(upload(client, **files))  # no makers.csv: optional, so a warning
    assert settled(site, client, alone)["status"] == "checked"
    page = client.get(f"/curate/imports/{alone}").get_data(as_text=True)
    assert "Warnings: imported all the same" in page and "<code>lookups.makers.file</code>" in page
    assert "makers.csv is not in" in page

    zipped = job_of(upload(client, **files, media=("lookups.zip", _zip({"makers.csv": makers}))))
    assert settled(site, client, zipped)["status"] == "checked"
    page = client.get(f"/curate/imports/{zipped}").get_data(as_text=True)
    assert "<td>makers.csv</td><td>3</td><td><code>page</code></td>" in page  # its row, not a server path
    assert "key &#39;ensor&#39; is also at row 2" in page
    assert confirm(client, zipped).status_code == 303
    assert settled(site, client, zipped)["status"] == "done"
    assert site.extensions["vitrine"].store.get_object("lk-1").creators[0].uri == "https://example.org/ensor"


def _instance_files(app) -> set[str]:
    root = Path(app.config["INSTANCE"])
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
            and not p.name.startswith("vitrine.db") and "index" not in p.parts and "secret" not in p.name}


@pytest.mark.parametrize("members, reason", [
    ({"records.jsonl": b"{}", "bomb.bin": bytes(5_000_000)}, "zip bomb"),
    ({"records.jsonl": b"{}", "../escape.jpg": b"x"}, "outside its folder"),
])
def test_a_zip_bomb_or_a_zip_leaving_its_folder_is_refused_and_leaves_nothing(site, members, reason):
    client = signed_in_client(site, "ed")
    site.extensions["vitrine"].images.wait_idle(60)  # the first request set the tile cutter going: let it finish
    before = _instance_files(site)
    job = job_of(upload(client, media=("batch.zip", _zip(members))))
    assert settled(site, client, job)["status"] == "failed"
    page = client.get(f"/curate/imports/{job}").get_data(as_text=True)
    assert reason in page
    assert _instance_files(site) == before  # the refused upload is gone too
    assert not (Path(site.config["INSTANCE"]).parent / "escape.jpg").exists()


def test_an_editor_importing_another_institutions_record_gets_a_problem_not_an_import(site):
    client = signed_in_client(site, "ed")
    text = GOOD_CSV + "imp-3,spacex,Someone else's rocket,1960\n"
    job = job_of(csv_upload(client, text))
    assert settled(site, client, job)["status"] == "checked"
    page = client.get(f"/curate/imports/{job}").get_data(as_text=True)
    assert "<td>4</td>" in page and "<code>institution</code>" in page and "spacex" in page
    assert confirm(client, job, skip_invalid="1").status_code == 303
    assert settled(site, client, job)["status"] == "done"
    store = site.extensions["vitrine"].store
    assert store.get_object("imp-1") is not None and store.get_object("imp-3") is None


def test_signed_out_is_sent_to_login_and_a_user_without_a_role_is_refused(site):
    assert "/curate/login" in site.test_client().get("/curate/imports/new").headers["Location"]
    assert signed_in_client(site, "nobody").get("/curate/imports").status_code == 403
    assert signed_in_client(site, "cora").get("/curate/imports/new").status_code == 200  # curators import loans


def test_the_import_form_needs_its_csrf_token(site):
    client = signed_in_client(site, "ed")
    response = client.post("/curate/imports/new", data={"records": (io.BytesIO(b"{}"), "r.jsonl")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert site.extensions["vitrine"].store.count_imports() == 0


def test_an_upload_over_the_limit_is_refused_with_413_and_kept_nowhere(site):
    site.config["IMPORT_MAX_UPLOAD"] = 10_000
    client = signed_in_client(site, "ed")
    upload(client, expect=413, records=("records.jsonl", b" " * 20_000))
    assert not list(Path(site.config["IMPORT_DIR"]).glob("*/*"))


def test_a_job_whose_worker_stopped_shows_as_interrupted_wrote_nothing_and_can_be_checked_again(site):
    client = signed_in_client(site, "ed")
    job = job_of(upload(client, records=("records.jsonl", json.dumps(
        {"id": "lost", "type": "image", "institution": "brooklyn", "label": {"en": ["Lost"]}}).encode())))
    assert settled(site, client, job)["status"] == "checked"
    store = site.extensions["vitrine"].store
    dead: ImportJob = store.get_import(job)
    dead.status, dead.phase, dead.heartbeat = "running", "checking", time.time() - 120  # its process was killed
    store.put_import(dead)
    page = client.get(f"/curate/imports/{job}").get_data(as_text=True)
    assert "interrupted" in page and "Nothing of it was written" in page
    assert client.get(f"/curate/imports/{job}/status").get_json()["status"] == "interrupted"
    assert store.get_object("lost") is None
    restart = client.post(f"/curate/imports/{job}/restart", data={"csrf_token": token_of(page.encode())})
    assert restart.status_code == 303
    assert settled(site, client, job)["status"] == "checked"


def test_the_history_is_paginated_newest_first(site):
    store = site.extensions["vitrine"].store
    for n in range(25):
        store.put_import(ImportJob(f"{n:016x}", "ed", f"2026-01-01T00:00:{n:02d}+00:00", f"batch-{n}.jsonl", "json",
                                   status="done", report={"counts": {"objects": n}, "problems": []}))
    client = signed_in_client(site, "ed")
    first = client.get("/curate/imports").get_data(as_text=True)
    assert first.index("batch-24.jsonl") < first.index("batch-23.jsonl") and "batch-4.jsonl" not in first
    assert 'rel="next"' in first
    second = client.get("/curate/imports?page=2").get_data(as_text=True)
    assert "batch-4.jsonl" in second and "batch-0.jsonl" in second and "batch-24.jsonl" not in second


def test_imports_started_in_the_same_second_are_listed_in_the_order_they_were_started(site):
    """A browser run checked two files within one second and the history showed the older first: the
    ``created`` stamp has whole seconds and the tie fell to the jobs' random ids."""
    store = site.extensions["vitrine"].store
    same = "2026-02-01T00:00:00+00:00"
    first = ImportJob("ffffffffffffff01", "ed", same, "first.csv", "csv", status="checked")
    second = ImportJob("0000000000000002", "ed", same, "second.csv", "csv", status="checked")
    store.put_import(first)
    store.put_import(second)
    first.status = "done"  # the older job's progress is written after the newer one started
    store.put_import(first)
    listed = [job.id for job in store.imports(0, 100) if job.created == same]
    assert listed == [second.id, first.id]


def test_the_report_names_the_objects_the_file_lacks_and_their_editor_may_withdraw_them(site):
    coins = next(json.loads(line) for line in COLLECTION.read_text().splitlines()
                 if '"kind": "object", "id": "coins"' in line)
    coins.pop("media")
    new = {"id": "jl-new", "type": "image", "institution": "brooklyn", "label": {"en": ["New arrival"]}}
    client = signed_in_client(site, "ed")
    job = job_of(upload(client, records=("brooklyn.jsonl", f"{json.dumps(coins)}\n{json.dumps(new)}".encode())))
    assert settled(site, client, job)["status"] == "checked"
    page = client.get(f"/curate/imports/{job}").get_data(as_text=True)
    assert "Not in the file</dt><dd>2</dd>" in page and "<code>album</code>" in page and "<code>horse</code>" in page
    assert "Created</dt><dd>1</dd>" in page and "Updated</dt><dd>1</dd>" in page
    assert 'value="withdraw"' in page and 'value="delete"' not in page  # deleting for good is the admins'
    assert confirm(client, job, missing="delete").status_code == 403
    assert confirm(client, job, missing="withdraw").status_code == 303
    assert settled(site, client, job)["status"] == "done"
    store = site.extensions["vitrine"].store
    assert store.is_withdrawn("album") and store.is_withdrawn("horse") and store.get_object("jl-new") is not None
    done = client.get(f"/curate/imports/{job}").get_data(as_text=True)
    assert "Withdrawn: not in the file</dt><dd>2</dd>" in done


@pytest.fixture
def lender(tmp_path):
    """Another institution's IIIF server on 127.0.0.1: one Presentation 3 manifest, images by service."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    root = tmp_path / "lender"
    root.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    base = f"http://127.0.0.1:{httpd.server_port}"
    service = f"{base}/iiif/lantern"
    canvas = f"{base}/canvas/1"
    manifest = {
        "@context": "http://iiif.io/api/presentation/3/context.json", "id": f"{base}/lantern.json",
        "type": "Manifest", "label": {"en": ["The lantern of Ostend"], "nl": ["De lantaarn van Oostende"]},
        "provider": [{"id": "https://lender.example.org/", "type": "Agent", "label": {"en": ["Lender Museum"]}}],
        "items": [{"id": canvas, "type": "Canvas", "width": 1200, "height": 900, "items": [{
            "id": f"{canvas}/page", "type": "AnnotationPage", "items": [{
                "id": f"{canvas}/page/1", "type": "Annotation", "motivation": "painting", "target": canvas,
                "body": {"id": f"{service}/full/max/0/default.jpg", "type": "Image", "format": "image/jpeg",
                         "width": 1200, "height": 900,
                         "service": [{"id": service, "type": "ImageService3", "profile": "level1"}]}}]}]}],
    }
    (root / "lantern.json").write_text(json.dumps(manifest))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"{base}/lantern.json"
    httpd.shutdown()
    httpd.server_close()


def test_a_curator_brings_in_another_institutions_iiif_manifest_as_a_loan(site, lender):
    client = signed_in_client(site, "cora")
    job = job_of(upload(client, url=lender))
    assert settled(site, client, job)["status"] == "checked"
    page = client.get(f"/curate/imports/{job}").get_data(as_text=True)
    assert "Problems</dt><dd>0</dd>" in page and "Objects</dt><dd>1</dd>" in page
    assert confirm(client, job).status_code == 303
    assert settled(site, client, job)["status"] == "done"
    objects = [o for o in site.extensions["vitrine"].store.iter_objects() if o.source == lender]
    assert len(objects) == 1 and objects[0].media[0].is_remote
    assert objects[0].label["nl"] == ["De lantaarn van Oostende"]


def test_an_editor_imports_iiif_only_into_their_own_institution(site, lender):
    client = signed_in_client(site, "ed")
    loan = job_of(upload(client, url=lender))
    assert settled(site, client, loan)["status"] == "checked"
    page = client.get(f"/curate/imports/{loan}").get_data(as_text=True)
    assert "Problems</dt><dd>2</dd>" in page and "Objects</dt>" not in page  # the lender and its work: refused
    assert "ed may not import the institution &#39;lender" in page  # the provider, named after its host
    assert "ed may not import records of &#39;lender" in page
    own = job_of(upload(client, url=lender, institution="brooklyn"))
    assert settled(site, client, own)["status"] == "checked"
    assert "Problems</dt><dd>0</dd>" in client.get(f"/curate/imports/{own}").get_data(as_text=True)


def test_a_iiif_address_must_be_http_or_https(site):
    client = signed_in_client(site, "cora")
    response = upload(client, expect=422, url="file:///etc/passwd")
    assert "is not an http(s) URL" in response.get_data(as_text=True)
    assert site.extensions["vitrine"].store.count_imports() == 0


def test_the_import_form_takes_uploads_larger_than_the_sites_request_limit(site):
    site.config["MAX_CONTENT_LENGTH"] = 10_000  # every other form of the site stops there
    client = signed_in_client(site, "ed")
    lines = "\n".join(json.dumps({"id": f"big-{n}", "type": "image", "institution": "brooklyn",
                                  "label": {"en": [f"Entry {n} " + "x" * 200]}}) for n in range(100))
    job = job_of(upload(client, records=("big.jsonl", lines.encode())))
    assert settled(site, client, job)["status"] == "checked"


def test_a_checked_import_left_unconfirmed_for_a_day_is_abandoned_and_its_files_removed(site):
    client = signed_in_client(site, "ed")
    job = job_of(upload(client, records=("records.jsonl", json.dumps(
        {"id": "stale", "type": "image", "institution": "brooklyn", "label": {"en": ["Stale"]}}).encode())))
    assert settled(site, client, job)["status"] == "checked"
    store = site.extensions["vitrine"].store
    old = store.get_import(job)
    old.heartbeat -= 25 * 3600  # its check ended a day ago
    store.put_import(old)
    assert (Path(site.config["IMPORT_DIR"]) / job).is_dir()
    client.get("/curate/imports")
    assert store.get_import(job).status == "abandoned"
    assert not (Path(site.config["IMPORT_DIR"]) / job).exists()


def test_the_report_names_the_mapping_as_it_was_uploaded(site):
    client = signed_in_client(site, "ed")
    wrong = {**MAPPING, "fields": {**MAPPING["fields"], "earliest": {"column": "jaar", "extract": "year"}}}
    job = job_of(upload(client, records=("objects.csv", GOOD_CSV.encode()),
                        mapping=("brooklyn-prints.json", json.dumps(wrong).encode())))
    settled(site, client, job)
    page = client.get(f"/curate/imports/{job}").get_data(as_text=True)
    assert "brooklyn-prints.json" in page and "column &#39;jaar&#39; is not in the CSV" in page
    assert "mapping.json" not in page
    assert "objects.csv, brooklyn-prints.json" in client.get("/curate/imports").get_data(as_text=True)
