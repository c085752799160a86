"""README.md names every setting, command and endpoint the code has, and none it does not have.

In the spirit of datasette's tests/test_docs.py: the lists come from the code (the DEFAULTS
dicts and every VITRINE_* name in catalogue/, the `vitrine` click group walked recursively,
the Flask url_map), so a new one fails here until the README says what it is.
"""
from __future__ import annotations

import importlib
import pkgutil
import re

import click
import pytest
from flask import Flask

import catalogue
from catalogue.cli import main
from catalogue.config import configure
from support import ROOT

README = (ROOT / "README.md").read_text()
CODE = "\n".join(path.read_text() for path in (ROOT / "catalogue").rglob("*.py"))


def _section(title: str) -> str:
    """The text of the README's ``## title`` section, up to the next section of that level."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def _first_cells(text: str) -> list[str]:
    """The first cell of every table row in ``text`` (header and separator rows left out)."""
    lines = text.splitlines()
    rows = [line for line, below in zip(lines, [*lines[1:], ""], strict=True)
            if line.startswith("|") and not re.fullmatch(r"\|[-:| ]+\|", below) and not re.fullmatch(r"\|[-:| ]+\|", line)]
    return [re.split(r"(?<!\\)\|", row)[1].strip() for row in rows]


# Settings ---------------------------------------------------------------------------------------

def _code_settings(instance: str) -> set[str]:
    """Every setting Vitrine reads: the keys of each module's DEFAULTS, the paths configure() derives, every VITRINE_* name."""
    names: set[str] = set()
    for module in pkgutil.walk_packages(catalogue.__path__, "catalogue."):
        defaults = getattr(importlib.import_module(module.name), "DEFAULTS", None)
        if isinstance(defaults, dict):
            names |= {key for key in defaults if isinstance(key, str) and key.isupper()}
    bare = Flask("bare")
    configured = Flask("configured")
    configure(configured, {"INSTANCE": instance, "SECRET_KEY": "x"})
    names |= set(configured.config) - set(bare.config) | {"SECRET_KEY"}
    names |= set(re.findall(r"\bVITRINE_([A-Z][A-Z0-9_]*)", CODE))
    return names


def _readme_settings() -> tuple[set[str], set[str]]:
    """The settings the Configuration table lists, and every VITRINE_* the README names anywhere."""
    listed = {m for cell in _first_cells(_section("Configuration")) for m in re.findall(r"`VITRINE_([A-Z0-9_]+)`", cell)}
    return listed, set(re.findall(r"\bVITRINE_([A-Z][A-Z0-9_]*)", README))


def test_every_setting_in_the_code_is_in_the_configuration_table(tmp_path):
    listed, _ = _readme_settings()
    assert sorted(_code_settings(str(tmp_path)) - listed) == []


def test_every_setting_the_readme_names_exists_in_the_code(tmp_path):
    listed, named = _readme_settings()
    assert sorted((listed | named) - _code_settings(str(tmp_path))) == []


# Commands ---------------------------------------------------------------------------------------

def _commands(group: click.Group = main, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], click.Command]:
    """Every command and subcommand of ``vitrine``, by its words."""
    found: dict[tuple[str, ...], click.Command] = {}
    for name, command in group.commands.items():
        found[(*path, name)] = command
        if isinstance(command, click.Group):
            found |= _commands(command, (*path, name))
    return found


def _readme_command_rows() -> set[tuple[str, ...]]:
    """The command each row of the Commands table names: ``vitrine`` and the words before any argument."""
    rows = set()
    for cell in _first_cells(_section("Commands")):
        words = re.match(r"`vitrine ((?:[a-z][a-z0-9-]* ?)+)", cell)
        assert words, f"a Commands row that names no command: {cell}"
        rows.add(tuple(words.group(1).split()))
    return rows


def test_every_command_has_a_row_in_the_commands_table():
    leaves = {path for path, command in _commands().items() if not isinstance(command, click.Group)}
    assert sorted(leaves - _readme_command_rows()) == []


def test_every_command_the_readme_names_exists():
    commands = _commands()
    named = set(re.findall(r"(?:^|[`/ ])vitrine((?: [a-z][a-z0-9-]*)+)", README, re.M))
    wrong = []
    for words in _readme_command_rows() | {tuple(n.split()) for n in named}:
        path: tuple[str, ...] = ()
        for word in words:
            if (*path, word) in commands:
                path = (*path, word)
            else:
                break
        group = commands.get(path, main)
        if not path or (isinstance(group, click.Group) and len(words) > len(path)):
            wrong.append(" ".join(words))
    assert sorted(wrong) == []


# HTTP endpoints ---------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"<[^<>]*>|\{[^{}]*\}")


def _shape(path: str) -> str:
    """A path with every placeholder, and every segment made only of placeholders, as ``<>``."""
    segments = PLACEHOLDER.sub("<>", path).split("/")
    return "/".join("<>" if s and re.fullmatch(r"(<>[.,]?)+", s) else s for s in segments)


@pytest.fixture(scope="module")
def code_endpoints(tmp_path_factory) -> set[str]:
    """Every method and path shape of the application's URL map."""
    # Institutional sign-in on (its routes exist only then); nothing is asked of the provider here.
    app = catalogue.create_app({"INSTANCE": str(tmp_path_factory.mktemp("docs")), "TESTING": True,
                                "OIDC_ISSUER": "https://idp.example.org", "OIDC_CLIENT_ID": "vitrine"})
    app.extensions["vitrine"].store.close()
    endpoints = set()
    for rule in app.url_map.iter_rules():
        paths = [rule.rule]
        choice = re.search(r"<any\(([^)]*)\):\w+>", rule.rule)
        if choice:  # an any() converter is one literal segment per choice
            paths = [rule.rule.replace(choice.group(0), c.strip()) for c in choice.group(1).split(",")]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            endpoints |= {f"{method} {_shape(path)}" for path in paths}
    return endpoints


def _readme_endpoints() -> set[str]:
    """Every path in the first cell of the HTTP endpoints table; ``[/x]`` is optional, ``?…`` a query."""
    endpoints = set()
    for cell in _first_cells(_section("HTTP endpoints")):
        method = "GET"
        for span in re.findall(r"`([^`]+)`", cell):
            said = re.match(r"([A-Z]+) (.*)", span)
            if said:
                method, span = said.groups()
            path = span.split("?")[0]
            assert path.startswith("/"), f"not a whole path in the HTTP endpoints table: {span}"
            optional = re.search(r"\[([^\]]*)\]", path)
            forms = [path.replace(optional.group(0), ""), path.replace(optional.group(0), optional.group(1))] if optional else [path]
            endpoints |= {f"{method} {_shape(form)}" for form in forms}
    return endpoints


def test_every_endpoint_is_in_the_http_endpoints_table(code_endpoints):
    assert sorted(code_endpoints - _readme_endpoints()) == []


def test_every_endpoint_the_readme_lists_exists(code_endpoints):
    assert sorted(_readme_endpoints() - code_endpoints) == []


@pytest.mark.parametrize("title", ["Configuration", "Commands", "HTTP endpoints"])
def test_the_sections_the_docs_tests_read_are_there(title):
    assert _first_cells(_section(title))
