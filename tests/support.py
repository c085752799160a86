"""What the tests share besides fixtures: paths, a real import, the IIIF schema check."""
from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"
COLLECTION = DATA / "collection" / "records.jsonl"
SCHEMA_PATH = SHARED / "iiif" / "iiif_presentation_3_0.schema.json"
# What the tests' imports may fetch from besides public addresses: the servers they run on 127.0.0.1
# (conftest sets VITRINE_IMPORT_ALLOWED_NETWORKS to it for every app and command; 127.0.0.2 stays refused).
LOCAL_NETWORKS = "127.0.0.1/32 ::1/128"


def local_fetcher(**limits):
    """A Fetcher that may read the tests' own servers on 127.0.0.1 (LOCAL_NETWORKS)."""
    from catalogue.ingest.remote import Fetcher, allowed_networks

    return Fetcher(allowed=allowed_networks(LOCAL_NETWORKS), **limits)


def import_file(app, path: Path, **options):
    """Import a Vitrine JSON/JSONL file into the app's catalogue, as `vitrine ingest json` does."""
    from catalogue.ingest.jsonfile import read_json
    from catalogue.services.imports import run_import

    svc = app.extensions["vitrine"]
    options.setdefault("fetcher", svc.fetcher())  # the app's IMPORT_ALLOWED_NETWORKS, as `vitrine ingest` has it
    return run_import(svc.store, read_json(path), svc.media_dir, **options)


def assert_valid_presentation(doc: dict) -> None:
    """The official Presentation 3 schema, plus what it misses: an exact type and the @context."""
    import iiif_prezi3
    import jsonschema

    validator = jsonschema.Draft7Validator(json.loads(SCHEMA_PATH.read_text()))
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(doc)]
    assert not errors, errors
    assert doc["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert doc["type"] in ("Manifest", "Collection")
    model = getattr(iiif_prezi3, doc["type"])
    model(**{k: v for k, v in doc.items() if k != "@context"})  # iiif-prezi3 accepts it too


def image_size(path) -> tuple[int, int]:
    """An image file's size, the file closed again (an open one is a ResourceWarning, an error here)."""
    from PIL import Image

    with Image.open(path) as image:
        return image.size


def http_server(app):
    """A threaded werkzeug server for ``app`` on a free port of 127.0.0.1 (``.server_port``; the caller
    runs ``serve_forever`` and later ``shutdown`` and ``server_close``).

    werkzeug's development server skips closing a response when the client resets the connection
    while the server drains the request (serving.py: ``rfile.read`` raises inside the ``finally``
    that would close it): a file Vitrine sends (a 3D model a viewer stops downloading) then stays
    open until the garbage collector finds it, a ResourceWarning in whichever test runs then. Here
    the response is closed when the server reports the dropped connection, as gunicorn does.
    """
    from werkzeug.serving import WSGIRequestHandler, make_server

    def remembering(environ, start_response):
        environ["tests.response"] = response = app(environ, start_response)
        return response

    class Handler(WSGIRequestHandler):
        def connection_dropped(self, error, environ=None):
            response = (environ or {}).get("tests.response")
            if hasattr(response, "close"):
                response.close()

    return make_server("127.0.0.1", 0, remembering, threaded=True, request_handler=Handler)


def free_port() -> int:
    """A port of 127.0.0.1 free now, for a server in another process (nginx, node, gunicorn) to take.

    Between this close and that bind another process could take it: the kernel hands out ephemeral
    ports in a random order over ~28,000, so two test workers asking at once collide about once in
    tens of thousands of runs; a server this process runs binds port 0 itself instead (:func:`http_server`).
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """``app`` served on 127.0.0.1 (by :func:`http_server`, in a thread) for the block: its base URL."""
    httpd = http_server(app)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def dripping_server(every: float = 0.3) -> Iterator[str]:
    """A server on 127.0.0.1 that answers 200 at once and then its body a byte every ``every`` seconds,
    for ever: within any per-read timeout, and never done. Yields its base URL."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    stop = threading.Event()

    class Dripping(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            while not stop.wait(every):
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Dripping)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
