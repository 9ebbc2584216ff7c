"""A bounded cache of verified tokens, so a token already seen costs a dict lookup instead of an RSA check."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from services import after_fork_in_child

# (claims, expires, kid, key): the read-only claims; exp + leeway, past which the token is refused, cached or
# not; the kid and the key object that verified it, as a hit is valid only while the JWKS still holds that
# key. A plain tuple: building a NamedTuple costs more than the rest of an insert.
Entry = tuple[Mapping[str, Any], float, str, Any]


class VerifiedTokens:
    """Token text -> Entry. Only the identical token hits.

    Reads take no lock. Writes (after the RSA check, never during it) take a short one, evict the oldest
    entries past `max_entries` or `max_bytes`, and sweep expired entries at most once per `sweep_every`.
    """

    def __init__(
        self,
        max_entries: int = 4096,
        max_bytes: int = 16 * 1024 * 1024,
        *,
        sweep_every: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.sweep_every = sweep_every
        self._clock = clock
        self._entries: dict[str, Entry] = {}
        self._bytes = 0
        self._next_sweep = clock() + sweep_every
        self._lock = threading.Lock()
        after_fork_in_child(self, VerifiedTokens._new_lock)

    def _new_lock(self) -> None:
        self._lock = threading.Lock()

    def get(self, token: str) -> Entry | None:
        return self._entries.get(token)

    def put(self, token: str, claims: Mapping[str, Any], expires: float, kid: str, key: Any) -> None:
        if self.max_entries <= 0:
            return
        size = _footprint(token)
        entries = self._entries
        with self._lock:
            if token in entries:
                return
            if self._clock() >= self._next_sweep:
                self._sweep(self._clock())
            while entries and (len(entries) >= self.max_entries or self._bytes + size > self.max_bytes):
                self._remove(next(iter(entries)))  # the oldest: dicts keep insertion order
            entries[token] = (claims, expires, kid, key)
            self._bytes += size

    def discard(self, token: str) -> None:
        with self._lock:
            if token in self._entries:
                self._remove(token)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def approximate_bytes(self) -> int:
        return self._bytes

    def _sweep(self, now: float) -> None:
        for token in [token for token, (_, expires, _, _) in self._entries.items() if expires < now]:
            self._remove(token)
        self._next_sweep = now + self.sweep_every

    def _remove(self, token: str) -> None:
        del self._entries[token]
        self._bytes -= _footprint(token)


def _footprint(token: str) -> int:
    # The token text as the key plus its decoded claims: about three times the token's length.
    return 3 * len(token) + 512
