"""This process's copies of browser sessions: most requests of a cookie are answered without a store read.

A copy is good while the host store's change counter is what it was when the session was read (any session
ending on this host bumps it) and for a few seconds at most: another instance's ending (with Redis) is seen
within that. A sign-out also revokes the user's tokens, which every instance refuses at once.
"""

from __future__ import annotations

from services.state.hoststore import HostStore
from services.state.session_record import Session

# How long a process may answer from its own copy of a session: on one host, or with Redis (several instances).
HOST_COPY_SECONDS, SHARED_COPY_SECONDS = 30.0, 1.0
COPIES = 10_000  # sessions a process keeps copies of, at most


class Copies:
    """Sessions by key, each with the host's change counter and the time it was read."""

    def __init__(self, host: HostStore, seconds: float) -> None:
        self.host, self.seconds = host, seconds
        self._held: dict[str, tuple[Session, int, float]] = {}  # key -> (session, host generation, read at)

    def get(self, key: str, now: float) -> Session | None:
        """The copy of a session still good at `now`, or None."""
        copy = self._held.get(key)
        if copy is not None and copy[1] == self.host.generation() and now - copy[2] < self.seconds:
            return copy[0]
        return None

    def keep(self, key: str, session: Session | None, generation: int, now: float) -> None:
        """Keep `session` as read at `now` under `generation` (None: drop the copy)."""
        if session is None:
            self._held.pop(key, None)
            return
        if len(self._held) >= COPIES:
            self._held = {}  # replaced whole: readers never see a dict being changed
        self._held[key] = (session, generation, now)

    def drop(self, key: str) -> None:
        """Forget the copy of a session (it ended here)."""
        self._held.pop(key, None)
