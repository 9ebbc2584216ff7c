"""Who is signed in, as the policy file's rules read it, from the verified token /auth/check found and, for a
browser session, the session's other token and what it recorded at sign-in.

- groups: `cognito:groups` of the verified token (both of Cognito's tokens carry it).
- scopes: `scope` of the access token (the bearer access token, or the session's); an ID token has none.
- claims (`custom:` attributes included): the ID token's (the bearer ID token, or the session's); with a
  bearer access token, its own claims (Cognito puts user attributes in the ID token only).
- email: the ID token's `email` when `email_verified`, or the session's verified email.
- auth_time: `auth_time` of the verified token (Cognito keeps it across refreshes: the time of the sign-in).
- mfa: the session began with a second factor (services/policy/step_up.py MFA_CHALLENGES), or the verified
  token's `amr` holds `mfa` (Cognito's user-pool tokens carry no `amr`, and a trigger cannot add it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.flows.sign_in_answers import unverified_claims
from services.policy.model import Identity
from services.state.session_record import Session
from services.tokens.verifier import username_of


def identity_of(claims: Mapping[str, Any], session: Session | None) -> Identity:
    """The identity of verified `claims`, with the session's other token (from Cognito: read, not verified)."""
    access, id_claims = _tokens(claims, session)
    groups = claims.get("cognito:groups") or ()
    scope = access.get("scope") if access is not None else None
    email = id_claims.get("email") if id_claims is not None else None
    verified = id_claims is not None and id_claims.get("email_verified") in (True, "true")
    if not (isinstance(email, str) and verified):
        email = session.email if session is not None and session.email_verified else None
    auth_time = claims.get("auth_time")
    amr = claims.get("amr")
    mfa = (session is not None and session.mfa) or (isinstance(amr, list) and "mfa" in amr)
    return Identity(
        username=username_of(claims),
        groups=frozenset(group for group in groups if isinstance(group, str)),
        scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
        claims=id_claims if id_claims is not None else claims,
        email=email,
        auth_time=float(auth_time) if isinstance(auth_time, int | float) and not isinstance(auth_time, bool) else None,
        mfa=mfa,
    )


def _tokens(
    claims: Mapping[str, Any], session: Session | None
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """The access token's claims and the ID token's, each when known."""
    if claims.get("token_use") == "id":
        access = unverified_claims(session.access_token) if session is not None else None
        return access, claims
    id_claims = unverified_claims(session.id_token) if session is not None else None
    return claims, id_claims
