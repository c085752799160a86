"""'Did you mean': the query with each rare word replaced by a frequent one a typo away."""
from __future__ import annotations

import string

import numpy as np
from whoosh.analysis import RegexTokenizer

from ..budget import MAX_SUGGESTED_WORD, Budget
from ..folding import fold
from .arrays import View
from .evaluate import stems

FEW = 3  # a query finding this many hits or fewer gets a suggestion
_LETTERS = string.ascii_lowercase + string.digits  # indexed words are folded to these
_TOKENS = RegexTokenizer()


def typos(word: str) -> list[str]:
    """Every word one deletion, swap of neighbours, replacement or insertion away."""
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in cuts if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1}
    out |= {a + c + b[1:] for a, b in cuts if b for c in _LETTERS}
    out |= {a + c + b for a, b in cuts for c in _LETTERS}
    out.discard(word)
    return sorted(out)


def suggest(view: View, words: list[str], text: str, budget: Budget, lang: str) -> str | None:
    """``text`` with its misspelt words corrected, or None when nothing better is known.

    A correction is a word of the query's language ``lang`` (one the index holds in that language's
    text) or of a maker's name, so "born" never becomes the French "bord" nor "née" the Dutch "zee".

    Words over MAX_SUGGESTED_WORD letters are left as they are: their typos
    would be thousands of long strings (a 4,000-letter word made gigabytes).
    """
    better = {}
    for word in words:
        if not 3 <= len(word) <= MAX_SUGGESTED_WORD or " " in word:
            continue
        budget.check()
        known = int(view.frequencies([word])[0])
        if known > FEW:
            continue  # a word this common is no misspelling
        candidates = typos(word)
        df = view.frequencies(candidates)
        for best in np.argsort(-df, kind="stable"):  # the most frequent first, alphabetical among equals
            if df[best] <= known:
                break
            stem = stems(candidates[best]).get(lang)
            if (stem and view.has(f"text_{lang}", stem)) or view.has("creator", candidates[best]):
                better[word] = candidates[best]
                break
    if not better:
        return None
    out, last = [], 0
    for token in _TOKENS(text, chars=True):
        replacement = better.get(fold(token.text))
        if replacement:
            out += [text[last:token.startchar], replacement]
            last = token.endchar
    return "".join(out) + text[last:]
