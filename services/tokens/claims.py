"""The registered type of every claim the verifier reads: one table, checked in one pass before any claim is used.

A claim that is present must have its type, whatever the route; whether it must be present, and what its
value must be, is the verifier's business (services/tokens/verifier.py). Other claims are carried, never read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from errors import TokenExpired, TokenNotYetValid

# NumericDates past 3000-01-01T00:00:00Z are refused: no real token lives that long, and the bound keeps
# times far inside a float's exact integers (2**53), so `exp + leeway` and every comparison stay exact.
MAX_NUMERIC_DATE = 32_503_680_000


def _string(value: Any) -> bool:
    return type(value) is str


def _numeric_date(value: Any) -> bool:
    # Never a bool (its type is bool, not int). NaN fails both comparisons and infinities the bound.
    kind = type(value)
    return (kind is int or kind is float) and 0 <= value <= MAX_NUMERIC_DATE


def _strings(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def _audience(value: Any) -> bool:
    """RFC 7519: one string or an array of strings."""
    return type(value) is str or _strings(value)


STRING_CLAIMS = (
    *("iss", "sub", "token_use", "client_id", "username", "cognito:username"),
    *("jti", "origin_jti", "scope", "email"),
)
CLAIM_TYPES: Mapping[str, Callable[[Any], bool]] = {
    **dict.fromkeys(STRING_CLAIMS, _string),
    **dict.fromkeys(("exp", "iat", "nbf", "auth_time"), _numeric_date),
    "aud": _audience,
    "cognito:groups": _strings,
}


def malformed_claim(claims: Mapping[str, Any]) -> str | None:
    """The name of the first claim present without its registered type, or None when all have theirs."""
    check = CLAIM_TYPES.get
    for name, value in claims.items():
        is_typed = check(name)
        if is_typed is not None and not is_typed(value):
            return name
    return None


def check_times(claims: Mapping[str, Any], now: float, leeway: float) -> None:
    """TokenError unless `exp` (required: the caller checks it is present) has not passed and neither `iat` nor
    `nbf`, where present, is in the future; each with `leeway` seconds. The one time check of every verifier."""
    if now > claims["exp"] + leeway:
        raise TokenExpired("token has expired")
    if claims.get("iat", 0) > now + leeway:
        raise TokenNotYetValid("token claim 'iat' is in the future")
    if claims.get("nbf", 0) > now + leeway:
        raise TokenNotYetValid("token claim 'nbf' is in the future")
