"""The domain: digital objects, their media, exhibitions, concepts and institutions.

Plain dataclasses that import nothing of the project. Every ``from_dict`` checks
its input and raises :class:`ValidationError` naming the offending field, so an
importer can add the file and row and a curator knows exactly what to fix.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, TypeGuard

from babel import Locale

LanguageMap = dict[str, list[str]]
"""IIIF language map: ``{"nl": ["Geboorte"], "none": ["1999.3"]}``."""

OBJECT_TYPES = ("image", "book", "3d", "audio", "video")
# draft: its curators and admins only; scheduled: public from its opening date on; published: public.
EXHIBITION_STATUSES = ("draft", "scheduled", "published")
# admin: users, every exhibition and object; editor: the metadata of their institutions' objects;
# curator: creates exhibitions and edits those they curate. A user may hold several.
ROLES = ("admin", "editor", "curator")
USER_NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
# Every pattern is used with fullmatch: "$" would let a trailing newline through.
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_LANGUAGE_TAG = re.compile(r"([a-zA-Z]{2,3})(-[A-Za-z0-9]{1,8})*")
_KNOWN_LANGUAGES = frozenset(Locale("en").languages)
_RIGHTS_PATTERN = re.compile(
    r"https?://(creativecommons\.org/(licenses|publicdomain)/|rightsstatements\.org/vocab/)[A-Za-z0-9._~/-]*"
)
_WEB_URL = re.compile(r"(?i:https?)://[^\s/?#@]+([/?#]\S*)?")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")  # a concept: an http URI or a CURIE like kbr:LEXICON_7
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNSAFE = re.compile(f"{_CONTROL.pattern[:-1]}{_SURROGATE.pattern[1:]}")

# Longest text per value, in characters: a 20 MB summary made a 40 MB page.
# record.schema.json names the same limits (maxLength).
LABEL_MAX = 1_000  # a label or title, a name, a role, a date as displayed
SUMMARY_MAX = 20_000  # a summary or a section's introduction
VALUE_MAX = 10_000  # a metadata value, a required statement, a caption
URL_MAX = 2_000  # a URL, a concept URI


class ValidationError(ValueError):
    """A value that cannot enter the catalogue; ``field`` is a dotted path to it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def within(self, prefix: str) -> ValidationError:
        """The same error, with its field path nested under ``prefix``."""
        return ValidationError(f"{prefix}.{self.field}" if self.field else prefix, self.message)


@lru_cache(maxsize=4096)
def is_language(tag: str) -> bool:
    """True for ``none`` and BCP 47 tags whose primary language CLDR knows."""
    if tag == "none":
        return True
    match = _LANGUAGE_TAG.fullmatch(tag)
    return match is not None and match.group(1).lower() in _KNOWN_LANGUAGES


def language_map(value: Any, field: str, required: bool = False, limit: int = LABEL_MAX) -> LanguageMap:
    """Check and normalise a language map; a bare string counts as language ``none``.

    Each text is at most ``limit`` characters; an error names it as ``summary.en[0]``.
    """
    if value is None or value == {} or value == "":
        if required:
            raise ValidationError(field, "is required")
        return {}
    if isinstance(value, str):
        value = {"none": [value]}
    if not isinstance(value, dict):
        raise ValidationError(field, "must be a language map like {\"en\": [\"text\"]}")
    result: LanguageMap = {}
    for lang, texts in value.items():
        if not isinstance(lang, str) or not is_language(lang):
            raise ValidationError(field, f"unknown language code {_shown(lang)}")
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise ValidationError(f"{field}.{lang}", "must be a string or a list of strings")
        texts = [_text(t, f"{field}.{lang}[{i}]", limit) for i, t in enumerate(texts)]
        texts = [t for t in texts if t]
        if texts:
            result[lang] = texts
    if required and not result:
        raise ValidationError(field, "is required")
    return result


def pick(lmap: LanguageMap, lang: str | None = None) -> str:
    """The text to show a reader of ``lang``, by the IIIF fallback rules (``picked``)."""
    return picked(lmap, lang)[0]


