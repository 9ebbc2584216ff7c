"""The production configuration as the README starts it (gunicorn -c deploy/gunicorn.conf.py), with Cognito hung:
a burst of sign-ins gets fast 503s beyond the bulkhead's slots, and token checks keep answering at once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.helpers import bearer, cognito_error
from tests.support.nginx import hello_beside_slow_clients, readmes_nginx

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]

SLOTS = 4  # per worker; 2 workers
# Headers, then one byte of a 100-byte body: a slow client that has not finished its request.


def test_a_hung_cognito_gets_fast_503s_while_hello_keeps_answering(pool, proxy, jwks_host, minter, serve_gunicorn):

    def hang(request):
        time.sleep(8)  # beyond the budget: the server gives up first
        return cognito_error("InternalErrorException", status=500)

    proxy.answers["InitiateAuth"] = hang
    env = {
        "COGNITO_USER_POOL_ID": pool["user_pool_id"],
        "COGNITO_CLIENT_ID": pool["client_id"],
        "COGNITO_ENDPOINT_URL": proxy.url,
        "COGNITO_JWKS_URL": jwks_host.url,
        "COGNITO_TIMEOUT_SECONDS": "2",
        "COGNITO_BUDGET_SECONDS": "4",
        "COGNITO_MAX_CONCURRENT_CALLS": str(SLOTS),
        "RATE_LIMIT_LOGIN": "1000/minute",
        "RATE_LIMIT_LOGIN_USERNAME": "1000/minute",
        "AWS_ACCESS_KEY_ID": "emulator",
        "AWS_SECRET_ACCESS_KEY": "emulator",
    }
    server = serve_gunicorn(env, "-c", "deploy/gunicorn.conf.py")
    token = minter.token()
    try:

        def login(index: int) -> tuple[int, float]:
            started = time.monotonic()
            body = {"username": f"user{index}", "password": "Passw0rd!"}
            response = requests.post(f"{server.url}/auth/login", json=body, timeout=15)
            if response.status_code == 503:  # the bulkhead's own hint, not the rate limiter's window
                assert response.headers["Retry-After"] in ("1", "5"), response.headers
            return response.status_code, time.monotonic() - started

        def hello(_: int) -> tuple[int, float]:
            started = time.monotonic()
            status = requests.get(f"{server.url}/hello", headers=bearer(token), timeout=15).status_code
            return status, time.monotonic() - started

        with ThreadPoolExecutor(max_workers=60) as pool_:
            logins = [pool_.submit(login, index) for index in range(40)]
            time.sleep(0.5)  # the burst is under way: every slot is held by a hung call
            hellos = [pool_.submit(hello, index) for index in range(20)]
            hello_results = [future.result() for future in hellos]
            login_results = [future.result() for future in logins]
    finally:
        output = server.stop()
    assert [status for status, _ in hello_results] == [200] * 20, output[-2000:]
    assert max(elapsed for _, elapsed in hello_results) < 1.0  # never behind the hung calls
    assert {status for status, _ in login_results} == {503}
    refused_at_once = [elapsed for status, elapsed in login_results if elapsed < 1.0]
    assert len(refused_at_once) >= 40 - 2 * SLOTS  # all but the calls holding slots: at once
    assert max(elapsed for _, elapsed in login_results) < 7  # the budget (4 s) bounds the others
    assert "Traceback" not in output


@pytest.mark.nginx
def test_slow_clients_behind_the_readmes_nginx_do_not_starve_hello(
    emulator, pool, jwks_host, minter, tmp_path, serve_gunicorn
):
    """200 clients trickling their requests in: nginx (deploy/nginx.conf) holds them, gunicorn never sees them."""
    env = {
        "COGNITO_USER_POOL_ID": pool["user_pool_id"],
        "COGNITO_CLIENT_ID": pool["client_id"],
        "COGNITO_ENDPOINT_URL": pool["endpoint_url"],
        "COGNITO_JWKS_URL": jwks_host.url,
        "TRUSTED_PROXIES": "1",
        "AWS_ACCESS_KEY_ID": "emulator",
        "AWS_SECRET_ACCESS_KEY": "emulator",
    }
    app_server = serve_gunicorn(env, "-c", "deploy/gunicorn.conf.py")
    proxy = readmes_nginx(app_server.port, tmp_path)
    try:
        statuses = hello_beside_slow_clients(proxy.port, bearer(minter.token()))
    finally:
        proxy.stop()
        output = app_server.stop()
    assert statuses == [200] * 50, output[-2000:]
