"""Records checked against the published schema (``catalogue/schemas/record.schema.json``).

The schema is the format's contract: what it refuses, the importer refuses, every problem of a
record at once, each in plain words with its field path in the model's form (``creators[1].name``,
``label.en[0]``). Nothing here knows the schema's fields: a field added to the schema just works.
"""
from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError as SchemaError

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "record.schema.json"
UNKNOWN = "unknown field"  # the message every unknown field's problem starts with

# What other formats (Dublin Core, museum APIs, IIIF 2) call a field of Vitrine's, for the hint.
ALIASES = {"title": "label", "name": "label", "description": "summary", "creator": "creators",
           "artist": "creators", "maker": "creators", "subject": "subjects", "license": "rights",
           "url": "homepage", "images": "media", "image": "media", "files": "media"}

_NAME = re.compile(r"[^\s.\[\]'\"]+")
_TYPES = {"integer": "a whole number", "number": "a number", "string": "text", "array": "a list",
          "object": "an object", "boolean": "true or false", "null": "empty (null)"}


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator(kind: str) -> Draft7Validator:
    """One compiled validator per kind of record, made once: the record's ``kind`` picks its
    definition, so errors are about that kind rather than "valid under none of five"."""
    root = schema()
    return Draft7Validator({"definitions": root["definitions"], "$ref": f"#/definitions/{kind}"})


@cache
def _check(kind: str):
    """The same check compiled to Python by fastjsonschema: a valid record (nearly all of them) passes
    in a few microseconds; only a failing one is then explained by jsonschema, every problem at once.
    Formats are not checked, as jsonschema (without a format checker) does not."""
    definitions = schema()["definitions"]
    return fastjsonschema.compile(_fast(definitions[kind], definitions), use_formats=False, detailed_exceptions=False)


# The keywords that judge only a value of their type (JSON Schema ignores them for any other).
_KEYWORDS = {
    "string": {"pattern", "minLength", "maxLength", "format"},
    "integer": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"},
    "object": {"properties", "required", "additionalProperties", "patternProperties", "propertyNames",
               "minProperties", "maxProperties", "dependencies"},
    "array": {"items", "additionalItems", "minItems", "maxItems", "uniqueItems", "contains"},
    "boolean": set(), "null": set(),
}
_KEYWORDS["number"] = _KEYWORDS["integer"]
_NOTES = {"type", "description", "title", "examples", "default", "$comment"}


def _fast(value: Any, definitions: dict) -> Any:
    """The schema in an equivalent form that fastjsonschema checks fast, with no exception raised
    for a valid record (each one costs the caller's ``locals()`` for its message):
    - a ``$ref`` is the definition it names, written in its place (the definitions do not refer
      to themselves): a definition is a function whose argument, the value's name for messages,
      fastjsonschema formats for every element of every list;
    - a ``oneOf`` whose branches each have a type of their own, and only keywords of that type,
      is one schema of those types with all their keywords (``1775`` or ``"1895-03"``: each keyword
      judges only values of its type), where fastjsonschema would try each branch in turn;
    - a ``const`` is the one-value ``enum`` (fastjsonschema 2.22 cannot compile ``const`` without
      detailed exceptions)."""
    if isinstance(value, list):
        return [_fast(item, definitions) for item in value]
    if not isinstance(value, dict):
        return value
    if "$ref" in value:  # draft 7: a reference's siblings are ignored
        return _fast(definitions[value["$ref"].removeprefix("#/definitions/")], definitions)
    out = {key: [item] if key == "const" else _fast(item, definitions) for key, item in value.items()}
    if "const" in out:
        out["enum"] = out.pop("const")
    merged = _by_type(out.get("oneOf"))
    if merged is not None and not set(merged) & set(out):
        del out["oneOf"]
        out.update(merged)
    return out


def _by_type(branches: Any) -> dict | None:
    """The branches of a ``oneOf`` as one schema, when each has a type no other has (integer and
    number overlap) and only keywords of its type; None otherwise."""
    if not isinstance(branches, list) or not branches:
        return None
    types = [b["type"] for b in branches if isinstance(b, dict) and isinstance(b.get("type"), str)]
    if len(types) < len(branches) or not all(t in _KEYWORDS for t in types) or len(set(types)) < len(types) \
            or {"integer", "number"} <= set(types):
        return None
    merged: dict = {"type": types}
    for branch, kind in zip(branches, types, strict=True):
        keywords = set(branch) - _NOTES
        if keywords - _KEYWORDS[kind]:
            return None
        merged.update({key: branch[key] for key in keywords})
    return merged