def picked(lmap: LanguageMap, lang: str | None = None) -> tuple[str, str | None]:
    """The text to show a reader of ``lang`` and the language it is in (``None``: ``none``).

    The exact language, then one sharing its primary subtag, then ``none``,
    then English, then whatever comes first. A page marks text in another
    language than its own with that language (WCAG 3.1.2).
    """
    if not lmap:
        return "", None
    if lang:
        if lang in lmap:
            return "; ".join(lmap[lang]), lang
        primary = lang.split("-")[0]
        for key, texts in lmap.items():
            if key.split("-")[0] == primary:
                return "; ".join(texts), key
    for key in ("none", "en"):
        if key in lmap:
            return "; ".join(lmap[key]), None if key == "none" else key
    key, texts = next(iter(lmap.items()))
    return "; ".join(texts), None if key == "none" else key


def _shown(value: Any) -> str:
    """A value as an error message quotes it: short, whatever was sent."""
    text = repr(value) if not isinstance(value, (list, dict)) else type(value).__name__
    return text if len(text) <= 80 else text[:60] + "…" + text[-10:]


def _text(value: str, field: str, limit: int) -> str:
    """A text value stripped, refused when too long or not text a page or the store can hold."""
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(field, f"is {len(value):,} characters long; the limit is {limit:,}")
    if _UNSAFE.search(value):  # one pass for the clean text nearly every value is
        control = _CONTROL.search(value)
        if control:
            raise ValidationError(field, f"contains the control character U+{ord(control.group()):04X}")
        raise ValidationError(field, "contains a lone surrogate (\\ud800-\\udfff): not Unicode text")
    return value


def is_id(value: Any) -> bool:
    """Whether ``value`` is a valid id: routes check this before they look anything up."""
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def check_id(value: Any, field: str = "id") -> str:
    """A stable, URL-safe identifier."""
    if not is_id(value):
        raise ValidationError(
            field,
            f"{_shown(value)} is not a valid id (letters, digits, '.', '_' and '-', at most 128, "
            "starting with a letter or digit)",
        )
    return value


