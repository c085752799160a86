"""Highlighted snippets in the reader's language, from the text stored with each hit."""
from __future__ import annotations

from html import escape

from whoosh import highlight

from ...model import LanguageMap, pick
from .analysis import language_of, neutral_analyzer, search_analyzer
from .evaluate import stems

LENGTH = 200
_FRAGMENTER = highlight.ContextFragmenter(maxchars=LENGTH, surround=60)


class _Marks(highlight.HtmlFormatter):
    """Matched words in plain <mark> elements, the rest escaped."""

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace), quote=False)}</mark>"


_FORMATTER = _Marks(between=" … ")
_NEUTRAL = neutral_analyzer()


def snippet(text: LanguageMap, words: list[str], lang: str) -> str:
    """HTML (escaped, words in <mark>) from the text in ``lang`` or its IIIF fallback."""
    if not text:
        return ""
    tag = pick({key: [key] for key in text}, lang)
    source = pick({tag: text[tag]}, tag)
    language = language_of(tag)
    analyzer = search_analyzer(language) if language else _NEUTRAL
    terms = [stems(w).get(language) for w in words] if language else list(words)
    terms = [t for t in terms if t]
    if terms:
        marked = highlight.highlight(source, terms, analyzer, _FRAGMENTER, _FORMATTER, top=2)
        if marked:
            return marked
    if len(source) <= LENGTH:
        return escape(source)
    return escape(source[:LENGTH].rsplit(" ", 1)[0]) + " …"
