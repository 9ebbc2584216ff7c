"""A Cognito 60 ms away: a proxy in front of the emulator that holds every call for `delay` seconds.

Each distinct request is forwarded to the emulator once and its answer replayed after that: real Cognito
spends no CPU on this machine, and the emulator's password hashing would otherwise compete with the
server for the two cores. `hang` holds sign-ins (InitiateAuth) that long instead, answering nothing useful.
"""

from __future__ import annotations

import threading
import time
from http.server import ThreadingHTTPServer

from tests.support.cognito_proxy import TARGET_PREFIX, CognitoProxy
from tests.support.helpers import Reply, Request, cognito_error

# Calls that change state are always forwarded; the others are answered from what the emulator said first.
REPLAYED = {"InitiateAuth", "GetUser"}
# socketserver's listen backlog of 5 drops connections when a hundred sign-ins arrive at once (a dropped
# SYN is retried a second later); in this benchmark's process, every loopback server gets a real backlog.
ThreadingHTTPServer.request_queue_size = 256


class SlowCognito(CognitoProxy):
    """Every call answered `delay` seconds late; with `hang` set, sign-ins stall that long and fail."""

    def __init__(self, upstream: str, delay: float = 0.060) -> None:
        super().__init__(upstream)
        self.delay, self.hang = delay, 0.0
        self._seen: dict[bytes, Reply] = {}
        self._lock = threading.Lock()

    def _reply(self, request: Request) -> Reply:
        started = time.monotonic()
        operation = request.headers.get("X-Amz-Target", "").removeprefix(TARGET_PREFIX)
        if self.hang and operation == "InitiateAuth":
            time.sleep(self.hang)
            return cognito_error("InternalErrorException", status=500)
        if operation in REPLAYED:
            with self._lock:
                answer = self._seen.get(request.body)
            if answer is None:
                answer = self.forward(request)
                with self._lock:
                    self._seen[request.body] = answer
        else:
            answer = self.forward(request)
        time.sleep(max(0.0, self.delay - (time.monotonic() - started)))
        return answer
