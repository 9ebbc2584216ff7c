"""Sign-in answers in the API's words: the tokens Cognito issued, or the challenge it asks for next."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)


def tokens_or_challenge(result: Mapping[str, Any]) -> dict[str, Any]:
    """A sign-in answer: the tokens, or the challenge Cognito asks to be answered next."""
    if "ChallengeName" in result:
        return _challenge(result)
    tokens = result["AuthenticationResult"]
    access, id_token = tokens["AccessToken"], tokens["IdToken"]
    # Read, not verified: these tokens come straight from Cognito, and only informational fields are taken.
    access_claims, id_claims = unverified_claims(access), unverified_claims(id_token)
    answer = {
        "access_token": access,
        "id_token": id_token,
        # Optional in Cognito's model (cognito-local leaves it out): the access token's own lifetime then.
        "expires_in": tokens.get("ExpiresIn") or _lifetime(access_claims),
        "token_type": "Bearer",
        # The stored username: the one SECRET_HASH is computed over (the sub in email-as-username pools).
        "username": id_claims.get("cognito:username") or access_claims.get("username"),
    }
    if "RefreshToken" in tokens:
        answer["refresh_token"] = tokens["RefreshToken"]
    return answer


def _challenge(result: Mapping[str, Any]) -> dict[str, Any]:
    """The challenge, with what choice-based sign-in adds in the browser's terms: the factors to choose from,
    where a code went, and a passkey challenge's request options as an object (Cognito sends a JSON string)."""
    parameters = result.get("ChallengeParameters", {})
    answer: dict[str, Any] = {
        "challenge": result["ChallengeName"],
        "session": result.get("Session"),
        "parameters": parameters,
    }
    if "AvailableChallenges" in result:
        # PASSWORD_SRP is the PASSWORD factor proven by SRP: listed once, as PASSWORD (the API takes either).
        answer["available_challenges"] = [name for name in result["AvailableChallenges"] if name != "PASSWORD_SRP"]
    if "MFAS_CAN_CHOOSE" in parameters:
        # SELECT_MFA_TYPE: the factors to choose among, a list (Cognito sends a JSON array as a string).
        offered = _json_list(parameters["MFAS_CAN_CHOOSE"])
        if offered is None:
            log.warning("Cognito's MFAS_CAN_CHOOSE is not a JSON list of names; answered without them")
        else:
            answer["available_mfa_types"] = offered
    if "CODE_DELIVERY_DESTINATION" in parameters:
        answer["code_delivery"] = {
            "destination": parameters["CODE_DELIVERY_DESTINATION"],
            "medium": parameters.get("CODE_DELIVERY_DELIVERY_MEDIUM"),
        }
    if "CREDENTIAL_REQUEST_OPTIONS" in parameters:
        options = _json_object(parameters["CREDENTIAL_REQUEST_OPTIONS"])
        if options is None:  # the page cannot ask the authenticator; the answer says so rather than failing
            log.warning("Cognito's CREDENTIAL_REQUEST_OPTIONS is not a JSON object; answered without them")
        else:
            answer["credential_request_options"] = options
    return answer


def _json_object(text: Any) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _json_list(text: Any) -> list[str] | None:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, list) and all(isinstance(name, str) for name in value) else None


def unverified_claims(token: Any) -> dict[str, Any]:
    """The payload of a token Cognito just answered us with, read without checking it ({} if unreadable)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (AttributeError, IndexError, ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


def _lifetime(claims: Mapping[str, Any]) -> int:
    exp, iat = claims.get("exp"), claims.get("iat")
    if type(exp) is int and type(iat) is int and 0 < exp - iat <= 86400:
        return exp - iat
    return 3600  # Cognito's default access-token lifetime
