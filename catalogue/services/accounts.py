"""Accounts: who may sign in, with which roles, and how they prove it (passwords, API tokens).

Passwords are kept as argon2id hashes (argon2-cffi, the reference implementation's binding: a
memory-hard hash made for this, with its parameters inside each hash so they can be raised later).
API tokens are 256 random bits shown once; only their SHA-256 is kept, which is enough for a secret
no one can guess. Failed sign-ins are counted per account and per address in the store, so every
worker process sees the same count.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from dataclasses import replace
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..model import ROLES, ApiToken, User, ValidationError, now
from ..store import Store

PASSWORD_MIN = 10  # characters; a passphrase is better than a short "complex" password
PASSWORD_MAX = 1024  # hashing a megabyte of "password" is a way to burn a worker
# Failed sign-ins within WINDOW seconds before an account (or an address) must wait:
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = 15 * 60

_hasher = PasswordHasher()


# The hash an unknown name's password is checked against, made once with argon2-cffi's parameters:
# checking it is the same work as checking a user's, and no sign-in (not even a process's first) has to
# make it, which would double that work (a timing that tells an unknown name), nor any command at import
# (an argon2 hash takes 64 MB, which an import of 69,000 records would otherwise begin by holding).
NOBODY = "$argon2id$v=19$m=65536,t=3,p=4$yBPLz5GDK/50kxu06uJjOw$RBVmE4hcxFAnv82nY13bosuZHslLhB2b4wAuEbej9cM"


@cache
def _nobody() -> str:
    """NOBODY, or a hash made like it when the hasher's parameters are no longer those NOBODY was made with
    (a user's hash would be checked with the new ones: the decoy must cost what theirs does)."""
    if _hasher.check_needs_rehash(NOBODY):
        return _hasher.hash("no such user: the same work, so timing says nothing")
    return NOBODY


class AccountError(ValueError):
    """An account operation that cannot be done (unknown user, name taken); the message says which."""


class Throttled(Exception):
    """Too many failed sign-ins: wait ``retry_after`` seconds (no password is even checked)."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"too many failed sign-ins; try again in {retry_after // 60 + 1} minutes")


def check_password(password: str) -> str:
    """The password if it may be used; ValidationError says why not."""
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise ValidationError("password", f"must have at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise ValidationError("password", f"must have at most {PASSWORD_MAX} characters")
    return password


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    for role in roles:
        if role not in ROLES:
            raise ValidationError("roles", f"{role!r} is not one of {', '.join(ROLES)}")
    return roles


class Accounts:
    def __init__(self, store: Store):
        self.store = store

    # -- users -----------------------------------------------------------------

    def get(self, name: str) -> User | None:
        return self.store.get_user(name)

    def users(self) -> list[User]:
        return self.store.users()

    def by_identity(self, identity: str) -> User | None:
        """The user of an institutional sign-in identity ("<issuer>|<subject>"), or None."""
        return self.store.user_by_identity(identity)

    def set_profile(self, name: str, display_name: str, email: str | None) -> User:
        """The name shown and the email address (an institutional sign-in brings them up to date)."""
        user = replace(self._user(name), display_name=display_name, email=email)
        User.from_dict(user.to_dict())
        self.store.put_user(user)
        return user

    def _user(self, name: str) -> User:
        user = self.store.get_user(name)
        if user is None:
            raise AccountError(f"no user {name!r}")
        return user

    def add(self, name: str, password: str | None = None, roles: Iterable[str] = (),
            institutions: Iterable[str] = (), display_name: str = "", email: str | None = None,
            identity: str | None = None) -> User:
        """A new user; ValidationError for a bad name, password or role, AccountError if the name is taken."""
        user = User.from_dict({"name": name, "roles": _check_roles(roles), "institutions": list(institutions),
                               "display_name": display_name, "email": email, "identity": identity})
        if password is not None:
            user.password_hash = _hasher.hash(check_password(password))
        if self.store.get_user(user.name) is not None:
            raise AccountError(f"there is already a user {user.name!r}")
        self.store.put_user(user)
        return user

    def remove(self, name: str) -> None:
        if not self.store.delete_user(name):
            raise AccountError(f"no user {name!r}")

    def set_password(self, name: str, password: str) -> User:
        """A new password; every session of the user ends (their epoch moves on)."""
        user = self._user(name)
        user = replace(user, password_hash=_hasher.hash(check_password(password)), epoch=user.epoch + 1)
        self.store.put_user(user)
        return user

    def end_sessions(self, name: str) -> User:
        """Sign the user out everywhere."""
        user = self._user(name)
        user = replace(user, epoch=user.epoch + 1)
        self.store.put_user(user)
        return user

    def set_roles(self, name: str, roles: Iterable[str], institutions: Iterable[str] | None = None) -> User:
        """The user's roles (and, for an editor, institutions) from now on."""
        user = self._user(name)
        user = replace(user, roles=_check_roles(roles),
                       institutions=user.institutions if institutions is None else list(dict.fromkeys(institutions)))
        User.from_dict(user.to_dict())  # the same checks as any stored user
        self.store.put_user(user)
        return user

    # -- signing in ------------------------------------------------------------

    def authenticate(self, name: str, password: str, address: str = "") -> User | None:
        """The user if the password is theirs, else None; Throttled after too many failures (per
        account and per address), before any hash is computed."""
        keys = [f"user:{name.lower()[:64]}"] + ([f"address:{address}"] if address else [])
        since = time.time() - WINDOW
        for key, limit in zip(keys, (ACCOUNT_LIMIT, ADDRESS_LIMIT), strict=False):
            if self.store.count_attempts(key, since) >= limit:
                raise Throttled(WINDOW)
        user = self.store.get_user(name) if isinstance(name, str) and len(name) <= 64 else None
        if user is not None and user.password_hash and self._verified(user, password):
            self.store.clear_attempts(keys[0])
            return user
        if user is None or not user.password_hash:
            self._verified(None, password)  # the same time spent for a name that does not exist
        self.store.add_attempt(keys, time.time())
        return None

    def _verified(self, user: User | None, password: str) -> bool:
        if not isinstance(password, str) or len(password) > PASSWORD_MAX:
            return False
        try:
            _hasher.verify(user.password_hash if user and user.password_hash else _nobody(), password)
        except (VerificationError, InvalidHashError):
            return False
        if user is not None and user.password_hash and _hasher.check_needs_rehash(user.password_hash):
            self.store.put_user(replace(user, password_hash=_hasher.hash(password)))
        return user is not None

    # -- API tokens ------------------------------------------------------------

    def create_token(self, name: str, label: str) -> tuple[ApiToken, str]:
        """A new token for ``name``: (its record, the secret to hand over once: ``<id>.<secret>``)."""
        self._user(name)
        label = (label or "").strip()[:100] or "token"
        token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        token = ApiToken(id=token_id, user=name, label=label, secret_hash=_digest(secret), created=now())
        self.store.put_token(token)
        return token, f"{token_id}.{secret}"

    def tokens(self, name: str) -> list[ApiToken]:
        return self.store.tokens(name)

    def revoke_token(self, name: str, token_id: str) -> None:
        """Revoke one of ``name``'s tokens (AccountError if it is not theirs)."""
        token = self.store.get_token(token_id)
        if token is None or token.user != name:
            raise AccountError(f"no token {token_id!r} of {name!r}")
        self.store.delete_token(token_id)

    def token_user(self, bearer: str) -> User | None:
        """The user a ``<id>.<secret>`` token belongs to, or None (unknown, revoked, wrong secret)."""
        token_id, _, secret = (bearer or "").partition(".")
        if not token_id or not secret or len(bearer) > 200:
            return None
        token = self.store.get_token(token_id)
        if token is None or not hmac.compare_digest(token.secret_hash, _digest(secret)):
            return None
        stamp = now()
        if token.last_used is None or token.last_used[:16] != stamp[:16]:  # at most one write a minute
            self.store.touch_token(token_id, stamp)
        return self.store.get_user(token.user)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
