"""`gunicorn --preload server:app`: the app is built before the fork, and each worker still works on its own."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests

from tests.support.helpers import bearer
from tests.support.servers import ROOT, pool_env

pytestmark = [pytest.mark.subprocess]


def test_preloaded_workers_each_verify_and_fetch_keys_once(pool, jwks_host, minter, serve_gunicorn):
    env = pool_env(pool, COGNITO_JWKS_URL=jwks_host.url)
    server = serve_gunicorn(env, "--preload")
    try:
        token = minter.token()
        hello = f"{server.url}/hello"
        statuses = [requests.get(hello, headers=bearer(token), timeout=5).status_code for _ in range(60)]
        registered = requests.post(
            f"{server.url}/auth/register",
            json={"username": "forked", "email": "forked@example.com", "password": "Passw0rd!"},
            timeout=5,
        )
    finally:
        output = server.stop()
    assert statuses == [200] * 60, output[-2000:]
    assert registered.status_code == 201  # the boto3 client works in a forked worker
    assert 1 <= jwks_host.fetches <= 2  # once per worker that served a request, never per request
    assert "Traceback" not in output


CONFIG_PROBE = """
import os, runpy, sys
names = runpy.run_path("deploy/gunicorn.conf.py")
names["child_exit"](None, type("Worker", (), {"pid": 12345})())
print("PROMETHEUS_MULTIPROC_DIR" in os.environ, "prometheus_client" in sys.modules)
"""


@pytest.mark.parametrize(("enabled", "pays"), [(None, False), ("off", False), ("true", True)])
def test_the_configuration_does_metrics_work_only_with_metrics_enabled(tmp_path, enabled, pays):
    env = {
        key: value for key, value in os.environ.items() if key not in ("METRICS_ENABLED", "PROMETHEUS_MULTIPROC_DIR")
    }
    env["TMPDIR"] = str(tmp_path)  # where the configuration's private folder would be made
    if enabled is not None:
        env["METRICS_ENABLED"] = enabled
    ran = subprocess.run([sys.executable, "-c", CONFIG_PROBE], env=env, cwd=ROOT, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    folder, imported = ran.stdout.split()
    assert (folder == "True", imported == "True", any(tmp_path.iterdir())) == (pays, pays, pays)
