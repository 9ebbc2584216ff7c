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


def start_local_server(extra_env: dict[str, str] | None = None) -> tuple[str, subprocess.Popen]:
    """Start `python server.py` with no pool configured, as `make run` does; return its URL once it answers."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COGNITO_", "AWS_"))}
    env.update(PORT=str(port), **(extra_env or {}))
    process = subprocess.Popen(
        [sys.executable, "server.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read()}")
        try:
            requests.get(f"{base}/health", timeout=1)
            return base, process
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                stop(process)
                raise AssertionError("server did not start") from None
            time.sleep(0.1)


def stop(process: subprocess.Popen) -> str:
    """Stop the server; return everything it printed."""
    process.terminate()
    return process.communicate(timeout=10)[0]


@pytest.fixture
def local_server():
    base, process = start_local_server()
    yield base, process
    if process.poll() is None:
        stop(process)


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

    output = stop(process)
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
