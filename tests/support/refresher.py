"""A scripted refresher for the session store's tests: answers as Cognito's refresh gives them."""

from __future__ import annotations

import threading
import time
from typing import Any

from services.state.session_record import Session
from tests.support.helpers import Minter

MINTER = Minter("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_sessions", "sessionsclient")


OLD_REFRESH = "refresh-1"


def answer(expires_in: float = 3600, refresh_token: str | None = OLD_REFRESH, **claims: Any) -> dict[str, Any]:
    """A token answer as the API gives it (a sign-in's, or a refresh's with refresh_token None)."""
    exp = int(time.time() + expires_in)
    tokens = {
        "access_token": MINTER.token("access", exp=exp, **claims),
        "id_token": MINTER.token("id", exp=exp),
        "refresh_token": refresh_token,
        "username": "minted",
    }
    return tokens


class Refresher:
    """A fake Cognito refresh: counts its calls, takes `delay` seconds, answers the same new tokens (or raises)."""

    def __init__(self, *, delay: float = 0.2, rotated: str | None = None, error: Exception | None = None) -> None:
        self.delay, self.error = delay, error
        self.tokens = answer(refresh_token=rotated)
        self.calls = 0
        self.seen: list[Session] = []
        self._lock = threading.Lock()

    def __call__(self, session: Session) -> dict[str, Any]:
        with self._lock:
            self.calls += 1
            self.seen.append(session)
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.tokens
