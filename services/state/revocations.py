"""Tokens revoked before they expire: a user's sign-out, or a refresh token's family, refused everywhere.

A JWT that verifies keeps verifying until `exp`, wherever it is checked locally, even after GlobalSignOut
or RevokeToken. So every revocation is written to the host's store (services/state/hoststore.py), which every
worker process of the host reads when its change counter moves, and which outlives a restart; each
process holds the entries in memory, so a token check costs a counter read and a dict lookup. With
REDIS_URL each revocation is also written to Redis (expiring when the tokens it covers would) and
published: the processes of other hosts load them all at start, hear new ones at once, and reload after
Redis comes back.

Token times are whole seconds, and Cognito's clock may run a second ahead of ours, so a sign-out refuses
every token of the user issued up to a second after it. A sign-in through this server in that second is
not refused: the tokens Cognito answers it with get a pass (`admit`), shared like the revocations.

Browser sessions are ended the same way (issue 24): a password change, a reset or a sign-out records "every
session of this user begun before T is over" (`end_sessions`), which services/state/session_store.py asks on every use
of a session (`sessions_ended`), so it holds on every worker and instance.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from services import after_fork_in_child, redis_answers
from services.state.hoststore import HostStore
from services.state.redis_connect import Where, connect, replicated_set, target_of

log = logging.getLogger(__name__)
CHANNEL = "auth:revocations"
KEY_PREFIX = "auth:revoked:"
RECONNECT_SECONDS = 0.5
CLOCK_SKEW_SECONDS = 1  # how far Cognito's `iat` may run ahead of this host's clock

# "user:<sub>", "family:<origin_jti>", "pass:<jti>", "sessions:<sha256 of a name>" -> (at, until)
Entries = dict[str, tuple[float, float]]


def _sessions_key(name: str) -> str:
    """The mark ending a user's browser sessions: by a digest of the name (a username may hold any character,
    and the published message is split on spaces; names are not kept in the store either)."""
    return "sessions:" + hashlib.sha256(name.lower().encode()).hexdigest()[:32]


class Revocations:
    """`revoke_user`, `revoke_family` and `admit` record; `revoked(claims)` answers, on every request."""

    def __init__(self, host: HostStore, redis_url: Where | None = None, *, clock: Callable[[], float] = time.time):
        self.host, self.redis_url = host, redis_url
        self._clock = clock
        self._generation = -1
        self._local: Entries = {}  # the host's entries, as last read
        self._remote: Entries = {}  # entries heard from Redis
        self._entries: Entries = {}  # both: replaced whole, so readers never see a dict being changed
        self._listening_pid = 0
        self._start_process()
        after_fork_in_child(self, Revocations._start_process)

    def _start_process(self) -> None:
        """This process's Redis connections, made on first use; the follower (below) moves to the new ones."""
        self._redis: Any = None
        self._lock = threading.Lock()

    def revoked(self, claims: Mapping[str, Any]) -> bool:
        """Whether a verified token was issued before its user signed out, or its family was revoked."""
        entries = self._current()
        if not entries:
            return False
        now = self._clock()
        family = entries.get(f"family:{claims.get('origin_jti')}") if "origin_jti" in claims else None
        if family is not None and now < family[1]:
            return True
        user = entries.get(f"user:{claims.get('sub')}")
        if user is None or now >= user[1] or claims.get("iat", 0) > int(user[0]) + CLOCK_SKEW_SECONDS:
            return False
        return f"pass:{claims.get('jti')}" not in entries

    def sessions_ended(self, names: Iterable[str], begun_at: float) -> bool:
        """Whether a browser session begun at `begun_at` of the user known by `names` (its sub, its username)
        was ended by `end_sessions` since."""
        entries = self._current()
        if not entries:
            return False
        now = self._clock()
        for name in names:
            mark = entries.get(_sessions_key(name)) if name else None
            if mark is not None and now < mark[1] and begun_at < mark[0]:
                return True
        return False

    def end_sessions(self, names: Iterable[str], lifetime: float, at: float | None = None) -> float:
        """End every browser session of the user known by any of `names` begun before `at` (default now), on
        every worker and instance; kept for `lifetime` (the longest a session lives). Returns `at`."""
        at = self._clock() if at is None else at
        for name in {name for name in names if name}:
            self._add(_sessions_key(name), lifetime, at)
        return at

    def _current(self) -> Entries:
        if self.host.generation() != self._generation:
            self._reload()
        if self.redis_url and self._listening_pid != os.getpid():
            self._listen()  # first use in this process (gunicorn workers fork after the app is built)
        return self._entries

    def __len__(self) -> int:
        """The entries held now (sign-outs, revoked families, passes), read again if another process added one."""
        if self.host.generation() != self._generation:
            self._reload()
        return len(self._entries)

    def revoke_user(self, sub: str, lifetime: float) -> None:
        """Every token of `sub` issued until now; kept for `lifetime` seconds (the longest a token lives)."""
        self._add(f"user:{sub}", lifetime)

    def revoke_family(self, origin_jti: str, lifetime: float) -> None:
        """Every token refreshed from the same refresh token as the one carrying `origin_jti`."""
        self._add(f"family:{origin_jti}", lifetime)

    def admit(self, claims: Mapping[str, Any]) -> None:
        """A token Cognito has just issued to a sign-in through this server: never refused by an earlier
        sign-out of its user, even within the second after it."""
        jti = claims.get("jti")
        if jti and not isinstance(claims.get("exp"), bool) and self.revoked(claims):
            self._add(f"pass:{jti}", max(0.0, float(claims["exp"]) - self._clock()) + CLOCK_SKEW_SECONDS)

    def available(self) -> bool:
        """Whether the shared store answers (always, without one)."""
        return not self.redis_url or redis_answers(self._client)

    def _add(self, key: str, lifetime: float, at: float | None = None) -> None:
        now = self._clock() if at is None else at
        self.host.revoke(key, now, now + lifetime)
        self._reload()
        if not self.redis_url:
            return
        try:
            client, target = self._client(), target_of(self.redis_url)
            if not replicated_set(client, target, KEY_PREFIX + key, repr(now), max(1, int(lifetime) + 1)):
                # Still in force: every instance hears it below and holds it; each writes back what a failover
                # lost when it reconnects (`_restore`). Only an outage of every instance as well could lose it.
                log.warning("revocation not confirmed by %d replica(s) in %d ms", target.min_replicas, target.wait_ms)
            client.publish(CHANNEL, f"{key} {now!r} {now + lifetime!r}")
        except Exception as err:  # the store is down: this host holds it; the others learn on reload
            log.warning("revocation not shared (%s); it holds on this host", type(err).__name__)

    def _reload(self) -> None:
        """Read the host's entries again (another process, or this one, recorded one)."""
        with self._lock:
            generation = self.host.generation()  # before reading: a change after it is seen next time
            self._local = self.host.revocations()
            self._generation = generation
            self._merge()

    def _hear(self, key: str, at: float, until: float) -> None:
        with self._lock:
            previous = self._remote.get(key)
            self._remote[key] = (max(at, previous[0]), max(until, previous[1])) if previous else (at, until)
            self._merge()

    def _merge(self) -> None:
        now = self._clock()
        self._remote = {key: entry for key, entry in self._remote.items() if entry[1] > now}
        merged = dict(self._remote)
        for key, (at, until) in self._local.items():
            previous = merged.get(key)
            merged[key] = (max(at, previous[0]), max(until, previous[1])) if previous else (at, until)
        self._entries = merged

    def _client(self) -> Any:
        if self._redis is None:
            assert self.redis_url is not None  # callers ask for a client only with REDIS_URL set
            self._redis = connect(self.redis_url)
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
                client = self._client()
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)  # before loading: nothing published in between is missed
                self._load()
                self._restore(client)
                # Until the connections are replaced (a restored snapshot's are dead, and silent): then again.
                while self._redis is client:
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None:
                        key, at, until = message["data"].decode().split(" ")
                        self._hear(key, float(at), float(until))
                pubsub.close()
            except Exception as err:  # Redis down or restarted: keep what is known, retry shortly
                log.warning("revocation store unreachable (%s); retrying", type(err).__name__)
                time.sleep(RECONNECT_SECONDS)

    def _restore(self, client: Any) -> None:
        """Write back each live entry this process holds that the store lacks: a failover to a replica that had
        not received a sign-out loses it there, never in the instances that heard it."""
        now = self._clock()
        with client.pipeline(transaction=False) as pipe:
            for key, (at, until) in self._entries.items():
                if until - now >= 1:
                    pipe.set(KEY_PREFIX + key, repr(at), ex=int(until - now), nx=True)
            pipe.execute()

    def _load(self) -> None:
        client = self._client()
        for name in client.scan_iter(match=KEY_PREFIX + "*", count=500):
            at, ttl = client.get(name), client.ttl(name)
            if at is not None and ttl > 0:
                self._hear(name.decode()[len(KEY_PREFIX) :], float(at), self._clock() + ttl)
