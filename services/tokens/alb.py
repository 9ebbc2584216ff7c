"""The user an Application Load Balancer signed in (its `x-amzn-oidc-data` header), verified as aws-jwt-verify's
AlbJwtVerifier does: the generic JWS layer (services/tokens/jws.py, ES256, padded segments as ALB sends them), then
the load balancer's policy here.

The ALB's key is a PEM fetched by `kid` from the region's public-key endpoint, never a JWKS, and cached per
kid (a kid's key never changes). Every cheap check (shape, kid, signer, issuer, client, times) runs before
a fetch, so a forged token costs a fetch only if it names one of our load balancers and clients.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from errors import (
    JwksUnavailable,
    TokenClientRefused,
    TokenIssuerRefused,
    TokenKeyUnknown,
    TokenMalformed,
    TokenSignerRefused,
    TokenUseRefused,
)
from services import after_fork_in_child
from services.common import metrics
from services.tokens.claims import check_times, malformed_claim
from services.tokens.jwks import fetch_errors
from services.tokens.jws import CompactJws
from services.tokens.verifier import TokenVerifier

log = logging.getLogger(__name__)

MAX_PEM_BYTES = 4096
MAX_KEYS = 16  # ALB rotates its keys rarely; more kids than this held at once is a flood of forged ones
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.IGNORECASE)


def is_alb_user(claims: Mapping[str, Any]) -> bool:
    """Whether verified claims are a load balancer's user (AlbVerifier refuses `token_use`; Cognito's all have it)."""
    return "token_use" not in claims


class AlbKeys:
    """kid -> the load balancer's P-256 public key, fetched once per kid (concurrent misses of a kid share one
    fetch; different kids' fetches run side by side).

    A kid the endpoint does not know (HTTP 403 or 404) is refused (401); any other failure is a 503; either
    way that kid is not asked again for `retry_interval`.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 3.0,
        retry_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url, self.timeout, self.retry_interval = url, timeout, retry_interval
        self._clock = clock
        self._keys: dict[str, ec.EllipticCurvePublicKey] = {}
        self._failed: dict[str, tuple[float, bool]] = {}  # kid -> when its fetch last failed, and if it was unknown
        self._start_process()
        after_fork_in_child(self, AlbKeys._start_process)

    def _start_process(self) -> None:
        """Connections and locks of this process; a forked child (a gunicorn worker) keeps the keys only."""
        self._lock = threading.Lock()  # held to read or change the dicts, never across a fetch
        self._fetching: dict[str, threading.Event] = {}  # kid -> set when its fetch in progress ends
        self._session: Any = None  # a requests.Session, made by the first fetch

    def key(self, kid: str) -> ec.EllipticCurvePublicKey:
        """The key of `kid` (a uuid, checked by the caller): TokenError (401) or JwksUnavailable (503)."""
        key = self._keys.get(kid)
        if key is not None:
            return key
        while True:
            with self._lock:
                key = self._keys.get(kid)
                if key is not None:
                    return key
                failed_at, unknown = self._failed.get(kid, (float("-inf"), False))
                if self._clock() - failed_at < self.retry_interval:
                    raise TokenKeyUnknown("unknown load balancer key id") if unknown else JwksUnavailable()
                pending = self._fetching.get(kid)
                if pending is None:  # this thread fetches; others asking for this kid wait for it
                    done = self._fetching[kid] = threading.Event()
                    break
            pending.wait()  # then the key, or the failure just remembered, is found above
        try:
            key = self._fetch(kid)
            with self._lock:
                if len(self._keys) >= MAX_KEYS:
                    self._keys.pop(next(iter(self._keys)))  # the oldest
                self._keys = {**self._keys, kid: key}  # replaced whole: readers take no lock
            return key
        finally:
            with self._lock:
                del self._fetching[kid]
            done.set()

    def _fetch(self, kid: str) -> ec.EllipticCurvePublicKey:
        """Fetch `kid`'s key, outside the lock (a slow fetch of one kid never holds up another's check)."""
        import requests  # on the first fetch, as services/tokens/jwks.py does

        with self._lock:
            if self._session is None:
                self._session = requests.Session()
        # `replace`, not `format`: ALB_KEY_URL may hold other braces (`?v={x}`) that are no field of ours.
        url = self.url.replace("{kid}", quote(kid, safe=""))
        try:
            with self._session.get(url, timeout=self.timeout, allow_redirects=False, stream=True) as response:
                status = response.status_code
                body = response.raw.read(MAX_PEM_BYTES + 1, decode_content=True) if status == 200 else b""
        except fetch_errors() as err:  # a stalled body too, not only what requests itself raises
            return self._failure(kid, f"{type(err).__name__}")
        if status in (403, 404):
            metrics.jwks_fetched(ok=True)  # the endpoint answered: the kid is a forged one, not an outage
            self._remember_failure(kid, unknown=True)
            raise TokenKeyUnknown("unknown load balancer key id")
        if status != 200:
            return self._failure(kid, f"HTTP {status}")
        if len(body) > MAX_PEM_BYTES:
            return self._failure(kid, f"answer larger than {MAX_PEM_BYTES} bytes")
        try:
            key = load_pem_public_key(body)
        except (ValueError, TypeError):
            return self._failure(kid, "not a PEM public key")
        if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
            return self._failure(kid, "not a P-256 key")
        with self._lock:
            self._failed.pop(kid, None)
        metrics.jwks_fetched(ok=True)
        log.info("ALB key %s fetched", kid)
        return key

    def _failure(self, kid: str, reason: str) -> ec.EllipticCurvePublicKey:
        self._remember_failure(kid, unknown=False)
        metrics.jwks_fetched(ok=False)
        log.warning("ALB key fetch for %s failed: %s", kid, reason)
        raise JwksUnavailable()

    def _remember_failure(self, kid: str, *, unknown: bool) -> None:
        with self._lock:
            self._failed[kid] = (self._clock(), unknown)
            if len(self._failed) > MAX_KEYS:
                self._failed.pop(next(iter(self._failed)))  # the oldest


