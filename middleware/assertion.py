"""The signed identity of `/auth/check`'s 200 (`X-Auth-Request-Assertion`), from what authenticated the request
and the host the original request was for (services/tokens/assertion.py signs it)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import request

import errors
from extensions import assertion_signer, services
from middleware.authentication import Authenticated
from services.tokens.assertion import Identity
from services.tokens.verifier import is_machine, username_of

# A host as a proxy forwards it: a name or IPv4 address, or an IPv6 literal in brackets, with an optional port.
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9._-]{0,251}[a-z0-9])?|\[[0-9a-f:.]{2,45}\])(?::[0-9]{1,5})?$")


def identity_assertion(found: Authenticated, email: str | None) -> str | None:
    """The assertion for this request's user (`email` a verified one), or None when no key is configured."""
    signer = assertion_signer()
    if signer is None:
        return None
    claims = found.claims

    def identity() -> Identity:
        machine = is_machine(claims)
        return Identity(
            sub=claims["sub"],
            username=None if machine else username_of(claims),
            email=email,
            groups=() if machine else tuple(group for group in claims.get("cognito:groups") or () if group),
            auth_time=_number(claims, "auth_time"),
            client_id=claims.get("client_id") if machine else None,
            expires=_number(claims, "exp"),
        )

    issuer: str = services().settings.assertion_issuer  # type: ignore[assignment]  # required with the key
    return signer.assertion(found.token, identity, audience(), issuer)


def audience() -> str:
    """The host the original request was for: the proxy's X-Forwarded-Host (its first value), else Host; 400
    when it is not a host (an assertion names exactly one app)."""
    forwarded = request.environ.get("HTTP_X_FORWARDED_HOST")
    host = (forwarded.split(",", 1)[0] if forwarded is not None else request.host).strip().lower()
    if not _HOST.match(host):
        raise errors.InvalidRequest("The original request's host (X-Forwarded-Host or Host) is not a host name.")
    return host


def _number(claims: Mapping[str, Any], name: str) -> int | None:
    value = claims.get(name)
    # The verifier checked these are NumericDates where present (services/tokens/claims.py); never a bool.
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
