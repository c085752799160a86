"""What the index keeps of a digital object: the schema and the document built for it.

Text goes to the stemmed field of its language and, unstemmed, to the neutral
fields; concepts bring their labels in every language (the thesaurus), creators
their name variants. Facet values are exact terms; years, type, rights and the
sort keys sit in one fixed-width per-document row that a search reads as an
array. Everything a hit shows is stored, so a results page never opens the store.

Whoosh is handed each field's words, not its text: a line is analysed once and its words kept
(``analysis.words``), since a creator's name, a medium or a credit line recurs across thousands of
records. The words are those Whoosh's analyser finds in the joined text (no field keeps positions).
"""
from __future__ import annotations

import functools
import hashlib
import html
import itertools
import re
import struct
import unicodedata
from collections import Counter

import numpy as np
from whoosh import columns, fields
from whoosh.system import pack_uint

from ...model import (
    OBJECT_TYPES,
    Concept,
    DigitalObject,
    LanguageMap,
    pick,
)
from ..facets import RightsFacet, rights_status
from ..request import LANGUAGES
from .analysis import CACHED_LINES, language_analyzer, language_of, neutral_analyzer, words

KEYWORD_FACETS = ("institution", "collection", "creator", "subject", "classification", "medium")
RIGHTS = tuple(RightsFacet.values)  # the rights facet's values, by their code in the row
IMAGE, REAL_TITLE = 1, 2  # bits of the row's flags
MEDIUM_LABELS = {"medium", "techniek", "technique", "technik", "material", "materials", "materiaal", "matériau"}
UNKNOWN_YEAR = -32768
UNKNOWN_DAY = 2**31 - 1  # an unknown acquisition date: sorted after every known one
NO_NUMBER = 2**64 - 1  # no accession number: sorted after every one

ROW = np.dtype(
    [
        ("idhash", "<u8"),
        ("earliest", "<i2"),
        ("latest", "<i2"),
        ("type", "u1"),
        ("rights", "u1"),
        ("has3d", "u1"),
        ("flags", "u1"),
        ("title", "<u8", (len(LANGUAGES), 2)),
        ("acquired", "<i4"),
        ("accession", "<u8", (2,)),
    ]
)
_ROW = struct.Struct("<QhhBBBB" + "Q" * 2 * len(LANGUAGES) + "iQQ")
assert _ROW.size == ROW.itemsize


class Words(fields.TEXT):
    """A text field handed its words (a list, from ``terms``): counted here rather than passed
    through Whoosh's token stream again; the postings are those ``fields.TEXT`` makes of the list.
    (The index's table of contents names this class: rename it with a new SCHEMA_VERSION.)"""

    def index(self, value, **kwargs):
        if not isinstance(value, list):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        return [(word.encode(), n, n * boost, pack_uint(n)) for word, n in Counter(value).items()]


class Values(fields.IDLIST):
    """A field of exact values handed as a list (``values``): each value one term, as for ``Words``."""

    def index(self, value, **kwargs):
        if not isinstance(value, list):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        return [(text.encode(), 1, boost, b"") for text in set(value)]


def schema() -> fields.Schema:
    """The index schema; no field keeps positions: phrases use the word-pair field."""
    neutral = {"analyzer": neutral_analyzer(), "phrase": False}
    exact = {"expression": re.compile(r"[^\n]+")}
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        text=Words(**neutral),
        title=Words(**neutral),
        creator=Words(**neutral),
        phrase=Values(**exact),
        **{f"text_{lang}": Words(analyzer=language_analyzer(lang), phrase=False) for lang in LANGUAGES},
        **{f"f_{name}": Values(**exact) for name in KEYWORD_FACETS},
        row=fields.COLUMN(columns.FixedBytesColumn(ROW.itemsize)),
        hit=fields.STORED(),
    )


def id_hash(object_id: str) -> int:
    """A stable 64-bit number per id: the tie-breaker that keeps cursors exact."""
    return int.from_bytes(hashlib.blake2b(object_id.encode(), digest_size=8).digest(), "little")


def has_3d(obj: DigitalObject) -> bool:
    return obj.type == "3d" or any(m.format == "model/gltf-binary" for m in obj.media)