def check_rights(value: Any, field: str = "rights") -> str | None:
    """A Creative Commons or RightsStatements.org URI (IIIF ``rights``)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _RIGHTS_PATTERN.fullmatch(value):
        raise ValidationError(
            field, f"{_shown(value)} is not a Creative Commons or RightsStatements.org URI"
        )
    return value


def is_web_url(value: Any) -> TypeGuard[str]:
    """An http(s) URL with a host: the only kind a page links to or a manifest names.

    ``javascript:`` and ``data:`` URLs run or render on click, so nothing else passes.
    """
    return isinstance(value, str) and len(value) <= URL_MAX and _WEB_URL.fullmatch(value) is not None


def check_url(value: Any, field: str) -> str | None:
    """An optional http(s) URL (a homepage, a logo, an authority record)."""
    url = _optional_str(value, field, URL_MAX)
    if url and not is_web_url(url):
        raise ValidationError(field, f"{_shown(url)} is not an http(s) URL (http:// or https:// and a host)")
    return url


def check_uri(value: Any, field: str) -> str | None:
    """An optional concept URI: ``http://…`` or a prefixed name like ``kbr:LEXICON_7``.

    It identifies, like an id: taken exactly as given, no space anywhere.
    """
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > URL_MAX or not _URI.fullmatch(value):
        raise ValidationError(
            field, f"{_shown(value)} is not a URI (scheme:rest, no spaces, at most {URL_MAX:,} characters)"
        )
    return value


def _day(value: Any, field: str) -> str | None:
    day = _optional_str(value, field)
    if day:
        try:
            if not _DATE.fullmatch(day):
                raise ValueError
            date.fromisoformat(day)
        except ValueError:
            raise ValidationError(field, f"{_shown(day)} is not a date (YYYY-MM-DD)") from None
    return day


def in_copyright(rights: str | None) -> bool:
    """Whether a rights URI says the work is still protected (served at reduced size)."""
    return rights is not None and "rightsstatements.org/vocab/InC" in rights


def _year(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool) or not re.fullmatch(r"-?[0-9]{1,5}", str(value).strip()):
            raise ValueError
        year = int(str(value).strip())
    except ValueError:
        raise ValidationError(field, f"{_shown(value)} is not a year") from None
    if not -10000 <= year <= 3000:
        raise ValidationError(field, f"{year} is out of range")
    return year


def _optional_str(value: Any, field: str, limit: int = LABEL_MAX) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValidationError(field, "must be a string")
    return _text(value, field, limit) or None


def _list(value: Any, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(field, "must be a list")
    return value


def _strings(value: Any, field: str, check=None) -> list[str]:
    """A list of strings (names, URIs), each checked and named ``field[i]``."""
    check = check or (lambda v, where: _optional_str(v, where))
    out = []
    for i, item in enumerate(_list(value, field)):
        if not isinstance(item, str):
            raise ValidationError(f"{field}[{i}]", "must be a string")
        item = check(item, f"{field}[{i}]")
        if item:
            out.append(item)
    return out


def _version(value: Any) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ValidationError("version", f"{_shown(value)} is not a version number")
    return value


def _items(values: Iterable[Any], field: str, parse) -> list:
    out = []
    for i, value in enumerate(values):
        if not isinstance(value, dict):
            raise ValidationError(f"{field}[{i}]", "must be an object")
        try:
            out.append(parse(value))
        except ValidationError as exc:
            raise exc.within(f"{field}[{i}]") from None
    return out


def _plain(value: Any) -> Any:
    """A dataclass tree as plain JSON data, empty values dropped so records stay small.

    Faster than ``dataclasses.asdict``: language maps are shared, not deep-copied.
    """
    if hasattr(value, "__dataclass_fields__"):
        out = {}
        for name in value.__dataclass_fields__:
            item = _plain(getattr(value, name))
            if item is not None and item != "" and item != [] and item != {}:
                out[name] = item
        return out
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@dataclass
class Creator:
    """A maker of the work, with what authorities say about them (ULAN, VIAF, Wikidata, RKD)."""

    name: str
    role: str | None = None
    uri: str | None = None  # the authority record a name links to
    variants: list[str] = field(default_factory=list)
    born: str | None = None  # a year or a date (YYYY, YYYY-MM, YYYY-MM-DD; -500 is 501 BCE)
    died: str | None = None
    nationality: str | None = None
    authorities: list[str] = field(default_factory=list)  # further authority URIs of the same person

    @classmethod
    def from_dict(cls, data: dict) -> Creator:
        name = _optional_str(data.get("name"), "name")
        if not name:
            raise ValidationError("name", "is required")
        uri = check_url(data.get("uri"), "uri")
        variants = _strings(data.get("variants"), "variants")
        born, died = _when(data.get("born"), "born"), _when(data.get("died"), "died")
        if born and died and _sort_year(died) < _sort_year(born):
            raise ValidationError("died", f"{died} is before the birth {born}")
        return cls(
            name, _optional_str(data.get("role"), "role"), uri, variants,
            born=born, died=died,
            nationality=_optional_str(data.get("nationality"), "nationality"),
            authorities=_strings(data.get("authorities"), "authorities", check_uri),
        )

    @property
    def life(self) -> str:
        """Life dates as a label shows them: "1775–1851", "1775–", "–1851", or ""."""
        if not self.born and not self.died:
            return ""
        return f"{self.born or ''}–{self.died or ''}"


_WHEN = re.compile(r"-?[0-9]{1,4}(-[0-9]{2}(-[0-9]{2})?)?")


def _when(value: Any, field: str) -> str | None:
    """A year, a month or a day (``1775``, ``1895-03``, ``1895-03-12``, ``-500``): what a museum
    knows of a life or an acquisition, to the precision it knows it."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _optional_str(value, field)
    if text is None:
        return None
    valid = _WHEN.fullmatch(text) is not None
    if valid and text.lstrip("-").count("-"):
        parts = text.lstrip("-").split("-")
        try:
            date(int(parts[0]) or 1, int(parts[1]), int(parts[2]) if len(parts) > 2 else 1)
        except ValueError:
            valid = False
    if not valid:
        raise ValidationError(field, f"{_shown(text)} is not a year or a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return text


def _sort_year(when: str) -> int:
    return -int(when[1:].split("-")[0]) if when.startswith("-") else int(when.split("-")[0])


# Units a dimension may be given in: lengths, weights, durations (a performance, a film reel).
UNITS = ("mm", "cm", "m", "in", "ft", "g", "kg", "lb", "oz", "s", "min")


@dataclass
class Dimension:
    """One measurement: ``height 1956 mm`` (of the ``support``, the ``frame``, the whole work)."""

    type: str  # height, width, depth, diameter, weight, duration, ...
    value: float
    unit: str
    part: str | None = None

    @classmethod
    def from_dict(cls, data: dict) -> Dimension:
        kind = _optional_str(data.get("type"), "type")
        if not kind:
            raise ValidationError("type", "is required (height, width, depth, diameter, weight, ...)")
        value = data.get("value")
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise ValidationError("value", f"{_shown(value)} is not a number") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not 0 < value < 1e12:
            raise ValidationError("value", f"{_shown(value)} is not a positive number")
        unit = data.get("unit")
        if unit not in UNITS:
            raise ValidationError("unit", f"{_shown(unit)} is not one of {', '.join(UNITS)}")
        value = int(value) if float(value).is_integer() else float(value)
        return cls(kind, value, unit, _optional_str(data.get("part"), "part"))

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"


def _sizes(value: Any) -> list[tuple[int, int]]:
    """``[[w, h], ...]``: whole pixels, smallest first."""
    pairs = []
    for n, pair in enumerate(_list(value, "sizes")):
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**31 for v in pair)):
            raise ValidationError(f"sizes[{n}]", "must be [width, height] in whole pixels")
        pairs.append((pair[0], pair[1]))
    return sorted(set(pairs))


