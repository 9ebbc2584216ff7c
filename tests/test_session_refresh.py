"""A session refreshed before its access token expires, once however many requests arrive at that moment, on two
instances sharing one Redis, with refresh-token rotation on (the suite's scripted Cognito answers as it does)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.helpers import json_reply
from tests.support.servers import pool_env

pytestmark = [pytest.mark.redis, pytest.mark.subprocess, pytest.mark.slow]


def test_fifty_requests_at_expiry_refresh_once_across_two_instances(
    pool, rotating_cognito, redis_server, tmp_path, serve_gunicorn
):
    env = pool_env(pool, COGNITO_ENDPOINT_URL=rotating_cognito.url, REDIS_URL=redis_server.url)
    instances = [
        serve_gunicorn(
            {**env, "SHARED_STATE_DIR": str(tmp_path / f"host-{n}")}, "-c", "deploy/gunicorn.conf.py", workers=1
        )
        for n in range(2)
    ]
    try:
        signed_in = requests.post(
            f"{instances[0].url}/auth/session", json={"username": "minted", "password": "Passw0rd!"}, timeout=10
        )
        assert signed_in.status_code == 200, signed_in.text
        cookie = {"auth_session": signed_in.cookies["auth_session"]}

        def hello(index: int) -> int:
            base = instances[index % 2].url
            return requests.get(f"{base}/hello", cookies=cookie, timeout=15).status_code

        with ThreadPoolExecutor(50) as workers:
            statuses = list(workers.map(hello, range(50)))
        assert statuses == [200] * 50
        assert rotating_cognito.refreshes == 1 and rotating_cognito.refreshed_with == ["refresh-0"]
        # The session lives on, on both instances, with the rotated refresh token and no further refresh.
        for server in instances:
            assert requests.get(f"{server.url}/auth/session", cookies=cookie, timeout=5).status_code == 200
        assert rotating_cognito.refreshes == 1
    finally:
        for server in instances:
            server.stop()


def test_a_refused_refresh_ends_the_session_with_401_and_redis_down_is_503(
    pool, rotating_cognito, redis_server, serve_gunicorn
):
    env = pool_env(pool, COGNITO_ENDPOINT_URL=rotating_cognito.url, REDIS_URL=redis_server.url)
    server = serve_gunicorn(env, "-c", "deploy/gunicorn.conf.py", workers=1)
    try:
        base = server.url
        signed_in = requests.post(f"{base}/auth/session", json={"username": "minted", "password": "x"}, timeout=10)
        cookie = {"auth_session": signed_in.cookies["auth_session"]}
        rotating_cognito.answers["GetTokensFromRefreshToken"] = json_reply(
            400, {"__type": "NotAuthorizedException", "message": "Refresh Token has been revoked"}
        )
        assert requests.get(f"{base}/hello", cookies=cookie, timeout=10).status_code == 401
        assert requests.get(f"{base}/auth/session", cookies=cookie, timeout=10).status_code == 401  # gone

        again = requests.post(f"{base}/auth/session", json={"username": "minted", "password": "x"}, timeout=10)
        cookie = {"auth_session": again.cookies["auth_session"]}
        redis_server.stop()
        down = requests.get(f"{base}/hello", cookies=cookie, timeout=10)
        assert down.status_code == 503 and down.json()["error"] == "service_unavailable"
        assert int(down.headers["Retry-After"]) > 0
    finally:
        server.stop()
