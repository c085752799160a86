"""A visitor's query text read into Vitrine's query tree, by Vitrine itself: no engine needed.

The syntax is the one the catalogue has always had (the README's "Query syntax"),
read the same way to the last quirk: a tokenizer tags the text, the tags are
grouped by parentheses, field names are given to what follows them, ``+``/``-``
sort the top level into required, optional and banned parts, and the operators
bind NOT tighter than AND, AND tighter than OR, OR tighter than the plain
juxtaposition (which means AND). Words are folded as the neutral analysis folds
them. Whatever the parser cannot make sense of is answered as plain words, never
an error; nesting deeper than MAX_DEPTH is answered so too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import query
from .folding import fold, words
from .query import TEXT_FIELDS, VALUE_FIELDS

MAX_DEPTH = 64
"""Parentheses or binary operators nested deeper than this are read as plain words, so no
recursion runs away; a query of SEARCH_MAX_QUERY_CHARS (500) cannot nest this deep otherwise."""

FIELDS = TEXT_FIELDS + VALUE_FIELDS
_QMARKS = "?\u055e\u061f\u1367"  # a question mark in Latin, Armenian, Arabic, Ethiopic


class Unparsable(Exception):
    """Text whose syntax means nothing; its words are used instead."""


# -- syntax nodes: what the tokenizer tags, rearranged by the passes below --------------------------

@dataclass
class _Text:
    """A word (analysed into words), a wildcard or prefix pattern, or a phrase."""

    kind: str  # "word", "wild", "prefix", "phrase"
    text: str
    field: str | None = None


@dataclass
class _Mark:
    """A tag that is no text: whitespace, a bracket, an operator, + or -, ``*:*``, a field name."""

    kind: str  # "ws", "open", "close", "plus", "minus", "every", "field", or an operator name
    text: str
    name: str = ""  # of a field


@dataclass
class _Group:
    """Nodes under one operator: "and", "or", "andnot", "andmaybe", "require", "not"."""

    kind: str
    nodes: list[_Node] = field(default_factory=list)


_Node = _Text | _Mark | _Group
_BINARY_NODES: dict[str, type[query.AndNot | query.AndMaybe | query.Require]] = {
    "andnot": query.AndNot, "andmaybe": query.AndMaybe, "require": query.Require,
}
_BINARY = tuple(_BINARY_NODES)

_TAGS = (
    ("andnot", r"(?<=\s)ANDNOT(?=\s)"),
    ("andmaybe", r"(?<=\s)ANDMAYBE(?=\s)"),
    ("every", r"[*]:[*]"),
    ("quoted", r"(^|(?<=\W))'(?P<text>.*?)'(?=\s|\]|[)}]|$)"),
    ("field", r"(?P<text>\w+|[*]):"),
    ("wild", rf"(?P<text>[*{_QMARKS}])"),
    ("phrase", r'"(?P<text>.*?)"(~(?P<slop>[1-9][0-9]*))?'),
    ("open", r"[(]"),
    ("close", r"[)]"),
    ("not", r"(^|(?<=(\s|[()])))NOT(?=\s)"),
    ("and", r"(?<=\s)AND(?=\s)"),
    ("or", r"(?<=\s)OR(?=\s)"),
    ("require", r"(^|(?<=\s))REQUIRE(?=\s)"),
    ("plus", r"(?<![^\s(])\+"),  # + and - only at the start of a word, so "Saint-Rémy" stays one name
    ("minus", r"(?<![^\s(])-"),
    ("ws", r"\s+"),
)
_TAG = re.compile("|".join(f"(?P<{kind}>{expr.replace('?P<', f'?P<{kind}_')})" for kind, expr in _TAGS))
"""All the tags in one pattern: at each place the first that matches, in the order above."""
_OPERATORS = ("not", "and", "or", "andnot", "andmaybe", "require")  # the order they bind in


def parse(text: str) -> query.Node:
    """The query tree for ``text``; anything odd becomes plain words, never an error."""
    text = text.strip()
    if not text:
        return query.Everything()
    try:
        tree = _parse(text)
        if isinstance(tree, query.Nothing) and re.search(r"(^|\s)-\w", text):
            tree = _parse("*:* " + text)  # only words to leave out: leave them out of everything
        return _public(tree)
    except Unparsable:
        return plain_words(text)


def plain_words(text: str) -> query.Node:
    """All the words of ``text``, ignoring any syntax."""
    found = words(text)
    return query.And(tuple(query.Term("text", w) for w in found)) if found else query.Everything()


def _parse(text: str) -> query.Node:
    top = _groups(_tags(text))
    _wildcards(top)
    top = _fields(top)
    top = _plus_minus(_without_whitespace(top))
    _operators(top)
    return _normal(_query(top) or query.Nothing())


# -- the passes -----------------------------------------------------------------------------------

def _tags(text: str) -> list[_Node]:
    """The tagged text: at each place the first tag that matches, the text between them words."""
    out: list[_Node] = []
    prev = 0
    for match in _TAG.finditer(text):
        if prev < match.start():
            out.append(_Text("word", text[prev:match.start()]))
        out.append(_tag(match))
        prev = match.end()
    if prev < len(text):
        out.append(_Text("word", text[prev:]))
    return out


def _tag(match: re.Match[str]) -> _Node:
    kind = str(match.lastgroup)  # the outer group, the kind of tag: it closes last
    if kind in ("quoted", "wild", "phrase"):
        return _Text("word" if kind == "quoted" else kind, match.group(f"{kind}_text"))
    if kind == "field":
        return _Mark("field", match.group(0), match.group("field_text"))
    return _Mark(kind, match.group(0))


def _groups(nodes: list[_Node]) -> _Group:
    """Parentheses as groups; an unclosed one's nodes join the top, a stray ``)`` is dropped."""
    stack = [_Group("and")]
    for node in nodes:
        if isinstance(node, _Mark) and node.kind == "open":
            stack.append(_Group("and"))
        elif isinstance(node, _Mark) and node.kind == "close":
            if len(stack) > MAX_DEPTH + 1:
                raise Unparsable(node)  # a group this deep would nest the passes below as deep
            if len(stack) > 1:
                last = stack.pop()
                stack[-1].nodes.append(last)
        else:
            stack[-1].nodes.append(node)
    top = stack[0]
    for unclosed in stack[1:]:
        top.nodes.extend(unclosed.nodes)
    if len(top.nodes) == 1 and isinstance(top.nodes[0], _Group):
        top = top.nodes[0]
    return top


