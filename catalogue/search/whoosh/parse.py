"""A visitor's query text read by Whoosh's parser and handed on as Vitrine's query tree.

Words, "phrases", OR, NOT and ``-word``, ``field:value`` and ``word*`` are
Whoosh's syntax; each word is folded by the neutral analyzer. Nothing of
Whoosh's own query objects leaves this module. A query the parser cannot make
sense of is answered as plain words.
"""
from __future__ import annotations

import re

from whoosh import fields, qparser
from whoosh import query as wq

from .. import query
from ..query import TEXT_FIELDS, VALUE_FIELDS
from .analysis import neutral_analyzer

_NEUTRAL = neutral_analyzer()


def _parser() -> qparser.QueryParser:
    schema = fields.Schema(
        **{name: fields.TEXT(analyzer=_NEUTRAL, phrase=False) for name in TEXT_FIELDS},
        **{name: fields.ID() for name in VALUE_FIELDS},
    )
    parser = qparser.QueryParser("text", schema, group=qparser.AndGroup)
    parser.remove_plugin_class(qparser.BoostPlugin)
    parser.remove_plugin_class(qparser.RangePlugin)
    # + and - only at the start of a word, so "Saint-Rémy" stays one name
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    return parser


_PARSER = _parser()


class Unsupported(Exception):
    """A parsed query with a part Vitrine's tree has no node for; the words are used instead."""


def parse(text: str) -> query.Query:
    """The query tree for ``text``; anything odd becomes plain words, never an error."""
    text = text.strip()
    if not text:
        return query.Everything()
    try:
        parsed = _PARSER.parse(text)
        if parsed is wq.NullQuery and re.search(r"(^|\s)-\w", text):
            parsed = _PARSER.parse("*:* " + text)  # only words to leave out: leave them out of everything
        return _tree(parsed)
    except Exception:  # noqa: BLE001 - whatever the parser makes of odd text, a visitor gets an answer
        return plain_words(text)


def plain_words(text: str) -> query.Query:
    """All the words of ``text``, ignoring any syntax."""
    words = [t.text for t in _NEUTRAL(text)]
    return query.And(tuple(query.Term("text", w) for w in words)) if words else query.Everything()


def _tree(q: wq.Query) -> query.Query:
    """Whoosh's parsed query as Vitrine's tree."""
    if getattr(q, "error", None):
        raise Unsupported(repr(q))
    if isinstance(q, wq.Every):
        return query.Everything()
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return query.Nothing()
    if isinstance(q, wq.Term):
        return query.Term(q.fieldname, q.text)
    if isinstance(q, wq.Phrase):
        return query.Phrase(q.fieldname, tuple(q.words))
    if isinstance(q, wq.Prefix):
        return query.Prefix(q.fieldname, q.text)
    if isinstance(q, wq.Wildcard):
        return query.Wildcard(q.fieldname, q.text)
    if isinstance(q, wq.Not):
        return query.Not(_tree(q.query))
    if isinstance(q, wq.AndNot):
        return query.AndNot(_tree(q.a), _tree(q.b))
    if isinstance(q, wq.AndMaybe):
        return query.AndMaybe(_tree(q.a), _tree(q.b))
    if isinstance(q, wq.Require):
        return query.Require(_tree(q.a), _tree(q.b))
    if isinstance(q, wq.And):
        return query.And(tuple(_tree(c) for c in q.subqueries))
    if isinstance(q, wq.DisjunctionMax):
        return query.Best(tuple(_tree(c) for c in q.subqueries))
    if isinstance(q, wq.Or):
        return query.Or(tuple(_tree(c) for c in q.subqueries))
    raise Unsupported(repr(q))
