"""Facets, declared once: what each one filters on, which values it takes, how they are labelled.

One class per kind, as the engine counts them: keyword facets hold exact
values an object may have several of (institution, collection, creator,
subject, classification, medium), fixed facets one of a few values known in advance
(type, has image, rights status, 3D), and the century facet is counted from an
object's years. The engine, the results page and the API all read this one table
(``FACETS``); the FACETS setting picks which of them a catalogue offers, in which order
(``offered``), and the searching service keeps to it.

Values of one facet combine with OR, different facets with AND. Labels come in
the reader's language: fixed ones and centuries from the interface catalogs
(catalogue/translations), names of institutions, collections and concepts from
``Names``, which reads them from the store once per store version.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from ..catalogs import translate
from ..model import OBJECT_TYPES, LanguageMap, in_copyright, pick

if TYPE_CHECKING:
    from ..store import Store

UNKNOWN = "unknown"
SHOWN = 20  # values listed per facet (the selected ones always are)


def N_(message: str) -> str:
    """Marks a message for the interface catalogs; translated when shown."""
    return message


class FilterError(ValueError):
    """A facet or value that cannot be filtered on (the API answers 400)."""


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


class Names:
    """Labels of institutions, collections and concepts, read from the store once per version.

    A search labels its facet values from here instead of reading every
    institution and collection; the store's version (``last_seq``) tells when
    the names may have changed. ``reads`` counts how often the store was read.
    """

    def __init__(self, store: Store):
        self.store = store
        self.reads = 0
        self._lock = threading.Lock()
        self._version: int | None = None
        self._institutions: dict[str, LanguageMap] = {}
        self._collections: dict[str, LanguageMap] = {}
        self._concepts: dict[str, LanguageMap | None] = {}

    def _fresh(self) -> None:
        version = self.store.last_seq()
        if version == self._version:
            return
        with self._lock:
            if version != self._version:
                self._institutions = {i.id: i.label for i in self.store.institutions()}
                self._collections = {c.id: c.label for c in self.store.collections()}
                self._concepts = {}
                self._version = version
                self.reads += 1

    def institutions(self) -> dict[str, LanguageMap]:
        self._fresh()
        return self._institutions

    def collections(self) -> dict[str, LanguageMap]:
        self._fresh()
        return self._collections

    def concepts(self, uris: Iterable[str]) -> dict[str, LanguageMap]:
        """The labels of the concepts among ``uris`` (the thesaurus is read only for those not seen yet)."""
        self._fresh()
        known = self._concepts
        missing = [u for u in uris if u not in known]
        if missing:
            found = {c.uri: c.label for c in self.store.concepts(missing)}
            known.update({u: found.get(u) for u in missing})
        return {u: label for u in uris if (label := known.get(u))}


class Facet:
    """One way to narrow a search: its name, its title, the values it takes, their labels."""

    name: ClassVar[str]
    title: ClassVar[str]  # a message of the interface catalogs
    kind: ClassVar[Literal["keyword", "fixed", "century"]]  # how an engine keeps and counts it

    def check(self, values: list[str]) -> None:
        """FilterError for a value that can never be valid."""

    def labels(self, values: list[str], lang: str, names: Names) -> dict[str, str]:
        """Labels in ``lang`` of those of ``values`` that have one (the others show as they are)."""
        return {}

    def describe(self, counted: list[tuple[str, int]], lang: str, names: Names) -> list[FacetValue]:
        """Counted values, labelled."""
        labels = self.labels([v for v, _ in counted], lang, names)
        return [FacetValue(v, labels.get(v) or v, c) for v, c in counted]


class FixedFacet(Facet):
    """One of a few values known in advance, each with a label in the catalogs."""

    kind = "fixed"
    values: ClassVar[dict[str, str]]  # value -> message

    def check(self, values: list[str]) -> None:
        for value in values:
            if value not in self.values:
                raise FilterError(f"{self.name} must be one of {', '.join(self.values)}, not {value!r}")

    def label(self, value: str, lang: str) -> str:
        """The label of ``value`` in ``lang``."""
        message = self.values.get(value)
        return translate(message, lang) if message else value

    def labels(self, values: list[str], lang: str, names: Names) -> dict[str, str]:
        return {value: self.label(value, lang) for value in values}


class InstitutionFacet(Facet):
    name, title, kind = "institution", N_("Institution"), "keyword"

    def labels(self, values: list[str], lang: str, names: Names) -> dict[str, str]:
        known = names.institutions()
        return {v: pick(known[v], lang) for v in values if v in known}


class CollectionFacet(Facet):
    name, title, kind = "collection", N_("Collection"), "keyword"

    def labels(self, values: list[str], lang: str, names: Names) -> dict[str, str]:
        known = names.collections()
        return {v: pick(known[v], lang) for v in values if v in known}


class TypeFacet(FixedFacet):
    name, title = "type", N_("Type")
    values: ClassVar[dict[str, str]] = {
        "image": N_("Image"), "book": N_("Book"), "3d": N_("3D model"), "audio": N_("Sound"), "video": N_("Video"),
    }
    assert tuple(values) == OBJECT_TYPES


class CreatorFacet(Facet):
    """Creators by name as the records give it (the name is its own label)."""

    name, title, kind = "creator", N_("Creator"), "keyword"


class SubjectFacet(Facet):
    name, title, kind = "subject", N_("Subject"), "keyword"

    def labels(self, values: list[str], lang: str, names: Names) -> dict[str, str]:
        return {uri: pick(label, lang) for uri, label in names.concepts(values).items()}


class CenturyFacet(Facet):
    """Centuries as museums count them (the 19th is 1800-1899; -1 is the 1st BC), or ``unknown``."""

    name, title, kind = "century", N_("Century"), "century"

    def check(self, values: list[str]) -> None:
        for value in values:
            if value == UNKNOWN:
                continue
            if not re.fullmatch(r"-?[0-9]{1,9}", value):  # ASCII digits only, as int() is not
                raise FilterError(f"century must be a number like 19 or -2, or {UNKNOWN!r}")
            number = int(value)
            if number == 0 or not -101 <= number <= 31:
                raise FilterError(f"century {value} is out of range")

    def labels(self, values: list[str], lang: str, names: Names) -> dict[str, str]:
        return {v: century_label(v, lang) for v in values}


class MediumFacet(Facet):
    """Mediums as the records name them ("Oil paint on canvas"): the first sentence of the record's
    medium (or, in a record from before that field, of its Medium metadata entry)."""

    name, title, kind = "medium", N_("Medium"), "keyword"


class ClassificationFacet(Facet):
    """What the work is, as the record's classification names it ("painting", "Photographic Negative")."""

    name, title, kind = "classification", N_("Classification"), "keyword"


