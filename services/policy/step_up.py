"""Step-up: a rule's `max_auth_age` not met asks for a fresh sign-in. /auth/check names the portal's address
with `max_age=N` (X-Auth-Request-Sign-In, which the shipped proxies redirect a browser to), and the portal's
sign-in form is then shown even to a browser that has a session, when that session's sign-in is older than N
seconds (or with `prompt=login`, always). Signing in there starts a new session (a new `auth_time` from
Cognito) and goes back to `rd`."""

from __future__ import annotations

import time

from services.flows.sign_in_answers import unverified_claims
from services.state.session_record import Session

PORTAL = "/auth/sign-in"
# Challenges whose answer, at a sign-in, is a second factor after the password. Not EMAIL_OTP by its name
# alone: the same challenge is a one-factor passwordless sign-in in Cognito's choice-based flow (see
# `second_factor`); not WEB_AUTHN (a passkey alone): conservative, until the session records which first factor
# preceded.
MFA_CHALLENGES = frozenset({"SMS_MFA", "SOFTWARE_TOKEN_MFA", "MFA_SETUP"})
# EMAIL_OTP is a second factor only where it came right after a password the user gave (Cognito asks a
# passwordless first factor only before any password) or after SELECT_MFA_TYPE (asked only after one).
EMAIL_MFA = "EMAIL_OTP"


def second_factor(challenge: str, after_password: bool) -> bool:
    """Whether answering `challenge` ended a sign-in with a second factor (a policy's `mfa: true`).
    `after_password`: the caller knows the challenge came right after a password or a SELECT_MFA_TYPE (the
    portal's steps do; /auth/session/challenge, which keeps no steps, does not, so there EMAIL_OTP never counts)."""
    return challenge in MFA_CHALLENGES or (challenge == EMAIL_MFA and after_password)


def portal_prefix(max_age: int | None) -> str:
    """The portal's address up to `rd=` (the proxy appends the original URL): with `max_age` for a step-up."""
    return f"{PORTAL}?max_age={max_age}&rd=" if max_age is not None else f"{PORTAL}?rd="


def needs_fresh_sign_in(session: Session, prompt: str | None, max_age: str | None, now: float | None = None) -> bool:
    """Whether the portal must ask for the password again although `session` is live: `prompt=login`, or a
    sign-in (the session's ID token `auth_time`) older than `max_age` seconds. An unreadable max_age: no."""
    if prompt == "login":
        return True
    if max_age is None or not max_age.isdigit() or len(max_age) > 9:
        return False
    auth_time = unverified_claims(session.id_token).get("auth_time")
    if not isinstance(auth_time, int | float) or isinstance(auth_time, bool):
        return True  # no time known: a fresh sign-in is the only way to know
    return (time.time() if now is None else now) - auth_time > int(max_age)
