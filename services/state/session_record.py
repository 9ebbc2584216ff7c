"""A browser session's record: the tokens of a sign-in and what they say, and how it is stored (JSON, keyed by
the sha256 of the session id, never the id itself)."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from services.flows.sign_in_answers import unverified_claims

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Session:
    key: str  # sha256 hex of the session id: what is stored (a copy of the store gives no cookie)
    username: str
    sub: str
    email: str | None
    email_verified: bool  # only a verified email is passed on as the user's (X-Auth-Request-Email)
    groups: tuple[str, ...]
    access_token: str
    id_token: str
    refresh_token: str | None
    expires_at: float  # the access token's exp
    csrf_token: str  # secrets.token_urlsafe(32)
    created_at: float
    # When the session began again after a password change it made (services/state/revocations.py end_sessions):
    # a session ends when its user's sessions begun before a time are ended, and this one began at that time.
    renewed_at: float = 0.0
    # Signed in with a second factor (a TOTP or SMS code answered at sign-in): what `mfa: true` in the policy
    # file reads (services/policy/identity.py), since Cognito's user-pool tokens carry no `amr`.
    mfa: bool = False
    # The remembered device the sign-in's tokens are bound to: their refresh names it (Cognito's DEVICE_KEY).
    device_key: str | None = None

    @property
    def begun_at(self) -> float:
        """When the session began, or began again after its own password change."""
        return max(self.created_at, self.renewed_at)


def session_key(session_id: str) -> str:
    """What a session is stored under: the sha256 hex of its id."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def with_tokens(session: Session, tokens: Mapping[str, Any], now: float) -> Session:
    """`session` carrying a token answer's tokens and what they say (read, not verified: they come straight
    from Cognito); a refresh token absent from the answer (not rotated) keeps the old one."""
    access, id_token = str(tokens["access_token"]), str(tokens["id_token"])
    access_claims, id_claims = unverified_claims(access), unverified_claims(id_token)
    exp = access_claims.get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        expires_at = float(exp)
    else:  # unreadable: the answer's own lifetime (as services/flows/sign_in_answers.py reads it), else
        # Cognito's default
        expires_in = tokens.get("expires_in")
        expires_at = now + (float(expires_in) if isinstance(expires_in, int | float) else 3600.0)
    groups = access_claims.get("cognito:groups", id_claims.get("cognito:groups"))
    email = id_claims.get("email")
    username = tokens.get("username") or id_claims.get("cognito:username") or access_claims.get("username")
    sub = id_claims.get("sub") or access_claims.get("sub")
    return replace(
        session,
        username=str(username) if username else session.username,
        sub=str(sub) if sub else session.sub,
        email=email if isinstance(email, str) else None,  # the new tokens say what is true now
        email_verified=id_claims.get("email_verified") in (True, "true"),
        groups=tuple(str(group) for group in groups) if isinstance(groups, list) else (),
        access_token=access,
        id_token=id_token,
        refresh_token=tokens.get("refresh_token") or session.refresh_token,
        expires_at=expires_at,
    )


def new_session(tokens: Mapping[str, Any], now: float) -> tuple[str, Session]:
    """A new session's id for the cookie (256 random bits, new at every sign-in) and its record, begun at `now`
    with a sign-in's tokens and a CSRF token of its own."""
    session_id = secrets.token_urlsafe(32)
    blank = Session(
        key=session_key(session_id),
        username="",
        sub="",
        email=None,
        email_verified=False,
        groups=(),
        access_token="",
        id_token="",
        refresh_token=None,
        expires_at=now,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        mfa=tokens.get("mfa") is True,
        device_key=tokens["device_key"] if isinstance(tokens.get("device_key"), str) else None,
    )
    return session_id, with_tokens(blank, tokens, now)


def dump(session: Session) -> str:
    """The stored form of a session (its key is the row's, so it is left out)."""
    fields = asdict(session)
    del fields["key"]  # the row's key already
    return json.dumps(fields, separators=(",", ":"))


def load(key: str, data: bytes) -> Session | None:
    """A stored session, or None if what is stored is not one (treated as no session)."""
    try:
        fields = json.loads(data)
        return Session(key=key, **{**fields, "groups": tuple(fields["groups"])})
    except (ValueError, TypeError, KeyError):
        log.warning("session %s… unreadable; ignored", key[:8])
        return None
