"""Asking Cognito about a browser session's user every SESSION_RECHECK_SECONDS (issue 24).

A session's tokens are refreshed for as long as Cognito takes its refresh token, so a user disabled, deleted or
signed out globally in the console would keep a working session until its access token expires, and a
password change made elsewhere never ends it. So, at most once per interval for each session on every worker
and instance (a lease in the session store), GetUser is called with the session's access token: a refusal ends
the session. A session in use is asked in the background, its answer read by its next request; one idle for
longer than an interval is asked before its request is answered. An outage of Cognito ends nothing (logged):
the session is asked again an interval later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import errors
from services import after_fork_in_child
from services.state.session_record import Session

log = logging.getLogger(__name__)
Check = Callable[[Session], object]  # GetUser with the session's access token: InvalidToken when refused
DUE_AT_MOST = 10_000  # sessions a process keeps times for, at most


class Rechecks:
    """`passes(session, check)` on each use of a session: False when Cognito has just refused its user."""

    def __init__(
        self,
        every: float,
        take: Callable[[str], bool],
        end: Callable[[str], None],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`every`: seconds between two checks of one session (0: never); `take(key)`: the right to check it for
        the next interval (one taker across processes); `end(key)`: delete the session."""
        self.every = every
        self._take, self._end, self._clock = take, end, clock
        self._start_process()
        after_fork_in_child(self, Rechecks._start_process)

    def _start_process(self) -> None:
        self._due: dict[str, float] = {}  # session key -> when this process next tries to check it
        self._running: set[str] = set()
        self._lock = threading.Lock()

    def passes(self, session: Session, check: Check) -> bool:
        """Whether the session may serve this request; starts or makes its check when one is due."""
        if self.every <= 0:
            return True
        now, key = self._clock(), session.key
        # A session this process has not seen yet is first due a whole interval after it began.
        due = self._due.get(key, session.begun_at + self.every)
        if now < due:
            self._remember(key, due)
            return True
        if not self._take(key):  # another worker or instance checks it in this interval; its end is shared
            self._remember(key, now + self.every / 4)
            return True
        self._remember(key, now + self.every)
        if now - due < self.every:  # in use: its next request reads the answer
            self._in_background(session, check)
            return True
        return self._asked(session, check)  # idle for longer than an interval: asked before answering

    def _asked(self, session: Session, check: Check) -> bool:
        try:
            check(session)
        except errors.InvalidToken:  # GetUser refused the token: disabled, deleted, signed out, password reset
            log.info("session %s… ended: Cognito refused its user's token", session.key[:8])
            self._end(session.key)
            return False
        except Exception as err:  # Cognito unreachable or busy: ending sessions for an outage helps no one
            log.warning("session check failed (%s); the session is kept", type(err).__name__)
        return True

    def _in_background(self, session: Session, check: Check) -> None:
        with self._lock:
            if session.key in self._running:
                return
            self._running.add(session.key)

        def run() -> None:
            try:
                self._asked(session, check)
            except Exception as err:  # the session store failed while ending it: the next check tries again
                log.warning("session not ended after its check (%s)", type(err).__name__)
            finally:
                with self._lock:
                    self._running.discard(session.key)

        threading.Thread(target=run, name="session-check", daemon=True).start()

    def _remember(self, key: str, due: float) -> None:
        if key not in self._due and len(self._due) >= DUE_AT_MOST:
            self._due = {}  # replaced whole: readers never see a dict being changed
        self._due[key] = due