class AlbVerifier:
    """Checks `x-amzn-oidc-data`: signed by one of `arns`, for a client of the pool its `iss` names."""

    def __init__(
        self,
        keys: AlbKeys,
        pools: TokenVerifier,
        *,
        arns: Collection[str],
        leeway: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.keys, self.pools, self.arns = keys, pools, frozenset(arns)
        self.leeway = leeway
        self._clock = clock
        self.jws = CompactJws("ES256", padded=True)

    def verify(self, token: Any) -> Mapping[str, Any]:
        """The user's claims (read-only), or TokenError (401), or JwksUnavailable (503) when no key can be had."""
        header, claims, signed = self.jws.read(token)
        kid = header["kid"]
        if not _UUID.match(kid):
            raise TokenKeyUnknown("token key id is not a load balancer's")
        signer = header.get("signer")
        if type(signer) is not str or signer not in self.arns:
            raise TokenSignerRefused("token was not signed by an accepted load balancer")
        self._check_claims(header, claims)
        self.jws.check_signature(signed, self.keys.key(kid))
        return MappingProxyType(claims)

    def _check_claims(self, header: Mapping[str, Any], claims: dict[str, Any]) -> None:
        malformed = malformed_claim(claims)
        if malformed is not None:
            raise TokenMalformed(f"token claim {malformed!r} is malformed")
        # ALB repeats `iss` and `exp` in the header; where it does, they must agree with the payload's.
        for name in ("iss", "exp"):
            if name in header and header[name] != claims.get(name):
                raise TokenMalformed(f"token header's {name!r} differs from its payload's")
        pool = self.pools.issuer_pool(claims.get("iss"))
        if pool is None:
            raise TokenIssuerRefused("token issuer is not accepted")
        client = header.get("client")
        if type(client) is not str or client not in pool.client_ids:
            raise TokenClientRefused("token was issued to another client")
        for name in ("sub", "username"):  # Cognito's userInfo answer, which ALB passes on, names both
            if not claims.get(name):
                raise TokenMalformed(f"token claim {name!r} is missing or empty")
        if "exp" not in claims:
            raise TokenMalformed("token claim 'exp' is required")
        check_times(claims, self._clock(), self.leeway)
        if "token_use" in claims:  # never a Cognito token's claims: those are checked by services/tokens/verifier.py
            raise TokenUseRefused("token type is not accepted here")
