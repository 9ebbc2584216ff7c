"""Sign-in answers in the API's words: the tokens Cognito issued, or the challenge it asks for next."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any


def tokens_or_challenge(result: Mapping[str, Any]) -> dict[str, Any]:
    """A sign-in answer: the tokens, or the challenge Cognito asks to be answered next."""
    if "ChallengeName" in result:
        return {
            "challenge": result["ChallengeName"],
            "session": result.get("Session"),
            "parameters": result.get("ChallengeParameters", {}),
        }
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
