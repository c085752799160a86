"""`vitrine publish` output works from a plain static server: walk it as a harvester, fetch an image service."""
from __future__ import annotations

import functools
import json
import threading
import urllib.request
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from click.testing import CliRunner

from catalogue.cli import main
from support import assert_valid_presentation, http_server


@contextmanager
def serving(server):
    """A server on 127.0.0.1 in a thread, for the length of the block; its base URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200, url
        return json.loads(response.read())


def test_a_published_folder_served_by_a_plain_static_server_reaches_every_manifest_and_its_images(
        collection, instance, tmp_path):
    folder = tmp_path / "static"
    static = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    live = http_server(collection)
    with serving(static) as static_url, serving(live) as live_url:
        result = CliRunner().invoke(main, ["publish", "--base-url", static_url, "--site-url", live_url,
                                           "--to", str(folder)], env={"VITRINE_INSTANCE": str(instance)})
        assert result.exit_code == 0, result.output
        seen: dict[str, dict] = {}
        pending = [f"{static_url}/iiif/collection.json"]
        while pending:
            url = pending.pop()
            doc = seen[url] = get_json(url)  # every id dereferences on the static host, as it is
            assert doc["id"] == url
            assert_valid_presentation(doc)
            if doc["type"] == "Collection":
                pending += [item["id"] for item in doc["items"] if item["id"] not in seen]
        manifests = sorted(url.removeprefix(static_url) for url, doc in seen.items() if doc["type"] == "Manifest")
        assert manifests == [
            "/iiif/exhibition/origins/manifest.json", "/iiif/object/album/manifest.json",
            "/iiif/object/coins/manifest.json", "/iiif/object/horse/manifest.json",
            "/iiif/object/lamp-post/manifest.json", "/iiif/object/rocket/manifest.json",
        ]
        coins = seen[f"{static_url}/iiif/object/coins/manifest.json"]
        service = coins["items"][0]["items"][0]["items"][0]["body"]["service"][0]
        info = get_json(f"{service['id']}/info.json")  # through the URL the manifest names
        assert info["id"] == service["id"] and (info["width"], info["height"]) == (384, 303)
