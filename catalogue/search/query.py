"""A visitor's query: parsed by Whoosh's parser, matched and scored over arrays.

Words, "phrases", OR, NOT and ``-word``, ``field:value`` and ``word*`` are
Whoosh's syntax. Each plain word is looked up in the neutral field and, stemmed
per language, in every language's field, the visitor's language weighing
double. Scores are BM25; the term weights a first page used travel in its
cursor, so later pages rank with the same numbers even if the index changed.
A query the parser cannot make sense of is answered as plain words.
"""
from __future__ import annotations

import fnmatch
import functools
import math
import re
from dataclasses import dataclass, field

import numpy as np
from whoosh import fields, qparser
from whoosh import query as wq
from whoosh.support.charset import accent_map

from ..model import OBJECT_TYPES
from .analysis import LANGUAGES, MAX_CACHED_WORD, neutral_analyzer, search_analyzer
from .arrays import View
from .budget import Budget

K1, B = 1.2, 0.75
OWN_LANGUAGE_BOOST = 2.0
TEXT_FIELDS = ("text", "title", "creator")
VALUE_FIELDS = ("type", "institution", "collection")

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
    """A parsed query this evaluator does not answer; the words are used instead."""


def parse(text: str) -> wq.Query:
    """The query tree for ``text``; anything odd becomes plain words, never an error."""
    text = text.strip()
    if not text:
        return wq.Every()
    try:
        tree = _PARSER.parse(text)
        if tree is wq.NullQuery and re.search(r"(^|\s)-\w", text):
            tree = _PARSER.parse("*:* " + text)  # only words to leave out: leave them out of everything
        _check(tree)
        return tree
    except Exception:
        return plain_words(text)


def plain_words(text: str) -> wq.Query:
    """All the words of ``text``, ignoring any syntax."""
    words = [t.text for t in _NEUTRAL(text)]
    return wq.And([wq.Term("text", w) for w in words]) if words else wq.Every()


def _check(q: wq.Query) -> None:
    if getattr(q, "error", None) or not isinstance(q, _SUPPORTED):
        raise Unsupported(repr(q))
    for child in q.children():
        _check(child)


_SUPPORTED = (
    wq.Term, wq.Phrase, wq.Prefix, wq.Wildcard, wq.Every, type(wq.NullQuery),
    wq.And, wq.Or, wq.DisjunctionMax, wq.Not, wq.AndNot, wq.AndMaybe, wq.Require,
)


def fold(text: str) -> str:
    """Lower case without accents, as the index keeps words."""
    return text.lower().translate(accent_map)


def size(q: wq.Query) -> tuple[int, int]:
    """How many terms a query looks up, and how many of them are wildcards or prefixes."""
    if isinstance(q, (wq.Prefix, wq.Wildcard)):
        return 1, 1
    if isinstance(q, wq.Term):
        return 1, 0
    if isinstance(q, wq.Phrase):
        return len(q.words), 0
    parts = [size(child) for child in q.children()]
    return sum(terms for terms, _ in parts), sum(wildcards for _, wildcards in parts)


def stems(word: str) -> dict[str, str]:
    """``word`` as each language's field holds it (stop words have none); never change what it gives."""
    return _cached_stems(word) if len(word) <= MAX_CACHED_WORD else _stems(word)


@functools.lru_cache(maxsize=50_000)
def _cached_stems(word: str) -> dict[str, str]:
    return _stems(word)


def _stems(word: str) -> dict[str, str]:
    out = {}
    for lang in LANGUAGES:
        tokens = [t.text for t in search_analyzer(lang)(word)]
        if tokens:
            out[lang] = tokens[0]
    return out


@dataclass
class Match:
    mask: np.ndarray  # bool per docnum
    score: np.ndarray  # float64 per docnum


@dataclass
class Scoring:
    """BM25 term weights (idf) and average lengths: computed, or replayed from a cursor."""

    view: View
    replay: dict | None = None
    weights: list[float] = field(default_factory=list)
    averages: dict[str, float] = field(default_factory=dict)

    def idf(self, df: int) -> float:
        if self.replay is not None:
            try:
                value = float(self.replay["w"][len(self.weights)])
            except (IndexError, KeyError, TypeError, ValueError):
                raise ValueError("the cursor does not belong to this query") from None
        else:
            n = self.view.count
            value = _short(math.log(1 + (n - df + 0.5) / (df + 0.5)))
        self.weights.append(value)
        return value

    def average(self, name: str) -> float:
        if name not in self.averages:
            if self.replay is not None:
                try:
                    self.averages[name] = float(self.replay["a"][name])
                except (KeyError, TypeError, ValueError):
                    raise ValueError("the cursor does not belong to this query") from None
            else:
                self.averages[name] = _short(self.view.average_length(name))
        return self.averages[name]

    def state(self) -> dict:
        return {"w": self.weights, "a": self.averages}


def _short(value: float) -> float:
    """Six significant digits: the same on every page, and a short cursor."""
    return float(f"{value:.6g}")


