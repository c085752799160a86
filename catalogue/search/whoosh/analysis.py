"""Text analysis: one stemming analyzer per catalogue language, plus a neutral one.

Accents and case are folded *before* stemming, so "Géricault" and "Gericault",
"Bäume" and "Baume" reach the stemmer as the same word and meet in the index.
"""
from __future__ import annotations

import functools

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stemmer_for_language
from whoosh.support.charset import accent_map

from ..request import LANGUAGES


def neutral_analyzer() -> Analyzer:
    """Words folded to lower case without accents; no stemming, no stop words."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


def language_analyzer(lang: str) -> Analyzer:
    """The neutral words, less the language's stop words, reduced to their stem.

    For the schema, which is used by one writer at a time: Whoosh's stem cache
    is not safe for threads.
    """
    return _chain(lang, StemFilter(lang=lang, cachesize=100_000))


MAX_CACHED_WORD = 32  # longer words are stemmed afresh each time: no visitor fills the cache with them


@functools.cache
def search_analyzer(lang: str) -> Analyzer:
    """``language_analyzer`` for searches in many threads (its stem cache is functools')."""
    stemmer = stemmer_for_language(lang)
    cached = functools.lru_cache(maxsize=100_000)(stemmer)

    def stem(word: str) -> str:
        return cached(word) if len(word) <= MAX_CACHED_WORD else stemmer(word)

    return _chain(lang, StemFilter(stemfn=stem, cachesize=None))


_NEUTRAL = neutral_analyzer()
CACHED_LINES = 20_000  # lines whose words are kept: a creator's name, a medium, a credit line recur across records


@functools.lru_cache(maxsize=CACHED_LINES)
def words(lang: str | None, line: str) -> tuple[str, ...]:
    """The words one line is indexed under: in ``lang``'s stemmed field, or (None) the neutral ones."""
    analyzer = search_analyzer(lang) if lang else _NEUTRAL
    return tuple(t.text for t in analyzer(line, mode="index"))


def _chain(lang: str, stemmer: StemFilter) -> Analyzer:
    return RegexTokenizer() | LowercaseFilter() | StopFilter(lang=lang) | CharsetFilter(accent_map) | stemmer


def language_of(tag: str) -> str | None:
    """The catalogue language of a language-map key ("nl-BE" -> "nl"), or None."""
    primary = tag.split("-")[0].lower()
    return primary if primary in LANGUAGES else None
