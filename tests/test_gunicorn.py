"""`gunicorn --preload server:app`: the app is built before the fork, and each worker still works on its own."""

from __future__ import annotations

import pytest
import requests

from tests.support.helpers import bearer
from tests.support.servers import gunicorn, pool_env

pytestmark = [pytest.mark.subprocess]


def test_preloaded_workers_each_verify_and_fetch_keys_once(pool, jwks_host, minter):
    env = pool_env(pool, COGNITO_JWKS_URL=jwks_host.url)
    server = gunicorn(env, "--preload")
    try:
        token = minter.token()
        hello = f"{server.url}/hello"
        statuses = [requests.get(hello, headers=bearer(token), timeout=5).status_code for _ in range(60)]
        registered = requests.post(
            f"{server.url}/auth/register",
            json={"username": "forked", "email": "forked@example.com", "password": "Passw0rd!"},
            timeout=5,
        )
    finally:
        output = server.stop()
    assert statuses == [200] * 60, output[-2000:]
    assert registered.status_code == 201  # the boto3 client works in a forked worker
    assert 1 <= jwks_host.fetches <= 2  # once per worker that served a request, never per request
    assert "Traceback" not in output
