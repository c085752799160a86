"""The curator's writes on exhibitions: checked by the catalogue's rules and by who may make them.

Every save names the version it started from (``expected``): a save from a version that is no
longer the latest is refused with :class:`~catalogue.store.StaleVersion` and writes nothing, so no
curator's edit is lost silently (a second tab counts as another curator). Every save is kept as a
revision with its author; a restore is a new revision. Captions and introductions keep only the
HTML the IIIF Presentation API allows, cleaned on save.
"""
from __future__ import annotations

import dataclasses

import nh3

from ..iiif.presentation import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from ..model import Exhibition, LanguageMap, Revision, User
from ..roles import is_admin, may_create_exhibition, may_edit_exhibition
from ..store import Store, WriteReport
from .rules import References


class Forbidden(PermissionError):
    """The user may not make this change (web/: 403)."""


class Missing(LookupError):
    """No exhibition (or revision) by that name that this user may see (web/: 404)."""


def clean_html(text: str) -> str:
    """A caption or introduction with only the HTML IIIF allows (bold, italic, links, line breaks…)."""
    if "<" not in text and "&" not in text:
        return text
    return nh3.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel=None).strip()


def _clean(lmap: LanguageMap) -> LanguageMap:
    return {lang: [clean_html(t) for t in texts] for lang, texts in lmap.items()}


def cleaned(exhibition: Exhibition) -> Exhibition:
    """The exhibition with its rich text (summary, introductions, captions) sanitised."""
    sections = [
        dataclasses.replace(
            section, introduction=_clean(section.introduction),
            items=[dataclasses.replace(item, caption=_clean(item.caption)) for item in section.items],
        )
        for section in exhibition.sections
    ]
    return dataclasses.replace(exhibition, summary=_clean(exhibition.summary), sections=sections)


class Exhibitions:
    def __init__(self, store: Store):
        self.store = store

    # -- reading, as a curator ----------------------------------------------------

    def get(self, slug: str, user: User | None) -> Exhibition:
        """An exhibition its curator (or an admin) may edit or preview; Missing for anyone else."""
        exhibition = self.store.get_exhibition(slug)
        if exhibition is None or not may_edit_exhibition(user, exhibition):
            raise Missing(f"no exhibition {slug[:200]!r}")
        return exhibition

    def editable(self, user: User | None) -> list[Exhibition]:
        """The exhibitions ``user`` may edit (all of them for an admin), by slug."""
        return [e for e in self.store.exhibitions() if may_edit_exhibition(user, e)]

    # -- writing ---------------------------------------------------------------------

    def save(self, exhibition: Exhibition, user: User | None = None, expected: int | None = None) -> WriteReport:
        """Save a draft, scheduled or published exhibition.

        ``user`` None is the command line (trusted, as the files it imports). With a user: a new
        exhibition needs the curator role (its author becomes a curator of it); an existing one
        needs its curator or an admin (Forbidden). ``expected``: the version the edit started from
        (0 for a new one); StaleVersion if another save came first. ValidationError names the item
        that shows a work the catalogue does not have, or a detail outside its image.
        """
        if user is not None:
            current = self.store.get_exhibition(exhibition.slug)
            if current is None:
                if not may_create_exhibition(user):
                    raise Forbidden("creating an exhibition needs the curator role")
                if not is_admin(user) and user.name not in exhibition.curators:
                    exhibition = dataclasses.replace(exhibition, curators=[*exhibition.curators, user.name])
            elif not may_edit_exhibition(user, current):
                raise Forbidden(f"{user.name!r} does not curate exhibition {exhibition.slug!r}")
        exhibition = cleaned(exhibition)
        References(self.store).check("exhibition", exhibition)
        return self.store.put_exhibition(exhibition, user=user.name if user else None, expected=expected)

    def publish(self, slug: str, published: bool = True, user: User | None = None,
                expected: int | None = None, status: str | None = None) -> Exhibition | None:
        """Make an exhibition visible to visitors (or take it back to draft; ``status="scheduled"``: from
        its opening date on); None if there is none."""
        exhibition = self.store.get_exhibition(slug)
        if exhibition is None:
            return None
        status = status or ("published" if published else "draft")
        exhibition = dataclasses.replace(exhibition, status=status)
        Exhibition.from_dict(exhibition.to_dict())  # scheduled needs an opening date
        self.save(exhibition, user, expected)
        return exhibition

    def delete(self, slug: str, user: User | None = None, expected: int | None = None) -> None:
        """Delete an exhibition (its revisions are kept); Missing / Forbidden / StaleVersion."""
        current = self.store.get_exhibition(slug)
        if current is None:
            raise Missing(f"no exhibition {slug[:200]!r}")
        if user is not None and not may_edit_exhibition(user, current):
            raise Forbidden(f"{user.name!r} does not curate exhibition {slug!r}")
        self.store.delete_exhibition(slug, user=user.name if user else None, expected=expected)

    # -- revisions -----------------------------------------------------------------------

    def revisions(self, slug: str, user: User | None) -> list[Revision]:
        """Every saved version of an exhibition, newest first (its curators and admins only)."""
        self.get(slug, user)
        return self.store.revisions("exhibition", slug)

    def revision(self, slug: str, version: int, user: User | None) -> Exhibition:
        """One earlier version as an exhibition; Missing if no revision holds it."""
        self.get(slug, user)
        revision = self.store.get_revision("exhibition", slug, version)
        if revision is None:
            raise Missing(f"no version {version} of exhibition {slug!r}")
        return Exhibition.from_dict({**revision.data, "version": revision.version})

    def restore(self, slug: str, version: int, user: User | None, expected: int | None = None) -> WriteReport:
        """Save an earlier version again, as a new revision (nothing in between is lost: it is kept)."""
        earlier = self.revision(slug, version, user)
        current = self.get(slug, user)
        return self.save(dataclasses.replace(earlier, version=current.version), user, expected)
