"""Tokens as Cognito mints them, taught to moto: lifetimes from the app client, and one record per sign-in.

Each refresh token starts a *family* (its `origin_jti`): the sign-in's `event_id` (a UUID carried by every ID and
access token of that sign-in and of its refreshes, uncertain for refreshes: Cognito documents no rule), its
`auth_time` (kept across refreshes, as Cognito keeps it), when the refresh token expires, and whether the family
was revoked (RevokeToken, GlobalSignOut, AdminUserGlobalSignOut). The records live in the pool's extras
(factors.py), so snapshot.py keeps them across restarts:
  families: {origin_jti: {event_id, auth_time, expires, username, revoked}}

Lifetimes: the client's AccessTokenValidity, IdTokenValidity and RefreshTokenValidity in its TokenValidityUnits
(defaults: hours, hours, days), else Cognito's defaults of 1 hour, 1 hour and 30 days (CreateUserPoolClient's
documentation in botocore's model). Non-OAuth access tokens carry `version: 2`, as Cognito's do.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from cognito_emulator import factors

UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
DEFAULTS = {"AccessToken": (1, "hours"), "IdToken": (1, "hours"), "RefreshToken": (30, "days")}
LONGEST_ACCESS = 86400  # Cognito's longest access or ID token validity: a family's record outlives its refresh by it
HEADER = {"kid": "dummy", "alg": "RS256"}  # the kid of moto's jwks-public.json
REVOKED = "Access Token has been revoked"


VERIFIED_FLAGS = {"email_verified", "phone_number_verified"}


def lifetime(client: Any, kind: str) -> int:
    """Seconds a token of `kind` (AccessToken, IdToken, RefreshToken) issued to `client` is valid."""
    default_value, default_unit = DEFAULTS[kind]
    settings = client.extended_config if client is not None else {}
    value = settings.get(f"{kind}Validity") or default_value  # 0 means the default (Cognito's rule for refresh)
    unit = (settings.get("TokenValidityUnits") or {}).get(kind) or default_unit
    return int(value) * UNIT_SECONDS.get(unit, UNIT_SECONDS[default_unit])


def families(pool: Any) -> dict[str, dict[str, Any]]:
    """The pool's sign-in families by origin_jti (made on first use)."""
    return factors.extras(pool).setdefault("families", {})  # type: ignore[no-any-return]


def start_family(pool: Any, client_id: str, username: str, origin_jti: str) -> dict[str, Any]:
    """Record a new sign-in (one refresh token's family); expired records are dropped first."""
    records, now = families(pool), int(time.time())
    for key in [key for key, record in records.items() if record["expires"] + LONGEST_ACCESS < now]:
        del records[key]
    record = {
        "event_id": str(uuid.uuid4()),
        "auth_time": now,
        "expires": now + lifetime(pool.clients.get(client_id), "RefreshToken"),
        "username": username,
        "revoked": False,
    }
    records[origin_jti] = record
    return record


def family(pool: Any, origin_jti: Any) -> dict[str, Any] | None:
    """The record of a family, or None (unknown, or a token minted before the emulator kept them)."""
    return families(pool).get(origin_jti) if isinstance(origin_jti, str) else None


def revoke_family(pool: Any, origin_jti: Any, username: str | None = None) -> None:
    """Refuse every access token of a family from now on (recorded even for a family kept no record of)."""
    if not isinstance(origin_jti, str):
        return
    record = families(pool).get(origin_jti)
    if record is None:
        now = int(time.time())
        record = {"event_id": "", "auth_time": now, "expires": now, "username": username, "revoked": True}
        families(pool)[origin_jti] = record
    record["revoked"] = True


def revoke_user(pool: Any, username: str) -> None:
    """GlobalSignOut: every family of the user, and of every token the pool still holds for them, is revoked."""
    from cognito_emulator.oauth.minting import unverified_claims

    for record in list(families(pool).values()):
        if record.get("username") == username:
            record["revoked"] = True
    for issued in (pool.access_tokens, pool.id_tokens):
        for token, (_, owner) in list(issued.items()):
            if owner == username:
                revoke_family(pool, unverified_claims(token).get("origin_jti"), username)
    for issued_refresh in list(pool.refresh_tokens.values()):
        if issued_refresh and issued_refresh[1] == username:
            revoke_family(pool, issued_refresh[2], username)


