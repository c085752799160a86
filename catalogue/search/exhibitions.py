"""Exhibitions found by words: a published exhibition whose title, summary, sections or captions hold
every word of a query, shown in the reader's language beside the works found.

Exhibitions are few (tens, not tens of thousands), so they are matched here, in any language's text,
rather than indexed: a word matches a word it begins, or that begins it, from four letters on
("harbour" finds "harbours"), after the same folding the index applies.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable

from ..model import Exhibition, LanguageMap, pick
from .folding import words as folded_words
from .request import ExhibitionHit

SHOWN = 3  # exhibitions listed above the hits
_TAGS = re.compile(r"<[^>]*>")
_STEM = 4  # letters a word and a longer one must share to count as the same word


def _texts(exhibition: Exhibition) -> Iterable[LanguageMap]:
    yield exhibition.title
    yield exhibition.summary
    for section in exhibition.sections:
        yield section.title
        yield section.introduction
        for item in section.items:
            yield item.caption


def vocabulary(exhibition: Exhibition) -> frozenset[str]:
    """Every folded word of the exhibition's texts, in all languages (worked out once per version)."""
    return frozenset(w for lmap in _texts(exhibition) for texts in lmap.values() for t in texts
                     for w in folded_words(t))


def _same(word: str, known: str) -> bool:
    if word == known:
        return True
    shorter, longer = sorted((word, known), key=len)
    return len(shorter) >= _STEM and longer.startswith(shorter) and len(longer) - len(shorter) <= 3


def matching(exhibitions: Iterable[tuple[Exhibition, frozenset[str]]], words: list[str],
             lang: str) -> list[ExhibitionHit]:
    """The published ones among ``exhibitions`` (each with its ``vocabulary``) that hold every one of
    ``words`` (folded), at most SHOWN."""
    if not words:
        return []
    found = []
    for exhibition, known_words in exhibitions:
        if not exhibition.published:
            continue
        if all(any(_same(w, known) for known in known_words) for w in words):
            summary = " ".join(html.unescape(_TAGS.sub(" ", pick(exhibition.summary, lang))).split())
            found.append(ExhibitionHit(exhibition.slug, pick(exhibition.title, lang), summary))
            if len(found) == SHOWN:
                break
    return found
