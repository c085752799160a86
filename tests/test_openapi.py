"""catalogue/static/openapi.json describes every /api/ route with its methods, names none that does
not exist, and is valid OpenAPI 3.1 (checked offline with openapi-spec-validator)."""
from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate
from support import ROOT

from catalogue import create_app

SPEC = json.loads((ROOT / "catalogue" / "static" / "openapi.json").read_text())
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def routes(tmp_path_factory) -> set[str]:
    """Every "METHOD /api/path/{param}" of the application's URL map."""
    app = create_app({"INSTANCE": str(tmp_path_factory.mktemp("openapi")), "TESTING": True})
    app.extensions["vitrine"].store.close()
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[a-z]+:)?(\w+)>", r"{\1}", rule.rule)
            found |= {f"{method} {path}" for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def described() -> set[str]:
    return {f"{method.upper()} {path}" for path, item in SPEC["paths"].items() for method in item if method in METHODS}


def test_every_api_route_is_described_with_each_of_its_methods(routes):
    assert routes - described() == set()


def test_every_described_route_exists(routes):
    assert described() - routes == set()


def test_the_description_is_valid_openapi_3_1():
    assert SPEC["openapi"].startswith("3.1")
    validate(SPEC)


def test_every_path_parameter_is_declared_and_every_write_of_an_editable_record_asks_for_if_match():
    parameters = SPEC["components"]["parameters"]
    for path, item in SPEC["paths"].items():
        declared = {parameters[p["$ref"].rsplit("/", 1)[1]]["name"] if "$ref" in p else p["name"]
                    for p in item.get("parameters", [])}
        for method, operation in item.items():
            if method not in METHODS:
                continue
            names = declared | {parameters[p["$ref"].rsplit("/", 1)[1]]["name"] if "$ref" in p else p["name"]
                                for p in operation.get("parameters", [])}
            assert set(re.findall(r"{(\w+)}", path)) <= names, (method, path)
            creates = path == "/api/exhibitions" and method == "post"
            if method != "get" and not creates:
                assert "If-Match" in names and "428" in operation["responses"], (method, path)
                assert "412" in operation["responses"], (method, path)
