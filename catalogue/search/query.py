"""Vitrine's own query tree: what a visitor's query means, whichever engine answers it.

``parser.parse`` reads the visitor's text into these nodes (words, "phrases", ``word*``,
``field:value``, AND / OR / NOT, ``+word`` and ``-word``) and a backend answers the tree; the
budgets (how many terms and wildcards a search may look up) and the words that
snippets mark are read from the tree, so they are the same for every backend.
"""
from __future__ import annotations

from dataclasses import dataclass

from .budget import Limits
from .request import RequestError

TEXT_FIELDS = ("text", "title", "creator")
"""Fields of words: ``text`` is everything, the others narrow to a title or a creator's names."""
VALUE_FIELDS = ("type", "institution", "collection")
"""Fields of exact values (``type:book``)."""


@dataclass(frozen=True)
class Everything:
    """Every object (an empty query, ``*:*``)."""


@dataclass(frozen=True)
class Nothing:
    """No object (a query of only syntax)."""


@dataclass(frozen=True)
class Term:
    """One word (folded: lower case, no accents) or one exact value, in ``field``."""

    field: str
    text: str


@dataclass(frozen=True)
class Phrase:
    """Words next to each other, in order."""

    field: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Prefix:
    """Every word that starts with ``text`` (``relig*``)."""

    field: str
    text: str


@dataclass(frozen=True)
class Wildcard:
    """Every word that matches a pattern of ``*`` and ``?`` (``p?casso``)."""

    field: str
    text: str


@dataclass(frozen=True)
class And:
    """All of the parts; their scores add up."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Any of the parts; their scores add up."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Best:
    """Any of the parts, scored by the best of them."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """Everything the part does not match (unscored)."""

    part: Node


@dataclass(frozen=True)
class AndNot:
    """``positive`` without what ``negative`` matches (``zee -schilderijen``)."""

    positive: Node
    negative: Node


@dataclass(frozen=True)
class AndMaybe:
    """What ``required`` matches, scoring higher where ``optional`` matches too."""

    required: Node
    optional: Node


@dataclass(frozen=True)
class Require:
    """What both match, scored by ``scored`` only."""

    scored: Node
    required: Node


Node = Everything | Nothing | Term | Phrase | Prefix | Wildcard | And | Or | Best | Not | AndNot | AndMaybe | Require


def children(q: Node) -> tuple[Node, ...]:
    """The nodes directly under ``q``."""
    if isinstance(q, (And, Or, Best)):
        return q.parts
    if isinstance(q, Not):
        return (q.part,)
    if isinstance(q, AndNot):
        return q.positive, q.negative
    if isinstance(q, AndMaybe):
        return q.required, q.optional
    if isinstance(q, Require):
        return q.scored, q.required
    return ()


def size(q: Node) -> tuple[int, int]:
    """How many terms a query looks up, and how many of them are wildcards or prefixes."""
    if isinstance(q, (Prefix, Wildcard)):
        return 1, 1
    if isinstance(q, Term):
        return 1, 0
    if isinstance(q, Phrase):
        return len(q.words), 0
    parts = [size(child) for child in children(q)]
    return sum(terms for terms, _ in parts), sum(wildcards for _, wildcards in parts)


def check_size(q: Node, limits: Limits) -> None:
    """RequestError for a query with more terms or wildcards than a search may look up."""
    terms, wildcards = size(q)
    if wildcards > limits.wildcards:
        raise RequestError(
            f"q may have at most {limits.wildcards} wildcard or prefix terms (like relig*), not {wildcards}"
        )
    if terms > limits.terms:
        raise RequestError(f"q may have at most {limits.terms} terms, not {terms}")


def words(q: Node) -> list[str]:
    """The plain and phrase words a query looks for (what snippets mark and spelling checks)."""
    if isinstance(q, Term):
        return [q.text] if q.field in TEXT_FIELDS else []
    if isinstance(q, Phrase):
        return list(q.words)
    if isinstance(q, Not):
        return []
    parts = (q.positive,) if isinstance(q, AndNot) else children(q)
    return list(dict.fromkeys(w for child in parts for w in words(child)))
