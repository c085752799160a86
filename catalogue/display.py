"""Dates, creator roles and the fields museums keep as a visitor reads them, in the visitor's language.

Records give both as English text ("c.1801–10", "after 1836", "February 2015", "attributed to"). A
role from the vocabulary and a date in one of the shapes found in the demo and the Tate catalogue
are parsed and said again through the Babel catalogs and Babel's month names; whatever is not
understood is shown as given, marked as English (WCAG 3.1.2: a reader is told its language).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date

from babel.dates import format_date
from babel.numbers import format_decimal

from .catalogs import translate
from .model import Creator, Dimension

SOURCE = "en"  # the language records write dates and roles in (the demo's, Tate's)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Said:
    """A piece of shown text and its language (``None``: the page's own)."""

    text: str
    lang: str | None = None


# -- roles ----------------------------------------------------------------------

ROLES = {r.lower(): r for r in (
    N_("artist"), N_("after"), N_("attributed to"), N_("formerly attributed to"),
    N_("doubtfully attributed to"), N_("manner of"), N_("pupil of"), N_("and other artists"),
    N_("prints after"), N_("pseudo"), N_("studio of"), N_("imitator of"), N_("and a pupil"),
    N_("school of"), N_("and assistants"), N_("follower of"), N_("and studio"), N_("circle of"),
    N_("style of"), N_("photographer"), N_("creator"), N_("illustrator"), N_("3D digitisation"),
    N_("3D model"), N_("texture photograph"), N_("processing"), N_("author"), N_("painter"),
    N_("sculptor"), N_("engraver"), N_("printmaker"), N_("publisher"), N_("designer"),
    N_("architect"), N_("draughtsman"), N_("editor"), N_("translator"), N_("maker"),
)}


def role(text: str, lang: str) -> Said:
    """A creator's role in ``lang``; one outside the vocabulary as given, in its own language."""
    known = ROLES.get(text.strip().lower())
    if known is None:
        return Said(text, None if lang == SOURCE else SOURCE)
    return Said(translate(known, lang))


# -- dates ----------------------------------------------------------------------

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
EVENTS = {e.removesuffix(" %(date)s"): e for e in (
    N_("published %(date)s"), N_("first published %(date)s"), N_("exhibited %(date)s"),
    N_("engraved %(date)s"), N_("printed %(date)s"), N_("printed after %(date)s"),
    N_("reprinted %(date)s"), N_("cast %(date)s"), N_("reproduced %(date)s"),
    N_("enlarged version %(date)s"), N_("reconstructed %(date)s"),
)}
_YEAR = r"\d{1,4}(?![\d.])"
PHRASE = re.compile(
    rf"(?<![\w.])(?P<uncertain>\?)?(?:(?P<event>{'|'.join(sorted(EVENTS, key=len, reverse=True))}) )?"
    rf"(?P<bound>before |after )?(?P<approx>c\. ?|circa |about )?(?:(?P<month>{'|'.join(MONTHS)}) )?"
    rf"(?P<ad>AD )?(?P<start>{_YEAR})(?:[–-](?P<end>{_YEAR}))?(?P<decade>s)?(?P<bc> BCE?| A\.?D\.?| CE)?(?![\w.])",
    re.IGNORECASE,
)
TOKENS = (
    ("note", re.compile(r"\([^()]*\)")),  # an aside in brackets is shown as given
    ("span", PHRASE),
    ("undated", re.compile(r"(?<!\w)(?:date not known|no date|undated|n\.d\.)(?!\w)", re.IGNORECASE)),
    ("printed later", re.compile(r"(?<!\w)printed later(?!\w)", re.IGNORECASE)),
    ("connector", re.compile(r"\s+(or|and)\s+")),
    ("neutral", re.compile(r"[\s,;:–-]+")),
)
WORDS = {"undated": N_("undated"), "printed later": N_("printed later"), "or": N_("or"), "and": N_("and")}


@dataclass(frozen=True)
class Span:
    """A date as a record gives it: one year, a range, a decade or a month, and how sure it is."""

    start: int
    end: int | None = None
    month: int | None = None
    decade: bool = False
    era: str | None = None  # "BC", or "AD" when the record says so
    approx: bool = False
    uncertain: bool = False
    bound: str | None = None  # "before" or "after"
    event: str | None = None  # "published", "cast", ...


def _span(match: re.Match) -> Span:
    first, end = match["start"], match["end"]
    last = None
    if end:  # "1843–4" is 1843–1844, "1801–10" 1801–1810 (but "150–125 BC" counts down)
        last = int(end) if len(end) >= len(first) or match["bc"] else int(first[: -len(end)] + end)
    return Span(
        int(first), last, MONTHS.index(match["month"].lower()) + 1 if match["month"] else None,
        bool(match["decade"]), _era(match),
        bool(match["approx"]), bool(match["uncertain"]), (match["bound"] or "").strip().lower() or None,
        match["event"] and match["event"].lower(),
    )


def _era(match: re.Match) -> str | None:
    given = (match["bc"] or "").strip().upper().replace(".", "")
    if given.startswith("BC"):
        return "BC"
    return "AD" if given or match["ad"] else None


def _token(text: str, at: int) -> tuple[str, re.Match] | None:
    for kind, pattern in TOKENS:
        match = pattern.match(text, at)
        if match and match.end() > at:
            return kind, match
    return None


def parse(text: str) -> list[Span | tuple[str, str]]:
    """A date's text as spans and (kind, text) pieces: a word of WORDS, "neutral" punctuation, or
    "given": text not understood, shown as it is."""
    parts: list[Span | tuple[str, str]] = []
    at, rest = 0, ""
    while at < len(text):
        token = _token(text, at)
        if token is None:
            rest += text[at]
            at += 1
            continue
        if rest:
            parts.append(("given", rest))
            rest = ""
        kind, match = token
        if kind == "span":
            parts.append(_span(match))
        elif kind == "note":
            parts.append(("given", match.group()))
        elif kind == "connector":
            parts.append((match.group(1).lower(), match.group()))
        else:
            parts.append((kind, match.group()))
        at = match.end()
    if rest:
        parts.append(("given", rest))
    return parts


def shown_date(text: str, lang: str) -> list[Said]:
    """A record's date said in ``lang``: what was parsed translated, anything else as given."""
    said: list[Said] = []
    for part in parse(text):
        if isinstance(part, Span):
            said.append(Said(say(part, lang)))
            continue
        kind, given = part
        if kind == "given":
            said.append(Said(given, None if lang == SOURCE else SOURCE))
        elif kind in ("or", "and"):
            said.append(Said(f" {translate(WORDS[kind], lang)} "))
        elif kind in WORDS:
            said.append(Said(translate(WORDS[kind], lang)))
        elif said:  # punctuation and spaces belong to either language: kept with what precedes
            said[-1] = Said(said[-1].text + given, said[-1].lang)
        else:
            said.append(Said(given))
    return _joined(said)


def say(span: Span, lang: str) -> str:
    """One parsed date in ``lang``: "ca. 1801–1810", "vor 2023", "février 2015"."""
    if span.month:
        text = format_date(Date(span.start, span.month, 1), "LLLL y", locale=lang)
    elif span.decade:
        text = translate(N_("%(year)ss"), lang, year=span.start)
    elif span.end is not None:
        text = f"{span.start}–{span.end}"
    else:
        text = str(span.start)
    if span.era == "BC":
        text = translate(N_("%(year)s BC"), lang, year=text)
    elif span.era == "AD":
        text = translate(N_("AD %(year)s"), lang, year=text)
    if span.approx:
        text = translate(N_("c. %(date)s"), lang, date=text)
    if span.bound == "before":
        text = translate(N_("before %(date)s"), lang, date=text)
    elif span.bound == "after":
        text = translate(N_("after %(date)s"), lang, date=text)
    if span.uncertain:
        text = translate(N_("probably %(date)s"), lang, date=text)
    if span.event:
        text = translate(EVENTS[span.event], lang, date=text)
    return text


def _joined(said: list[Said]) -> list[Said]:
    """Neighbours in the same language as one piece (fewer elements to mark)."""
    joined: list[Said] = []
    for piece in said:
        if joined and joined[-1].lang == piece.lang:
            joined[-1] = Said(joined[-1].text + piece.text, piece.lang)
        else:
            joined.append(piece)
    return joined


# -- the fields museums keep --------------------------------------------------------

# What a dimension measures and of which part, as records name them (English); others are shown as given.
MEASURES = {m: m for m in (
    N_("height"), N_("width"), N_("depth"), N_("diameter"), N_("length"), N_("thickness"), N_("weight"),
    N_("duration"), N_("circumference"),
)}
PARTS = {p: p for p in (
    N_("support"), N_("frame"), N_("image"), N_("sheet"), N_("mount"), N_("plate"), N_("overall"),
    N_("base"), N_("object"), N_("case"),
)}
_SIZES = ("height", "width", "depth")  # said together, as museums write them: 1705 × 2416 mm


def _number(value: float, lang: str) -> str:
    return format_decimal(value, locale=lang, group_separator=False)


def _word(vocabulary: dict[str, str], text: str, lang: str) -> Said:
    known = vocabulary.get(text.strip().lower())
    return Said(translate(known, lang)) if known else Said(text, None if lang == SOURCE else SOURCE)


def dimensions(dims: list[Dimension], lang: str) -> list[list[Said]]:
    """A work's dimensions in ``lang``, one line per part: "support: 1705 × 2416 mm", "weight 12.5 kg".

    Height, width and depth of one part in one unit are said together in that order; any other
    measure on its own with its name. Words outside the vocabulary are shown as given.
    """
    lines: list[list[Said]] = []
    for part in dict.fromkeys(d.part for d in dims):
        of_part = [d for d in dims if d.part == part]
        sizes = [d for d in of_part if d.type.lower() in _SIZES]
        together = len(sizes) > 1 and len({d.unit for d in sizes}) == 1 \
            and len({d.type.lower() for d in sizes}) == len(sizes)
        pieces: list[str | Said] = []
        if together:
            sizes.sort(key=lambda d: _SIZES.index(d.type.lower()))
            pieces.append(" × ".join(_number(d.value, lang) for d in sizes) + f" {sizes[0].unit}")
        for d in of_part:
            if together and d in sizes:
                continue
            if pieces:
                pieces.append(", ")
            pieces += [_word(MEASURES, d.type, lang), f" {_number(d.value, lang)} {d.unit}"]
        said = _part(part, lang) if part else []
        said += [p if isinstance(p, Said) else Said(p) for p in pieces]
        lines.append(_joined(said))
    return lines


def _part(part: str, lang: str) -> list[Said]:
    """"support: " in ``lang`` (French puts a space before the colon)."""
    word = _word(PARTS, part, lang)
    if word.lang is None:
        return [Said(translate(N_("%(part)s: "), lang, part=word.text))]
    return [word, Said(translate(N_("%(part)s: "), lang, part=""))]


def when(text: str, lang: str) -> str:
    """A year, a month or a day of the record's own form (``1856-03-12``) as ``lang`` writes it."""
    parts = text.lstrip("-").split("-")
    if text.startswith("-") or len(parts) == 1:
        return translate(N_("%(year)s BC"), lang, year=parts[0].lstrip("0") or "0") if text.startswith("-") \
            else parts[0]
    day = Date(int(parts[0]) or 1, int(parts[1]), int(parts[2]) if len(parts) > 2 else 1)
    return format_date(day, "long" if len(parts) > 2 else "LLLL y", locale=lang)


def creator_details(creator: Creator, lang: str) -> list[Said]:
    """What follows a creator's name: "artist, 1775–1851, British" (the role in ``lang``)."""
    said = [role(creator.role, lang)] if creator.role else []
    if creator.life:
        said.append(Said(creator.life))
    if creator.nationality:  # the record's word, as given
        said.append(Said(creator.nationality, None if lang == SOURCE else SOURCE))
    joined: list[Said] = []
    for piece in said:
        if joined:
            joined.append(Said(", "))
        joined.append(piece)
    return _joined(joined)