# The Image API versions a remote image service may speak, by its IIIF type.
IMAGE_SERVICE_TYPES = ("ImageService2", "ImageService3")


@dataclass
class MediaFile:
    """One file of an object: an image (page or view), a 3D model, a sound or a film.

    ``id`` is global: it names the image in the Image API, so ingest may set it
    (the validator's test image has a fixed identifier). A local file has a ``path``
    under media/; a work lent by another institution has instead its image ``service``
    there (a IIIF Image API base URI, of ``service_type``) or a plain image ``url``,
    and its size as that institution gives it: Vitrine's manifest points at them.
    """

    id: str
    path: str
    format: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    label: LanguageMap = field(default_factory=dict)
    size: int | None = None
    service: str | None = None
    service_type: str | None = None
    url: str | None = None
    # The sizes a remote service offers (its info.json's ``sizes``), the ones a level-0 service is
    # sure to serve: thumbnails ask for one of them.
    sizes: list[tuple[int, int]] = field(default_factory=list)
    source: str | None = None  # the remote image a mirrored (now local) file was fetched from

    @property
    def is_image(self) -> bool:
        return self.format.startswith("image/")

    @property
    def is_remote(self) -> bool:
        """Served by another institution: no file here, no tiles cut, no Image API of ours."""
        return not self.path

    def remote_image(self, size: str = "max", region: str = "full") -> str:
        """The lender's URL of a remote image: a region of its service at an Image API size (``max``
        is ``full`` in version 2), or the plain image itself."""
        if not self.service:
            return self.url or ""
        if self.service_type == "ImageService2" and size == "max":
            size = "full"
        return f"{self.service}/{region}/{size}/0/default.jpg"

    def remote_thumbnail(self, target: int = 400) -> tuple[str, int, int]:
        """A remote image's thumbnail about ``target`` px wide, and its size: one of the sizes its service
        offers (the smallest as wide, else the largest; a level-0 service serves only those), any width
        of a service that offers none, the plain image itself."""
        width, height = self.width or 0, self.height or 0
        if not self.service:
            return self.remote_image(), width, height
        if self.sizes:
            w, h = next((s for s in self.sizes if s[0] >= target), self.sizes[-1])
        else:
            w = min(target, width)
            h = max(1, round(height * w / width))
        if (w, h) == (width, height):
            return self.remote_image("max"), w, h
        return self.remote_image(f"{w},{h}" if self.service_type == "ImageService3" else f"{w},"), w, h

    @classmethod
    def from_dict(cls, data: dict) -> MediaFile:
        def number(key, kind):
            value = data.get(key)
            if value in (None, ""):
                return None
            try:
                if isinstance(value, bool):
                    raise TypeError
                number = kind(value)
            except (TypeError, ValueError, OverflowError):
                raise ValidationError(key, f"{_shown(value)} is not a number") from None
            if not math.isfinite(number) or not 0 < number < 2**63:
                raise ValidationError(key, "must be a positive number")
            return number

        path = _optional_str(data.get("path"), "path") or ""
        service = check_url(data.get("service"), "service")
        url = check_url(data.get("url"), "url")
        if not path and not service and not url:
            raise ValidationError("path", "is required (or a remote image's service or url)")
        if path and (service or url):
            raise ValidationError("path", "a media file is local (path) or remote (service or url), not both")
        service_type = _optional_str(data.get("service_type"), "service_type")
        if service and service_type not in IMAGE_SERVICE_TYPES:
            raise ValidationError("service_type", f"{_shown(service_type)} is not one of "
                                                  f"{', '.join(IMAGE_SERVICE_TYPES)}")
        if not service and service_type:
            raise ValidationError("service_type", "is only for an image service")
        fmt = _optional_str(data.get("format"), "format") or ("image/jpeg" if service else None)
        if not fmt:
            raise ValidationError("format", "is required")
        width, height = number("width", int), number("height", int)
        if not path and fmt.startswith("image/") and (width is None or height is None):
            raise ValidationError("width" if width is None else "height", "is required for a remote image")
        return cls(
            id=check_id(data.get("id"), "id"),
            path=path,
            format=fmt,
            width=width,
            height=height,
            duration=number("duration", float),
            label=language_map(data.get("label"), "label"),
            size=number("size", int),
            service=service,
            service_type=service_type if service else None,
            url=url,
            sizes=_sizes(data.get("sizes")),
            source=check_url(data.get("source"), "source"),
        )

    def to_dict(self) -> dict:
        return _plain(self)