def _wildcards(group: _Group) -> None:
    """A ``*`` or ``?`` joins the text on either side into one pattern; ``word*`` is a prefix."""
    nodes = group.nodes
    i = 0
    while i < len(nodes):
        node = nodes[i]
        if isinstance(node, _Text) and node.kind == "wild":
            if i < len(nodes) - 1 and isinstance(nodes[i + 1], _Text):
                node.text += nodes.pop(i + 1).text  # type: ignore[union-attr]
            if i > 0 and isinstance(nodes[i - 1], _Text):
                node.text = nodes.pop(i - 1).text + node.text  # type: ignore[union-attr]
            else:
                i += 1
        else:
            if isinstance(node, _Group):
                _wildcards(node)
            i += 1
    for node in nodes:
        if (isinstance(node, _Text) and node.kind == "wild" and len(node.text) > 1
                and not any(q in node.text for q in _QMARKS) and node.text.find("*") == len(node.text) - 1):
            node.kind, node.text = "prefix", node.text[:-1]


def _as_word(mark: _Mark) -> _Text:
    return _Text("word", mark.text)


def _fields(group: _Group) -> _Group:
    """``field:`` gives its field to the node right after it; an unknown field name is text."""
    kept: list[_Node] = []
    unknown: _Mark | None = None
    for node in group.nodes:
        if isinstance(node, _Mark) and node.kind == "field" and node.name not in FIELDS:
            unknown = node
            continue
        if unknown:
            if isinstance(node, _Text):
                node.text = unknown.text + node.text
            else:
                kept.append(_as_word(unknown))
            unknown = None
        kept.append(node)
    if unknown:
        kept.append(_as_word(unknown))

    out: list[_Node] = []
    i = len(kept)
    while i > 0:
        i -= 1
        node = kept[i]
        if isinstance(node, _Mark) and node.kind == "field":
            node = _as_word(node)  # a field name before nothing it could apply to
        elif isinstance(node, _Group):
            node = _fields(node)
        before = kept[i - 1] if i > 0 else None
        if isinstance(before, _Mark) and before.kind == "field" and not (isinstance(node, _Mark) and node.kind == "ws"):
            _give_field(node, before.name)
            i -= 1
        out.append(node)
    out.reverse()
    return _Group(group.kind, out)


