"""The audit trail: who changed what, and when, for the admins (issue 12, item 6).

Read from the change log (every write, with its user: None for an import or a command) and from
the revisions (what each saved version changed, said by :mod:`catalogue.diffing`).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..diffing import FieldChange, diff
from ..model import Revision, User
from ..roles import may_see_audit
from ..store import Change, Store
from .exhibitions import Forbidden

KINDS = ("object", "exhibition")


@dataclass(frozen=True)
class Step:
    """One kept revision and what it changed from the one kept before it (all of it for the first)."""

    revision: Revision
    changes: list[FieldChange]


@dataclass(frozen=True)
class Trail:
    kind: str
    ref: str
    changes: list[Change]  # the change log's entries for the record, newest first
    steps: list[Step]  # its revisions, newest first


@dataclass(frozen=True)
class Latest:
    changes: list[Change]  # newest first
    page: int
    more: bool  # an older page exists


class Audit:
    def __init__(self, store: Store):
        self.store = store

    def trail(self, kind: str, ref: str, user: User | None) -> Trail:
        """The changes and revisions of one object or exhibition (admins only: Forbidden else)."""
        if not may_see_audit(user) or kind not in KINDS:
            raise Forbidden("the audit trail is for admins")
        revisions = self.store.revisions(kind, ref)
        steps = [Step(rev, diff(older.data if older else {}, rev.data))
                 for rev, older in zip(revisions, [*revisions[1:], None], strict=True)]
        return Trail(kind, ref, self.store.changes_for(kind, ref), steps)

    def latest(self, user: User | None, page: int = 1, per_page: int = 50) -> Latest:
        """The latest changes to the catalogue, newest first, ``per_page`` change numbers a page."""
        if not may_see_audit(user):
            raise Forbidden("the audit trail is for admins")
        page = max(1, page)
        top = self.store.last_seq() - (page - 1) * per_page
        since = max(0, top - per_page)
        changes = [c for c in self.store.changes(since, per_page) if c.seq <= top] if top > 0 else []
        return Latest(changes[::-1], page, since > 0)