@dataclass
class TocEntry:
    """A range of a book's table of contents: a label and the pages (1-based) it spans."""

    label: LanguageMap
    pages: list[int]

    @classmethod
    def from_dict(cls, data: dict) -> TocEntry:
        pages = _list(data.get("pages"), "pages")
        if not pages or not all(isinstance(p, int) and not isinstance(p, bool) and p >= 1 for p in pages):
            raise ValidationError("pages", "must be a non-empty list of page numbers (1-based)")
        return cls(language_map(data.get("label"), "label", required=True), pages)


@dataclass
class MetadataEntry:
    label: LanguageMap
    value: LanguageMap

    @classmethod
    def from_dict(cls, data: dict) -> MetadataEntry:
        return cls(
            language_map(data.get("label"), "label", required=True),
            language_map(data.get("value"), "value", required=True, limit=VALUE_MAX),
        )


@dataclass
class DigitalObject:
    """A catalogued work and its digitisation: becomes one IIIF Manifest."""

    id: str
    type: str
    label: LanguageMap
    institution: str
    summary: LanguageMap = field(default_factory=dict)
    metadata: list[MetadataEntry] = field(default_factory=list)
    creators: list[Creator] = field(default_factory=list)
    date: str | None = None
    earliest: int | None = None
    latest: int | None = None
    collections: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    rights: str | None = None
    required_statement: MetadataEntry | None = None
    media: list[MediaFile] = field(default_factory=list)
    toc: list[TocEntry] = field(default_factory=list)
    start: int | None = None  # the page (1 = the first) a viewer opens at, where it is not the first
    homepage: str | None = None
    # What museums keep of every work (the registrar's fields), typed so that pages, manifests,
    # facets and sorting can use them.
    accession_number: str | None = None
    classification: list[str] = field(default_factory=list)  # object type: "painting", "Photographic Negative"
    medium: LanguageMap = field(default_factory=dict)  # medium and technique: "Oil paint on canvas"
    dimensions: list[Dimension] = field(default_factory=list)
    provenance: LanguageMap = field(default_factory=dict)
    credit_line: LanguageMap = field(default_factory=dict)
    acquired: str | None = None  # acquisition date: YYYY, YYYY-MM or YYYY-MM-DD
    location: str | None = None  # current location or department
    source: str | None = None  # the record or IIIF manifest this object was imported from (its URL)
    version: int = 0
    created: str | None = None
    updated: str | None = None

    @property
    def in_copyright(self) -> bool:
        return in_copyright(self.rights)

    @property
    def images(self) -> list[MediaFile]:
        return [m for m in self.media if m.is_image]

    @classmethod
    def from_dict(cls, data: dict) -> DigitalObject:
        """Validate a record (Vitrine's JSON format) into an object."""
        if not isinstance(data, dict):
            raise ValidationError("", "a record must be a JSON object")
        object_id = check_id(data.get("id"))
        obj_type = data.get("type", "image")
        if obj_type not in OBJECT_TYPES:
            raise ValidationError("type", f"{_shown(obj_type)} is not one of {', '.join(OBJECT_TYPES)}")
        earliest = _year(data.get("earliest"), "earliest")
        latest = _year(data.get("latest"), "latest")
        if earliest is not None and latest is not None and latest < earliest:
            raise ValidationError("latest", f"{latest} is before earliest year {earliest}")
        statement = data.get("required_statement")
        if statement and not isinstance(statement, dict):
            raise ValidationError("required_statement", "must be an object with a label and a value")
        try:
            statement = MetadataEntry.from_dict(statement) if statement else None
        except ValidationError as exc:
            raise exc.within("required_statement") from None
        toc = _items(_list(data.get("toc"), "toc"), "toc", TocEntry.from_dict)
        media = _items(_list(data.get("media"), "media"), "media", MediaFile.from_dict)
        for i, entry in enumerate(toc):
            if max(entry.pages) > len(media):
                raise ValidationError(f"toc[{i}].pages", f"page {max(entry.pages)} does not exist")
        start = data.get("start")
        if start is not None and (type(start) is not int or not 1 <= start <= len(media)):
            raise ValidationError("start", f"{_shown(start)} is not a page of this object (1 to {len(media)})")
        homepage = check_url(data.get("homepage"), "homepage")
        return cls(
            id=object_id,
            type=obj_type,
            label=language_map(data.get("label"), "label", required=True),
            institution=check_id(data.get("institution"), "institution"),
            summary=language_map(data.get("summary"), "summary", limit=SUMMARY_MAX),
            metadata=_items(_list(data.get("metadata"), "metadata"), "metadata", MetadataEntry.from_dict),
            creators=_items(_list(data.get("creators"), "creators"), "creators", Creator.from_dict),
            date=_optional_str(data.get("date"), "date"),
            earliest=earliest,
            latest=latest if latest is not None else earliest,
            collections=[
                check_id(c, f"collections[{i}]") for i, c in enumerate(_list(data.get("collections"), "collections"))
            ],
            subjects=_strings(data.get("subjects"), "subjects", check_uri),
            rights=check_rights(data.get("rights")),
            required_statement=statement,
            media=media,
            toc=toc,
            start=start,
            homepage=homepage,
            accession_number=_optional_str(data.get("accession_number"), "accession_number"),
            classification=_strings(data.get("classification"), "classification"),
            medium=language_map(data.get("medium"), "medium"),
            dimensions=_items(_list(data.get("dimensions"), "dimensions"), "dimensions", Dimension.from_dict),
            provenance=language_map(data.get("provenance"), "provenance", limit=SUMMARY_MAX),
            credit_line=language_map(data.get("credit_line"), "credit_line", limit=VALUE_MAX),
            acquired=_when(data.get("acquired"), "acquired"),
            location=_optional_str(data.get("location"), "location"),
            source=check_url(data.get("source"), "source"),
            version=_version(data.get("version")),
            created=_optional_str(data.get("created"), "created"),
            updated=_optional_str(data.get("updated"), "updated"),
        )

    def to_dict(self) -> dict:
        return _plain(self)