def _give_field(node: _Node, name: str) -> None:
    if isinstance(node, _Text) and node.field is None:
        node.field = name
    elif isinstance(node, _Group):
        for child in node.nodes:
            _give_field(child, name)


def _without_whitespace(group: _Group) -> _Group:
    return _Group(group.kind, [
        _without_whitespace(n) if isinstance(n, _Group) else n
        for n in group.nodes if not (isinstance(n, _Mark) and n.kind == "ws")
    ])


def _plus_minus(group: _Group) -> _Group:
    """At the top level, ``+word`` is required, ``-word`` banned, the rest what is looked for."""
    required, optional, banned = _Group("and"), _Group("and"), _Group("or")
    into = optional
    for node in group.nodes:
        if isinstance(node, _Mark) and node.kind == "plus":
            into = required
        elif isinstance(node, _Mark) and node.kind == "minus":
            into = banned
        else:
            into.nodes.append(node)
            into = optional
    top = optional
    if required.nodes:
        top = _Group("andmaybe", [required, top])
    if banned.nodes:
        top = _Group("andnot", [top, banned])
    return top


def _operators(group: _Group, depth: int = 0) -> None:
    """Each operator, in binding order, takes the node after it (NOT) or the nodes either side."""
    if depth > MAX_DEPTH:
        raise Unparsable(group)  # "a ANDNOT b ANDNOT c ..." nests one level per operator
    nodes = group.nodes
    for kind in _OPERATORS:
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if not (isinstance(node, _Mark) and node.kind == kind):
                i += 1
            elif kind == "not":
                del nodes[i]
                if i < len(nodes):
                    nodes[i] = _Group("not", [nodes[i]])
            elif 0 < i < len(nodes) - 1:
                left, right = nodes[i - 1], nodes[i + 1]
                if kind not in _BINARY and isinstance(left, _Group) and left.kind == kind:
                    left.nodes.append(right)
                    del nodes[i:i + 2]
                else:
                    nodes[i - 1:i + 2] = [_Group(kind, [left, right])]
            else:
                del nodes[i]
    for node in nodes:
        if isinstance(node, _Group):
            _operators(node, depth + 1)


# -- the query, normalised ------------------------------------------------------------------------

def _every_in(q: query.Node) -> bool:
    """``field:*``: every object with a word in that field. The normaliser keeps it a Wildcard to tell
    it from Everything (``*:*``); the tree handed out has Everything for both."""
    return isinstance(q, query.Wildcard) and q.text == "*"


def _query(node: _Node) -> query.Node | None:
    """The tree for one node; None for a node that stands for nothing (a word of no letters)."""
    if isinstance(node, _Text):
        return _text(node)
    if isinstance(node, _Mark):
        if node.kind == "every":
            return query.Everything()
        raise Unparsable(node)  # a + or - inside parentheses
    if node.kind == "not":
        if not node.nodes:
            raise Unparsable(node)
        inner = _query(node.nodes[0])
        return query.Not(inner) if inner is not None and not _empty(inner) else None
    if node.kind in _BINARY:
        if len(node.nodes) != 2:
            raise Unparsable(node)  # an operator with one side: "a ANDNOT ANDNOT b"
        a, b = (_query(n) for n in node.nodes)
        if a is None or b is None:
            return query.Nothing() if a is None and b is None else a or b
        return _BINARY_NODES[node.kind](a, b)
    parts = tuple(q for q in (_query(n) for n in node.nodes) if q is not None)
    return query.And(parts) if node.kind == "and" else query.Or(parts)


