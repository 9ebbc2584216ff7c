"""REDIS_URL: two instances of the app share rate limits and the revocation list through a real Redis, keep
serving while it is down, and recover when it is back; without it, revocations hold on the host."""

from __future__ import annotations

import time

import pytest
import requests

from cognito_emulator.emulator import last_code
from tests.support.helpers import PASSWORD, bearer
from tests.support.servers import pool_env


@pytest.fixture
def shared_env(emulator, pool, redis_server) -> dict[str, str]:
    """The settings of an instance of the app on the test pool, sharing the test Redis."""
    return pool_env(pool, REDIS_URL=redis_server.url, RATE_LIMIT_VALIDATE="5/minute")


@pytest.fixture
def instances(shared_env, tmp_path, serve_gunicorn):
    """Two gunicorn instances (one worker each) of the app on the same pool and the same Redis, each with a
    host store of its own, as on two hosts: only Redis joins them."""
    servers = [
        serve_gunicorn(
            {**shared_env, "SHARED_STATE_DIR": str(tmp_path / f"host-{index}")},
            "-c",
            "deploy/gunicorn.conf.py",
            workers=1,
        )
        for index in range(2)
    ]
    yield servers
    for server in servers:
        server.stop()


def sign_in(base: str, username: str) -> dict:
    body = {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
    requests.post(f"{base}/auth/register", json=body, timeout=5).raise_for_status()
    requests.post(
        f"{base}/auth/confirm", json={"username": username, "code": last_code(username)}, timeout=5
    ).raise_for_status()
    return requests.post(f"{base}/auth/login", json=body, timeout=5).json()


def refused_within(url: str, token: str, seconds: float) -> float | None:
    """How long until `url` refuses `token` (None if it still accepts it after `seconds`)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if requests.get(url, headers=bearer(token), timeout=5).status_code == 401:
            return time.monotonic() - started
        time.sleep(0.02)
    return None


@pytest.mark.redis
@pytest.mark.subprocess
@pytest.mark.slow
def test_rate_limits_hold_across_instances(instances):
    a, b = instances
    statuses = [requests.post(f"{server.url}/auth/validate", json={"token": "x"}, timeout=5).status_code
                for server in (a, b, a, b, a, b)]  # fmt: skip
    assert statuses[:5] == [401] * 5 and statuses[5] == 429  # the sixth, whichever instance gets it


@pytest.mark.redis
@pytest.mark.subprocess
@pytest.mark.slow
def test_a_logout_on_one_instance_is_refused_on_the_other_within_a_second(instances):
    a, b = instances
    tokens = sign_in(a.url, "alice")
    assert requests.get(f"{b.url}/hello", headers=bearer(tokens["access_token"]), timeout=5).status_code == 200
    body = {"refresh_token": tokens["refresh_token"]}  # RevokeToken too: the token's family is refused
    assert requests.post(f"{a.url}/auth/logout", json=body, headers=bearer(tokens["access_token"]), timeout=5).ok
    for token in (tokens["access_token"], tokens["id_token"]):
        waited = refused_within(f"{b.url}/hello", token, 1.0)
        assert waited is not None and waited < 1.0
    validate = requests.post(f"{b.url}/auth/validate", json={"token": tokens["id_token"]}, timeout=5)
    assert validate.status_code == 401 and validate.json()["valid"] is False


@pytest.mark.redis
@pytest.mark.subprocess
@pytest.mark.slow
def test_an_instance_started_later_refuses_tokens_revoked_before_it_started(
    instances, shared_env, tmp_path, serve_gunicorn
):
    a, _ = instances
    tokens = sign_in(a.url, "erin")
    requests.post(f"{a.url}/auth/logout", headers=bearer(tokens["access_token"]), timeout=5)
    late = serve_gunicorn(
        {**shared_env, "SHARED_STATE_DIR": str(tmp_path / "host-late")}, "-c", "deploy/gunicorn.conf.py", workers=1
    )
    try:  # its very first request
        assert requests.get(f"{late.url}/hello", headers=bearer(tokens["access_token"]), timeout=5).status_code == 401
    finally:
        late.stop()


@pytest.mark.redis
@pytest.mark.subprocess
@pytest.mark.slow
def test_redis_down_then_back(instances, redis_server):
    a, b = instances
    revoked, kept = sign_in(a.url, "bob"), sign_in(a.url, "carol")
    requests.post(f"{a.url}/auth/logout", headers=bearer(revoked["access_token"]), timeout=5)
    assert refused_within(f"{b.url}/hello", revoked["access_token"], 1.0) is not None

    redis_server.stop()
    for server in (a, b):
        assert requests.get(f"{server.url}/hello", headers=bearer(kept["access_token"]), timeout=5).status_code == 200
        assert (
            requests.get(f"{server.url}/hello", headers=bearer(revoked["access_token"]), timeout=5).status_code == 401
        )
        ready = requests.get(f"{server.url}/ready", timeout=5)
        assert ready.status_code == 503 and ready.json()["checks"]["shared_store"] == "unavailable"
    limited = [requests.post(f"{a.url}/auth/validate", json={"token": "x"}, timeout=5).status_code for _ in range(6)]
    assert limited[-1] == 429  # the limit falls back to the host's store, it does not vanish

    redis_server.start()
    time.sleep(1.5)  # the instances reconnect on their own
    for server in (a, b):
        assert requests.get(f"{server.url}/ready", timeout=5).status_code == 200
    requests.post(f"{b.url}/auth/logout", headers=bearer(kept["access_token"]), timeout=5)
    assert refused_within(f"{a.url}/hello", kept["access_token"], 1.0) is not None


def test_without_redis_a_logout_holds_on_the_host(client, users):
    tokens = users.tokens("dave")
    assert client.get("/hello", headers=bearer(tokens["access_token"])).status_code == 200
    assert client.post("/auth/logout", headers=bearer(tokens["access_token"])).status_code == 204
    hello = client.get("/hello", headers=bearer(tokens["access_token"]))
    assert hello.status_code == 401 and hello.json["error"] == "invalid_token"
    assert client.get("/hello", headers=bearer(tokens["id_token"])).status_code == 401