class Evaluator:
    """Turns a query tree into the documents it matches and their scores."""

    def __init__(self, view: View, lang: str, scoring: Scoring, budget: Budget):
        self.view = view
        self.lang = lang
        self.scoring = scoring
        self.budget = budget
        self.expansions = budget.expansions  # words the query's wildcards may still stand for
        self.size = view.size

    def run(self, q: wq.Query) -> Match:
        match = self._eval(q)
        match.mask &= self.view.live
        return match

    def _empty(self) -> Match:
        return Match(np.zeros(self.size, dtype=bool), np.zeros(self.size))

    def _eval(self, q: wq.Query) -> Match:
        self.budget.check()
        if isinstance(q, wq.Every):
            return Match(self.view.live.copy(), np.zeros(self.size))
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return self._empty()
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text)
        if isinstance(q, wq.Phrase):
            return self._phrase(q.fieldname, list(q.words))
        if isinstance(q, (wq.Prefix, wq.Wildcard)):
            return self._expansion(q)
        if isinstance(q, wq.Not):
            inner = self._eval(q.query)
            return Match(~inner.mask, np.zeros(self.size))
        if isinstance(q, (wq.AndNot, wq.AndMaybe, wq.Require)):
            a, b = self._eval(q.a), self._eval(q.b)
            if isinstance(q, wq.AndNot):
                return Match(a.mask & ~b.mask, a.score)
            if isinstance(q, wq.AndMaybe):
                return Match(a.mask, a.score + np.where(b.mask, b.score, 0.0))
            return Match(a.mask & b.mask, a.score)
        if isinstance(q, wq.And):
            parts = [self._eval(c) for c in q.subqueries]
            return Match(np.logical_and.reduce([p.mask for p in parts]), sum(p.score for p in parts))
        if isinstance(q, wq.DisjunctionMax):
            parts = [self._eval(c) for c in q.subqueries]
            return Match(np.logical_or.reduce([p.mask for p in parts]), np.maximum.reduce([p.score for p in parts]))
        if isinstance(q, wq.Or):
            parts = [self._eval(c) for c in q.subqueries]
            return Match(np.logical_or.reduce([p.mask for p in parts]), sum(p.score for p in parts))
        raise Unsupported(repr(q))

    def _bm25(self, match: Match, name: str, term: str, boost: float) -> None:
        self.budget.check()
        docs, tf = self.view.postings(name, term)
        idf = self.scoring.idf(len(docs))
        if not len(docs):
            return
        norm = self.view.lengths(name)[docs] / self.scoring.average(name)
        match.mask[docs] = True
        match.score[docs] += boost * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * norm))

    def _term(self, name: str, text: str) -> Match:
        match = self._empty()
        if name in VALUE_FIELDS:
            match.mask = self._value_mask(name, text)
            return match
        self._bm25(match, name, text, 1.0)
        if name == "text":
            for lang, stem in stems(text).items():
                self._bm25(match, f"text_{lang}", stem, OWN_LANGUAGE_BOOST if lang == self.lang else 1.0)
        return match

    def _value_mask(self, name: str, text: str) -> np.ndarray:
        view = self.view
        if name == "type":
            return view.type == OBJECT_TYPES.index(text) if text in OBJECT_TYPES else np.zeros(self.size, bool)
        values = view.values[name]
        mask = np.zeros(self.size, dtype=bool)
        i = np.searchsorted(values.vocab, text)
        if i < len(values.vocab) and values.vocab[i] == text:
            mask[values.docs[values.values == i]] = True
        return mask

    def _phrase(self, name: str, words: list[str]) -> Match:
        if len(words) == 1:
            return self._term(name, words[0])
        match = Match(self.view.live.copy(), np.zeros(self.size))
        for first, second in zip(words, words[1:]):
            pair = self._empty()
            self._bm25(pair, "phrase", f"{first} {second}", 1.0)
            match.mask &= pair.mask
            match.score += pair.score
        if name != "text":
            for word in words:
                match.mask &= self._term(name, word).mask
        return match

    def _expansion(self, q: wq.Query) -> Match:
        name = q.fieldname if q.fieldname in TEXT_FIELDS else "text"
        text = fold(q.text)
        if not text.strip("*?"):
            return Match(self.view.live.copy(), np.zeros(self.size))
        match = self._empty()
        for word in self._words_like(type(q)(name, text)):
            if self.expansions <= 0:
                break  # the query's wildcards stand for as many words as they may: leave out the rest
            self.expansions -= 1
            docs, _ = self.view.postings(name, word)
            match.mask[docs] = True
        match.score[match.mask] = 1.0
        return match

    def _words_like(self, q: wq.Prefix | wq.Wildcard):
        """The indexed words a prefix or wildcard stands for, scanned within the deadline."""
        reader = self.view.searcher.reader()
        if isinstance(q, wq.Prefix):
            candidates, matches = reader.expand_prefix(q.fieldname, q.text), None
        else:
            prefix = re.split(r"[*?\[]", q.text, maxsplit=1)[0]
            candidates = reader.expand_prefix(q.fieldname, prefix) if prefix else reader.lexicon(q.fieldname)
            matches = re.compile(fnmatch.translate(q.text)).match
        for btext in self.budget.scan(candidates):
            word = btext.decode("utf-8")
            if matches is None or matches(word):
                yield word


def words(q: wq.Query) -> list[str]:
    """The plain and phrase words a query looks for (what snippets mark and spelling checks)."""
    if isinstance(q, wq.Term):
        return [q.text] if q.fieldname in TEXT_FIELDS else []
    if isinstance(q, wq.Phrase):
        return list(q.words)
    if isinstance(q, wq.Not):
        return []
    children = [q.a] if isinstance(q, wq.AndNot) else list(q.children())
    return list(dict.fromkeys(w for child in children for w in words(child)))
