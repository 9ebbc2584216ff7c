"""Cognito's policy on top of the generic JWS layer (services/tokens/jws.py): which tokens of which pools and clients.

A token is matched to its pool by its exact `iss` (as aws-jwt-verify's multi-pool verifier does); each pool
has its own app clients and its own JWKS cache, so a token of one pool never passes under another's
clients, and one pool's JWKS failing never touches another's tokens.

Every cheap check (size, shape, header, kid, claim types, issuer, type, audience, times) runs before the
RSA operation. A token verified once is remembered (see token_cache) until its expiry, so a repeat costs a
dict lookup plus the checks that can change with time or route: expiry, accepted type, key still held.
Every input ends in claims, TokenError (401), or JwksUnavailable (503) when no keys can be had.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from errors import (
    TokenClientRefused,
    TokenExpired,
    TokenIssuerRefused,
    TokenKeyUnknown,
    TokenMalformed,
    TokenUseRefused,
)
from services.tokens.cache import Entry, VerifiedTokens
from services.tokens.claims import check_times, malformed_claim
from services.tokens.jwks import JwksCache, UnknownKey
from services.tokens.jws import CompactJws

__all__ = ["Pool", "TokenVerifier", "is_machine", "username_of"]

# By token type: the claim naming the user, and the claim naming the app client it was issued to.
USERNAME_CLAIM = {"id": "cognito:username", "access": "username"}
AUDIENCE_CLAIM = {"id": "aud", "access": "client_id"}
# The client-credentials grant issues access tokens only: the one type that may name no user.
MACHINE_TOKEN_USES = frozenset({"access"})


@dataclass(frozen=True, eq=False)
class Pool:
    """One user pool: its id, the exact `iss` values its tokens carry, its accepted app clients, its keys."""

    pool_id: str
    issuers: frozenset[str]
    client_ids: frozenset[str]
    jwks: JwksCache


class TokenVerifier:
    """Checks tokens of the configured user pools (the first is the primary one) against each pool's JWKS."""

    def __init__(
        self,
        pools: Sequence[Pool],
        *,
        leeway: float = 5.0,
        cache: VerifiedTokens | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not pools:
            raise ValueError("at least one pool is needed")
        self.pools = tuple(pools)
        self._by_issuer: dict[str, Pool] = {}
        for pool in self.pools:
            for issuer in pool.issuers:
                if self._by_issuer.setdefault(issuer, pool) is not pool:
                    raise ValueError(f"two pools accept the issuer {issuer!r}")
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

    @property
    def primary(self) -> Pool:
        """The pool the server signs users in to."""
        return self.pools[0]

    def pool_of(self, claims: Mapping[str, Any]) -> Pool:
        """The pool of claims this verifier accepted (by their exact `iss`)."""
        return self._by_issuer[claims["iss"]]

    def issuer_pool(self, issuer: Any) -> Pool | None:
        """The pool whose tokens carry exactly `issuer`, if any."""
        return self._by_issuer.get(issuer) if type(issuer) is str else None

    def _recheck(self, token: str, entry: Entry, accepted_uses: Collection[str]) -> Mapping[str, Any]:
        # The cache's key is the whole token text, `iss` included, and its key object is the one its own
        # pool's JWKS holds: a hit is always the same pool's check, never another pool's.
        claims, expires, kid, key = entry
        if self._clock() > expires:
            self.cache.discard(token)
            raise TokenExpired("token has expired")
        if self._by_issuer[claims["iss"]].jwks.current_key(kid) is not key:  # rotated out, or keys too stale
            self.cache.discard(token)
            return self._verify_new(token, accepted_uses)
        if claims["token_use"] not in accepted_uses:
            raise TokenUseRefused("token type is not accepted here")
        return claims

    def _verify_new(self, token: Any, accepted_uses: Collection[str]) -> Mapping[str, Any]:
        header, claims, signed = self.jws.read(token)
        pool = self._check_claims(claims, accepted_uses)
        kid = header["kid"]
        key = self._key(pool, kid)
        self.jws.check_signature(signed, key)
        if "cognito:groups" in claims:
            claims["cognito:groups"] = tuple(claims["cognito:groups"])
        frozen = MappingProxyType(claims)
        self.cache.put(token, frozen, claims["exp"] + self.leeway, kid, key)
        return frozen

    def _key(self, pool: Pool, kid: str) -> Any:
        try:
            return pool.jwks.key(kid)
        except UnknownKey as err:
            raise TokenKeyUnknown(str(err)) from None

    def _check_claims(self, claims: dict[str, Any], accepted_uses: Collection[str]) -> Pool:
        """The token's pool, once every claim check (all but the signature) has passed."""
        malformed = malformed_claim(claims)  # first: every check below may then rely on the types
        if malformed is not None:
            raise TokenMalformed(f"token claim {malformed!r} is malformed")
        claim = claims.get
        pool = self.issuer_pool(claim("iss"))  # exact: a prefix or another spelling is another issuer
        if pool is None:
            raise TokenIssuerRefused("token issuer is not accepted")
        token_use = claim("token_use")
        if token_use not in USERNAME_CLAIM or token_use not in accepted_uses:
            raise TokenUseRefused("token type is not accepted here")
        audience = claim(AUDIENCE_CLAIM[token_use])
        # Cognito's `aud` is always one string; an array, though a valid JWT `aud`, is refused (as aws-jwt-verify does).
        if type(audience) is not str or audience not in pool.client_ids:
            raise TokenClientRefused("token was issued to another client")
        if not claim("sub"):
            raise TokenMalformed("token claim 'sub' is missing or empty")
        username = claim(USERNAME_CLAIM[token_use])
        if not username and not (username is None and _is_machine_shaped(claims)):
            raise TokenMalformed(f"token claim {USERNAME_CLAIM[token_use]!r} is missing or empty")
        if "exp" not in claims or "iat" not in claims:
            raise TokenMalformed("token claims 'exp' and 'iat' are required")
        check_times(claims, self._clock(), self.leeway)
        return pool


def username_of(claims: Mapping[str, Any]) -> str | None:
    """The username a verified token names, whichever its type; None for a machine's access token."""
    return claims.get(_username_claim(claims))


def is_machine(claims: Mapping[str, Any]) -> bool:
    """True for a verified machine-to-machine access token (client-credentials grant): it names no user."""
    return _username_claim(claims) not in claims


def _username_claim(claims: Mapping[str, Any]) -> str:
    # A load balancer's user claims (services/tokens/alb.py) carry no `token_use`: they are Cognito's userInfo
    # answer, which names the user `username`.
    return USERNAME_CLAIM.get(claims.get("token_use", ""), "username")


def _is_machine_shaped(claims: Mapping[str, Any]) -> bool:
    # Cognito's client-credentials tokens: the app client is the subject, and there is no user or group.
    return (
        claims["token_use"] in MACHINE_TOKEN_USES
        and claims["sub"] == claims["client_id"]
        and "username" not in claims
        and "cognito:groups" not in claims
    )