def withdraw(pool: Any, result: dict[str, Any]) -> None:
    """Forget tokens minted but never shown (a step is asked in their place: a device's proof, a factor's choice)."""
    pool.access_tokens.pop(result.get("AccessToken"), None)
    pool.id_tokens.pop(result.get("IdToken"), None)
    issued = pool.refresh_tokens.pop(result.get("RefreshToken"), None)
    if issued:
        families(pool).pop(issued[2], None)


def refresh_expired(pool: Any, origin_jti: Any) -> bool:
    """Whether a refresh token of this family is past its RefreshTokenValidity."""
    record = family(pool, origin_jti)
    return record is not None and record["expires"] < time.time()


def claims_for(pool: Any, client_id: str, token_use: str, origin_jti: Any) -> dict[str, Any]:
    """The claims every token of a family carries: iss, exp, iat, auth_time, jti, event_id (and version)."""
    now = int(time.time())
    record = family(pool, origin_jti) or {}
    kind = "AccessToken" if token_use == "access" else "IdToken"  # noqa: S105
    claims: dict[str, Any] = {
        "iss": f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}",
        "token_use": token_use,
        "auth_time": int(record.get("auth_time") or now),
        "iat": now,
        "exp": now + lifetime(pool.clients.get(client_id), kind),
        "jti": str(uuid.uuid4()),
        "event_id": record.get("event_id") or str(uuid.uuid4()),
    }
    if origin_jti is not None:
        claims["origin_jti"] = origin_jti
    return claims


def teach() -> None:
    """Patch moto's token minting (lifetimes, event_id, version, auth_time) and its sign-out (revocation)."""
    from joserfc import jwt
    from moto.cognitoidp.models import CognitoIdpUserPool

    if getattr(CognitoIdpUserPool.create_jwt, "knows_families", False):
        return
    create_refresh_token, sign_out = CognitoIdpUserPool.create_refresh_token, CognitoIdpUserPool.sign_out

    def create_jwt(
        self: Any,
        client_id: str,
        username: str,
        token_use: str,
        expires_in: int = 3600,
        extra_data: dict[str, Any] | None = None,
    ) -> tuple[str, int]:
        extra = dict(extra_data or {})
        user = self._get_user(username)
        payload = {"sub": user.id, **claims_for(self, client_id, token_use, extra.get("origin_jti"))}
        username_is_email = "email" in self.extended_config.get("UsernameAttributes", [])
        if token_use == "access":  # noqa: S105
            payload.update(client_id=client_id, version=2, username=user.id if username_is_email else username)
        else:
            payload["aud"] = client_id
            payload["cognito:username"] = user.id if username_is_email else username
            if username_is_email and "@" in username:  # signed in by email: moto's own ID tokens carry it
                payload["email"] = username
        payload.update(extra)
        for flag in VERIFIED_FLAGS & payload.keys():  # Cognito's ID tokens carry booleans; moto copies the strings
            payload[flag] = payload[flag] in (True, "true")
        return jwt.encode(HEADER, payload, self.json_web_key), payload["exp"] - payload["iat"]

    def create_refresh_token_with_family(self: Any, client_id: str, username: str) -> tuple[str, str]:
        refresh_token, origin_jti = create_refresh_token(self, client_id, username)
        start_family(self, client_id, username, origin_jti)
        return refresh_token, origin_jti

    def sign_out_revoking(self: Any, username: str) -> None:
        revoke_user(self, username)
        sign_out(self, username)

    create_jwt.knows_families = True  # type: ignore[attr-defined]
    CognitoIdpUserPool.create_jwt = create_jwt
    CognitoIdpUserPool.create_refresh_token = create_refresh_token_with_family
    CognitoIdpUserPool.sign_out = sign_out_revoking
