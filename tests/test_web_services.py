"""web/ and cli.py go through the application services: what the JSON API answers is what the
catalogue's public view and the access policy decide, and no route reaches a store or a search
backend itself."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from test_access import catalogue

from catalogue.services.catalogue import Gone, NotFound
from catalogue.urls import Urls

PACKAGE = Path(__file__).resolve().parents[1] / "catalogue"
ENTRY = sorted((PACKAGE / "web").glob("*.py")) + [PACKAGE / "cli.py"]

# What the entry layer may take from the parts directly: request and result types, declared facets, errors.
ALLOWED = {
    "catalogue.store": {"StoreError", "StaleVersion"},
    "catalogue.search": {"SearchRequest", "SearchResult", "Hit", "FACETS", "RequestError", "CursorError",
                         "SearchTimeout"},
    "catalogue.search.facets": {"TYPE"},  # the type facet also labels an object's type on its page
}
# Building one of these is a service's job (catalogue/services/__init__.py), not a route's.
BUILDERS = {"Documents", "ImageService", "SqliteStore", "open_store", "open_search", "WhooshSearch", "Keeper"}
# An expression that is the services container (or the keeper, which holds the store and the index).
CONTAINER = re.compile(r"(^|\.)(services\(\)|services|svc|keeper|extensions\[.vitrine.\])$")


def _imported_names(path: Path):
    """(absolute module, name) for every ``from X import name`` in a module of catalogue/web or cli.py."""
    package = "catalogue.web" if path.parent.name == "web" else "catalogue"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*anchor, node.module] if node.module else anchor)
            for alias in node.names:
                yield module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ""


def test_web_and_the_cli_import_only_request_result_and_error_types_from_store_and_search():
    offending = []
    for path in ENTRY:
        for module, name in _imported_names(path):
            inside = module in ("catalogue.store", "catalogue.search") \
                or module.startswith(("catalogue.store.", "catalogue.search."))
            if inside and name not in ALLOWED.get(module, ()):
                offending.append(f"{path.relative_to(PACKAGE)}: {module}.{name}")
    assert offending == []


def test_no_route_or_command_reaches_the_store_or_the_search_backend_through_the_services():
    reached, built = [], []
    for path in ENTRY:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and CONTAINER.search(ast.unparse(node.value)) and (
                    node.attr in ("store", "search") or ast.unparse(node).endswith("keeper.images")):
                reached.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {ast.unparse(node)}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in BUILDERS:
                built.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.func.id}()")
    assert reached == [] and built == []


def test_the_scan_sees_a_route_that_reaches_into_the_store():
    """The check above is no empty promise: the forms a route would use are caught."""
    for source in ("services().store.get_object(i)", "svc.search.count()", "self.services.keeper.store",
                   "current_app.extensions['vitrine'].store"):
        node = ast.parse(source).body[0].value
        found = [n for n in ast.walk(node) if isinstance(n, ast.Attribute) and n.attr in ("store", "search")
                 and CONTAINER.search(ast.unparse(n.value))]
        assert found, source


# -- the JSON API's record --------------------------------------------------------------

def test_the_record_of_a_withdrawn_object_is_410_gone_like_its_page_and_manifest(tmp_path):
    app = catalogue(tmp_path / "instance")
    client = app.test_client()
    assert client.get("/api/objects/open").status_code == 200
    app.extensions["vitrine"].objects.withdraw(["open"])
    response = client.get("/api/objects/open")
    assert response.status_code == 410
    assert response.get_json() == {"error": "object 'open' was withdrawn from this catalogue", "status": 410}
    assert client.get("/object/open").status_code == 410
    assert client.get("/iiif/object/open/manifest").status_code == 410
    assert client.get("/api/objects/never-was").status_code == 404


def test_the_record_lists_only_the_media_the_requester_may_get(tmp_path):
    app = catalogue(tmp_path / "instance")
    client = app.test_client()
    held = client.get("/api/objects/held").get_json()
    # The image of a work in copyright is served reduced through the Image API; its 3D model not at all.
    assert held["links"]["media"] == {"hubble": "http://localhost/iiif/image/hubble/info.json"}
    assert client.get("/media/held-model").status_code == 403  # what the record no longer offers
    assert [m["id"] for m in held["media"]] == ["hubble", "held-model"]  # the record itself stays whole
    for link in held["links"]["media"].values():
        assert client.get(link.removeprefix("http://localhost")).status_code == 200
    opened = client.get("/api/objects/open").get_json()
    assert opened["links"]["media"] == {"grid": "http://localhost/iiif/image/grid/info.json"}


def test_the_record_links_no_media_when_the_policy_denies_everything(tmp_path):
    app = catalogue(tmp_path / "instance", ACCESS_POLICY="deny")
    record = app.test_client().get("/api/objects/open").get_json()
    assert record["links"]["media"] == {}
    assert record["label"] == {"en": ["Grid"]}


# -- the public view, as the editor and the routes ask it --------------------------------

def test_the_public_view_hides_drafts_and_tells_a_withdrawn_object_from_an_unknown_one(collection):
    svc = collection.extensions["vitrine"]
    public = svc.catalogue
    assert [e.slug for e in public.exhibitions()] == ["origins"]
    assert public.exhibition("origins").published
    with pytest.raises(NotFound):
        public.exhibition("secret-draft")  # in the store, but the curators' alone
    svc.objects.withdraw(["coins"])
    with pytest.raises(Gone):
        public.object("coins")
    with pytest.raises(NotFound) as unknown:
        public.object("never-was")
    assert not isinstance(unknown.value, Gone)
    with pytest.raises(NotFound):
        public.object("not an id\n")
    pages = public.sitemap(1, Urls("https://example.org"))
    assert "https://example.org/exhibition/origins" in pages
    assert not any("secret-draft" in page for page in pages)
    objects = public.sitemap(2, Urls("https://example.org"))
    assert "https://example.org/object/album" in objects and "https://example.org/object/coins" not in objects
    assert public.sitemap_files() == 2
    with pytest.raises(NotFound):
        public.sitemap(3, Urls("https://example.org"))
