"""`python server.py` as its own process, as `make run` starts it, walking the README's quickstart over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def local_server():
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COGNITO_", "AWS_"))}
    env["PORT"] = str(port)
    process = subprocess.Popen(
        [sys.executable, "server.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stdout.read()
            try:
                requests.get(f"{base}/health", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_quickstart_walkthrough(local_server):
    base, process = local_server
    user = {"username": "alice", "email": "alice@example.com", "password": "Passw0rd!"}

    assert requests.post(f"{base}/auth/register", json=user, timeout=5).status_code == 201
    confirm = {"username": "alice", "code": "123456"}
    assert requests.post(f"{base}/auth/confirm", json=confirm, timeout=5).status_code == 200
    login = requests.post(f"{base}/auth/login", json={"username": "alice", "password": "Passw0rd!"}, timeout=5)
    assert login.status_code == 200
    token = login.json()["access_token"]

    validate = requests.post(f"{base}/auth/validate", json={"token": token}, timeout=5)
    assert validate.json()["valid"] is True
    hello = requests.get(f"{base}/hello", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert hello.json()["message"] == "Hello, alice!"
    assert requests.get(f"{base}/hello", timeout=5).status_code == 401

    process.terminate()
    output = process.communicate(timeout=10)[0]
    assert "local Cognito emulator" in output and "FOR LOCAL USE ONLY" in output
    assert "Traceback" not in output
    for secret in ("Passw0rd!", token):
        assert secret not in output


def test_local_server_listens_on_127_0_0_1_only(local_server):
    """Bound to 0.0.0.0 the server would also answer on 127.0.0.2; bound to 127.0.0.1 it cannot."""
    base, _ = local_server
    port = int(base.rsplit(":", 1)[1])
    with socket.socket() as sock:
        sock.settimeout(1)
        assert sock.connect_ex(("127.0.0.1", port)) == 0
    with socket.socket() as sock:
        sock.settimeout(1)
        assert sock.connect_ex(("127.0.0.2", port)) != 0
