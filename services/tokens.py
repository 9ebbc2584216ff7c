"""Cognito's policy on top of the generic JWS layer (services/jws.py): which tokens of which pool and clients.

Every cheap check (size, shape, header, kid, claim types, issuer, type, audience, times) runs before the
RSA operation. A token verified once is remembered (see token_cache) until its expiry, so a repeat costs a
dict lookup plus the checks that can change with time or route: expiry, accepted type, key still held.
Every input ends in claims, TokenError (401), or JwksUnavailable (503) when no keys can be had.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any

from errors import TokenError
from services.claims import malformed_claim
from services.jwks import JwksCache, UnknownKey
from services.jws import CompactJws
from services.token_cache import Entry, VerifiedTokens

__all__ = ["TokenVerifier", "is_machine", "username_of"]

# By token type: the claim naming the user, and the claim naming the app client it was issued to.
USERNAME_CLAIM = {"id": "cognito:username", "access": "username"}
AUDIENCE_CLAIM = {"id": "aud", "access": "client_id"}
# The client-credentials grant issues access tokens only: the one type that may name no user.
MACHINE_TOKEN_USES = frozenset({"access"})


class TokenVerifier:
    """Checks tokens of one user pool and its accepted app clients against the pool's cached JWKS."""

    def __init__(
        self,
        jwks: JwksCache,
        *,
        issuers: Collection[str],
        client_ids: Collection[str],
        leeway: float = 5.0,
        cache: VerifiedTokens | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.jwks = jwks
        self.issuers = frozenset(issuers)
        self.client_ids = frozenset(client_ids)
        self.leeway = leeway
        self.cache = cache if cache is not None else VerifiedTokens(max_entries=0)
        self._clock = clock
        self.jws = CompactJws()

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
        kid, claims, signed = self.jws.read(token)
        self._check_claims(claims, accepted_uses)
        key = self._key(kid)
        self.jws.check_signature(signed, key)
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
        malformed = malformed_claim(claims)  # first: every check below may then rely on the types
        if malformed is not None:
            raise TokenError(f"token claim {malformed!r} is malformed")
        claim = claims.get
        if claim("iss") not in self.issuers:
            raise TokenError("token issuer is not accepted")
        token_use = claim("token_use")
        if token_use not in USERNAME_CLAIM or token_use not in accepted_uses:
            raise TokenError("token type is not accepted here")
        audience = claim(AUDIENCE_CLAIM[token_use])
        # Cognito's `aud` is always one string; an array, though a valid JWT `aud`, is refused (as aws-jwt-verify does).
        if type(audience) is not str or audience not in self.client_ids:
            raise TokenError("token was issued to another client")
        if not claim("sub"):
            raise TokenError("token claim 'sub' is missing or empty")
        username = claim(USERNAME_CLAIM[token_use])
        if not username and not (username is None and _is_machine_shaped(claims)):
            raise TokenError(f"token claim {USERNAME_CLAIM[token_use]!r} is missing or empty")
        if "exp" not in claims or "iat" not in claims:
            raise TokenError("token claims 'exp' and 'iat' are required")
        now, leeway = self._clock(), self.leeway
        if now > claims["exp"] + leeway:
            raise TokenError("token has expired")
        if claims["iat"] > now + leeway:
            raise TokenError("token claim 'iat' is in the future")
        if claim("nbf", 0) > now + leeway:
            raise TokenError("token claim 'nbf' is in the future")


def username_of(claims: Mapping[str, Any]) -> str | None:
    """The username a verified token names, whichever its type; None for a machine's access token."""
    return claims.get(USERNAME_CLAIM[claims["token_use"]])


def is_machine(claims: Mapping[str, Any]) -> bool:
    """True for a verified machine-to-machine access token (client-credentials grant): it names no user."""
    return USERNAME_CLAIM[claims["token_use"]] not in claims


def _is_machine_shaped(claims: Mapping[str, Any]) -> bool:
    # Cognito's client-credentials tokens: the app client is the subject, and there is no user or group.
    return (
        claims["token_use"] in MACHINE_TOKEN_USES
        and claims["sub"] == claims["client_id"]
        and "username" not in claims
        and "cognito:groups" not in claims
    )
