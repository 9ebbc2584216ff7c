"""Rate limits: per client address on the /auth endpoints, per username on failed logins."""

from __future__ import annotations

import pytest

from app import create_app
from config import ConfigError

BODIES = {
    "/auth/register": {"username": "a", "email": "a@example.com", "password": "weak"},
    "/auth/confirm": {"username": "a", "code": "1"},
    "/auth/login": {"username": "a", "password": "x"},
    "/auth/validate": {"token": "x"},
}
SETTING = {
    "/auth/register": "rate_limit_register",
    "/auth/confirm": "rate_limit_confirm",
    "/auth/login": "rate_limit_login",
    "/auth/validate": "rate_limit_validate",
}


def from_address(address: str) -> dict:
    return {"REMOTE_ADDR": address}


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert response.json["error"] == "too_many_requests"
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize("path", list(BODIES))
def test_each_auth_endpoint_is_limited_per_client_address(pool, path):
    client = create_app({**pool, SETTING[path]: "3/minute"}).test_client()
    for _ in range(3):
        assert client.post(path, json=BODIES[path], environ_base=from_address("10.0.0.1")).status_code != 429
    assert_throttled(client.post(path, json=BODIES[path], environ_base=from_address("10.0.0.1")))
    # Another client is not affected.
    assert client.post(path, json=BODIES[path], environ_base=from_address("10.0.0.2")).status_code != 429


def test_logins_from_one_address_are_refused_from_exactly_the_call_over_the_default_limit(pool):
    """RATE_LIMIT_LOGIN's default, 30/minute: the 31st login from one address is the first 429."""
    client = create_app(pool).test_client()
    assert client.application.extensions["cognito_auth"].settings.rate_limit_login == "30/minute"

    def login(index: int, address: str = "10.0.3.1"):
        # A different unknown user each time, so the per-username limit (5/minute) never counts.
        body = {"username": f"nobody{index}", "password": "Wr0ngPassword"}
        return client.post("/auth/login", json=body, environ_base=from_address(address))

    assert [login(index).status_code for index in range(30)] == [401] * 30
    assert_throttled(login(30))
    assert login(31, "10.0.3.2").status_code == 401  # another address still has its own 30


def test_failed_logins_are_limited_per_username_whatever_the_address(pool, users):
    client = create_app({**pool, "rate_limit_login_username": "3/minute"}).test_client()
    users.client = client
    users.register("alice")
    users.confirm("alice")
    users.register("bob")
    users.confirm("bob")
    for index in range(3):
        wrong = {"username": "alice", "password": "Wr0ngPassword"}
        response = client.post("/auth/login", json=wrong, environ_base=from_address(f"10.0.1.{index}"))
        assert response.status_code == 401
    # Even the right password from a fresh address waits now (also "ALICE": usernames fold case).
    right = {"username": "ALICE", "password": "Passw0rd!"}
    assert_throttled(client.post("/auth/login", json=right, environ_base=from_address("10.0.2.1")))
    # Another user is not affected.
    assert client.post("/auth/login", json={"username": "bob", "password": "Passw0rd!"}).status_code == 200


def test_successful_logins_do_not_use_up_the_username_limit(pool, users):
    client = create_app({**pool, "rate_limit_login_username": "2/minute"}).test_client()
    users.client = client
    users.register("alice")
    users.confirm("alice")
    for _ in range(5):
        assert users.login("alice").status_code == 200


def test_protected_route_is_not_rate_limited(pool, minter):
    client = create_app({**pool, "rate_limit_validate": "1/minute"}).test_client()
    headers = {"Authorization": f"Bearer {minter.token()}"}
    assert all(client.get("/hello", headers=headers).status_code == 200 for _ in range(20))


def test_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(pool):
    def attempts(client, forwarded_for):
        headers = {"X-Forwarded-For": forwarded_for}
        return client.post("/auth/confirm", json=BODIES["/auth/confirm"], headers=headers).status_code

    direct = create_app({**pool, "rate_limit_confirm": "1/minute"}).test_client()
    assert attempts(direct, "1.1.1.1") != 429
    assert attempts(direct, "2.2.2.2") == 429  # a spoofed header does not make a new client

    proxied = create_app({**pool, "rate_limit_confirm": "1/minute", "trusted_proxies": 1}).test_client()
    assert attempts(proxied, "1.1.1.1") != 429
    assert attempts(proxied, "2.2.2.2") != 429
    assert attempts(proxied, "1.1.1.1") == 429


@pytest.mark.parametrize("value", ["lots", "10 per fortnight", "-1/minute"])
def test_a_malformed_limit_fails_at_start_up(pool, value):
    with pytest.raises(ConfigError, match="RATE_LIMIT_LOGIN"):
        create_app({**pool, "rate_limit_login": value})
