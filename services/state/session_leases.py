"""Leases on a browser session: one holder at a time, across threads, processes and instances, for a while.

A refresh of a session's tokens is made by the holder of its refresh lease only (a rotated refresh token must
never be spent twice); the check of its user at Cognito (services/state/session_checks.py) by the holder of its check
lease, once per interval. With Redis a lease is a key set with NX and an expiry; else a row of the host store
(services/state/hoststore.py) with an end.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from services import after_fork_in_child
from services.state.hoststore import HostStore

log = logging.getLogger(__name__)
LEASE_PREFIX = "auth:session-lease:"
# KEYS[1]: the lease; ARGV[1]: its holder's token. Deletes it only if that holder still holds it.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Leases:
    """`take(name, seconds)` a lease, `give_back(name, lease)` before it runs out by itself."""

    def __init__(
        self,
        host: HostStore,
        shared: Callable[[], AbstractContextManager[Any]] | None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`shared()`: Redis's client in a block that turns its failures into a 503; None without Redis."""
        self.host, self._shared, self._clock = host, shared, clock
        self._start_process()
        after_fork_in_child(self, Leases._start_process)

    def _start_process(self) -> None:
        self._script: Any = None  # registered on this process's connection

    def take(self, name: str, seconds: float) -> str | float | None:
        """The lease `name` for `seconds`: what gives it back, or None when another caller holds it."""
        if self._shared is not None:
            token = secrets.token_hex(16)
            with self._shared() as client:
                taken = client.set(LEASE_PREFIX + name, token, nx=True, px=max(1, round(seconds * 1000)))
            return token if taken else None
        until = self._clock() + seconds
        return until if self.host.acquire_lease("session:" + name, until) else None

    def give_back(self, name: str, lease: str | float) -> None:
        """Give back a lease `take` answered (one since taken by another, once this one ran out, stays)."""
        try:
            if isinstance(lease, str):
                assert self._shared is not None  # a token comes from Redis only
                with self._shared() as client:
                    if self._script is None:
                        self._script = client.register_script(_RELEASE)
                    self._script(keys=[LEASE_PREFIX + name], args=[lease])
            else:
                self.host.release_lease("session:" + name, lease)
        except Exception as err:  # the lease runs out by itself
            log.warning("session lease not released (%s)", type(err).__name__)
