"""What the choice-based sign-in (USER_AUTH) keeps per pool, as plain JSON-able data saved with the emulator's state.

moto has no place for passkeys, sign-in sessions or one-time codes, so each pool gets one dict of our own,
`pool.passwordless` (snapshot.py saves it whole):
  webauthn:      the pool's WebAuthnConfiguration {RelyingPartyId, UserVerification}, or None
  passkeys:      {username: [passkey, ...]} (passkeys.py makes them)
  registrations: {username: {challenge, client_id, expires}}: the pending StartWebAuthnRegistration
  sessions:      {session: {username, client_id, challenge, expires, attempts, ...}}
  codes:         {username: {"EMAIL"|"SMS": code}}: the last code sent, for tests (LocalCognito.last_code)
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

# Cognito documents no number; this emulator ends a sign-in session at the third wrong code or answer.
MAX_ATTEMPTS = 3
DEFAULT_SESSION_MINUTES = 3  # an app client's AuthSessionValidity when it sets none (Cognito's default)
FIRST_FACTORS = ("PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
MEDIUM = {"EMAIL_OTP": "EMAIL", "SMS_OTP": "SMS"}


def blank() -> dict[str, Any]:
    """A pool's passwordless data before anything happened."""
    return {"webauthn": None, "passkeys": {}, "registrations": {}, "sessions": {}, "codes": {}}


def extras(pool: Any) -> dict[str, Any]:
    """The pool's passwordless data (made on first use)."""
    if not isinstance(getattr(pool, "passwordless", None), dict):
        pool.passwordless = blank()
    return pool.passwordless  # type: ignore[no-any-return]


def allowed_first_factors(pool: Any) -> list[str]:
    """The pool's SignInPolicy.AllowedFirstAuthFactors; Cognito's default is the password alone."""
    policy = (pool.extended_config.get("Policies") or {}).get("SignInPolicy") or {}
    return list(policy.get("AllowedFirstAuthFactors") or ["PASSWORD"])


def enable(pool: Any, client: Any, rp_id: str) -> None:
    """Give a pool made without them the local pool's passwordless settings (pools.py), keeping any it has."""
    from cognito_emulator.pools import FIRST_FACTORS

    policies = pool.extended_config.setdefault("Policies", {})
    policies.setdefault("SignInPolicy", {"AllowedFirstAuthFactors": list(FIRST_FACTORS)})
    extras(pool)["webauthn"] = extras(pool)["webauthn"] or {"RelyingPartyId": rp_id, "UserVerification": "preferred"}
    flows = client.extended_config.setdefault("ExplicitAuthFlows", []) if client is not None else []
    if client is not None and "ALLOW_USER_AUTH" not in flows:
        flows.append("ALLOW_USER_AUTH")


def allows_passwordless_sign_up(pool: Any) -> bool:
    """Cognito lets a user sign up with no password only when a one-time code can sign them in."""
    return bool({"EMAIL_OTP", "SMS_OTP"} & set(allowed_first_factors(pool)))


def _verified(pool: Any, user: Any, attribute: str) -> bool:
    # Confirming sign-up with the code verifies an auto-verified attribute; moto writes no *_verified for it.
    if attribute not in user.attribute_lookup:
        return False
    flag = user.attribute_lookup.get(f"{attribute}_verified")
    if flag is not None:
        return str(flag).lower() == "true"
    confirmed = str(getattr(user.status, "value", user.status)) == "CONFIRMED"
    return confirmed and attribute in (pool.extended_config.get("AutoVerifiedAttributes") or [])


def usable_factors(pool: Any, user: Any) -> list[str]:
    """The first factors the pool allows that this user can use, in the pool's order."""
    can = {
        "PASSWORD": bool(user.password),
        "EMAIL_OTP": _verified(pool, user, "email"),
        "SMS_OTP": _verified(pool, user, "phone_number"),
        "WEB_AUTHN": bool(extras(pool)["passkeys"].get(user.username)),
    }
    return [factor for factor in allowed_first_factors(pool) if can.get(factor)]


def masked(user: Any, medium: str) -> str:
    """Where a code went, masked as Cognito shows it: a***@e*** or +*******1234."""
    if medium == "SMS":
        return "+*******" + str(user.attribute_lookup.get("phone_number", ""))[-4:]
    local, _, domain = str(user.attribute_lookup.get("email", "")).partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def new_code() -> str:
    """Six random digits."""
    return f"{secrets.randbelow(10**6):06d}"


def session_minutes(client: Any) -> int:
    """The app client's AuthSessionValidity (3-15 minutes)."""
    return int(client.extended_config.get("AuthSessionValidity") or DEFAULT_SESSION_MINUTES)


def open_session(pool: Any, client: Any, username: str, **fields: Any) -> str:
    """A new sign-in session for `username` on `client`; expired ones are dropped first."""
    sessions = extras(pool)["sessions"]
    now = time.time()
    for key in [key for key, saved in sessions.items() if saved["expires"] < now - 3600]:
        del sessions[key]  # an hour past expiry nobody can still be told "expired"
    session = secrets.token_urlsafe(96)  # Cognito's sessions are long opaque strings (20-4096 characters)
    expires = now + 60 * session_minutes(client)
    sessions[session] = {"username": username, "client_id": client.id, "expires": expires, "attempts": 0, **fields}
    return session


def renew_session(pool: Any, session: str, **fields: Any) -> str:
    """The next step's session: a fresh id with the same user, client, expiry and attempts (the old one ends)."""
    sessions = extras(pool)["sessions"]
    saved = sessions.pop(session)
    new = secrets.token_urlsafe(96)
    sessions[new] = {**saved, **fields}
    return new


Deliver = Callable[[str, str, str, str], None]  # (pool id, username, medium, code)


def print_code(pool_id: str, username: str, medium: str, code: str) -> None:
    """Show a code on the console, one line, as cognito-local does."""
    print(f"emulator: {medium.lower()} code for {username}: {code}", flush=True)  # as cognito-local shows it


_deliveries: list[Deliver] = [print_code]


def set_delivery(deliver: Deliver) -> None:
    """Where codes go (the running LocalCognito's: the console and its codes file)."""
    _deliveries[:] = [deliver]


def send_code(pool: Any, user: Any, factor: str) -> tuple[str, str]:
    """Make and 'send' a code for EMAIL_OTP or SMS_OTP; return (code, medium)."""
    medium, code = MEDIUM[factor], new_code()
    deliver_code(pool, user.username, medium, code)
    return code, medium


def deliver_code(pool: Any, username: str, medium: str, code: str) -> None:
    """Keep `code` as the last one sent to the user by `medium` (last_code, the page's hint) and deliver it."""
    extras(pool)["codes"].setdefault(username, {})[medium] = code
    for deliver in _deliveries:
        deliver(pool.id, username, medium, code)