@dataclass
class Institution:
    """A provider: becomes the IIIF ``provider`` of its objects and a Collection of them."""

    id: str
    label: LanguageMap
    homepage: str | None = None
    logo: str | None = None
    summary: LanguageMap = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> Institution:
        return cls(
            id=check_id(data.get("id")),
            label=language_map(data.get("label"), "label", required=True),
            homepage=check_url(data.get("homepage"), "homepage"),
            logo=check_url(data.get("logo"), "logo"),
            summary=language_map(data.get("summary"), "summary", limit=SUMMARY_MAX),
        )

    def to_dict(self) -> dict:
        return _plain(self)


@dataclass
class CollectionInfo:
    """A named collection inside an institution (``Turner Bequest``, ``Photographs``)."""

    id: str
    label: LanguageMap
    institution: str
    summary: LanguageMap = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> CollectionInfo:
        return cls(
            id=check_id(data.get("id")),
            label=language_map(data.get("label"), "label", required=True),
            institution=check_id(data.get("institution"), "institution"),
            summary=language_map(data.get("summary"), "summary", limit=SUMMARY_MAX),
        )

    def to_dict(self) -> dict:
        return _plain(self)


@dataclass
class Concept:
    """A subject with a label per language, so every language finds the same works."""

    uri: str
    label: LanguageMap
    broader: str | None = None
    source: str | None = None

    @classmethod
    def from_dict(cls, data: dict) -> Concept:
        uri = check_uri(data.get("uri"), "uri")
        if not uri:
            raise ValidationError("uri", "is required")
        return cls(
            uri=uri,
            label=language_map(data.get("label"), "label", required=True),
            broader=check_uri(data.get("broader"), "broader"),
            source=_optional_str(data.get("source"), "source"),
        )

    def to_dict(self) -> dict:
        return _plain(self)


