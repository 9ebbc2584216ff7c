"""Browser sessions: a cookie's random id stands for a sign-in's tokens, which stay on the server (issue 17).

Stored by the sha256 of the id, never the id (a copy of the store gives no cookie): with REDIS_URL in Redis only
(`auth:session:<sha256>`, JSON, expiring with the session; Redis unreachable is `errors.ServiceUnavailable`, a 503,
never a fallback), else in the host's store (services/state/hoststore.py), shared by every worker of the host.
An access token near its end is refreshed by one caller only, everywhere: the one holding the lease
(services/state/session_leases.py) calls Cognito and writes the new tokens in one write; the others poll.
A session also ends when its account changes (issue 24): services/state/revocations.py `end_sessions`, checked on
every use, copies too; and with `recheck_seconds` Cognito is asked about the user that often (session_checks.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import errors
from services import after_fork_in_child, redis_answers
from services.common import metrics
from services.state.hoststore import HostStore
from services.state.redis_connect import Where, connect
from services.state.revocations import Revocations
from services.state.session_checks import Check, Rechecks
from services.state.session_copies import HOST_COPY_SECONDS, SHARED_COPY_SECONDS, Copies
from services.state.session_leases import Leases
from services.state.session_record import Session, dump, load, new_session, session_key, with_tokens

log = logging.getLogger(__name__)
PREFIX = "auth:session:"
POLL_SECONDS = 0.02
UNAVAILABLE = "The session store is unavailable; try again shortly."
Refresh = Callable[[Session], Mapping[str, Any]]  # Cognito's refresh of a session's tokens: the token answer


def _cannot_refresh(session: Session) -> Mapping[str, Any]:
    """The refresh of a store built without one: the session ends when its access token does."""
    raise errors.NotAuthorized("The session cannot be refreshed; sign in again.")


class Sessions:
    """`create` at a sign-in, `get` or `fresh` on each request of its cookie, `delete` at sign-out."""

    def __init__(
        self,
        host: HostStore,
        redis_url: Where | None = None,
        *,
        lifetime: float = 30 * 86400,
        refresh_margin: float = 60.0,
        refresh_budget: float = 6.0,
        ends: Revocations | None = None,
        recheck_seconds: float = 0.0,
        refresh: Refresh | None = None,
        check: Check | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.host, self.redis_url, self.ends = host, redis_url, ends
        # Given here, where the app is built (extensions.py): Cognito's refresh of a session's tokens, and the
        # check of its user (services/flows/session_refresh.py). The store never reaches up for them.
        self.refresh, self.check = refresh, check
        self.lifetime, self.refresh_margin = lifetime, refresh_margin
        # A refresh takes at most the Cognito budget (COGNITO_BUDGET_SECONDS): the lease outlasts it, so two
        # never run at once (a rotated refresh token would be spent twice), and the others wait as long.
        self.lease_seconds, self.wait_seconds = refresh_budget + 4.0, refresh_budget + 1.0
        self._clock = clock
        self._copy_seconds = SHARED_COPY_SECONDS if redis_url else HOST_COPY_SECONDS
        self._leases = Leases(host, self._shared if redis_url else None, clock=clock)
        self._rechecks = Rechecks(recheck_seconds, self._take_check, self._delete_key, clock=clock)
        self._start_process()
        after_fork_in_child(self, Sessions._start_process)

    def _start_process(self) -> None:
        """This process's Redis connections and session copies (a restored snapshot's may be hours old)."""
        self._redis: Any = None
        self._copies = Copies(self.host, self._copy_seconds)  # services/state/session_copies.py

    def create(self, tokens: Mapping[str, Any]) -> tuple[str, Session]:
        """A new session for a sign-in's tokens (the API's answer: access_token, id_token, refresh_token?,
        username). Returns the session id for the cookie (256 random bits, new at every sign-in) and the
        session."""
        now = self._clock()
        session_id, session = new_session(tokens, now)
        until = now + self.lifetime
        if self.redis_url:
            with self._shared() as client:
                client.set(PREFIX + session.key, dump(session), px=max(1, round(self.lifetime * 1000)))
        else:
            self.host.put_session(session.key, dump(session), until)
        metrics.session_event("created")
        return session_id, session

    def get(self, session_id: str) -> Session | None:
        """The live session of a cookie's id, or None (unknown, or past `lifetime`)."""
        return self._read(session_key(session_id))

    def fresh(self, session_id: str, refresh: Refresh | None = None) -> Session | None:
        """The session, fresh (`_fresh`, by the store's `refresh`, or this call's), or None; with the store's
        `check` (GetUser with its access token, raising InvalidToken when Cognito refuses it), Cognito is asked
        about its user every `recheck_seconds`."""
        session = self._fresh(session_id, self._refresher(refresh))
        if session is not None and self.check is not None and not self._rechecks.passes(session, self.check):
            return None
        return session

    def renew(self, session_id: str, at: float) -> Session | None:
        """The session begun again at `at` with tokens refreshed now (in one write, under the refresh lease),
        so that ending its user's sessions begun before `at` spares it; None if it is gone or cannot refresh."""
        key = session_key(session_id)
        deadline = time.monotonic() + self.wait_seconds
        while (lease := self._acquire(key)) is None:
            if time.monotonic() > deadline:
                raise errors.ServiceUnavailable("The session's tokens are being refreshed; try again shortly.")
            time.sleep(POLL_SECONDS)
        try:
            current = self._read(key)
            return self._refresh(replace(current, renewed_at=at), self._refresher()) if current is not None else None
        finally:
            self._release(key, lease)

    def _fresh(self, session_id: str, refresh: Refresh) -> Session | None:
        """The session, its access token valid for at least `refresh_margin` more seconds, or None.

        When it is not, `refresh(session)` (Cognito's refresh: the token answer, `refresh_token` None unless
        rotated) is called by one caller only, across threads, processes and instances; the others wait for the
        new tokens (up to the refresh budget and a second, then a 503). A dead refresh token (`refresh`
        raising NotAuthorized or InvalidToken) deletes the session (None); any other error propagates."""
        key = session_key(session_id)
        now = self._clock()
        copy = self._copies.get(key, now)
        if copy is not None and self._is_fresh(copy) and self._live(copy):
            return copy  # a dict lookup and a counter read: no store read on most requests
        generation = self.host.generation()  # before the read: a change after it invalidates the copy
        seen = self._read(key)
        if seen is None or self._is_fresh(seen):
            self._copies.keep(key, seen, generation, now)
            return seen
        deadline = time.monotonic() + self.wait_seconds
        while True:
            lease = self._acquire(key)
            if lease is not None:
                try:
                    current = self._read(key)  # another caller may have refreshed it since `seen` was read
                    if current is None or self._is_fresh(current) or current.access_token != seen.access_token:
                        return current
                    return self._refresh(current, refresh)
                finally:
                    self._release(key, lease)
            time.sleep(POLL_SECONDS)
            current = self._read(key)
            if current is None or self._is_fresh(current) or current.access_token != seen.access_token:
                return current
            if time.monotonic() > deadline:
                raise errors.ServiceUnavailable("The session's tokens are being refreshed; try again shortly.")

    def delete(self, session_id: str) -> Session | None:
        """Remove the session; the removed session (for sign-out), or None."""
        key = session_key(session_id)
        self._copies.drop(key)
        if self.redis_url:
            with self._shared() as client:
                data: bytes | None = client.getdel(PREFIX + key)
            self.host.changed()  # this host's other workers drop their copies at once
        else:
            text = self.host.delete_session(key)
            data = text.encode() if text is not None else None
        session = load(key, data) if data is not None else None
        if session is not None:
            metrics.session_event("ended")
        return session if session is not None and self._live(session) else None

    def available(self) -> bool:
        """Whether the session store answers (always, without Redis)."""
        return not self.redis_url or redis_answers(self._client)

    def _refresher(self, refresh: Refresh | None = None) -> Refresh:
        return refresh or self.refresh or _cannot_refresh

    def _refresh(self, current: Session, refresh: Refresh) -> Session | None:
        try:
            answer = refresh(current)
        except (errors.NotAuthorized, errors.InvalidToken):  # the refresh token is dead: so is the session
            self._delete_key(current.key)
            metrics.session_event("refresh_refused")
            return None
        renewed = with_tokens(current, answer, self._clock())
        if self.redis_url:
            with self._shared() as client:  # XX: a session signed out meanwhile is not brought back
                written = client.set(PREFIX + current.key, dump(renewed), xx=True, keepttl=True)
        else:
            written = self.host.replace_session(current.key, dump(renewed))
        metrics.session_event("refreshed")
        return renewed if written else None

    def _read(self, key: str) -> Session | None:
        if self.redis_url:
            with self._shared() as client:
                data: bytes | None = client.get(PREFIX + key)
        else:
            text = self.host.session(key)
            data = text.encode() if text is not None else None
        session = load(key, data) if data is not None else None
        return session if session is not None and self._live(session) else None

    def _delete_key(self, key: str) -> None:
        self._copies.drop(key)
        if self.redis_url:
            with self._shared() as client:
                client.delete(PREFIX + key)
            self.host.changed()
        else:
            self.host.delete_session(key)

    def _live(self, session: Session) -> bool:
        if self._clock() >= session.created_at + self.lifetime:
            return False
        return self.ends is None or not self.ends.sessions_ended((session.sub, session.username), session.begun_at)

    def _is_fresh(self, session: Session) -> bool:
        return session.expires_at - self._clock() >= self.refresh_margin

    def _acquire(self, key: str) -> str | float | None:
        """Take the refresh lease of a session; what releases it, or None when another caller holds it."""
        return self._leases.take(key, self.lease_seconds)

    def _release(self, key: str, lease: str | float) -> None:
        self._leases.give_back(key, lease)

    def _take_check(self, key: str) -> bool:
        """The right to ask Cognito about a session's user for the next interval: one caller everywhere."""
        return self._leases.take("check:" + key, self._rechecks.every) is not None

    @contextmanager
    def _shared(self) -> Iterator[Any]:
        """Redis's client; any failure of Redis inside the block becomes the documented 503."""
        try:
            yield self._client()
        except Exception as err:
            log.warning("session store unreachable (%s)", type(err).__name__)
            raise errors.ServiceUnavailable(UNAVAILABLE) from err

    def _client(self) -> Any:
        if self._redis is None:
            assert self.redis_url is not None  # callers ask for a client only with REDIS_URL set
            self._redis = connect(self.redis_url)
        return self._redis
