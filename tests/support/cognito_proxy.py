"""A proxy in front of the emulator that answers chosen operations itself, as real Cognito would.

For what no emulator shows (the newer issuer, rotation, revocation disabled, AccessDenied, ...), and for
faults (refused connections, stalls, 5xx, throttling); every other call is forwarded to the emulator.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import requests

from tests.support.helpers import Reply, Request, ScriptedServer, cognito_error

TARGET_PREFIX = "AWSCognitoIdentityProviderService."


class CognitoProxy:
    """Forwards to `upstream`, except operations in `answers` (name -> reply, or request -> reply) and faults."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.answers: dict[str, Reply | Callable[[Request], Reply]] = {}
        self.fault: str | None = None
        self.operations: list[str] = []  # every operation asked for, in order
        self.received: list[tuple[str, dict[str, Any]]] = []  # and its parameters, as Cognito would receive them
        self.server = ScriptedServer(self._reply)
        self.url = self.server.url
        self.port = int(self.url.rsplit(":", 1)[1])

    def _reply(self, request: Request) -> Reply:
        operation = request.headers.get("X-Amz-Target", "").removeprefix(TARGET_PREFIX)
        self.operations.append(operation)
        try:
            self.received.append((operation, json.loads(request.body or b"{}")))
        except ValueError:  # not JSON: Cognito would refuse it; the emulator answers it below
            self.received.append((operation, {}))
        if self.fault == "timeout":
            time.sleep(2)  # the server has given up by now; the stalled call never reaches the emulator
            return cognito_error("InternalErrorException", status=500)
        if self.fault == "server error":
            return cognito_error("InternalErrorException", status=500)
        if self.fault == "throttled":
            return cognito_error("TooManyRequestsException")
        if operation in self.answers:
            answer = self.answers[operation]
            return answer(request) if callable(answer) else answer
        return self.forward(request)

    def sent(self, operation: str) -> list[dict[str, Any]]:
        """The parameters of each call of `operation`, in order."""
        return [params for name, params in self.received if name == operation]

    def forward(self, request: Request) -> Reply:
        """The emulator's own answer to the request."""
        forwarded = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        answer = requests.post(self.upstream + request.path, data=request.body, headers=forwarded, timeout=5)
        return answer.status_code, {"Content-Type": answer.headers["Content-Type"]}, answer.content

    def refuse_connections(self) -> None:
        self.server.stop()

    def heal(self) -> None:
        if self.fault is None:  # was refusing: listen again on the same port
            self.server = ScriptedServer(self._reply, port=self.port)
        self.fault = None

    def stop(self) -> None:
        self.server.stop()