def document(obj: DigitalObject, concepts: dict[str, Concept]) -> dict:
    """The Whoosh document for ``obj``; ``concepts`` holds (at least) its subjects."""
    by_lang: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    neutral: list[str] = [obj.id]

    def add(lmap: LanguageMap, times: int = 1) -> None:
        for tag, texts in lmap.items():
            texts = [plain_text(t) if "<" in t or "&" in t else t for t in texts]  # words, not markup
            lang = language_of(tag)
            if lang:
                by_lang[lang].extend(texts * times)
            neutral.extend(texts)

    parts: list[LanguageMap] = []  # what a snippet may quote: each field apart, tags stripped

    def quote(lmap: LanguageMap) -> None:
        plain = {tag: [t for t in (plain_text(x) for x in texts) if t] for tag, texts in lmap.items()}
        if any(plain.values()):
            parts.append({tag: texts for tag, texts in plain.items() if texts})

    add(obj.label, times=2)  # a word of the title weighs more than one of the text
    add(obj.summary)
    quote(obj.summary)
    for lmap in (obj.medium, obj.provenance, obj.credit_line):  # the registrar's text, searched and quoted
        add(lmap)
        quote(lmap)
    for entry in obj.metadata:
        add(entry.value)
        quote(entry.value)
    for part in obj.toc:
        add(part.label)
        quote(part.label)
    subjects = [concepts[uri] for uri in obj.subjects if uri in concepts]
    for concept in subjects:
        add(concept.label)
    if subjects:
        quote({tag: [", ".join(t for c in subjects for t in c.label.get(tag, []))]
               for tag in dict.fromkeys(tag for c in subjects for tag in c.label)})
    names = [n for c in obj.creators for n in (c.name, *c.variants)]
    neutral.extend(names)
    if obj.date:
        neutral.append(obj.date)
    # the accession number as one word, so "N01498" finds its work (and only it); classification, location
    neutral.extend(t for t in (obj.accession_number, *obj.classification, obj.location) if t)

    image = obj.images[0] if obj.images else None
    # a loan's thumbnail is its lender's URL (a 4th item), never this catalogue's Image API
    lent = [image.remote_thumbnail()[0]] if image and image.is_remote else []
    return {
        "id": obj.id,
        "text": terms(None, neutral),
        "phrase": list(word_pairs(neutral)),
        "title": terms(None, [plain_text(t) for texts in obj.label.values() for t in texts]),
        "creator": terms(None, names),
        **{f"text_{lang}": terms(lang, texts) for lang, texts in by_lang.items() if texts},
        "f_institution": values([obj.institution]),
        "f_collection": values(obj.collections),
        "f_creator": values(c.name for c in obj.creators),
        "f_subject": values(obj.subjects),
        "f_classification": values(obj.classification),
        "f_medium": values(mediums(obj)),
        "row": _row(obj),
        "hit": {
            "label": obj.label,
            "type": obj.type,
            "image": [image.id, image.width, image.height, *lent] if image else None,
            "copyright": obj.in_copyright,
            "rights": obj.rights,
            "media": bool(obj.media),
            "creators": list(dict.fromkeys(c.name for c in obj.creators)),
            "date": obj.date,
            "parts": parts,
        },
    }


_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.S | re.I)


def plain_text(text: str) -> str:
    """``text`` without HTML tags (and without what a script or style element holds), entities read."""
    return " ".join(html.unescape(_TAGS.sub(" ", text)).split())


def mediums(obj: DigitalObject) -> list[str]:
    """The medium facet's values: the first sentence of the record's medium ("Graphite on paper"), or of
    its Medium metadata entry when it has no medium (records from before the field)."""
    if obj.medium:
        return _first_sentences(obj.medium)
    for entry in obj.metadata:
        if any(t.strip().casefold() in MEDIUM_LABELS for texts in entry.label.values() for t in texts):
            return _first_sentences(entry.value)
    return []


def _first_sentences(value: LanguageMap) -> list[str]:
    # one language's words only (English, else the first given): a multilingual record is one
    # value of the facet, not four
    lang = "en" if "en" in value else next(iter(value), None)
    out = []
    for text in value.get(lang, []) if lang else []:
        first = re.split(r"\.\s", plain_text(text), maxsplit=1)[0].strip().rstrip(".")
        if first:
            out.append(first[:1].upper() + first[1:])
    return list(dict.fromkeys(out))


