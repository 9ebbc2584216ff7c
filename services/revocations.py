"""Tokens revoked before they expire: a user's sign-out, or a refresh token's family, refused everywhere.

A JWT that verifies keeps verifying until `exp`, wherever it is checked locally, even after GlobalSignOut
or RevokeToken. So each process keeps the revocations in memory (a dict lookup per request, no network),
and with REDIS_URL shares them: each is written to Redis (expiring when the tokens it covers would), and
published; every process loads them all at start, hears new ones at once over pub/sub, and reloads after
Redis comes back. Without Redis they hold within the process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)
CHANNEL = "auth:revocations"
KEY_PREFIX = "auth:revoked:"
RECONNECT_SECONDS = 0.5


class Revocations:
    """`revoke_user(sub, ...)` and `revoke_family(origin_jti, ...)`; `revoked(claims)` on every request."""

    def __init__(self, redis_url: str | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self.redis_url = redis_url
        self._clock = clock
        self._entries: dict[str, tuple[float, float]] = {}  # "user:<sub>" or "family:<jti>" -> (at, until)
        self._redis: Any = None
        self._listening_pid = 0
        self._lock = threading.Lock()

    def revoked(self, claims: Mapping[str, Any]) -> bool:
        """Whether a verified token was issued before its user signed out or its family was revoked."""
        if self.redis_url and self._listening_pid != os.getpid():
            self._listen()  # first use in this process (gunicorn workers fork after the app is built)
        entries = self._entries
        if not entries:
            return False
        issued = claims.get("iat", 0)
        for key in (f"user:{claims.get('sub')}", f"family:{claims.get('origin_jti')}"):
            entry = entries.get(key)
            if entry is not None and issued <= entry[0] and self._clock() < entry[1]:
                return True
        return False

    def revoke_user(self, sub: str, lifetime: float) -> None:
        """Every token of `sub` issued until now; kept for `lifetime` seconds (the longest a token lives)."""
        self._add(f"user:{sub}", lifetime)

    def revoke_family(self, origin_jti: str, lifetime: float) -> None:
        """Every token refreshed from the same refresh token as the one carrying `origin_jti`."""
        self._add(f"family:{origin_jti}", lifetime)

    def available(self) -> bool:
        """Whether the shared store answers (always, without one)."""
        if not self.redis_url:
            return True
        try:
            return bool(self._client().ping())
        except Exception:  # any failure of the store means: not available
            return False

    def _add(self, key: str, lifetime: float) -> None:
        now = self._clock()
        self._remember(key, now, now + lifetime)
        if not self.redis_url:
            return
        try:
            client = self._client()
            client.set(KEY_PREFIX + key, repr(now), ex=max(1, int(lifetime) + 1))
            client.publish(CHANNEL, f"{key} {now!r} {now + lifetime!r}")
        except Exception as err:  # the store is down: this process holds it; the others learn on reload
            log.warning("revocation not shared (%s); it holds in this process", type(err).__name__)

    def _remember(self, key: str, at: float, until: float) -> None:
        with self._lock:
            now = self._clock()
            live = {k: v for k, v in self._entries.items() if v[1] > now}  # expired entries go
            previous = live.get(key)
            live[key] = (max(at, previous[0]), max(until, previous[1])) if previous else (at, until)
            self._entries = live  # replaced whole: readers never see a dict being changed

    def _client(self) -> Any:
        if self._redis is None:
            import redis  # only with REDIS_URL

            self._redis = redis.Redis.from_url(self.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
        return self._redis

    def _listen(self) -> None:
        """Load what is stored before the first token is checked, then follow the channel in the background."""
        with self._lock:
            if self._listening_pid == os.getpid():
                return
            self._listening_pid, self._redis = os.getpid(), None  # a forked child makes its own connections
        try:
            self._load()
        except Exception as err:  # Redis down at start: serve with what is known; the follower catches up
            log.warning("revocation store unreachable at start (%s)", type(err).__name__)
        threading.Thread(target=self._follow, name="revocations", daemon=True).start()

    def _follow(self) -> None:
        """Subscribe, load what is stored, then apply each published revocation; start over when Redis fails."""
        while True:
            try:
                pubsub = self._client().pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)  # before loading: nothing published in between is missed
                self._load()
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None:
                        key, at, until = message["data"].decode().split(" ")
                        self._remember(key, float(at), float(until))
            except Exception as err:  # Redis down or restarted: keep what is known, retry shortly
                log.warning("revocation store unreachable (%s); retrying", type(err).__name__)
                time.sleep(RECONNECT_SECONDS)

    def _load(self) -> None:
        client = self._client()
        for name in client.scan_iter(match=KEY_PREFIX + "*", count=500):
            at, ttl = client.get(name), client.ttl(name)
            if at is not None and ttl > 0:
                self._remember(name.decode()[len(KEY_PREFIX) :], float(at), self._clock() + ttl)
