"""Sign-out and guess limits that hold: on every worker of a host without Redis, under concurrency, whatever
name a user is guessed by, and for every call that checks a password or a code of a known user."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from app import create_app
from cognito_emulator.emulator import last_code
from tests.support.helpers import PASSWORD, bearer
from tests.support.servers import pool_env

WRONG = "Wr0ngPassword!"


def _sign_up(base: str, username: str, code_of: Callable[[str], str | None] = last_code) -> None:
    body = {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
    requests.post(f"{base}/auth/register", json=body, timeout=5).raise_for_status()
    confirm = {"username": username, "code": code_of(username)}
    requests.post(f"{base}/auth/confirm", json=confirm, timeout=5).raise_for_status()


def _login(base: str, username: str, password: str = PASSWORD) -> requests.Response:
    return requests.post(f"{base}/auth/login", json={"username": username, "password": password}, timeout=10)


@pytest.fixture
def two_workers(pool, proxy, serve_gunicorn):
    """The production configuration (deploy/gunicorn.conf.py) with two workers and no Redis."""
    server = serve_gunicorn(
        pool_env(pool, COGNITO_ENDPOINT_URL=proxy.url, RATE_LIMIT_LOGIN="1000/minute"),
        "-c",
        "deploy/gunicorn.conf.py",
        workers=2,
    )
    yield server
    server.stop()


@pytest.mark.subprocess
@pytest.mark.slow
def test_every_worker_refuses_a_signed_out_token_without_redis(two_workers):
    base = two_workers.url
    _sign_up(base, "alice")
    old = _login(base, "alice").json()
    # Fresh connections (no session): the requests spread over both workers, and both cache the token.
    assert [requests.get(f"{base}/hello", headers=bearer(old["access_token"]), timeout=5).status_code
            for _ in range(40)] == [200] * 40  # fmt: skip
    assert requests.post(f"{base}/auth/logout", headers=bearer(old["access_token"]), timeout=5).status_code == 204
    new = _login(base, "alice").json()  # at once: within the second of the sign-out
    for token, status in ((old["access_token"], 401), (old["id_token"], 401), (new["access_token"], 200)):
        statuses = [requests.get(f"{base}/hello", headers=bearer(token), timeout=5).status_code for _ in range(100)]
        assert statuses == [status] * 100
    validate = requests.post(f"{base}/auth/validate", json={"token": old["id_token"]}, timeout=5)
    assert validate.status_code == 401 and validate.json()["valid"] is False


@pytest.mark.subprocess
@pytest.mark.slow
def test_concurrent_and_sequential_wrong_passwords_reach_cognito_at_most_five_times(two_workers, proxy):
    base = two_workers.url
    _sign_up(base, "bob")
    proxy.operations.clear()
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: _login(base, "bob", WRONG).status_code, range(16)))
    assert proxy.operations.count("InitiateAuth") <= 5, proxy.operations
    assert statuses.count(401) <= 5 and statuses.count(429) >= 11, statuses

    _sign_up(base, "carol")
    proxy.operations.clear()
    statuses = [_login(base, "carol", WRONG).status_code for _ in range(25)]  # over both workers
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429] * 20
    assert proxy.operations.count("InitiateAuth") == 5
    # The right password waits too; another user does not.
    assert _login(base, "carol").status_code == 429
    assert _login(base, "bob").status_code == 429
    _sign_up(base, "dave")
    assert _login(base, "dave").status_code == 200


def test_a_user_guessed_by_username_email_or_sub_has_one_bucket(emulator, pool):
    client = create_app({**pool, "rate_limit_login_username": "5/minute"}).test_client()
    body = {"username": "erin", "email": "erin@example.com", "password": PASSWORD}
    sub = client.post("/auth/register", json=body).json["user_sub"]
    client.post("/auth/confirm", json={"username": "erin", "code": last_code("erin")})  # verifies the email too
    assert client.post("/auth/login", json={"username": "erin", "password": PASSWORD}).status_code == 200
    for name in ("erin", "ERIN@example.com", sub, "Erin", sub):
        assert client.post("/auth/login", json={"username": name, "password": WRONG}).status_code == 401
    refused = client.post("/auth/login", json={"username": "erin@example.com", "password": PASSWORD})
    assert refused.status_code == 429 and refused.json["error"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) > 0
    assert client.post("/auth/login", json={"username": "erin", "password": PASSWORD}).status_code == 429


def test_an_unverified_email_is_not_taken_as_a_name_of_the_user(emulator, pool, users):
    client = create_app({**pool, "rate_limit_login_username": "2/minute"}).test_client()
    users.client = client
    assert users.register("frank").status_code == 201  # frank@example.com,
    assert users.confirm("frank").status_code == 200  # verified by the confirmation code; then not any more
    unverified = [{"Name": "email_verified", "Value": "false"}]
    emulator.client.admin_update_user_attributes(
        UserPoolId=pool["user_pool_id"], Username="frank", UserAttributes=unverified
    )
    for _ in range(2):
        assert client.post("/auth/login", json={"username": "frank@example.com", "password": WRONG}).status_code == 401
    assert users.login("frank").status_code == 200  # the email's bucket is not frank's


def test_change_password_guesses_are_limited_per_user(pool, users):
    client = create_app({**pool, "rate_limit_login_username": "3/minute"}).test_client()
    users.client = client
    token = users.tokens("gina")["access_token"]
    other = users.tokens("hank")["access_token"]
    wrong = {"old_password": WRONG, "new_password": "N3wPassword!"}
    for _ in range(3):
        answer = client.post("/auth/change-password", json=wrong, headers=bearer(token))
        assert answer.status_code == 403 and answer.json["error"] == "not_authorized"
    right = {"old_password": PASSWORD, "new_password": "N3wPassword!"}
    refused = client.post("/auth/change-password", json=right, headers=bearer(token))
    assert refused.status_code == 429
    assert users.login("gina").status_code == 429  # one bucket: the sign-in waits too
    assert client.post("/auth/change-password", json=right, headers=bearer(other)).status_code == 200


def test_right_answers_give_their_guess_back(pool, users):
    client = create_app({**pool, "rate_limit_login_username": "2/minute"}).test_client()
    users.client = client
    users.tokens("ivan")
    for _ in range(6):
        assert users.login("ivan").status_code == 200
    assert client.post("/auth/login", json={"username": "ivan", "password": WRONG}).status_code == 401
    assert users.login("ivan").status_code == 200


def test_a_sign_in_right_after_a_sign_out_works_and_earlier_tokens_stay_refused(client, users):
    users.tokens("judy")
    earlier = users.login("judy").json  # also before the sign-out, from "another device"
    current = users.login("judy").json
    assert client.post("/auth/logout", headers=bearer(current["access_token"])).status_code == 204
    signed_out_at = time.time()
    fresh = users.login("judy").json
    assert fresh["access_token"] not in (earlier["access_token"], current["access_token"])
    assert _iat(fresh["access_token"]) <= int(signed_out_at) + 1  # within the second the sign-out refuses
    for token in (fresh["access_token"], fresh["id_token"]):
        assert client.get("/hello", headers=bearer(token)).status_code == 200
    for tokens in (earlier, current):
        for token in (tokens["access_token"], tokens["id_token"]):
            assert client.get("/hello", headers=bearer(token)).status_code == 401


def test_retry_after_only_on_429_and_503(pool, users):
    client = create_app({**pool, "rate_limit_login": "2/minute"}).test_client()
    users.client = client
    users.tokens("kate")  # one login
    ok = users.login("kate")
    assert ok.status_code == 200 and "Retry-After" not in ok.headers
    refused = users.login("kate")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    for answer in (client.get("/health"), client.post("/auth/validate", json={"token": "x"})):
        assert "Retry-After" not in answer.headers


def _iat(token: str) -> int:
    import base64
    import json

    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["iat"]


@pytest.mark.subprocess
@pytest.mark.slow
def test_make_run_keeps_its_sign_outs_across_a_restart(tmp_path, serve):
    env = {"LOCAL_COGNITO_STATE": str(tmp_path / "state.json")}
    server = serve(env)
    try:
        _sign_up(server.url, "liam", server.code)
        tokens = _login(server.url, "liam").json()
        access = bearer(tokens["access_token"])
        assert requests.post(f"{server.url}/auth/logout", headers=access, timeout=5).status_code == 204
    finally:
        server.stop()
    server = serve(env)  # the same emulator state, the same pool: the old token would verify
    try:
        assert requests.get(f"{server.url}/hello", headers=access, timeout=5).status_code == 401
        fresh = _login(server.url, "liam").json()
        assert requests.get(f"{server.url}/hello", headers=bearer(fresh["access_token"]), timeout=5).ok
    finally:
        server.stop()
