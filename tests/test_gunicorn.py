"""`gunicorn --preload server:app`: the app is built before the fork, and each worker still works on its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from tests.helpers import ROOT, bearer


def test_preloaded_workers_each_verify_and_fetch_keys_once(pool, jwks_host, minter):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "COGNITO_USER_POOL_ID": pool["user_pool_id"],
        "COGNITO_CLIENT_ID": pool["client_id"],
        "COGNITO_ENDPOINT_URL": pool["endpoint_url"],
        "COGNITO_JWKS_URL": jwks_host.url,
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "--preload", "--workers", "2", "--bind", f"127.0.0.1:{port}", "server:app"]
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    requests.get(f"{base}/health", timeout=1)
                    break
                except requests.ConnectionError:
                    assert process.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                    time.sleep(0.2)
            token = minter.token()
            statuses = [requests.get(f"{base}/hello", headers=bearer(token), timeout=5).status_code for _ in range(60)]
            registered = requests.post(
                f"{base}/auth/register",
                json={"username": "forked", "email": "forked@example.com", "password": "Passw0rd!"},
                timeout=5,
            )
        finally:
            process.terminate()
            process.wait(timeout=20)
            log.seek(0)
            output = log.read()
    assert statuses == [200] * 60, output[-2000:]
    assert registered.status_code == 201  # the boto3 client works in a forked worker
    assert 1 <= jwks_host.fetches <= 2  # once per worker that served a request, never per request
    assert "Traceback" not in output
