"""One-time codes as Cognito keeps them: a random six-digit code per purpose, sent where the user's attributes say,
checked, expiring, with a limit on wrong tries. Used by confirmations.py, attributes.py and mfa.py.

Per pool, in `factors.extras(pool)` (saved with the emulator's state):
  pending:  {username: {purpose: {code, expires, medium, attribute, value?}}}: the code a purpose waits for
  failures: {username: {purpose: [time of each wrong try in the last hour]}}
  sends:    {username: {operation: [time of each call that sent a code in the last hour]}}
and the last code sent by medium in `codes` (factors.py), where tests and the page's code hint read it.

Lifetimes and limits ([DG] limits.md, "code security resource quotas"): a sign-up code lasts 24 h, an attribute
verification code 24 h, a forgot-password code 1 h. Wrong tries per user per hour: ConfirmSignUp 15,
VerifyUserAttribute 15, ConfirmForgotPassword 5 to 20 by risk (5 here: never kinder than Cognito).
"""

from __future__ import annotations

import time
from typing import Any

from cognito_emulator import factors
from cognito_emulator.webauthn_ops import error

SIGN_UP, FORGOT, VERIFY = "sign_up", "forgot", "verify"
LIFETIME = {SIGN_UP: 24 * 3600, FORGOT: 3600, VERIFY: 24 * 3600}
WRONG_TRIES_PER_HOUR = {SIGN_UP: 15, FORGOT: 5, VERIFY: 15}
MEDIUM = {"email": "EMAIL", "phone_number": "SMS"}
MISMATCH = "Invalid verification code provided, please try again."
EXPIRED = "Invalid code provided, please request a code again."
LIMIT = "Attempt limit exceeded, please try after some time."


def _data(pool: Any, name: str) -> dict[str, Any]:
    return factors.extras(pool).setdefault(name, {})  # type: ignore[no-any-return]


def verified(user: Any, attribute: str) -> bool:
    """Whether the user has the attribute and it is marked verified."""
    lookup = user.attribute_lookup
    return bool(lookup.get(attribute)) and str(lookup.get(f"{attribute}_verified", "")).lower() == "true"


def details(user: Any, attribute: str) -> dict[str, str]:
    """CodeDeliveryDetails for a code sent to the user's `attribute`, masked as Cognito masks it."""
    medium = MEDIUM[attribute]
    return {"Destination": factors.masked(user, medium), "DeliveryMedium": medium, "AttributeName": attribute}


def sign_up_attribute(pool: Any, user: Any) -> str | None:
    """Where a sign-up code goes: an auto-verified attribute the user has, the phone first (as Cognito does when
    both are auto-verified), or None (then no code is sent and only an administrator can confirm the user)."""
    auto = pool.extended_config.get("AutoVerifiedAttributes") or []
    for attribute in ("phone_number", "email"):
        if attribute in auto and user.attribute_lookup.get(attribute):
            return attribute
    return None


def recovery_attribute(pool: Any, user: Any) -> str:
    """Where a forgot-password code goes: the pool's AccountRecoverySetting, in priority order, to the first verified
    attribute the user has (legacy pools: phone, then email); else Cognito's refusal."""
    setting = pool.extended_config.get("AccountRecoverySetting") or {}
    mechanisms = setting.get("RecoveryMechanisms") or [
        {"Priority": 1, "Name": "verified_phone_number"},
        {"Priority": 2, "Name": "verified_email"},
    ]
    for mechanism in sorted(mechanisms, key=lambda m: m.get("Priority", 0)):
        if mechanism["Name"] == "admin_only":
            raise error("NotAuthorizedException", "Contact administrator to reset password.")
        attribute = mechanism["Name"].removeprefix("verified_")
        if verified(user, attribute):
            return attribute  # type: ignore[no-any-return]
    raise error(
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )


def issue(pool: Any, user: Any, purpose: str, attribute: str, **extra: Any) -> dict[str, str]:
    """A new code for `purpose` (any earlier one for it ends), sent to `attribute` (or to `extra["value"]`, a new
    address waiting for verification); return its CodeDeliveryDetails."""
    medium, code = MEDIUM[attribute], factors.new_code()
    record = {"code": code, "expires": time.time() + LIFETIME[purpose], "attribute": attribute, **extra}
    _data(pool, "pending").setdefault(user.username, {})[_key(purpose, attribute)] = record
    factors.deliver_code(pool, user.username, medium, code)
    shown = details(user, attribute)
    if "value" in extra:  # sent to the new address, which the user does not have yet
        masked = factors.masked(_with(attribute, extra["value"]), medium)
        shown["Destination"] = masked
    return shown


def _with(attribute: str, value: str) -> Any:
    class Only:
        attribute_lookup = {attribute: value}

    return Only()


def _key(purpose: str, attribute: str) -> str:
    return f"{purpose}:{attribute}" if purpose == VERIFY else purpose


def pending(pool: Any, user: Any, purpose: str, attribute: str = "") -> dict[str, Any] | None:
    """The code `purpose` waits for, if any (expired ones included: the caller says 'expired')."""
    return _data(pool, "pending").get(user.username, {}).get(_key(purpose, attribute))  # type: ignore[no-any-return]


def check(pool: Any, user: Any, purpose: str, given: Any, attribute: str = "") -> dict[str, Any]:
    """Check `given` against the code `purpose` waits for: LimitExceededException past the hour's wrong tries,
    ExpiredCodeException when none waits or it expired, CodeMismatchException when wrong. Return the record; the
    caller ends it with `spend` once the operation succeeded (a refused new password keeps the code usable)."""
    tries = _data(pool, "failures").setdefault(user.username, {}).setdefault(purpose, [])
    now = time.time()
    tries[:] = [at for at in tries if at > now - 3600]
    if len(tries) >= WRONG_TRIES_PER_HOUR[purpose]:
        raise error("LimitExceededException", LIMIT)
    record = pending(pool, user, purpose, attribute)
    if record is None or record["expires"] < now:
        raise error("ExpiredCodeException", EXPIRED)
    if not isinstance(given, str) or given != record["code"]:
        tries.append(now)
        raise error("CodeMismatchException", MISMATCH)
    return record


def spend(pool: Any, user: Any, purpose: str, attribute: str = "") -> None:
    """End the code `purpose` waited for (used once) and forget the wrong tries against it."""
    _data(pool, "pending").get(user.username, {}).pop(_key(purpose, attribute), None)
    _data(pool, "failures").get(user.username, {}).pop(purpose, None)


def count_send(pool: Any, user: Any, operation: str, per_hour: int) -> None:
    """Count a call that sends a code; LimitExceededException past `per_hour` of them (ResendConfirmationCode and
    GetUserAttributeVerificationCode: 5 an hour per user, [DG] limits.md)."""
    sent = _data(pool, "sends").setdefault(user.username, {}).setdefault(operation, [])
    now = time.time()
    sent[:] = [at for at in sent if at > now - 3600]
    if len(sent) >= per_hour:
        raise error("LimitExceededException", LIMIT)
    sent.append(now)


def mark_verified(user: Any, attribute: str) -> None:
    """Set `<attribute>_verified` true (a code sent there came back)."""
    user.update_attributes([{"Name": f"{attribute}_verified", "Value": "true"}])


def expire(pool: Any, username: str, purpose: str, attribute: str = "") -> None:
    """Make a pending code look expired (tests: lifetimes without waiting a day)."""
    record = _data(pool, "pending").get(username, {}).get(_key(purpose, attribute))
    if record is not None:
        record["expires"] = time.time() - 1
