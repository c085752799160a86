"""Vitrine's own query parser reads every query as the Whoosh-based parser it replaced did.

The oracle below is that parser, kept here only as the reference: Whoosh's
qparser configured as the catalogue had it, its output turned into Vitrine's
tree. The corpus is every query of the benchmark's mix, the README's examples,
the queries the other tests send, and Hypothesis strings from the alphabet of
the syntax. Where the two differ on purpose, ON_PURPOSE names the case and why.
"""
from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields, qparser
from whoosh import query as wq
from whoosh.support.charset import accent_map

from catalogue.search import query
from catalogue.search.folding import fold, words
from catalogue.search.parser import MAX_DEPTH, parse, plain_words
from catalogue.search.query import TEXT_FIELDS, VALUE_FIELDS
from catalogue.search.whoosh.analysis import neutral_analyzer

ROOT = Path(__file__).resolve().parents[1]
_NEUTRAL = neutral_analyzer()


# -- the oracle: the Whoosh-based parser this one replaced --------------------------------------

def _whoosh_parser() -> qparser.QueryParser:
    schema = fields.Schema(
        **{name: fields.TEXT(analyzer=_NEUTRAL, phrase=False) for name in TEXT_FIELDS},
        **{name: fields.ID() for name in VALUE_FIELDS},
    )
    parser = qparser.QueryParser("text", schema, group=qparser.AndGroup)
    parser.remove_plugin_class(qparser.BoostPlugin)
    parser.remove_plugin_class(qparser.RangePlugin)
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    return parser


_WHOOSH = _whoosh_parser()


def whoosh_parse(text: str) -> query.Node:
    text = text.strip()
    if not text:
        return query.Everything()
    try:
        parsed = _WHOOSH.parse(text)
        if parsed is wq.NullQuery and re.search(r"(^|\s)-\w", text):
            parsed = _WHOOSH.parse("*:* " + text)
        return _tree(parsed)
    except Exception:  # noqa: BLE001 - the old parser's own rule: anything odd is plain words
        words_ = [t.text for t in _NEUTRAL(text)]
        return query.And(tuple(query.Term("text", w) for w in words_)) if words_ else query.Everything()


def _tree(q) -> query.Node:
    if getattr(q, "error", None):
        raise ValueError(repr(q))
    simple = {wq.Term: query.Term, wq.Prefix: query.Prefix, wq.Wildcard: query.Wildcard}
    if isinstance(q, wq.Every):
        return query.Everything()
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return query.Nothing()
    if type(q) in simple:
        return simple[type(q)](q.fieldname, q.text)
    if isinstance(q, wq.Phrase):
        return query.Phrase(q.fieldname, tuple(q.words))
    if isinstance(q, wq.Not):
        return query.Not(_tree(q.query))
    for whoosh, ours in ((wq.AndNot, query.AndNot), (wq.AndMaybe, query.AndMaybe), (wq.Require, query.Require)):
        if isinstance(q, whoosh):
            return ours(_tree(q.a), _tree(q.b))
    for whoosh, ours in ((wq.And, query.And), (wq.DisjunctionMax, query.Best), (wq.Or, query.Or)):
        if isinstance(q, whoosh):
            return ours(tuple(_tree(c) for c in q.subqueries))
    raise ValueError(repr(q))


# -- the corpus ----------------------------------------------------------------------------------

def _benchmark_queries() -> list[str]:
    spec = importlib.util.spec_from_file_location("_bench_search", ROOT / "benchmarks" / "search.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_bench_search", module)
    spec.loader.exec_module(module)
    return [request.q for _, request in module.queries()]


def _readme_queries() -> list[str]:
    section = ROOT.joinpath("README.md").read_text().split("### Query syntax", 1)[1].split("###", 1)[0]
    return [q for q in re.findall(r"`([^`]+)`", section)]