class RightsFacet(FixedFacet):
    """What a work's rights statement says, as a status: a work with none is "not stated", never open."""

    name, title = "rights", N_("Rights")
    values: ClassVar[dict[str, str]] = {
        "open": N_("Open"), "in-copyright": N_("In copyright"), "not-stated": N_("Rights not stated"),
        "other": N_("Other rights"),
    }


def rights_status(rights: str | None) -> str:
    """The rights facet's value for a rights URI: Creative Commons and "no copyright" statements are
    open, rightsstatements.org's InC ones in copyright, none at all not stated, the rest (not evaluated,
    undetermined, unknown schemes) other."""
    if not rights or not rights.strip():
        return "not-stated"
    if in_copyright(rights):
        return "in-copyright"
    if "creativecommons.org/" in rights or "rightsstatements.org/vocab/NoC" in rights:
        return "open"
    return "other"


class ImageFacet(FixedFacet):
    name, title = "hasimage", N_("Picture")
    values: ClassVar[dict[str, str]] = {"yes": N_("With image"), "no": N_("Without image")}


class ThreeDFacet(FixedFacet):
    name, title = "has3d", N_("3D")
    values: ClassVar[dict[str, str]] = {"yes": N_("With 3D"), "no": N_("Without 3D")}


TYPE = TypeFacet()  # also labels an object's type on its page
FACETS: dict[str, Facet] = {f.name: f for f in (
    InstitutionFacet(), CollectionFacet(), TYPE, CreatorFacet(), SubjectFacet(), CenturyFacet(),
    ClassificationFacet(), MediumFacet(), ImageFacet(), RightsFacet(), ThreeDFacet(),
)}
"""Every facet that exists, by name: the registry the FACETS setting picks from (``offered``)."""


def offered(setting: str) -> tuple[str, ...]:
    """The facets a catalogue offers, in its order, from the FACETS setting ("institution, type, ...");
    ValueError naming an unknown one, so a mistyped setting stops the application at start."""
    names = tuple(dict.fromkeys(n.strip() for n in setting.replace(" ", ",").split(",") if n.strip()))
    for name in names:
        if name not in FACETS:
            raise ValueError(f"FACETS names an unknown facet {name!r}; facets are {', '.join(FACETS)}")
    return names


def check(filters: dict[str, list[str]]) -> None:
    """Refuse unknown facets and values that can never be valid."""
    for name, values in filters.items():
        facet = FACETS.get(name)
        if facet is None:
            raise FilterError(f"unknown facet {name!r}; facets are {', '.join(FACETS)}")
        facet.check(values)


def informative(counted: dict[str, list[FacetValue]], total: int,
                filters: dict[str, list[str]]) -> dict[str, list[FacetValue]]:
    """The facets worth offering: one whose only value covers every hit narrows nothing, so it is left
    out unless the visitor selected it (then it stays, to be removed). The one home of this rule."""
    return {name: values for name, values in counted.items()
            if filters.get(name) or not (len(values) == 1 and values[0].count >= total)}


_UNKNOWN_DATE = N_("Date unknown")
_CENTURY = N_("%(ordinal)s century")
_CENTURY_BC = N_("%(ordinal)s century BC")


def century_label(value: str, lang: str) -> str:
    """"19th century", "19de eeuw", "XIXe siècle", "19. Jahrhundert"; BC ones too.

    The words come from the catalogs; how a language writes an ordinal number
    (Babel has no ordinal spelling) is the one rule per language kept here.
    """
    if value == UNKNOWN:
        return translate(_UNKNOWN_DATE, lang)
    number = int(value)
    return translate(_CENTURY_BC if number < 0 else _CENTURY, lang, ordinal=ordinal(abs(number), lang))


def ordinal(n: int, lang: str) -> str:
    """``n`` as an ordinal in ``lang``: 19th, 19de, XIXe, 19."""
    if lang == "fr":
        return f"{_roman(n)}{'er' if n == 1 else 'e'}"
    if lang == "de":
        return f"{n}."
    if lang == "nl":
        return f"{n}{'ste' if n in (1, 8) or n >= 20 else 'de'}"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out
