"""The embedded Cognito remembers: users, pool and client ids survive a restart of `python server.py`."""

from __future__ import annotations

import sys

import pytest
import requests

from tests.support.helpers import PASSWORD, bearer

pytestmark = [pytest.mark.subprocess]

USER = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}


def post(server, path: str, body: dict, **kwargs) -> requests.Response:
    return requests.post(f"{server.url}{path}", json=body, timeout=5, **kwargs)


def test_users_ids_and_tokens_survive_a_restart_and_fresh_starts_empty(tmp_path, serve):
    env = {"LOCAL_COGNITO_STATE": str(tmp_path / "state.json")}
    first = serve(env)
    try:
        config = requests.get(f"{first.url}/auth/config", timeout=5).json()
        assert post(first, "/auth/register", USER).status_code == 201
        assert post(first, "/auth/confirm", {"username": "alice", "code": first.code("alice")}).status_code == 200
        requests.post(f"{first.url}/auth/register", json={**USER, "username": "bob"}, timeout=5)  # unconfirmed
        token = post(first, "/auth/login", USER).json()["access_token"]
    finally:
        printed = first.stop()  # SIGTERM, as Ctrl-C or a plain kill
    assert str(tmp_path / "state.json") in printed and "--fresh" in printed  # where, and how to start over

    second = serve(env, port=first.port)
    try:
        assert requests.get(f"{second.url}/auth/config", timeout=5).json() == config  # same pool and client ids
        assert requests.get(f"{second.url}/hello", headers=bearer(token), timeout=5).status_code == 200
        assert requests.get(f"{second.url}/auth/me", headers=bearer(token), timeout=5).status_code == 200
        assert post(second, "/auth/login", USER).status_code == 200
        unconfirmed = post(second, "/auth/login", {**USER, "username": "bob"})
        assert unconfirmed.json()["error"] == "user_not_confirmed"  # confirmation state kept too
    finally:
        second.stop()

    fresh = serve(env, command=[sys.executable, "server.py", "--fresh"])
    try:
        assert requests.get(f"{fresh.url}/auth/config", timeout=5).json()["user_pool_id"] != config["user_pool_id"]
        assert post(fresh, "/auth/login", USER).status_code == 401  # nobody there
    finally:
        fresh.stop()
