"""`python -m cognito_emulator --state DIR`: the pool, client and users are there again after a restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

PACKAGE = str(Path(__file__).resolve().parent.parent)


def started(state: Path) -> tuple[subprocess.Popen, dict]:
    env = {**os.environ, "PYTHONPATH": PACKAGE}  # on the path, as in the project's venv (not installed there)
    command = [
        sys.executable,
        "-m",
        "cognito_emulator",
        "--state",
        str(state),
        "--cors-origin",
        "http://localhost:3000",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    return process, json.loads(process.stdout.readline())


def stopped(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


@pytest.mark.subprocess
@pytest.mark.slow
def test_the_saved_state_survives_a_restart(tmp_path):
    process, first = started(tmp_path / "state")
    try:
        cognito = boto3.client(
            "cognito-idp",
            region_name=first["region"],
            endpoint_url=first["endpoint"],
            aws_access_key_id="any",
            aws_secret_access_key="any",
        )
        cognito.admin_create_user(UserPoolId=first["user_pool_id"], Username="alice", MessageAction="SUPPRESS")
    finally:
        assert stopped(process) == 0
    assert (tmp_path / "state" / "state.json").exists()
    process, second = started(tmp_path / "state")
    try:
        assert (second["user_pool_id"], second["client_id"]) == (first["user_pool_id"], first["client_id"])
        cognito = boto3.client(
            "cognito-idp",
            region_name=second["region"],
            endpoint_url=second["endpoint"],
            aws_access_key_id="any",
            aws_secret_access_key="any",
        )
        assert cognito.admin_get_user(UserPoolId=second["user_pool_id"], Username="alice")["Username"] == "alice"
    finally:
        assert stopped(process) == 0


@pytest.mark.subprocess
def test_a_bad_origin_or_config_stops_it_with_a_message(tmp_path):
    env = {**os.environ, "PYTHONPATH": PACKAGE}
    bad = subprocess.run(
        [sys.executable, "-m", "cognito_emulator", "--cors-origin", "localhost:3000/x"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode != 0 and "not an origin" in bad.stderr
    (tmp_path / "c.json").write_text('{"pools": [], "unknown": 1}')
    bad = subprocess.run(
        [sys.executable, "-m", "cognito_emulator", "--config", str(tmp_path / "c.json")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode != 0 and "keys" in bad.stderr