@dataclass
class ExhibitionItem:
    """A work on the route: an object, or a detail (``region`` x,y,w,h of one of its images)."""

    object: str
    caption: LanguageMap = field(default_factory=dict)
    media: int = 0
    region: list[int] | None = None
    alt: LanguageMap = field(default_factory=dict)  # what the picture shows, for who cannot see it

    @classmethod
    def from_dict(cls, data: dict) -> ExhibitionItem:
        region = data.get("region")
        if region is not None and (
            not isinstance(region, list)
            or len(region) != 4
            or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**31 for v in region)
            or region[2] == 0
            or region[3] == 0
        ):
            raise ValidationError("region", "must be [x, y, width, height] in whole pixels")
        media = data.get("media", 0)
        if not isinstance(media, int) or isinstance(media, bool) or media < 0:
            raise ValidationError("media", "must be the index of one of the object's media files")
        return cls(
            object=check_id(data.get("object"), "object"),
            caption=language_map(data.get("caption"), "caption", limit=VALUE_MAX),
            media=media,
            region=region,
            alt=language_map(data.get("alt"), "alt", limit=VALUE_MAX),
        )


@dataclass
class Section:
    title: LanguageMap
    introduction: LanguageMap = field(default_factory=dict)
    items: list[ExhibitionItem] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> Section:
        return cls(
            title=language_map(data.get("title"), "title", required=True),
            introduction=language_map(data.get("introduction"), "introduction", limit=SUMMARY_MAX),
            items=_items(_list(data.get("items"), "items"), "items", ExhibitionItem.from_dict),
        )


@dataclass
class Exhibition:
    """A themed route through works of several institutions, drafted then published."""

    slug: str
    title: LanguageMap
    summary: LanguageMap = field(default_factory=dict)
    curators: list[str] = field(default_factory=list)  # user names: who may edit it (with the admins)
    venue: str | None = None  # the institution (id) that presents it
    cover: ExhibitionItem | None = None  # the picture that stands for it (a work or a detail)
    opens: str | None = None
    closes: str | None = None
    status: str = "draft"
    sections: list[Section] = field(default_factory=list)
    version: int = 0
    created: str | None = None
    updated: str | None = None

    @property
    def published(self) -> bool:
        """Whether visitors see it today: published, or scheduled and its opening day has come."""
        return self.is_public(today())

    def is_public(self, day: str) -> bool:
        """Whether visitors see it on ``day`` (YYYY-MM-DD)."""
        if self.status == "scheduled":
            return self.opens is not None and self.opens <= day
        return self.status == "published"

    @property
    def items(self) -> list[ExhibitionItem]:
        return [item for section in self.sections for item in section.items]

    @classmethod
    def from_dict(cls, data: dict) -> Exhibition:
        if not isinstance(data, dict):
            raise ValidationError("", "an exhibition must be a JSON object")
        status = data.get("status", "draft")
        if status not in EXHIBITION_STATUSES:
            raise ValidationError("status", f"{_shown(status)} is not one of {', '.join(EXHIBITION_STATUSES)}")
        dates = {key: _day(data.get(key), key) for key in ("opens", "closes")}
        if dates["opens"] and dates["closes"] and dates["closes"] < dates["opens"]:
            raise ValidationError("closes", "is before the opening date")
        if status == "scheduled" and not dates["opens"]:
            raise ValidationError("opens", "is required for a scheduled exhibition (it opens on that day)")
        cover = data.get("cover")
        if cover is not None and not isinstance(cover, dict):
            raise ValidationError("cover", "must be an object with the work's id (and a region)")
        try:
            cover = ExhibitionItem.from_dict(cover) if cover else None
        except ValidationError as exc:
            raise exc.within("cover") from None
        return cls(
            slug=check_id(data.get("slug"), "slug"),
            title=language_map(data.get("title"), "title", required=True),
            summary=language_map(data.get("summary"), "summary", limit=SUMMARY_MAX),
            curators=_strings(data.get("curators"), "curators"),
            venue=check_id(data["venue"], "venue") if data.get("venue") else None,
            cover=cover,
            status=status,
            sections=_items(_list(data.get("sections"), "sections"), "sections", Section.from_dict),
            version=_version(data.get("version")),
            created=_optional_str(data.get("created"), "created"),
            updated=_optional_str(data.get("updated"), "updated"),
            **dates,
        )

    def to_dict(self) -> dict:
        return _plain(self)