def _empty(q: query.Node) -> bool:
    return isinstance(q, (query.And, query.Or)) and not q.parts


def _text(node: _Text) -> query.Node | None:
    name = node.field or "text"
    analysed = name in TEXT_FIELDS
    if node.kind == "word":
        found = words(node.text) if analysed else [node.text]
        if not found:
            return None
        return query.Term(name, found[0]) if len(found) == 1 else query.And(tuple(query.Term(name, w) for w in found))
    if node.kind == "phrase":
        return query.Phrase(name, tuple(words(node.text) if analysed else [node.text]))
    text = fold(node.text) if analysed else node.text
    return query.Prefix(name, text) if node.kind == "prefix" else query.Wildcard(name, text)


def _field(q: query.Node) -> str | None:
    """The one field ``q`` looks in, or None."""
    if isinstance(q, (query.Term, query.Phrase, query.Prefix, query.Wildcard)):
        return q.field
    if isinstance(q, (query.And, query.Or)):
        fields = {_field(p) for p in q.parts}
        return fields.pop() if len(fields) == 1 and q.parts else None
    if isinstance(q, (query.AndNot, query.AndMaybe, query.Require)):
        a, b = (_field(p) for p in query.children(q))
        return a if a == b else None
    return None


def _normal(q: query.Node) -> query.Node:
    """``q`` without redundancy: nested ANDs flattened, repeats and empty parts dropped."""
    nothing = query.Nothing()
    if isinstance(q, query.Phrase):
        if not q.words:
            return nothing
        return query.Term(q.field, q.words[0]) if len(q.words) == 1 else q
    if isinstance(q, query.Wildcard):
        if q.text == "*":
            return q
        if "*" not in q.text and "?" not in q.text:
            return query.Term(q.field, q.text)
        if "?" not in q.text and q.text.find("*") == len(q.text) - 1:
            return query.Prefix(q.field, q.text[:-1])
        return q
    if isinstance(q, query.Not):
        part = _normal(q.part)
        return nothing if part == nothing else query.Not(part)
    if isinstance(q, (query.AndNot, query.AndMaybe, query.Require)):
        a, b = (_normal(p) for p in query.children(q))
        if a == nothing or (b == nothing and isinstance(q, query.Require)):
            return nothing
        return a if b == nothing else type(q)(a, b)
    if isinstance(q, (query.And, query.Or)):
        return _normal_compound(q)
    return q


def _normal_compound(q: query.And | query.Or) -> query.Node:
    nothing = query.Nothing()
    parts: list[query.Node] = []
    for part in map(_normal, q.parts):
        parts.extend(part.parts if isinstance(part, (query.And, query.Or)) and type(part) is type(q) else [part])
    if all(p == nothing for p in parts):
        return nothing
    if query.Everything() in parts:
        return query.Everything()
    everywhere = {p.field for p in parts if isinstance(p, query.Wildcard) and _every_in(p)}
    kept: list[query.Node] = []
    for part in parts:
        if part == nothing or part in kept or (not _every_in(part) and _field(part) in everywhere):
            continue
        kept.append(part)
    if not kept:
        return nothing
    return kept[0] if len(kept) == 1 else type(q)(tuple(kept))


def _public(q: query.Node) -> query.Node:
    """The tree with every ``*`` read as Everything."""
    if _every_in(q):
        return query.Everything()
    if isinstance(q, (query.And, query.Or, query.Best)):
        return type(q)(tuple(_public(p) for p in q.parts))
    if isinstance(q, query.Not):
        return query.Not(_public(q.part))
    if isinstance(q, (query.AndNot, query.AndMaybe, query.Require)):
        return type(q)(*(_public(p) for p in query.children(q)))
    return q
