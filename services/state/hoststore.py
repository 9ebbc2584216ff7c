"""State every process of one host shares without a server: sign-outs, attempt counters and name aliases.

gunicorn's workers are separate processes; what one learns (a sign-out, a wrong password) the others must
honour at once, and `make run` must keep it across a restart. A SQLite file (the standard library's, WAL
mode) does both; a tiny memory-mapped counter beside it tells readers, for the cost of reading 8 bytes,
that the revocations changed, so a token check never queries the file unless something did.

Each process opens its own connection (after a fork too); one lock per process serializes its threads.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import sqlite3
import stat
import struct
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from services import after_fork_in_child

_SCHEMA = """
CREATE TABLE IF NOT EXISTS revocations (key TEXT PRIMARY KEY, at REAL NOT NULL, until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (key TEXT NOT NULL, at REAL NOT NULL, until REAL NOT NULL, id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_by_key ON attempts (key, at);
CREATE TABLE IF NOT EXISTS aliases (name TEXT PRIMARY KEY, user TEXT NOT NULL, until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, data TEXT NOT NULL, until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS leases (key TEXT PRIMARY KEY, until REAL NOT NULL);
"""
_GENERATION = struct.Struct("<Q")
_T = TypeVar("_T")  # what a transaction's work returns
SWEEP_EVERY_SECONDS = 60.0


class StoreError(RuntimeError):
    """The shared-state folder cannot be used safely (the message says why)."""


def default_folder() -> str:
    """A folder private to this user under the system's temporary directory."""
    return os.path.join(tempfile.gettempdir(), f"cognito-auth-{os.getuid()}")


def _private_folder(path: str) -> str:
    """Create `path` (0700) or check that it is a real folder of this user that no one else can write."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise StoreError(f"SHARED_STATE_DIR {path} must be a folder of this user that others cannot write")
    return path


class HostStore:
    """The SQLite file `state.sqlite3` and its change counter `revocations.generation` in `folder`."""

    def __init__(self, folder: str, *, clock: Callable[[], float] = time.time) -> None:
        self.folder = _private_folder(folder)
        self.path = os.path.join(self.folder, "state.sqlite3")
        self._clock = clock
        self._swept = 0.0
        self._start_process()
        after_fork_in_child(self, HostStore._start_process)  # a connection must not cross a fork

    def _start_process(self) -> None:
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._generation: tuple[int, mmap.mmap] | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL: a crash of the process loses nothing committed
            db.executescript(_SCHEMA)
            os.chmod(self.path, 0o600)
            self._db = db
        return self._db

    def _transaction(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run `work(db)` in one write transaction, alone among every process of the host."""
        with self._lock:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

    def _counter(self) -> tuple[int, mmap.mmap]:
        if self._generation is None:
            path = os.path.join(self.folder, "revocations.generation")
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            if os.fstat(fd).st_size < _GENERATION.size:
                os.ftruncate(fd, _GENERATION.size)
            self._generation = (fd, mmap.mmap(fd, _GENERATION.size))
        return self._generation

    # Revocations: "user:<sub>", "family:<origin_jti>" or "pass:<jti>" -> (at, until).

    def generation(self) -> int:
        """A number that changes whenever any process of the host records a revocation or ends a session."""
        generation: int = _GENERATION.unpack_from(self._counter()[1])[0]  # "<Q": one unsigned 64-bit count
        return generation

    def revoke(self, key: str, at: float, until: float) -> None:
        """Record a revocation (the later of two for one key), then tell every reader."""

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO revocations VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                "at = max(at, excluded.at), until = max(until, excluded.until)",
                (key, at, until),
            )
            db.execute("DELETE FROM revocations WHERE until < ?", (self._clock(),))

        self._transaction(write)
        self.changed()

    def changed(self) -> None:
        """Tell every reader of the host. After the commit (a reader that sees the new number then reads the
        new state), and under a lock: two writers never bump to the same number, so the counter only grows."""
        fd, counter = self._counter()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            _GENERATION.pack_into(counter, 0, _GENERATION.unpack_from(counter)[0] + 1)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def revocations(self) -> dict[str, tuple[float, float]]:
        """Every revocation still in force."""
        with self._lock:
            rows = self._connection().execute(
                "SELECT key, at, until FROM revocations WHERE until > ?", (self._clock(),)
            )
            return {key: (at, until) for key, at, until in rows}

    # Attempt counters: a moving window of attempts per key.

    def take(self, key: str, limit: int, window: float) -> tuple[str | None, float]:
        """Count one attempt under `key` if fewer than `limit` were made in the last `window` seconds.

        Returns (ticket, 0) when counted, or (None, seconds until one is free) when not."""
        now = self._clock()

        def count(db: sqlite3.Connection) -> tuple[str | None, float]:
            if now - self._swept > SWEEP_EVERY_SECONDS:
                db.execute("DELETE FROM attempts WHERE until < ?", (now,))
                self._swept = now
            rows = db.execute(
                "SELECT at FROM attempts WHERE key = ? AND at > ? ORDER BY at", (key, now - window)
            ).fetchall()
            if len(rows) >= limit:
                return None, rows[len(rows) - limit][0] + window - now
            ticket = uuid.uuid4().hex
            db.execute("INSERT INTO attempts VALUES (?, ?, ?, ?)", (key, now, now + window, ticket))
            return ticket, 0.0

        return self._transaction(count)

    def give_back(self, key: str, ticket: str) -> None:
        """Uncount the attempt `ticket` took."""
        self._transaction(lambda db: db.execute("DELETE FROM attempts WHERE key = ? AND id = ?", (key, ticket)))

    # Aliases: every name a user signs in with -> the user's one identity.

    def alias(self, names: set[str], user: str, lifetime: float) -> None:
        """Remember that each of `names` is `user`."""
        until = self._clock() + lifetime
        rows = [(name, user, until) for name in names]
        self._transaction(lambda db: db.executemany("INSERT OR REPLACE INTO aliases VALUES (?, ?, ?)", rows))

    def user_of(self, name: str) -> str | None:
        """The user `name` was last seen to be, if known."""
        with self._lock:
            row = (
                self._connection()
                .execute("SELECT user FROM aliases WHERE name = ? AND until > ?", (name, self._clock()))
                .fetchone()
            )
        return row[0] if row else None

    # Browser sessions (services/state/session_store.py): the sha256 of a session id -> its JSON, until it ends.

    def put_session(self, key: str, data: str, until: float) -> None:
        """Store a session (replacing one of the same key), and drop the ended ones."""

        def write(db: sqlite3.Connection) -> None:
            db.execute("INSERT OR REPLACE INTO sessions VALUES (?, ?, ?)", (key, data, until))
            db.execute("DELETE FROM sessions WHERE until < ?", (self._clock(),))

        self._transaction(write)

    def replace_session(self, key: str, data: str) -> bool:
        """Replace a live session's data, keeping its end; False (nothing written) if it is gone."""

        def write(db: sqlite3.Connection) -> bool:
            cursor = db.execute("UPDATE sessions SET data = ? WHERE key = ? AND until > ?", (data, key, self._clock()))
            return cursor.rowcount > 0

        return self._transaction(write)

    def session(self, key: str) -> str | None:
        """A live session's data, if any."""
        with self._lock:
            row = (
                self._connection()
                .execute("SELECT data FROM sessions WHERE key = ? AND until > ?", (key, self._clock()))
                .fetchone()
            )
        return row[0] if row else None

    def delete_session(self, key: str) -> str | None:
        """Remove a session; the data it held if it was live."""

        def remove(db: sqlite3.Connection) -> str | None:
            row = db.execute("SELECT data, until FROM sessions WHERE key = ?", (key,)).fetchone()
            db.execute("DELETE FROM sessions WHERE key = ?", (key,))
            return str(row[0]) if row and row[1] > self._clock() else None

        removed: str | None = self._transaction(remove)
        self.changed()  # every worker's copy of the session is stale now
        return removed

    # Leases: one holder at a time per key, every process of the host, until `until` at the latest.

    def acquire_lease(self, key: str, until: float) -> bool:
        """Take the lease `key` until `until` if no one holds it (or its holder's time ran out)."""

        def take(db: sqlite3.Connection) -> bool:
            db.execute("DELETE FROM leases WHERE until <= ?", (self._clock(),))
            return db.execute("INSERT OR IGNORE INTO leases VALUES (?, ?)", (key, until)).rowcount > 0

        return self._transaction(take)

    def release_lease(self, key: str, until: float) -> None:
        """Give back the lease `key` taken until `until` (a lease since taken by another, once this one ran
        out, has another `until` and stays)."""
        self._transaction(lambda db: db.execute("DELETE FROM leases WHERE key = ? AND until = ?", (key, until)))
