"""Institutional identities: the rules that turn an identity provider's claims into roles, and the
user a sign-in makes or refreshes.

A rule reads one claim: ``{"claim": "groups", "value": "kbr-curators", "roles": ["curator"],
"institutions": ["kbr"]}`` applies to a person whose ``groups`` claim is ``kbr-curators`` or a list
holding it, and grants them those roles and institutions.

The roles and institutions some rule names are the provider's to give and to take away: each
sign-in sets them to what the rules grant today, so a curator the institution takes out of its
group loses the role at their next sign-in. Everything no rule names is the admin's (granted with
``vitrine users role``) and a sign-in leaves it as it is. With no rules, a first sign-in makes a
user with no role, and only an admin grants one.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..model import ROLES, USER_NAME, User, is_id
from ..store import StoreError
from .accounts import AccountError, Accounts


@dataclass(frozen=True)
class RoleRule:
    claim: str
    value: str
    roles: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()

    def applies(self, claims: Mapping[str, Any]) -> bool:
        found = claims.get(self.claim)
        if isinstance(found, list | tuple):
            return self.value in [str(v) for v in found]
        return found is not None and str(found) == self.value


def role_rules(setting: str | list | None) -> tuple[RoleRule, ...]:
    """OIDC_ROLE_RULES (JSON text, or the list a ``VITRINE_`` variable already parsed) read and checked:
    a ValueError names the rule and what is wrong with it, so a bad setting stops the start."""
    try:
        raw = json.loads(setting) if isinstance(setting, str) and setting.strip() else (setting or [])
    except json.JSONDecodeError as error:
        raise ValueError(f"OIDC_ROLE_RULES is not JSON: {error}") from None
    if not isinstance(raw, list):
        raise ValueError("OIDC_ROLE_RULES: a JSON list of rules is expected")
    rules = []
    for number, entry in enumerate(raw, 1):
        where = f"OIDC_ROLE_RULES rule {number}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: an object is expected")
        unknown = set(entry) - {"claim", "value", "roles", "institutions"}
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        if not isinstance(entry.get("claim"), str) or not entry["claim"] or not isinstance(entry.get("value"), str):
            raise ValueError(f"{where}: \"claim\" and \"value\" must be strings")
        roles, institutions = entry.get("roles", []), entry.get("institutions", [])
        if not all(isinstance(v, str) for v in [*roles, *institutions]):
            raise ValueError(f"{where}: \"roles\" and \"institutions\" must be lists of strings")
        bad = [role for role in roles if role not in ROLES]
        if bad:
            raise ValueError(f"{where}: unknown role(s) {', '.join(bad)} (roles: {', '.join(ROLES)})")
        bad = [institution for institution in institutions if not is_id(institution)]
        if bad:
            raise ValueError(f"{where}: {', '.join(bad)} is not an institution id")
        rules.append(RoleRule(entry["claim"], entry["value"], tuple(roles), tuple(institutions)))
    return tuple(rules)


def granted(rules: Iterable[RoleRule], claims: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """The roles and institutions the rules that apply to ``claims`` grant."""
    roles: set[str] = set()
    institutions: set[str] = set()
    for rule in rules:
        if rule.applies(claims):
            roles.update(rule.roles)
            institutions.update(rule.institutions)
    return roles, institutions


def from_identity(accounts: Accounts, issuer: str, claims: Mapping[str, Any], rules: Iterable[RoleRule]) -> User:
    """The user signing in with the provider's verified ``claims``: made at the first sign-in (named
    after the subject and the issuer's host, the identity "<issuer>|<sub>" kept), its display name,
    email and the roles and institutions the rules manage brought up to date at every one."""
    rules = tuple(rules)
    subject = str(claims["sub"])
    identity = f"{issuer}|{subject}"
    display_name = str(claims.get("name") or claims.get("preferred_username") or claims.get("email") or subject)[:200]
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    user = accounts.by_identity(identity)
    if user is None:
        try:
            user = accounts.add(_free_name(accounts, issuer, subject), identity=identity,
                                display_name=display_name, email=email)
        except (AccountError, StoreError):  # the same person signing in twice at once: the other made it
            user = accounts.by_identity(identity)
            if user is None:
                raise
    if (user.display_name, user.email) != (display_name, email):
        user = accounts.set_profile(user.name, display_name, email)
    managed_roles = {role for rule in rules for role in rule.roles}
    managed_institutions = {inst for rule in rules for inst in rule.institutions}
    roles, institutions = granted(rules, claims)
    new_roles = [r for r in user.roles if r not in managed_roles or r in roles] \
        + sorted(roles - set(user.roles))
    new_institutions = [i for i in user.institutions if i not in managed_institutions or i in institutions] \
        + sorted(institutions - set(user.institutions))
    if (new_roles, new_institutions) != (user.roles, user.institutions):
        user = accounts.set_roles(user.name, new_roles, institutions=new_institutions)
    return user


def _free_name(accounts: Accounts, issuer: str, subject: str) -> str:
    """A user name for a new identity: "<subject>@<issuer's host>" when it is a valid name no one has,
    else one made unique by the identity's digest (a subject may be any string of up to 255 characters)."""
    host = urlsplit(issuer).hostname or "oidc"
    base = re.sub(r"[^a-z0-9._-]+", "-", subject.lower()).strip("-._")[:40] or "user"
    digest = hashlib.sha256(f"{issuer}|{subject}".encode()).hexdigest()
    for candidate in (f"{base}@{host}"[:64], f"{base[:24]}-{digest[:10]}@{host}"[:64], f"oidc-{digest[:32]}"):
        if USER_NAME.fullmatch(candidate) and accounts.get(candidate) is None:
            return candidate
    raise AccountError(f"no free user name for {subject!r} of {issuer}")
