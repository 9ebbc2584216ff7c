"""Verifies Cognito JWTs: strict parsing and every claim check, then one RSA-SHA256 signature check."""

from __future__ import annotations

import base64
import binascii
import math
import re
import time
from collections.abc import Callable, Collection
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

import strictjson
from services.jwks import JwksCache, UnknownKey

MAX_TOKEN_CHARS = 8 * 1024
MAX_KID_CHARS = 256
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")
# By token type: the claim naming the user, and the claim naming the app client it was issued to.
USERNAME_CLAIM = {"id": "cognito:username", "access": "username"}
AUDIENCE_CLAIM = {"id": "aud", "access": "client_id"}


class TokenError(Exception):
    """The token is not acceptable; the message says why, without echoing the token."""


class TokenVerifier:
    """Checks tokens of one user pool and app client against the pool's cached JWKS."""

    def __init__(
        self,
        jwks: JwksCache,
        *,
        issuer: str,
        client_id: str,
        leeway: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.jwks = jwks
        self.issuer = issuer
        self.client_id = client_id
        self.leeway = leeway
        self._clock = clock

    def verify(self, token: Any, accepted_uses: Collection[str]) -> dict[str, Any]:
        """Return the token's claims, or raise TokenError (JwksUnavailable when no keys can be had)."""
        if not isinstance(token, str) or not token:
            raise TokenError("token is missing")
        if len(token) > MAX_TOKEN_CHARS:
            raise TokenError("token is too large")
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("token is not a JWS in compact form")
        header = _decode_json(parts[0], "header")
        claims = _decode_json(parts[1], "payload")
        kid = self._check_header(header)
        self._check_claims(claims, accepted_uses)
        signature = _b64decode(parts[2], "signature")
        try:
            key = self.jwks.key(kid)
        except UnknownKey as err:
            raise TokenError(str(err)) from None
        if len(signature) != key.key_size // 8:
            raise TokenError("token signature is invalid")
        try:
            key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise TokenError("token signature is invalid") from None
        return claims

    @staticmethod
    def _check_header(header: dict[str, Any]) -> str:
        if header.get("alg") != "RS256":
            raise TokenError("token algorithm must be RS256")
        if "crit" in header:
            raise TokenError("token names critical extensions this server does not support")
        kid = header.get("kid")
        if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_CHARS:
            raise TokenError("token key id is missing or malformed")
        return kid

    def _check_claims(self, claims: dict[str, Any], accepted_uses: Collection[str]) -> None:
        if claims.get("iss") != self.issuer:
            raise TokenError("token issuer is not accepted")
        token_use = claims.get("token_use")
        if token_use not in USERNAME_CLAIM or token_use not in accepted_uses:
            raise TokenError("token type is not accepted here")
        if claims.get(AUDIENCE_CLAIM[token_use]) != self.client_id:
            raise TokenError("token was issued to another client")
        for name in ("sub", USERNAME_CLAIM[token_use]):
            if not isinstance(claims.get(name), str) or not claims[name]:
                raise TokenError(f"token claim {name!r} is missing or malformed")
        if "scope" in claims and not isinstance(claims["scope"], str):
            raise TokenError("token claim 'scope' is malformed")
        groups = claims.get("cognito:groups", [])
        if not isinstance(groups, list) or not all(isinstance(group, str) for group in groups):
            raise TokenError("token claim 'cognito:groups' is malformed")
        self._check_times(claims)

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._clock()
        exp = _time_claim(claims, "exp", required=True)
        if now > exp + self.leeway:
            raise TokenError("token has expired")
        for name in ("iat", "nbf"):
            moment = _time_claim(claims, name, required=name == "iat")
            if moment is not None and moment > now + self.leeway:
                raise TokenError(f"token claim {name!r} is in the future")


def username_of(claims: dict[str, Any]) -> str:
    """The username a verified token names, whichever its type."""
    return claims[USERNAME_CLAIM[claims["token_use"]]]


def _time_claim(claims: dict[str, Any], name: str, *, required: bool) -> float | None:
    value = claims.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TokenError(f"token claim {name!r} is missing or malformed")
    return value


def _b64decode(segment: str, what: str) -> bytes:
    # Only canonical unpadded base64url: one token has exactly one spelling.
    if not _SEGMENT.match(segment) or len(segment) % 4 == 1:
        raise TokenError(f"token {what} is not base64url")
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise TokenError(f"token {what} is not base64url") from None
    if base64.urlsafe_b64encode(raw).rstrip(b"=") != segment.encode("ascii"):
        raise TokenError(f"token {what} is not canonical base64url")
    return raw


def _decode_json(segment: str, what: str) -> dict[str, Any]:
    try:
        value = strictjson.loads(_b64decode(segment, what))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise TokenError(f"token {what} is not a JSON object") from None
    if not isinstance(value, dict):
        raise TokenError(f"token {what} is not a JSON object")
    return value
