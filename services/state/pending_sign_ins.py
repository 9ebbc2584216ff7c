"""Managed-login sign-ins under way: each kept server-side until its callback takes it, once.

The browser holds only a random binding id in a short-lived HttpOnly cookie (controllers/oauth.py); the
sign-in (state, nonce, code verifier, rd) is stored under the sha256 of that id, in Redis with REDIS_URL
(`auth:oauth:<sha256>`, expiring) else in the host store's sessions table (`oauth:<sha256>`, which no
session key can equal: those are bare hex). `take` reads and deletes in one step (Redis GETDEL, one SQLite
transaction), so a second callback with the same cookie and state finds nothing, however close behind.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import errors
from services.flows.managed_login import PendingSignIn
from services.state.hoststore import HostStore
from services.state.redis_connect import Where, connect

REDIS_PREFIX, HOST_PREFIX = "auth:oauth:", "oauth:"
UNAVAILABLE = "The sign-in store is unavailable; try again shortly."


class PendingSignIns:
    """`put` when the browser is sent to the authorize endpoint, `take` (at most once) at its callback."""

    def __init__(
        self,
        host: HostStore,
        redis_url: Where | None = None,
        *,
        lifetime: float = 600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.host, self.redis_url, self.lifetime, self._clock = host, redis_url, lifetime, clock
        self._redis: Any = None

    def put(self, binding: str, pending: PendingSignIn) -> None:
        """Remember `pending` for the browser holding `binding`, for `lifetime` seconds at most."""
        key = _key(binding)
        if self.redis_url:
            self._call(lambda client: client.set(REDIS_PREFIX + key, pending.dump(), px=round(self.lifetime * 1000)))
        else:
            self.host.put_session(HOST_PREFIX + key, pending.dump(), self._clock() + self.lifetime)

    def take(self, binding: str) -> PendingSignIn | None:
        """The browser's sign-in, removed as it is read; None when there is none (used, expired, unknown)."""
        key = _key(binding)
        if self.redis_url:
            data = self._call(lambda client: client.getdel(REDIS_PREFIX + key))
        else:
            data = self.host.delete_session(HOST_PREFIX + key)
        return PendingSignIn.load(data) if data else None

    def _call(self, work: Callable[[Any], Any]) -> Any:
        import redis

        try:
            if self._redis is None:  # a cluster's client reads the slot map as it is made: it may fail too
                assert self.redis_url is not None  # callers ask for a client only with REDIS_URL set
                self._redis = connect(self.redis_url)
            return work(self._redis)
        except (redis.RedisError, redis.exceptions.RedisClusterException) as err:  # kept nowhere else: 503
            raise errors.ServiceUnavailable(UNAVAILABLE) from err


def _key(binding: str) -> str:
    return hashlib.sha256(binding.encode()).hexdigest()
