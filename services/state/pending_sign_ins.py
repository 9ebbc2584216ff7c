"""Sign-ins under way, each kept server-side until the browser's next step takes it, once: managed login's
(until its callback) and the portal's (until the next step's form).

The browser holds only a random id (managed login: a short-lived HttpOnly cookie, controllers/oauth.py; the
portal: a hidden field bound to its form's CSRF token, controllers/portal.py); the record is stored under
the sha256 of that id, in Redis with REDIS_URL (`auth:<kind>:<sha256>`, expiring) else in the host store's
sessions table (`<kind>:<sha256>`, which no session key can equal: those are bare hex). `take` reads and
deletes in one step (Redis GETDEL, one SQLite transaction), so a second callback or a replayed form finds
nothing, however close behind.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

import errors
from services.flows.managed_login import PendingSignIn
from services.state.hoststore import HostStore
from services.state.redis_connect import Where, connect

UNAVAILABLE = "The sign-in store is unavailable; try again shortly."


class Record(Protocol):
    """What a one-time store keeps: a record that dumps itself to text and loads back (None if not one)."""

    def dump(self) -> str: ...


_R = TypeVar("_R", bound=Record)


class OneTimeRecords(Generic[_R]):
    """`put` a record under the browser's random id; `take` it (at most once) at the next step."""

    def __init__(
        self,
        kind: str,
        load: Callable[[str | bytes], _R | None],
        host: HostStore,
        redis: Where | None = None,
        *,
        lifetime: float = 600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis_prefix, self.host_prefix, self._load = f"auth:{kind}:", f"{kind}:", load
        self.host, self.redis, self.lifetime, self._clock = host, redis, lifetime, clock
        self._redis: Any = None

    def put(self, binding: str, record: _R) -> None:
        """Remember `record` for the browser holding `binding`, for `lifetime` seconds at most."""
        key, data = _key(binding), record.dump()
        if self.redis:
            self._call(lambda client: client.set(self.redis_prefix + key, data, px=round(self.lifetime * 1000)))
        else:
            self.host.put_session(self.host_prefix + key, data, self._clock() + self.lifetime)

    def take(self, binding: str) -> _R | None:
        """The browser's record, removed as it is read; None when there is none (used, expired, unknown)."""
        if not 0 < len(binding) <= 128:
            return None
        key = _key(binding)
        if self.redis:
            data = self._call(lambda client: client.getdel(self.redis_prefix + key))
        else:
            data = self.host.delete_session(self.host_prefix + key)
        return self._load(data) if data else None

    def _call(self, work: Callable[[Any], Any]) -> Any:
        import redis

        try:
            if self._redis is None:  # a cluster's client reads the slot map as it is made: it may fail too
                assert self.redis is not None  # callers ask for a client only with REDIS_URL set
                self._redis = connect(self.redis)
            return work(self._redis)
        except (redis.RedisError, redis.exceptions.RedisClusterException) as err:  # kept nowhere else: 503
            raise errors.ServiceUnavailable(UNAVAILABLE) from err


class PendingSignIns(OneTimeRecords[PendingSignIn]):
    """Managed-login sign-ins under way: `put` when the browser is sent to the authorize endpoint, `take` at
    its callback."""

    def __init__(
        self,
        host: HostStore,
        redis: Where | None = None,
        *,
        lifetime: float = 600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__("oauth", PendingSignIn.load, host, redis, lifetime=lifetime, clock=clock)


def _key(binding: str) -> str:
    return hashlib.sha256(binding.encode()).hexdigest()
