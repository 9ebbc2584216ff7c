"""`python server.py` as its own process, as `make run` starts it, walking the README's quickstart over HTTP."""

from __future__ import annotations

import socket

import pytest
import requests

pytestmark = [pytest.mark.subprocess]


@pytest.fixture
def local_server(serve):
    return serve()


def test_quickstart_walkthrough(local_server):
    base = local_server.url
    user = {"username": "alice", "email": "alice@example.com", "password": "Passw0rd!"}

    assert requests.post(f"{base}/auth/register", json=user, timeout=5).status_code == 201
    confirm = {"username": "alice", "code": local_server.code("alice")}  # as printed on the console
    assert requests.post(f"{base}/auth/confirm", json=confirm, timeout=5).status_code == 200
    login = requests.post(f"{base}/auth/login", json={"username": "alice", "password": "Passw0rd!"}, timeout=5)
    assert login.status_code == 200
    token = login.json()["access_token"]

    validate = requests.post(f"{base}/auth/validate", json={"token": token}, timeout=5)
    assert validate.json()["valid"] is True
    hello = requests.get(f"{base}/hello", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert hello.json()["message"] == "Hello, alice!"
    assert requests.get(f"{base}/hello", timeout=5).status_code == 401

    output = local_server.stop()
    assert "local Cognito emulator" in output and "FOR LOCAL USE ONLY" in output
    assert "Traceback" not in output
    for secret in ("Passw0rd!", token):
        assert secret not in output


def test_local_server_listens_on_127_0_0_1_only(local_server):
    """Bound to 0.0.0.0 the server would also answer on 127.0.0.2; bound to 127.0.0.1 it cannot."""
    port = local_server.port
    with socket.socket() as sock:
        sock.settimeout(1)
        assert sock.connect_ex(("127.0.0.1", port)) == 0
    with socket.socket() as sock:
        sock.settimeout(1)
        assert sock.connect_ex(("127.0.0.2", port)) != 0