TEST_QUERIES = [
    "", "zee", "Géricault", "zee -schilderijen", "religieux OR musicien", 'creator:"Brueghel de Oude"', "-zee",
    "Schilderijen (van de zee", 'zee -schilderijen OR "de zee" type:book relig* p?casso',
    '"de zee" relig* NOT schilderij type:book', "coins OR pompeii OR birth", "Saint-Rémy", "+zee storm",
    "(zee -storm)", "(zee -storm) mer", "NOT NOT zee", "zee *", "title: zee", "foo:bar:zee", "a.title:zee",
    "type:(book 3d)", 'type:"a b"', "a**b", '"de zee"*', "*:*", "-", "+", "()", "NOT ()", "zee OR", "OR zee",
    "a ANDNOT b ANDNOT c", "a ANDMAYBE b", "a REQUIRE b", "a AND b OR c", "a OR b c", "zee OR -storm",
    "'quoted words' zee", "(((zee)))", "((a) OR (b)) AND c", "type:*", "title:*", "p\u055ecasso", '""', "(sea",
    '"unclosed', "!@#$%", "creator:ensor", "title:portrait", "type:3d", "institution:kbr", "collection:paintings",
    "*oi*", "co*", "p?mpeii", "zee^2", "[a TO b]", "{a TO b}", '"a b"~2', "x:y", "*:zee", "title:(a OR b) -c",
]
CORPUS = sorted(set(TEST_QUERIES + _benchmark_queries() + _readme_queries()))

ON_PURPOSE = [
    # (name, query, the new parser's tree, why it differs from the old one's)
    ("parentheses nested deeper than MAX_DEPTH", "(" * (MAX_DEPTH + 1) + "zee" + ")" * (MAX_DEPTH + 1),
     query.And((query.Term("text", "zee"),)),
     "read as plain words so no recursion runs away; Whoosh's parser went down to Python's recursion limit "
     "(about 400 levels) and gave Term(zee): the same objects are found"),
]
"""Queries the old parser read otherwise, on purpose. Not in the list because the trees are equal: a
chain of binary operators (``a ANDNOT b ANDNOT c ...``), which the old parser read in time doubling
with each link (it built each side of a binary node twice), and the new one reads in linear time."""

ALPHABET = [
    "zee", "mer", "Pompéi", "Géricault", "Saint-Rémy", "ß", "İ", "ﬃ", "a", "1.5", "J.S.Bach",
    '"', "'", "(", ")", "*", "?", "\u055e", ":", "+", "-", "~", "^", "[", "]", "{", "}", "\\", "/", ".", "_",
    "OR", "AND", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE", "TO",
    "text:", "title:", "creator:", "type:", "institution:", "collection:", "foo:", "*:*", "*:",
    " ", " ", " ", "\t", "\u00a0", "\u2028",
]
syntax = st.lists(st.sampled_from(ALPHABET), max_size=14).map("".join)
spaced = st.lists(st.sampled_from(ALPHABET), max_size=10).map(" ".join)


@pytest.mark.parametrize("text", CORPUS)
def test_each_query_of_the_corpus_is_read_as_the_whoosh_parser_read_it(text):
    assert parse(text) == whoosh_parse(text)


@settings(max_examples=3000, deadline=None)
@given(text=st.one_of(syntax, spaced, st.text(st.sampled_from("ab *?():\"'+-OR NOT"), max_size=20)))
def test_any_string_of_the_syntax_is_read_as_the_whoosh_parser_read_it(text):
    assert parse(text) == whoosh_parse(text), text


@pytest.mark.parametrize("name, text, tree, why", ON_PURPOSE, ids=[case[0] for case in ON_PURPOSE])
def test_the_queries_read_otherwise_on_purpose_are_read_as_listed(name, text, tree, why):
    assert parse(text) == tree != whoosh_parse(text), why


def test_parentheses_nested_ten_thousand_deep_are_answered_as_plain_words():
    deep = "(" * 10_000 + "zee" + ")" * 10_000
    assert parse(deep) == plain_words(deep) == query.And((query.Term("text", "zee"),))
    assert parse("(" * MAX_DEPTH + "zee" + ")" * MAX_DEPTH) == query.Term("text", "zee")
    assert parse("(" * 10_000 + "zee") == query.Term("text", "zee")  # unclosed: the words, at any depth


def test_the_folding_table_is_the_one_the_whoosh_index_folds_with_for_every_code_point():
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) != "Cs")
    assert fold(every) == every.lower().translate(accent_map)


@settings(max_examples=2000, deadline=None)
@given(text=st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=60), syntax, spaced))
def test_the_words_are_the_neutral_analyzers_words(text):
    assert words(text) == [t.text for t in _NEUTRAL(text)]


def test_a_long_chain_of_binary_operators_is_answered_as_plain_words():
    chain = " ANDNOT ".join(["zee"] * 1_000)
    assert parse(chain) == plain_words(chain)
    short = " ANDNOT ".join(["zee", "mer", "storm"])
    assert parse(short) == query.AndNot(query.AndNot(query.Term("text", "zee"), query.Term("text", "mer")),
                                        query.Term("text", "storm"))
