"""The signed-in user's own record and MFA choices: change and delete attributes, verify them, choose MFA factors."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, jsonify

import errors
from extensions import services
from middleware.authentication import current_claims, current_token
from middleware.ratelimit import guessing
from schemas.fields import CUSTOM_ATTRIBUTE_PATTERN
from schemas.profile import PROFILE_ATTRIBUTES, MfaChoice, ResendAttributeCode, UpdateAttributes, VerifyAttribute


def update(body: UpdateAttributes) -> Response:
    """Change attributes; answer them as they are now, and where any verification code went."""
    auth, token = services().auth, current_token()
    deliveries = auth.update_attributes(token, dict(body.attributes))
    return jsonify(attributes=auth.user_record(token)["attributes"], code_deliveries=deliveries)


def verify(body: VerifyAttribute) -> Response:
    """Verify `email` or `phone_number` with the code sent to it (wrong codes count as guesses at the user)."""
    with guessing(current_claims()["sub"]):
        services().auth.verify_attribute(current_token(), body.attribute, body.code)
    return jsonify(attribute=body.attribute, verified=True)


def resend(body: ResendAttributeCode) -> Response:
    """Send a new verification code for `email` or `phone_number`."""
    return jsonify(code_delivery=services().auth.resend_attribute_code(current_token(), body.attribute))


def delete_attribute(name: str) -> tuple[str, int]:
    """Delete one attribute of the signed-in user (Cognito refuses required ones)."""
    if name not in PROFILE_ATTRIBUTES and not re.fullmatch(CUSTOM_ATTRIBUTE_PATTERN, name):
        raise errors.InvalidRequest("Invalid request: the attribute name must be a standard or custom: attribute.")
    services().auth.delete_attributes(current_token(), [name])
    return "", 204


def _settings(record: dict[str, Any], pool: dict[str, Any] | None) -> dict[str, Any]:
    available = pool["available"] if pool is not None else ["TOTP", "SMS", "EMAIL"]
    required = pool["required"] if pool is not None else None
    return {
        "preferred": record["preferred"],
        "enabled": record["enabled"],
        "available": available,
        "required": required,
    }


def mfa() -> Response:
    """The user's MFA factors (on, preferred) and the pool's (offered, required)."""
    auth = services().auth
    return jsonify(_settings(auth.user_record(current_token()), auth.pool_mfa()))


def _verified(attributes: dict[str, str], name: str) -> bool:
    return bool(attributes.get(name)) and attributes.get(f"{name}_verified", "").lower() == "true"


def set_mfa(body: MfaChoice) -> Response:
    """Turn factors on and off and choose the preferred one, after the checks Cognito leaves to the app."""
    auth, token = services().auth, current_token()
    enabled: list[str] = list(dict.fromkeys(body.enabled))
    preferred = body.preferred
    record, pool = auth.user_record(token), auth.pool_mfa()
    if pool is not None and any(factor not in pool["available"] for factor in enabled):
        raise errors.MfaFactorUnavailable()
    if "SMS" in enabled and not _verified(record["attributes"], "phone_number"):
        raise errors.MfaPhoneUnverified()
    if "EMAIL" in enabled and not _verified(record["attributes"], "email"):
        raise errors.MfaEmailUnverified()
    if preferred is not None and preferred not in enabled:
        raise errors.MfaPreferredNotEnabled()
    if pool is not None and pool["required"] and not enabled:
        raise errors.MfaRequired()
    auth.set_mfa(token, enabled, preferred, set(enabled) | set(record["enabled"]))
    return jsonify(_settings(auth.user_record(token), pool))
