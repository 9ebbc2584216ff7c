"""Attempt counters (rate limits) and the names a user goes by, shared by every worker and instance.

Our own rather than Flask-Limiter's: a guess at a password must be counted *before* Cognito checks it
(else N concurrent guesses all get through) and given back when it was right, and the workers of a host
must share counts without a server; neither Flask-Limiter nor `limits` offers either. `limits` still
reads the settings ("10/minute").

With REDIS_URL the counts live in Redis (a sorted set per key, changed by one script, so a check and its
count are one atomic step for every instance); while Redis is unreachable, and without it, in the host's
store (services/state/hoststore.py).
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Callable
from typing import Any

from services import after_fork_in_child
from services.state.hoststore import HostStore
from services.state.redis_connect import Where, connect

log = logging.getLogger(__name__)
PREFIX = "auth:attempts:"
ALIAS_PREFIX = "auth:alias:"
ALIAS_SECONDS = 30 * 24 * 3600  # a name a user signed in with counts as theirs this long after
# KEYS[1]: the counter; ARGV: now, window, limit, ticket. Returns {1, 0} when counted, {0, oldest} when full.
_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local nth = redis.call('ZRANGE', KEYS[1], -tonumber(ARGV[3]), -tonumber(ARGV[3]), 'WITHSCORES')
  return {0, nth[2]}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) * 1000))
return {1, '0'}
"""


class Attempts:
    """`take(key, limit, window)` before an attempt, `give_back(ticket)` to uncount it."""

    def __init__(self, host: HostStore, redis_url: Where | None = None, *, clock: Callable[[], float] = time.time):
        self.host, self.redis_url = host, redis_url
        self._clock = clock
        self._start_process()
        after_fork_in_child(self, Attempts._start_process)

    def _start_process(self) -> None:
        """This process's Redis connections (and the script registered on them), made on first use."""
        self._redis: Any = None
        self._script: Any = None

    def take(self, key: str, limit: int, window: float) -> tuple[tuple[str, str, str] | None, float]:
        """Count an attempt if fewer than `limit` were counted under `key` in the last `window` seconds.

        Returns (ticket, 0), or (None, seconds until an attempt is free)."""
        if self.redis_url:
            try:
                return self._take_shared(key, limit, window)
            except Exception as err:  # Redis down: this host's count stands in (logged, never a 5xx)
                log.warning("attempt counters unreachable (%s); counting on this host", type(err).__name__)
        ticket, wait = self.host.take(key, limit, window)
        return (("host", key, ticket) if ticket else None), wait

    def give_back(self, ticket: tuple[str, str, str]) -> None:
        """Uncount the attempt `ticket` stands for (a right password, or an answer that tested nothing)."""
        where, key, member = ticket
        if where == "host":
            self.host.give_back(key, member)
            return
        try:
            self._client().zrem(PREFIX + key, member)
        except Exception as err:  # the count stays: the safe side
            log.warning("attempt not given back (%s)", type(err).__name__)

    def alias(self, names: set[str], user: str) -> None:
        """Remember that each of `names` (folded to lower case) is `user`."""
        names = {name.lower() for name in names if name}
        self.host.alias(names, user, ALIAS_SECONDS)
        if self.redis_url:
            try:
                with self._client().pipeline(transaction=False) as pipe:
                    for name in names:
                        pipe.set(ALIAS_PREFIX + name, user, ex=ALIAS_SECONDS)
                    pipe.execute()
            except Exception as err:
                log.warning("alias not shared (%s); it holds on this host", type(err).__name__)

    def user_of(self, name: str) -> str:
        """The one identity behind a name (username, email or sub): the user's, once seen, else the name."""
        name = name.lower()
        if self.redis_url:
            try:
                user: bytes | None = self._client().get(ALIAS_PREFIX + name)  # bytes: no decode_responses
                if user is not None:
                    return user.decode()
            except Exception as err:
                log.warning("aliases unreachable (%s); using this host's", type(err).__name__)
        return self.host.user_of(name) or name

    def _take_shared(self, key: str, limit: int, window: float) -> tuple[tuple[str, str, str] | None, float]:
        if self._script is None:
            self._script = self._client().register_script(_TAKE)
        now, member = self._clock(), uuid.uuid4().hex
        counted, oldest = self._script(keys=[PREFIX + key], args=[repr(now), repr(window), limit, member])
        if counted:
            return ("redis", key, member), 0.0
        return None, max(0.0, float(oldest) + window - now)

    def _client(self) -> Any:
        if self._redis is None:
            assert self.redis_url is not None  # callers ask for a client only with REDIS_URL set
            self._redis = connect(self.redis_url)
        return self._redis


def retry_after(seconds: float) -> str:
    """A Retry-After value: whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))
