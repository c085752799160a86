"""What a page tells search engines: its language versions, whether to index it, its title.

Every language version of a page is named by an absolute URL (``hreflang``, itself included, and
``x-default``: the page without ``?lang=``, which the visitor's browser language decides). A
listing narrowed by a query, facets or a sort is one of tens of thousands of combinations: it is
``noindex, follow`` (crawlers follow its links to the works, which the sitemap lists anyway); an
unfiltered listing and its pages are indexed, each with a canonical URL of its own.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import request
from flask_babel import gettext as _

from ..i18n import LANGUAGES
from .http import urls
from .results import LISTS

PAGING = ("cursor", "p")  # which page of a listing: part of the page's own URL


def _url(args: list[tuple[str, str]]) -> str:
    return urls().page(request.path) + (f"?{urlencode(args)}" if args else "")


def switch_language(code: str) -> str:
    """This page in another language (a search keeps its state and page number; a cursor is of one
    language's order), as a path."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("lang", "cursor")]
    return f"{request.path}?{urlencode(args + [('lang', code)])}"


def alternates() -> list[tuple[str, str]]:
    """(hreflang, absolute URL) of each language version of this page, and x-default."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return [(code, _url(args + [("lang", code)])) for code in LANGUAGES] + [("x-default", _url(args))]


def filtered() -> bool:
    """Whether this page is a listing narrowed by anything but its language and its page."""
    return request.endpoint in LISTS and any(k not in ("lang", *PAGING) for k in request.args)


def canonical() -> str | None:
    """This page's own URL (its language and page kept, a viewer's state dropped); none for a filtered listing."""
    if filtered():
        return None
    return _url([(k, v) for k, v in request.args.items(multi=True) if k in ("lang", *PAGING)])


def robots() -> str | None:
    """The robots meta of this page: ``noindex, follow`` for a filtered listing."""
    return "noindex, follow" if filtered() else None


def listing_title(name: str, results) -> str:
    """A listing's title: its name, the filters in force and the page ("Birth – Type: Image – page 2")."""
    parts = [name, *(f"{a.title}: {a.label}" for a in results.active)]
    if results.page > 1:
        parts.append(_("page %(number)s", number=results.page))
    return " – ".join(parts)
