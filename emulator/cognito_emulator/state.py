"""The embedded emulator's memory on disk, so `make run` keeps its users, and its pool and client ids, across
restarts: every pool with its users (passwords, confirmation state, attributes, MFA), groups and issued tokens.

The file is JSON in a shape of our own (snapshot.py), written after every call that changed something and
before that call's answer leaves the emulator (gate.py), so no kill, however abrupt, loses what a client
was told succeeded. A file that cannot be read stops the start-up: starting empty would hide the users in it.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import threading
from typing import Any

from cognito_emulator import legacy, snapshot


def _fixed_signing_key() -> Any:
    """moto's one RSA signing key (every pool shares it); old state.pickle files call it by this name."""
    from joserfc import jwk
    from moto.utilities.utils import load_resource

    return jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))


class StateError(Exception):
    """The saved state cannot be used; the message says which file and what to do."""


def _random_suffix() -> str:
    return secrets.token_hex(8)


def _problem(path: str, what: str) -> StateError:
    return StateError(
        f"The local Cognito emulator's saved state {path} {what}, so the server did not start: starting empty "
        f"would hide the users kept there. Move the file aside (mv {path} {path}.bad) and start again to begin "
        "with no users, or start empty with `make run-fresh` (python server.py --fresh), which deletes it."
    )


def _read(path: str) -> bytes | None:
    """The file's bytes, or None when there is none; never through a symbolic link."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as err:
        if os.path.islink(path):
            raise _problem(path, "is a symbolic link (it is only ever a plain file)") from err
        raise _problem(path, f"cannot be read ({err.strerror})") from err
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _problem(path, "is not a plain file")
    with os.fdopen(fd, "rb") as file:
        return file.read()


def _parse(path: str, data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _problem(path, "is damaged or truncated (it is not complete JSON)") from err
    if not isinstance(document, dict) or document.get("format") != snapshot.FORMAT:
        raise _problem(path, f"is not a {snapshot.FORMAT} file")
    if document.get("version") != snapshot.VERSION:
        raise _problem(path, f"has version {document.get('version')!r}; this server reads {snapshot.VERSION}")
    if not isinstance(document.get("ids"), dict) or not isinstance(document.get("pools"), list):
        raise _problem(path, "has the wrong shape (no ids or no list of pools)")
    return document


def write_private(path: str, data: bytes) -> None:
    """Write `path` atomically, readable by its owner only (0600): a crash never leaves half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    # A fresh name, created exclusively and never through a link: nothing planted there is written to.
    temp = os.path.join(directory, f".{os.path.basename(path)}.{_random_suffix()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())  # the rename below must never publish a file the disk does not hold yet
        os.replace(temp, path)  # replaces a link at `path` itself, never the file it points to
    except BaseException:
        if os.path.lexists(temp):
            os.remove(temp)
        raise


class SavedState:
    """One JSON file holding the emulator's pools and the ids the local server uses; rewritten when they change.

    A `.pickle` name, or an old `state.pickle` next to the file, is the format before this one: converted once.
    """

    def __init__(self, path: str) -> None:
        stem, ext = os.path.splitext(path)
        self.path = stem + ".json" if ext == ".pickle" else path
        self.legacy = path if ext == ".pickle" else os.path.join(os.path.dirname(path), "state.pickle")
        self._backend: Any = None
        self._ids: dict[str, Any] = {}
        self._written = b""
        self._lock = threading.RLock()

    def forget(self) -> None:
        """Delete the saved state (and an old state.pickle), for a fresh start."""
        for path in (self.path, self.legacy):
            if os.path.lexists(path):
                os.remove(path)

    def load(self, backend: Any) -> dict[str, Any] | None:
        """Put the saved pools into moto's `backend`; return the ids kept with them, if any. Raises StateError."""
        data = _read(self.path)
        document = self._convert_legacy() if data is None else _parse(self.path, data)
        if document is None:
            return None
        try:
            return snapshot.restore(document, backend)
        except Exception as err:  # any field of the wrong type or missing: moto's constructors raise all kinds
            raise _problem(self.path, f"has the wrong shape ({type(err).__name__}: {err})") from err

    def _convert_legacy(self) -> dict[str, Any] | None:
        data = _read(self.legacy)
        if data is None:
            return None
        try:
            saved = legacy.read(data)
            document = snapshot.dump(saved["pools"], saved["domains"], saved["ids"])
        except Exception as err:  # damaged, another moto's classes, or a class that is not allowed
            raise _problem(self.legacy, f"cannot be converted to {self.path} ({type(err).__name__})") from err
        self._write(self._serialize(document))
        os.replace(self.legacy, self.legacy + ".converted")
        return document

    def keep(self, backend: Any, ids: dict[str, Any]) -> None:
        """From now on, save `backend`'s pools (with `ids`: the local server's pool and client, the port)."""
        with self._lock:
            self._backend, self._ids = backend, ids
            self.save()

    def save(self) -> None:
        """Write the state if it changed since the last write (atomically: a crash never leaves half a file)."""
        with self._lock:
            if self._backend is None:
                return
            data = self._serialize(snapshot.dump(self._backend.user_pools, self._backend.user_pool_domains, self._ids))
            if data != self._written:
                self._write(data)
                self._written = data

    @staticmethod
    def _serialize(document: dict[str, Any]) -> bytes:
        return json.dumps(document, indent=1, sort_keys=True).encode()

    def _write(self, data: bytes) -> None:
        write_private(self.path, data)

    def stop(self) -> None:
        """Save one last time."""
        self.save()
