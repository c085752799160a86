"""Who may do what on the curator side: the one home of those rules.

The service layer asks these before every write, and web/ asks them to decide what to offer;
both get the same answer. ``user`` is None for someone signed out.

- admin: everything (users, every exhibition, every object);
- editor: the metadata of the objects of the institutions they are given;
- curator: creates exhibitions, edits (and publishes, adds co-curators to) the ones they curate.
"""
from __future__ import annotations

from .model import DigitalObject, Exhibition, User


def is_admin(user: User | None) -> bool:
    return user is not None and "admin" in user.roles


def may_create_exhibition(user: User | None) -> bool:
    return user is not None and user.has("curator")


def may_edit_exhibition(user: User | None, exhibition: Exhibition) -> bool:
    """An admin, or a curator who curates it."""
    return is_admin(user) or (
        user is not None and "curator" in user.roles and user.name in exhibition.curators
    )


def may_preview(user: User | None, exhibition: Exhibition) -> bool:
    """Who sees a draft: its curators and the admins (everyone else gets 404)."""
    return may_edit_exhibition(user, exhibition)


def may_edit_object(user: User | None, obj: DigitalObject) -> bool:
    """An admin, or an editor given the object's institution."""
    return is_admin(user) or (
        user is not None and "editor" in user.roles and obj.institution in user.institutions
    )


def may_delete_object(user: User | None) -> bool:
    """Deleting for good is the admins'; editors withdraw (restorable)."""
    return is_admin(user)


def may_manage_users(user: User | None) -> bool:
    return is_admin(user)


def may_see_audit(user: User | None) -> bool:
    """The audit trail (who changed what, when) is shown to admins."""
    return is_admin(user)


def may_start_import(user: User | None) -> bool:
    """Who sees the import page: editors (their institutions' records), curators (loans), admins."""
    return user is not None and user.has("editor", "curator")


def may_import(user: User | None, kind: str, institution: str | None, *, iiif: bool = False) -> bool:
    """Whether ``user`` may bring in one record of ``kind`` held by ``institution`` (an institution
    record: its own id). Admins anything; editors the records of their institutions (and the
    concepts their records use); curators other institutions' IIIF, the loans of an exhibition.
    Exhibitions come in through the exhibition editor, not an import, for everyone but admins."""
    if is_admin(user):
        return True
    if user is None or kind == "exhibition":
        return False
    if iiif and "curator" in user.roles:
        return True
    if "editor" not in user.roles:
        return False
    return kind == "concept" or institution in user.institutions


def may_sync(user: User | None, missing: str, institutions: list[str]) -> bool:
    """Whether an import may withdraw (``withdraw``) or delete (``delete``) the objects of
    ``institutions`` its file lacks: withdrawing is an editor's of those institutions, deleting an
    admin's; only reporting them (``keep``) is everyone's."""
    if missing == "keep":
        return True
    if missing == "delete":
        return may_delete_object(user)
    return is_admin(user) or (
        user is not None and "editor" in user.roles and all(i in user.institutions for i in institutions)
    )
