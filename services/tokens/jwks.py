"""The pool's signing keys: fetched over HTTP, parsed once per fetch, cached and shared by all threads.

requests and PyJWT are imported by the first fetch, not at import: a cold start that checks no token (a
Lambda function answering `/health`) never loads them.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from errors import JwksUnavailable
from services import after_fork_in_child
from services.common import metrics

log = logging.getLogger(__name__)

MAX_JWKS_BYTES = 64 * 1024
MIN_RSA_BITS = 2048


def fetch_errors() -> tuple[type[Exception], ...]:
    """What a streamed key fetch raises when the server fails, the body stalls or breaks off.

    `response.raw.read` raises urllib3's ReadTimeoutError or ProtocolError (or the socket's OSError), which
    requests.RequestException does not cover: it wraps only what requests itself reads. Imported here, at the
    first fetch, for the reason in the module's docstring.
    """
    import requests
    import urllib3.exceptions

    return (requests.RequestException, urllib3.exceptions.HTTPError, OSError)


class UnknownKey(Exception):
    """The token names a key the pool does not publish (the verifier turns it into a 401)."""


class JwksCache:
    """Maps `kid` to a parsed RSA public key.

    The hot path reads one immutable dict without a lock. A lock is taken only to fetch, so concurrent
    misses share a single fetch. Keys older than `max_age` are refreshed in the background while the
    old ones keep serving (for at most `stale_limit`); an unknown `kid` causes at most one fetch per
    `cooldown`.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 3.0,
        max_age: float = 3600.0,
        cooldown: float = 30.0,
        stale_limit: float = 24 * 3600.0,
        retry_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.max_age = max_age
        self.cooldown = cooldown
        self.stale_limit = stale_limit
        self.retry_interval = retry_interval
        self._clock = clock
        self._keys: dict[str, RSAPublicKey] = {}
        self._fetched_at = float("-inf")  # when the keys held were fetched
        self._attempted_at = float("-inf")  # when a fetch was last tried, successful or not
        self._start_process()
        after_fork_in_child(self, JwksCache._start_process)

    def _start_process(self) -> None:
        """Connections and locks of this process; a forked child keeps the keys but not these."""
        self._session: Any = None  # a requests.Session, made by the first fetch
        self._lock = threading.Lock()

    def key(self, kid: str) -> RSAPublicKey:
        """Return the key for `kid`, fetching only when the rules above allow it."""
        keys, age = self._keys, self._clock() - self._fetched_at
        key = keys.get(kid)
        if key is not None and age <= self.max_age:
            return key
        if key is not None and age <= self.stale_limit:
            self._refresh_in_background()
            return key
        keys = self._fetch_if_due(keys)
        key = keys.get(kid)
        if key is not None:
            return key
        if not keys:
            raise JwksUnavailable()
        raise UnknownKey(f"unknown key id {kid[:64]!r}")

    def current_key(self, kid: str) -> RSAPublicKey | None:
        """The key held for `kid` right now, without waiting for a fetch; None when absent or too stale.

        Past `max_age` this starts the background refresh, as `key` does, so a server whose traffic is
        all cached tokens still notices rotations.
        """
        age = self._clock() - self._fetched_at
        if age > self.stale_limit:
            return None
        if age > self.max_age:
            self._refresh_in_background()
        return self._keys.get(kid)

    def available(self) -> bool:
        """Whether signing keys are held, or can be fetched now (within the same retry rules as `key`)."""
        keys = self._keys_if_usable()
        return bool(keys) or bool(self._fetch_if_due(self._keys))

    def refetch(self) -> bool:
        """Fetch the keys now, their age forgotten: after a snapshot restore, which may come hours after the
        fetch (unchanged keys keep their objects, and so their cached tokens). Whether keys are held."""
        with self._lock:
            self._fetched_at = self._attempted_at = float("-inf")  # failed, the next token check retries it
            self._fetch_locked()
        return self._keys_usable()

    def _fetch_if_due(self, seen: dict[str, RSAPublicKey]) -> dict[str, RSAPublicKey]:
        with self._lock:
            if self._keys is not seen:  # another thread fetched while this one waited
                return self._keys
            wait = self.cooldown if self._keys_usable() else self.retry_interval
            if self._clock() - self._attempted_at < wait:
                return self._keys_if_usable()
            self._fetch_locked()
            return self._keys_if_usable()

    def _keys_usable(self) -> bool:
        return bool(self._keys) and self._clock() - self._fetched_at <= self.stale_limit

    def _keys_if_usable(self) -> dict[str, RSAPublicKey]:
        return self._keys if self._keys_usable() else {}

    def _refresh_in_background(self) -> None:
        # Never wait here: a fetch under way (or a recent failed one) means the old keys keep serving.
        if not self._lock.acquire(blocking=False):
            return
        if self._clock() - self._attempted_at < self.retry_interval:
            self._lock.release()
            return
        threading.Thread(target=self._background_refresh, name="jwks-refresh", daemon=True).start()

    def _background_refresh(self) -> None:
        try:
            self._fetch_locked()
        finally:
            self._lock.release()

    def _fetch_locked(self) -> None:
        import requests  # on the first fetch: see the module's docstring

        if self._session is None:
            self._session = requests.Session()
        self._attempted_at = self._clock()
        failures: tuple[type[Exception], ...] = (ValueError, *fetch_errors())
        try:
            keys = parse_jwks(self._download(), previous=self._keys)
        except failures as err:
            log.warning("JWKS fetch from %s failed: %s", self.url, err)
            metrics.jwks_fetched(ok=False)
            return
        self._keys, self._fetched_at = keys, self._clock()
        metrics.jwks_fetched(ok=True)
        log.info("JWKS fetched from %s: %d signing key(s)", self.url, len(keys))

    def _download(self) -> Any:
        with self._session.get(self.url, timeout=self.timeout, allow_redirects=False, stream=True) as response:
            if response.status_code != 200:
                raise ValueError(f"HTTP {response.status_code}")
            body = response.raw.read(MAX_JWKS_BYTES + 1, decode_content=True)
        if len(body) > MAX_JWKS_BYTES:
            raise ValueError(f"response larger than {MAX_JWKS_BYTES} bytes")
        return json.loads(body)


def parse_jwks(document: Any, previous: dict[str, RSAPublicKey] | None = None) -> dict[str, RSAPublicKey]:
    """Keep the RSA signing keys of a JWKS document; raise ValueError when none is usable.

    A key unchanged since `previous` keeps its object, so tokens it verified stay cached across refreshes.
    """
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys = {}
    for jwk in document["keys"]:
        key = _signing_key(jwk)
        if key is None:
            continue
        held = (previous or {}).get(jwk["kid"])
        keys[jwk["kid"]] = held if held is not None and held.public_numbers() == key.public_numbers() else key
    if not keys:
        raise ValueError("no usable RSA signing key")
    return keys


def _signing_key(jwk: Any) -> RSAPublicKey | None:
    import jwt  # on the first fetch: see the module's docstring

    if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
        return None
    if jwk.get("alg", "RS256") != "RS256" or not isinstance(jwk.get("kid"), str) or not jwk["kid"]:
        return None
    try:
        key = jwt.PyJWK(jwk, algorithm="RS256").key
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
        return None
    if not isinstance(key, RSAPublicKey) or key.key_size < MIN_RSA_BITS:
        return None
    return key
