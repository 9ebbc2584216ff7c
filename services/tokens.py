"""Verifies Cognito JWTs: strict parsing and every claim check, then one RSA-SHA256 signature check.

The cheap checks (size, shape, header, kid, issuer, type, audience, times) all run before the RSA
operation. A token verified once is remembered (see token_cache) until its expiry, so a repeat costs a
dict lookup plus the checks that can change with time or route: expiry, accepted type, key still held.
"""

from __future__ import annotations

import binascii
import math
import time
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

import strictjson
from services.jwks import JwksCache, UnknownKey
from services.token_cache import Entry, VerifiedTokens

MAX_TOKEN_CHARS = 8 * 1024
MAX_KID_CHARS = 256
# base64url -> base64 for binascii's strict decoder; "+", "/" and "=" become invalid: only unpadded base64url passes.
_FROM_B64URL = bytes.maketrans(b"-_+/=", b"+/!!!")
_PADDING = (b"", b"", b"==", b"=")
_B64URL_VALUE = {
    char: index for index, char in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}
# Unpadded base64url of n bytes ends with 2 or 3 characters for the last 1 or 2 bytes; the bits of the
# last character beyond the data must be zero, or the same token would have several spellings.
_UNUSED_BITS = {2: 0b1111, 3: 0b11}
_PKCS1V15 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()
_MAX_HEADERS_REMEMBERED = 32
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
        cache: VerifiedTokens | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.jwks = jwks
        self.issuer = issuer
        self.client_id = client_id
        self.leeway = leeway
        self.cache = cache if cache is not None else VerifiedTokens(max_entries=0)
        self._clock = clock
        self._headers: dict[str, str] = {}  # header segments already verified once -> their kid

    def verify(self, token: Any, accepted_uses: Collection[str]) -> Mapping[str, Any]:
        """Return the token's claims (read-only), or raise TokenError (JwksUnavailable when no keys)."""
        if type(token) is str:
            entry = self.cache.get(token)
            if entry is not None:
                return self._recheck(token, entry, accepted_uses)
        return self._verify_new(token, accepted_uses)

    def _recheck(self, token: str, entry: Entry, accepted_uses: Collection[str]) -> Mapping[str, Any]:
        claims, expires, kid, key = entry
        if self._clock() > expires:
            self.cache.discard(token)
            raise TokenError("token has expired")
        if self.jwks.current_key(kid) is not key:  # rotated out, or keys too stale to trust
            self.cache.discard(token)
            return self._verify_new(token, accepted_uses)
        if claims["token_use"] not in accepted_uses:
            raise TokenError("token type is not accepted here")
        return claims

    def _verify_new(self, token: Any, accepted_uses: Collection[str]) -> Mapping[str, Any]:
        if not isinstance(token, str) or not token:
            raise TokenError("token is missing")
        if len(token) > MAX_TOKEN_CHARS:
            raise TokenError("token is too large")
        if not token.isascii() or token.count(".") != 2:
            raise TokenError("token is not a JWS in compact form")
        # Translated once for binascii's strict base64 decoder; the dots stay put.
        encoded = token.encode("ascii")
        translated = encoded.translate(_FROM_B64URL)
        first, second = token.index("."), token.rindex(".")
        header = token[:first]
        kid = self._headers.get(header)
        if kid is None:
            kid = _check_header(_decode_json(token, translated, 0, first, "header"))
        claims = _decode_json(token, translated, first + 1, second, "payload")
        self._check_claims(claims, accepted_uses)
        key = self._key(kid)
        signature = _b64decode(token, translated, second + 1, len(token), "signature")
        if len(signature) != key.key_size // 8:
            raise TokenError("token signature is invalid")
        try:
            key.verify(signature, encoded[:second], _PKCS1V15, _SHA256)
        except InvalidSignature:
            raise TokenError("token signature is invalid") from None
        if len(self._headers) < _MAX_HEADERS_REMEMBERED:
            self._headers[header] = kid
        if "cognito:groups" in claims:
            claims["cognito:groups"] = tuple(claims["cognito:groups"])
        frozen = MappingProxyType(claims)
        self.cache.put(token, frozen, claims["exp"] + self.leeway, kid, key)
        return frozen

    def _key(self, kid: str) -> Any:
        try:
            return self.jwks.key(kid)
        except UnknownKey as err:
            raise TokenError(str(err)) from None

    def _check_claims(self, claims: dict[str, Any], accepted_uses: Collection[str]) -> None:
        claim = claims.get
        if claim("iss") != self.issuer:
            raise TokenError("token issuer is not accepted")
        token_use = claim("token_use")
        if token_use not in USERNAME_CLAIM or token_use not in accepted_uses:
            raise TokenError("token type is not accepted here")
        if claim(AUDIENCE_CLAIM[token_use]) != self.client_id:
            raise TokenError("token was issued to another client")
        for name in ("sub", USERNAME_CLAIM[token_use]):
            value = claim(name)
            if type(value) is not str or not value:
                raise TokenError(f"token claim {name!r} is missing or malformed")
        if type(claim("scope", "")) is not str:
            raise TokenError("token claim 'scope' is malformed")
        groups = claim("cognito:groups", ())
        if type(groups) not in (list, tuple) or not all(type(group) is str for group in groups):
            raise TokenError("token claim 'cognito:groups' is malformed")
        now = self._clock()
        if now > _time_claim(claim("exp"), "exp") + self.leeway:
            raise TokenError("token has expired")
        if _time_claim(claim("iat"), "iat") > now + self.leeway:
            raise TokenError("token claim 'iat' is in the future")
        if "nbf" in claims and _time_claim(claim("nbf"), "nbf") > now + self.leeway:
            raise TokenError("token claim 'nbf' is in the future")


def username_of(claims: Mapping[str, Any]) -> str:
    """The username a verified token names, whichever its type."""
    return claims[USERNAME_CLAIM[claims["token_use"]]]


def _check_header(header: dict[str, Any]) -> str:
    if header.get("alg") != "RS256":
        raise TokenError("token algorithm must be RS256")
    if "crit" in header:
        raise TokenError("token names critical extensions this server does not support")
    kid = header.get("kid")
    if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_CHARS:
        raise TokenError("token key id is missing or malformed")
    return kid


def _time_claim(value: Any, name: str) -> float:
    """A NumericDate: an int, or a finite float (never a bool, string or null)."""
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return value
    raise TokenError(f"token claim {name!r} is missing or malformed")


def _b64decode(token: str, translated: bytes, start: int, end: int, what: str) -> bytes:
    """Decode token[start:end] as unpadded base64url, strictly: only its alphabet, one spelling per value."""
    remainder = (end - start) % 4
    try:
        data = binascii.a2b_base64(translated[start:end] + _PADDING[remainder], strict_mode=True)
    except binascii.Error:
        raise TokenError(f"token {what} is not base64url") from None
    if not data or _B64URL_VALUE[token[end - 1]] & _UNUSED_BITS.get(remainder, 0):
        raise TokenError(f"token {what} is not canonical base64url")
    return data


def _decode_json(token: str, translated: bytes, start: int, end: int, what: str) -> dict[str, Any]:
    try:
        value = strictjson.loads_exact(_b64decode(token, translated, start, end, what))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise TokenError(f"token {what} is not a JSON object") from None
    if not isinstance(value, dict):
        raise TokenError(f"token {what} is not a JSON object")
    return value