_UNTITLED = re.compile(r"\s*(\[.*\]|untitled|blank|no title|title not known|sans titre|zonder titel|ohne titel)?\s*",
                       re.I)


def real_title(title: str) -> bool:
    """Whether a title names the work: not empty, not only digits and punctuation ("1", "#1"), not a
    cataloguer's placeholder ("[no title]", "Untitled", "Blank")."""
    return bool(re.search(r"[^\W\d_]", title)) and not _UNTITLED.fullmatch(title)


def word_pairs(texts: list[str]) -> set[str]:
    """Adjacent words within each text ("oil paint"): phrase search without storing positions."""
    pairs: set[str] = set()
    for text in texts:
        pairs.update(_pairs(text))
    return pairs


@functools.lru_cache(maxsize=CACHED_LINES)
def _pairs(text: str) -> tuple[str, ...]:
    return tuple(f"{a} {b}" for a, b in itertools.pairwise(words(None, text)))


def terms(lang: str | None, texts: list[str]) -> list[str]:
    """The words ``texts`` are indexed under, analysed line by line (as Whoosh would analyse them
    joined): handed to Whoosh as a token list, so a line that recurs is analysed once."""
    return [word for text in texts for line in text.split("\n") for word in words(lang, line)]


def values(texts) -> list[str]:
    """A facet field's terms: each value once (a value's lines apart, as the field's expression reads them)."""
    return list(dict.fromkeys(line for text in texts if text for line in text.split("\n") if line))


def _row(obj: DigitalObject) -> bytes:
    earliest = obj.earliest if obj.earliest is not None else obj.latest
    latest = obj.latest if obj.latest is not None else obj.earliest
    picked = [pick(obj.label, lang) for lang in LANGUAGES]
    keys = {title: title_key(title) for title in set(picked)}  # a title shown in several languages is folded once
    titles = [key for title in picked for key in keys[title]]
    named = any(real_title(t) for texts in obj.label.values() for t in texts)
    return _ROW.pack(
        id_hash(obj.id),
        UNKNOWN_YEAR if earliest is None else earliest,
        UNKNOWN_YEAR if latest is None else latest,
        OBJECT_TYPES.index(obj.type),
        RIGHTS.index(rights_status(obj.rights)),
        int(has_3d(obj)),
        (IMAGE if obj.images else 0) | (REAL_TITLE if named else 0),
        *titles,
        acquired_key(obj.acquired),
        *accession_key(obj.accession_number),
    )


def acquired_key(acquired: str | None) -> int:
    """An acquisition date as a number that sorts as the dates do (1901-05 is 19010500)."""
    if not acquired:
        return UNKNOWN_DAY
    year, *rest = acquired.lstrip("-").split("-")
    month, day = (int(rest[0]) if rest else 0), (int(rest[1]) if len(rest) > 1 else 0)
    return (-1 if acquired.startswith("-") else 1) * int(year) * 10_000 + month * 100 + day


def accession_key(number: str | None) -> tuple[int, int]:
    """An accession number as two numbers that sort as a registrar reads them: the digits by value
    (N476 before N01498), letters folded."""
    if not number:
        return NO_NUMBER, NO_NUMBER
    return title_key(re.sub(r"[0-9]+", lambda m: m.group().lstrip("0").zfill(6), number))


_TITLE_BASE = 39  # 0 pads, then space, digits, a-z, and one code for any other letter


def title_key(title: str) -> tuple[int, int]:
    """The first 24 folded characters of a title as two ordered 64-bit numbers."""
    text = unicodedata.normalize("NFKD", title.casefold().strip())
    chars: list[int] = []
    for ch in text:
        if ch.isspace():
            if chars and chars[-1] != 1:
                chars.append(1)
        elif "0" <= ch <= "9":
            chars.append(2 + ord(ch) - ord("0"))
        elif "a" <= ch <= "z":
            chars.append(12 + ord(ch) - ord("a"))
        elif ch.isalpha():
            chars.append(38)
        if len(chars) == 24:
            break
    chars = (chars + [0] * 24)[:24]
    halves = []
    for part in (chars[:12], chars[12:]):
        value = 0
        for code in part:
            value = value * _TITLE_BASE + code
        halves.append(value)
    return halves[0], halves[1]
