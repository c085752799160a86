"""Vitrine's query tree answered over one index generation's arrays: matches and BM25 scores.

Each plain word is looked up in the neutral field, in the creator field (weighing
CREATOR_BOOST: "turner" finds works by Turner before works that mention him) and,
stemmed per language, in every language's field, the visitor's language weighing double. Scores are
BM25; the term weights a first page used travel in its cursor, so later pages
rank with the same numbers even if the index changed.
"""
from __future__ import annotations

import fnmatch
import functools
import itertools
import math
import re
from dataclasses import dataclass, field

import numpy as np

from ...model import OBJECT_TYPES
from .. import query as q_
from ..budget import Budget
from ..folding import fold
from ..query import TEXT_FIELDS, VALUE_FIELDS
from ..request import LANGUAGES
from .analysis import MAX_CACHED_WORD, search_analyzer
from .arrays import View

K1, B = 1.2, 0.75
OWN_LANGUAGE_BOOST = 2.0
CREATOR_BOOST = 6.0  # a word that names the maker weighs more than one in an inscription or free metadata


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

    def run(self, q: q_.Node) -> Match:
        match = self._eval(q)
        match.mask &= self.view.live
        return match

    def _empty(self) -> Match:
        return Match(np.zeros(self.size, dtype=bool), np.zeros(self.size))

    def _eval(self, q: q_.Node) -> Match:
        self.budget.check()
        if isinstance(q, q_.Everything):
            return Match(self.view.live.copy(), np.zeros(self.size))
        if isinstance(q, q_.Nothing):
            return self._empty()
        if isinstance(q, q_.Term):
            return self._term(q.field, q.text)
        if isinstance(q, q_.Phrase):
            return self._phrase(q.field, list(q.words))
        if isinstance(q, (q_.Prefix, q_.Wildcard)):
            return self._expansion(q)
        if isinstance(q, q_.Not):
            inner = self._eval(q.part)
            return Match(~inner.mask, np.zeros(self.size))
        if isinstance(q, q_.AndNot):
            a, b = self._eval(q.positive), self._eval(q.negative)
            return Match(a.mask & ~b.mask, a.score)
        if isinstance(q, q_.AndMaybe):
            a, b = self._eval(q.required), self._eval(q.optional)
            return Match(a.mask, a.score + np.where(b.mask, b.score, 0.0))
        if isinstance(q, q_.Require):
            a, b = self._eval(q.scored), self._eval(q.required)
            return Match(a.mask & b.mask, a.score)
        parts = [self._eval(c) for c in q.parts]
        if isinstance(q, q_.And):
            score = sum((p.score for p in parts), np.zeros(self.size))
            return Match(np.logical_and.reduce([p.mask for p in parts]), score)
        if isinstance(q, q_.Best):
            return Match(np.logical_or.reduce([p.mask for p in parts]), np.maximum.reduce([p.score for p in parts]))
        return Match(np.logical_or.reduce([p.mask for p in parts]), sum((p.score for p in parts), np.zeros(self.size)))

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
            self._bm25(match, "creator", text, CREATOR_BOOST)
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
        for first, second in itertools.pairwise(words):
            pair = self._empty()
            self._bm25(pair, "phrase", f"{first} {second}", 1.0)
            match.mask &= pair.mask
            match.score += pair.score
        if name != "text":
            for word in words:
                match.mask &= self._term(name, word).mask
        return match

    def _expansion(self, q: q_.Prefix | q_.Wildcard) -> Match:
        name = q.field if q.field in TEXT_FIELDS else "text"
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

    def _words_like(self, q: q_.Prefix | q_.Wildcard):
        """The indexed words a prefix or wildcard stands for, scanned within the deadline."""
        reader = self.view.searcher.reader()
        if isinstance(q, q_.Prefix):
            candidates, matches = reader.expand_prefix(q.field, q.text), None
        else:
            prefix = re.split(r"[*?\[]", q.text, maxsplit=1)[0]
            candidates = reader.expand_prefix(q.field, prefix) if prefix else reader.lexicon(q.field)
            matches = re.compile(fnmatch.translate(q.text)).match
        for btext in self.budget.scan(candidates):
            word = btext.decode("utf-8")
            if matches is None or matches(word):
                yield word