def today() -> str:
    """Today's date (UTC) as YYYY-MM-DD: the day scheduled exhibitions are compared with."""
    return datetime.now(UTC).date().isoformat()


def now() -> str:
    """The time as the store and the audit trail write it (UTC, to the second)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class User:
    """Someone who signs in to curate: a name (the login), roles, and how they prove who they are.

    ``password_hash`` is an argon2 hash (never the password); ``identity`` is "<issuer>|<subject>"
    for a user of institutional sign-in (OpenID Connect). ``epoch`` counts the times every session
    of the user was ended (a password change, "sign out everywhere"): a session carries the epoch
    it began in and is void once the user's epoch moves on.
    """

    name: str
    display_name: str = ""
    email: str | None = None
    roles: list[str] = field(default_factory=list)
    institutions: list[str] = field(default_factory=list)  # an editor edits these institutions' objects
    password_hash: str | None = None
    identity: str | None = None
    epoch: int = 0
    created: str | None = None

    def has(self, *roles: str) -> bool:
        """Whether the user holds any of ``roles`` (admin counts as every role)."""
        return "admin" in self.roles or any(role in self.roles for role in roles)

    @classmethod
    def from_dict(cls, data: dict) -> User:
        name = data.get("name")
        if not isinstance(name, str) or not USER_NAME.fullmatch(name):
            raise ValidationError("name", f"{_shown(name)} is not a user name (a-z, 0-9 and . _ @ -, "
                                          "at most 64, starting with a letter or digit)")
        roles = _strings(data.get("roles"), "roles")
        for i, role in enumerate(roles):
            if role not in ROLES:
                raise ValidationError(f"roles[{i}]", f"{_shown(role)} is not one of {', '.join(ROLES)}")
        return cls(
            name=name,
            display_name=_optional_str(data.get("display_name"), "display_name") or "",
            email=_optional_str(data.get("email"), "email"),
            roles=list(dict.fromkeys(roles)),
            institutions=[check_id(v, f"institutions[{i}]")
                          for i, v in enumerate(_list(data.get("institutions"), "institutions"))],
            password_hash=_optional_str(data.get("password_hash"), "password_hash"),
            identity=_optional_str(data.get("identity"), "identity"),
            epoch=_version(data.get("epoch")),
            created=_optional_str(data.get("created"), "created"),
        )

    def to_dict(self) -> dict:
        return _plain(self)


@dataclass
class ApiToken:
    """A user's token for scripts (``Authorization: Bearer <id>.<secret>``): only its hash is kept."""

    id: str  # public, shown in lists; the secret after the dot is shown once, at creation
    user: str
    label: str
    secret_hash: str  # sha256 of the secret: a token is 256 random bits, so no slow hash is needed
    created: str
    last_used: str | None = None


@dataclass
class Revision:
    """One saved version of an object or an exhibition, with who saved it and when."""

    kind: str  # object | exhibition
    ref: str
    version: int
    user: str | None
    time: str
    data: dict  # the record as saved (its to_dict, without version and times)
