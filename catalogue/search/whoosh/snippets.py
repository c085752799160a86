"""Snippets: a line or two of the field that matched, around the match, in the reader's language.

Each quotable field of a work (summary, each metadata value, each table-of-contents entry) is
stored apart, tags already stripped (document.py), so a snippet quotes one field and never glues
them. It is cut at word boundaries with an ellipsis, escaped, the matched words in <mark>; a work
whose words matched only in its title (or not in any quotable field) gets no snippet.
"""
from __future__ import annotations

from html import escape

from ...model import LanguageMap, pick
from .analysis import language_of, neutral_analyzer
from .evaluate import stems

LENGTH = 160  # characters: one or two lines of a results card
BEFORE = 50  # of them, at most this many before the first match
_NEUTRAL = neutral_analyzer()


def snippet(parts: list[LanguageMap], words: list[str], lang: str) -> str:
    """HTML (escaped, words in <mark>) from the quotable field that matches most of ``words``."""
    if not words:
        return ""
    best: tuple[int, str, list[tuple[int, int]]] | None = None
    for part in parts:
        tag = pick({key: [key] for key in part}, lang)
        text = " ".join(part.get(tag, []))
        found = _matches(text, words, language_of(tag))
        score = len({text[a:b].casefold() for a, b in found})
        if found and (best is None or score > best[0]):
            best = (score, text, found)
    if best is None:
        return ""
    _, text, found = best
    return _cut(text, found)


def _matches(text: str, words: list[str], language: str | None) -> list[tuple[int, int]]:
    """Where ``words`` (folded, as the query has them) occur in ``text``: as written, or as the same stem."""
    plain = set(words)
    stemmed = {s for w in words if language and (s := stems(w).get(language))}
    out = []
    for token in _NEUTRAL(text, chars=True, mode="index"):
        if token.text in plain or (stemmed and stems(token.text).get(language or "") in stemmed):
            out.append((token.startchar, token.endchar))
    return out


def _cut(text: str, found: list[tuple[int, int]]) -> str:
    start, end = 0, len(text)
    if len(text) > LENGTH:
        first = found[0][0]
        start = max(0, first - BEFORE)
        if start:
            space = text.find(" ", start, first)
            start = space + 1 if space != -1 else start
        end = min(len(text), start + LENGTH)
        if end < len(text):
            space = text.rfind(" ", found[0][1], end)
            end = space if space != -1 else end
    html, at = [], start
    for a, b in found:
        if a < start or b > end:
            continue
        html += [escape(text[at:a], quote=False), "<mark>", escape(text[a:b], quote=False), "</mark>"]
        at = b
    html.append(escape(text[at:end], quote=False))
    return ("… " if start else "") + "".join(html).strip() + (" …" if end < len(text) else "")
