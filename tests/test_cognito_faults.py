"""Cognito failing in every way it can: each endpoint answers 503 or 429 in bounded time, then recovers."""

from __future__ import annotations

import time

import pytest
import requests

from app import create_app
from tests.conftest import Users
from tests.helpers import Request, ScriptedServer, cognito_error

# Far above any fault's cost (two attempts of the 0.5 s timeout plus back-off): it only guards against hangs.
HANG_GUARD_SECONDS = 5


class FlakyCognito:
    """A proxy in front of the emulator that can refuse connections, stall, fail or throttle, then heal."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.fault: str | None = None
        self.server = ScriptedServer(self._reply)
        self.url = self.server.url
        self.port = int(self.url.rsplit(":", 1)[1])

    def _reply(self, request: Request):
        if self.fault == "timeout":
            time.sleep(2)  # the server has given up by now; the stalled call never reaches the emulator
            return cognito_error("InternalErrorException", status=500)
        if self.fault == "server error":
            return cognito_error("InternalErrorException", status=500)
        if self.fault == "throttled":
            return cognito_error("TooManyRequestsException")
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


@pytest.fixture
def flaky(emulator):
    proxy = FlakyCognito(emulator.endpoint_url)
    yield proxy
    proxy.stop()


@pytest.mark.parametrize(
    ("fault", "status", "error"),
    [
        ("refused", 503, "service_unavailable"),
        ("timeout", 503, "service_unavailable"),
        ("server error", 503, "service_unavailable"),
        ("throttled", 429, "too_many_requests"),
    ],
)
def test_each_endpoint_degrades_cleanly_then_recovers(pool, flaky, fault, status, error):
    client = create_app({**pool, "endpoint_url": flaky.url, "cognito_timeout": 0.5}).test_client()
    users = Users(client)
    if fault == "refused":
        flaky.refuse_connections()
    else:
        flaky.fault = fault

    for call in (users.register, users.confirm, users.login):
        started = time.monotonic()
        response = call("alice")
        assert time.monotonic() - started < HANG_GUARD_SECONDS
        assert response.status_code == status, response.json
        assert response.json["error"] == error
        assert int(response.headers["Retry-After"]) > 0

    flaky.heal()
    assert users.register("alice").status_code == 201
    assert users.confirm("alice").status_code == 200
    assert users.login("alice").status_code == 200
