"""One URL map: every public URL from one base, the configured BASE_URL or the trusted proxy's."""
from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support import COLLECTION, import_file

from catalogue import create_app

CATALOGUE = Path(__file__).resolve().parent.parent / "catalogue"
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "museum.example", "X-Forwarded-Prefix": "/vitrine"}


@pytest.fixture
def published(instance):
    """The test collection in a catalogue whose BASE_URL is a CDN host, not the host asked."""
    app = create_app({"INSTANCE": str(instance), "TESTING": True, "BASE_URL": "https://cdn.example.be/"})
    import_file(app, COLLECTION)
    yield app
    app.extensions["vitrine"].store.close()


def _locations(client, path: str, headers: dict | None = None) -> list[str]:
    root = ET.fromstring(client.get(path, headers=headers or {}).data)
    return [e.text for e in root.iter(f"{{{SITEMAP['s']}}}loc")]


def _every_sitemap_location(client, headers: dict | None = None) -> list[str]:
    files = _locations(client, "/sitemap.xml", headers)
    return files + [loc for file in files for loc in _locations(client, urlsplit(file).path.removeprefix("/vitrine"), headers)]


def test_a_sitemap_with_a_base_url_lists_only_that_host(published):
    locations = _every_sitemap_location(published.test_client())
    assert len(locations) > 10
    assert {urlsplit(loc).netloc for loc in locations} == {"cdn.example.be"}
    assert "https://cdn.example.be/" in locations and "https://cdn.example.be/collection/coins" in locations
    assert "https://cdn.example.be/object/coins" in locations


def test_a_sitemap_through_a_trusted_proxy_lists_only_the_proxys_host(collection):
    locations = _every_sitemap_location(collection.test_client(), PROXY)
    assert len(locations) > 10
    assert all(loc.startswith("https://museum.example/vitrine/") for loc in locations), locations


def test_robots_txt_names_the_sitemap_on_the_base_url(published):
    robots = published.test_client().get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: https://cdn.example.be/sitemap.xml" in robots


def test_search_hits_and_image_redirects_use_the_base_url(published):
    client = published.test_client()
    hits = client.get("/api/search?q=coins").get_json()["hits"]
    assert hits and all(h["manifest"].startswith("https://cdn.example.be/iiif/") for h in hits)
    assert all(h["thumbnail"].startswith("https://cdn.example.be/iiif/image/") for h in hits if h["thumbnail"])
    assert client.get("/iiif/image/coins-1").headers["Location"] == "https://cdn.example.be/iiif/image/coins-1/info.json"
    assert client.get("/iiif/image2/coins-1").headers["Location"] == "https://cdn.example.be/iiif/image2/coins-1/info.json"
    info = client.get("/iiif/image/coins-1/info.json").get_json(force=True)
    assert info["id"] == "https://cdn.example.be/iiif/image/coins-1"


def test_the_record_and_the_object_page_name_the_base_url(published):
    client = published.test_client()
    links = client.get("/api/objects/coins").get_json()["links"]
    assert links["page"] == "https://cdn.example.be/object/coins"
    assert links["manifest"] == "https://cdn.example.be/iiif/object/coins/manifest"
    assert "https://cdn.example.be/iiif/object/coins/manifest" in client.get("/object/coins").get_data(as_text=True)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def test_the_url_map_is_a_lower_layer_that_imports_no_flask():
    assert not {name for name in _imports(CATALOGUE / "urls.py") if name.split(".")[0] in ("flask", "werkzeug")}


def test_the_static_publication_imports_no_service_layer():
    assert not any("services" in name for name in _imports(CATALOGUE / "iiif" / "publish.py"))


def test_the_base_url_is_worked_out_in_one_function():
    """Only web/http.py reads BASE_URL or the request's root: everyone else asks it for the Urls."""
    readers = sorted(
        str(path.relative_to(CATALOGUE)) for path in CATALOGUE.rglob("*.py")
        if any(word in path.read_text() for word in ("url_root", "root_only=True", '"BASE_URL"', "_external=True"))
    )
    assert readers == ["cli.py", "config.py", "web/http.py"]  # cli: `vitrine publish`'s defaults; config: the default


def test_cors_headers_are_set_in_the_gate_only():
    setters = sorted(str(path.relative_to(CATALOGUE)) for path in CATALOGUE.rglob("*.py")
                     if '"Access-Control-Allow-Origin"' in path.read_text())
    assert setters == ["web/gate.py"]


def test_viewer_assets_still_carry_cors(collection):
    response = collection.test_client().get("/assets/mirador.js")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
