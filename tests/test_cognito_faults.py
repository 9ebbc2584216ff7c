"""Cognito failing in every way it can: each endpoint answers 503 or 429 in bounded time, then recovers."""

from __future__ import annotations

import time

import pytest

from app import create_app

# Far above any fault's cost (two attempts of the 0.5 s timeout plus back-off): it only guards against hangs.
HANG_GUARD_SECONDS = 5


@pytest.mark.parametrize(
    ("fault", "status", "error"),
    [
        ("refused", 503, "service_unavailable"),
        ("timeout", 503, "service_unavailable"),
        ("server error", 503, "service_unavailable"),
        ("throttled", 429, "too_many_requests"),
    ],
)
@pytest.mark.slow  # sleeps or waits out timeouts: seconds
def test_each_endpoint_degrades_cleanly_then_recovers(pool, proxy, fault, status, error, users_of):
    client = create_app({**pool, "endpoint_url": proxy.url, "cognito_timeout": 0.5}).test_client()
    users = users_of(client)
    if fault == "refused":
        proxy.refuse_connections()
    else:
        proxy.fault = fault

    for call in (users.register, users.confirm, users.login):
        started = time.monotonic()
        response = call("alice")
        assert time.monotonic() - started < HANG_GUARD_SECONDS
        assert response.status_code == status, response.json
        assert response.json["error"] == error
        assert int(response.headers["Retry-After"]) > 0

    proxy.heal()
    assert users.register("alice").status_code == 201
    assert users.confirm("alice").status_code == 200
    assert users.login("alice").status_code == 200
