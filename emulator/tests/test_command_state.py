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


TRIGGERS = '''
def pre_sign_up(event, context):
    """Auto-confirm example.com sign-ups; refuse the rest (a plain Lambda handler)."""
    if not event["request"]["userAttributes"].get("email", "").endswith("@example.com"):
        raise Exception("Only example.com may sign up")
    event["response"]["autoConfirmUser"] = True
    return event
'''


@pytest.mark.subprocess
@pytest.mark.slow
def test_the_config_files_triggers_run_for_its_pool(tmp_path):
    """`"triggers"` in --config names a .py file beside it: its pre_sign_up runs as Lambda would call it."""
    (tmp_path / "triggers.py").write_text(TRIGGERS)
    pool = {"PoolName": "shop", "AutoVerifiedAttributes": ["email"]}
    config = {"pools": [{"pool": pool, "clients": [{"ClientName": "web"}]}], "triggers": "triggers.py"}
    (tmp_path / "c.json").write_text(json.dumps(config))
    env = {**os.environ, "PYTHONPATH": PACKAGE}
    command = [sys.executable, "-m", "cognito_emulator", "--config", str(tmp_path / "c.json")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd="/")
    try:
        line = json.loads(process.stdout.readline())
        cognito = boto3.client(
            "cognito-idp",
            region_name=line["region"],
            endpoint_url=line["endpoint"],
            aws_access_key_id="any",
            aws_secret_access_key="any",
        )
        email = [{"Name": "email", "Value": "ann@example.com"}]
        signed_up = cognito.sign_up(
            ClientId=line["client_id"], Username="ann", Password="Passw0rd!", UserAttributes=email
        )
        assert signed_up["UserConfirmed"] is True
        other = [{"Name": "email", "Value": "bob@elsewhere.test"}]
        with pytest.raises(cognito.exceptions.UserLambdaValidationException, match=r"Only example\.com may sign up"):
            cognito.sign_up(ClientId=line["client_id"], Username="bob", Password="Passw0rd!", UserAttributes=other)
    finally:
        assert stopped(process) == 0


@pytest.mark.subprocess
def test_a_trigger_module_that_does_not_load_stops_it_with_a_message(tmp_path):
    (tmp_path / "c.json").write_text('{"triggers": "missing.py"}')
    bad = subprocess.run(
        [sys.executable, "-m", "cognito_emulator", "--config", str(tmp_path / "c.json")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": PACKAGE},
        timeout=60,
    )
    assert bad.returncode != 0 and "missing.py" in bad.stderr and "Traceback" not in bad.stderr