def _valid(kind: str, data: Any) -> bool:
    try:
        _check(kind)(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def fields(kind: str = "object") -> set[str]:
    """The top-level field names the schema allows for ``kind``."""
    return set(schema()["definitions"][kind].get("properties", {}))


def path_of(parts: Iterable[Any]) -> str:
    """``['creators', 1, 'name']`` → ``creators[1].name``: the model's way of naming a field."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _NAME.fullmatch(part):  # a key like "" or "a.b" is quoted: ['a.b']
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else part
    return out


def unknown_message(name: str, known: Iterable[str]) -> str:
    """"unknown field", with a hint when a known name (or what other formats call it) is close:
    'lable' → did you mean 'label'? and 'titel', close to 'title', → 'label' too."""
    names = {k: k for k in known}
    names = {**{alias: field for alias, field in ALIASES.items() if field in names}, **names}
    close = difflib.get_close_matches(name.lower(), sorted(names), n=1, cutoff=0.6)
    return UNKNOWN + (f" (did you mean {names[close[0]]!r}?)" if close else "")


def as_read(value: Any) -> Any:
    """The record as the model reads it, for the schema to judge: text trimmed, and a field that is
    null or empty text is no field (the model takes ``"rights": ""`` and ``"uri": null`` as absent)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = as_read(item)
            if item is not None and item != "":
                out[key] = item
        return out
    if isinstance(value, list):
        return [as_read(item) for item in value]
    return value


def problems(kind: str, data: dict, read_form: bool = False) -> list[tuple[str, str]]:
    """Every (field path, message) the schema finds in a record of ``kind`` (as the model reads it:
    ``read_form`` when it already is, a mapping's record, so it is not walked a second time)."""
    if not read_form:
        data = as_read(data)
    if _valid(kind, data):
        return []
    found: dict[tuple[str, str], None] = {}
    for error in _validator(kind).iter_errors(data):
        for pair in _explain(error):
            found.setdefault(pair)
    return list(found)


def unknown_fields(kind: str, data: dict) -> list[tuple[list[Any], str]]:
    """Every field the schema does not know: its path (keys and indexes) and the message naming it."""
    out = []
    for error in _validator(kind).iter_errors(as_read(data)):
        for leaf in _leaves(error):
            if leaf.validator == "additionalProperties":
                known = leaf.schema.get("properties", {})
                out += [([*leaf.absolute_path, name], unknown_message(name, known)) for name in _extra(leaf)]
    return out


def _leaves(error: SchemaError) -> Iterator[SchemaError]:
    """The errors that say what is wrong: a ``oneOf``'s error is replaced by those of the branch
    the value was meant for (the one whose type it has)."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        branch = _meant(error)
        if branch is not None:
            for sub in error.context:
                if sub.relative_schema_path and sub.relative_schema_path[0] == branch:
                    yield from _leaves(sub)
            return
    yield error


def _meant(error: SchemaError) -> int | None:
    """The one branch of a oneOf whose type (and shape) the value has, if exactly one: of several
    with its type (a local file, an image service, an image URL), the one whose required fields it has."""
    def failing(validators: tuple[str, ...]) -> set[int]:
        return {sub.relative_schema_path[0] for sub in error.context or ()
                if len(sub.relative_schema_path) == 2 and sub.validator in validators}

    branches = [i for i in range(len(error.validator_value)) if i not in failing(("type", "const", "enum"))]
    if len(branches) > 1:
        branches = [i for i in branches if i not in failing(("required",))] or branches
    return branches[0] if len(branches) == 1 else None


def _extra(error: SchemaError) -> list[str]:
    allowed = error.schema.get("properties", {})
    patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
    return [name for name in error.instance
            if name not in allowed and not any(p.search(name) for p in patterns)]


def _explain(error: SchemaError) -> Iterator[tuple[str, str]]:
    for leaf in _leaves(error):
        where = path_of(leaf.absolute_path)
        if leaf.validator == "additionalProperties":
            known = leaf.schema.get("properties", {})
            for name in _extra(leaf):
                yield path_of([*leaf.absolute_path, name]), unknown_message(name, known)
        elif leaf.validator == "required":
            for name in leaf.validator_value:
                if isinstance(leaf.instance, dict) and name not in leaf.instance:
                    yield path_of([*leaf.absolute_path, name]), "is required"
        elif "propertyNames" in leaf.absolute_schema_path:
            yield where, f"the key {_shown(leaf.instance)} is not in the expected form" + _described(leaf)
        else:
            yield where, _words(leaf)


def _described(error: SchemaError) -> str:
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    return f" ({description})" if description else ""


def _words(error: SchemaError) -> str:
    """jsonschema's message said in plain words: "'x' is not of type 'integer'" → "must be a whole number"."""
    value = error.validator_value
    match error.validator:
        case "type":
            kinds = value if isinstance(value, list) else [value]
            return "must be " + " or ".join(_TYPES.get(str(k), str(k)) for k in kinds)
        case "enum":
            return "must be one of: " + ", ".join(str(v) for v in value)
        case "const":
            return f"must be {value!r}"
        case "maxLength":
            return f"is {len(error.instance):,} characters long; the limit is {value:,}"
        case "minLength":
            return f"must be at least {value:,} characters long"
        case "pattern":
            return f"{_shown(error.instance)} is not in the expected form" + _described(error)
        case "format":
            return f"{_shown(error.instance)} is not a valid {value}"
        case "minimum":
            return f"must be at least {value}"
        case "maximum":
            return f"must be at most {value}"
        case "exclusiveMinimum":
            return f"must be more than {value}"
        case "exclusiveMaximum":
            return f"must be less than {value}"
        case "minItems":
            return f"must have at least {value} entr{'y' if value == 1 else 'ies'}"
        case "maxItems":
            return f"must have at most {value} entr{'y' if value == 1 else 'ies'}"
        case "uniqueItems":
            return "must not repeat an entry"
        case "oneOf" | "anyOf":
            kinds = list(dict.fromkeys(_TYPES.get(str(b.get("type")), "") for b in value if isinstance(b, dict)))
            return "must be " + " or ".join(kinds) if all(kinds) else "is not any of the allowed forms"
    return "is not allowed here" + _described(error)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
