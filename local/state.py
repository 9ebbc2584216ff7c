"""The embedded emulator's memory on disk, so `make run` keeps its users, and its pool and client ids, across
restarts: every pool with its users (passwords, confirmation state, attributes), groups, MFA settings and
issued tokens.

moto keeps all of it in plain Python objects; they are pickled whole, except the signing key, which is
moto's fixed key and is put back as it is (so tokens issued before a restart still verify after it).
The file is the developer's own, written 0600 under the project: pickle runs code from what it loads,
so never point LOCAL_COGNITO_STATE at a file from elsewhere.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import threading
from typing import Any

log = logging.getLogger(__name__)
SAVE_EVERY_SECONDS = 1.0


def _fixed_signing_key() -> Any:
    """moto's one RSA signing key (every pool shares it), loaded as moto loads it."""
    from joserfc import jwk
    from moto.utilities.utils import load_resource

    return jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))


class _Pickler(pickle.Pickler):
    """Pickles moto's objects, writing its signing key as a reference to the fixed key."""

    def reducer_override(self, obj: Any) -> Any:
        from joserfc.jwk import RSAKey

        if isinstance(obj, RSAKey):
            return _fixed_signing_key, ()
        return NotImplemented


class SavedState:
    """One file holding the emulator's pools and the ids the local server uses; written when they change."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._backend: Any = None
        self._ids: dict[str, Any] = {}
        self._written = b""
        self._stopped = threading.Event()

    def load(self, backend: Any) -> dict[str, Any] | None:
        """Put the saved pools into moto's `backend`; return what was kept with them (ids, the port), if any."""
        try:
            with open(self.path, "rb") as file:
                saved = pickle.load(file)  # noqa: S301 - the developer's own file (see the module's note)
        except FileNotFoundError:
            return None
        except Exception as err:  # written by another moto version, or damaged: start empty, keep the file
            log.warning("could not read %s (%s); starting with an empty emulator", self.path, type(err).__name__)
            os.replace(self.path, self.path + ".unreadable")
            return None
        backend.user_pools.update(saved["pools"])
        backend.user_pool_domains.update(saved["domains"])
        return saved["ids"]

    def keep(self, backend: Any, ids: dict[str, Any]) -> None:
        """Save `backend`'s pools (and `ids`: the local server's pool and client, the port) now, then whenever
        they change, until `stop()`."""
        self._backend, self._ids = backend, ids
        self.save()
        threading.Thread(target=self._save_while_running, name="emulator-state", daemon=True).start()

    def save(self) -> None:
        """Write the state if it changed since the last write (atomically: a crash never leaves half a file)."""
        if self._backend is None:
            return
        buffer = io.BytesIO()
        try:
            state = {"ids": self._ids, "pools": self._backend.user_pools, "domains": self._backend.user_pool_domains}
            _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
        except RuntimeError:  # a request changed a dict while it was read: the next round saves it
            return
        data = buffer.getvalue()
        if data == self._written:
            return
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        partial = f"{self.path}.{os.getpid()}.partial"
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
            file.write(data)
        os.replace(partial, self.path)
        self._written = data

    def stop(self) -> None:
        """Save one last time and stop watching."""
        self._stopped.set()
        self.save()

    def _save_while_running(self) -> None:
        while not self._stopped.wait(SAVE_EVERY_SECONDS):
            self.save()
