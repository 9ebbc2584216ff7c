"""Tokens as Cognito's OAuth endpoints issue them, signed with moto's key (so they verify like moto's own).

Access tokens carry `scope`, `auth_time`, `origin_jti`, `version`, `event_id` (tokens.py: lifetimes from the
app client, one event_id per sign-in); ID tokens `nonce` (when the authorize
request had one), `at_hash`, `cognito:username`, `identities` (federated users) and the attributes the client
may read. moto's `create_jwt` cannot mint a token without a user (client_credentials), so the claims are
built here and signed with the pool's own key object.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from joserfc import jwt

HEADER = {"kid": "dummy", "alg": "RS256"}  # the kid of moto's jwks-public.json


@dataclass(frozen=True)
class Grant:
    """What a user's tokens say about how they signed in: scopes, when, and the authorize request's nonce."""

    scopes: tuple[str, ...]
    auth_time: int
    nonce: str | None = None


def _issuer(pool: Any) -> str:
    return f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}"


def _sign(pool: Any, claims: dict[str, Any]) -> str:
    return str(jwt.encode(HEADER, claims, pool.json_web_key))


def _base(
    pool: Any, client_id: str, sub: str, token_use: str, auth_time: int, origin_jti: str | None = None
) -> dict[str, Any]:
    from cognito_emulator.tokens import claims_for

    claims = {"sub": sub, **claims_for(pool, client_id, token_use, origin_jti)}
    claims["auth_time"] = auth_time  # the grant's: when the user signed in at the authorize endpoint
    audience = {"client_id": client_id} if token_use == "access" else {"aud": client_id}  # noqa: S105
    return {**claims, **audience}


def _expires_in(claims: dict[str, Any]) -> int:
    return int(claims["exp"] - claims["iat"])


def _username_claim(pool: Any, user: Any) -> str:
    # A pool whose usernames are email addresses names the user by their sub, as Cognito does.
    return str(user.id) if "email" in pool.extended_config.get("UsernameAttributes", []) else str(user.username)


def _at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def user_tokens(pool: Any, client_id: str, user: Any, grant: Grant, origin_jti: str) -> dict[str, Any]:
    """An access token, and an ID token when `openid` was granted, recorded as moto records its own."""
    groups = {"cognito:groups": [g.group_name for g in user.groups]} if user.groups else {}
    access = _base(pool, client_id, str(user.id), "access", grant.auth_time, origin_jti)
    access.update(groups, username=_username_claim(pool, user), scope=" ".join(grant.scopes), version=2)
    access_token = _sign(pool, access)
    pool.access_tokens[access_token] = (client_id, user.username)  # GetUser and GlobalSignOut know it
    answer: dict[str, Any] = {"access_token": access_token, "expires_in": _expires_in(access), "token_type": "Bearer"}
    if "openid" in grant.scopes:
        claims = _base(pool, client_id, str(user.id), "id", grant.auth_time, origin_jti)
        claims.update(pool.get_user_extra_data_by_client_id(client_id, user.username), **groups)
        claims.update({a["Name"]: a["Value"] for a in user.attributes if a["Name"].startswith("custom:")})
        claims.update({"cognito:username": _username_claim(pool, user), "origin_jti": origin_jti})
        claims["at_hash"] = _at_hash(access_token)
        identities = user.attribute_lookup.get("identities")
        if identities:
            claims["identities"] = json.loads(identities)
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        answer["id_token"] = _sign(pool, claims)
        pool.id_tokens[answer["id_token"]] = (client_id, user.username)
    return answer


def machine_token(pool: Any, client_id: str, scopes: list[str]) -> dict[str, Any]:
    """A client_credentials access token: the client is its subject, no user, the resource-server scopes."""
    claims = _base(pool, client_id, client_id, "access", int(time.time()))
    claims.update(scope=" ".join(scopes), version=2)
    return {"access_token": _sign(pool, claims), "expires_in": _expires_in(claims), "token_type": "Bearer"}


def claims_of(pool: Any, token: str) -> dict[str, Any] | None:
    """The claims of a token this pool signed and still holds as issued (not revoked or signed out), else None."""
    from cognito_emulator.tokens import family

    if token not in pool.access_tokens:
        return None
    claims = dict(jwt.decode(token, pool.json_web_key).claims)
    record = family(pool, claims.get("origin_jti"))
    if record is not None and record["revoked"]:
        return None
    return claims if claims.get("exp", 0) > time.time() else None


def unverified_claims(token: str) -> dict[str, Any]:
    """A JWT's claims, its signature not checked (to find its pool, or which of our own tokens it is); {} if none."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}
