"""Shared by the client conformance tests: a pool set up as a public web/mobile app's would be on AWS, its users,
and the Amplify JS driver (tests/amplify/conformance.mjs) run against the emulator with its questions answered."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from typing import Any

import pytest

from tests.support.helpers import PASSWORD, totp

Tokens = list[tuple[str, str]]  # (token, "id" | "access")
AMPLIFY_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "amplify")
POLICY = {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True}
POLICY |= {"RequireSymbols": False}
FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def public_pool(client: Any, name: str = "conformance", **settings: Any) -> dict[str, str]:
    """A pool as the Cognito console makes one for a single-page app: email auto-verified (and verified before an
    update applies), password and email codes as first factors, optional TOTP, and a public client (no secret)
    allowing SRP, password, choice-based sign-in and refresh, with revocation and existence errors hidden;
    `settings`, more of CreateUserPool's (a DeviceConfiguration)."""
    pool = client.create_user_pool(
        PoolName=name,
        Policies={"PasswordPolicy": POLICY, "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
        AutoVerifiedAttributes=["email"],
        UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]},
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
        MfaConfiguration="OPTIONAL",
        **settings,
    )["UserPool"]
    client.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
    )
    app_client = client.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName=f"{name}-web",
        GenerateSecret=False,
        ExplicitAuthFlows=FLOWS,
        ReadAttributes=["email", "email_verified"],
        WriteAttributes=["email"],
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=True,
    )["UserPoolClient"]
    return {"user_pool_id": pool["Id"], "client_id": app_client["ClientId"]}


def confirmed_user(client: Any, pool_id: str, username: str, email: str | None = None) -> None:
    """A confirmed user with a verified email and PASSWORD, made by an administrator (no message sent)."""
    ids = {"UserPoolId": pool_id, "Username": username}
    email = email or f"{username}@example.com"
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    client.admin_create_user(**ids, MessageAction="SUPPRESS", UserAttributes=attributes)
    client.admin_set_user_password(**ids, Password=PASSWORD, Permanent=True)


def wrong(code: str | None) -> str:
    """A code of the same shape that is certainly not `code`."""
    if not code:
        return "000000"
    return f"{(int(code) + 1) % 10 ** len(code):0{len(code)}d}"


def answer(emulator: Any, question: dict[str, Any]) -> dict[str, Any]:
    """What the Node side asked for: a delivered code, or a TOTP code of a secret (`offset` seconds on)."""
    if "totp" in question:
        secret = question["totp"]
        code = totp(secret, at=time.time() + question.get("offset", 0)) if secret else None
    else:
        code = emulator.last_code(question["code"], question.get("medium", "EMAIL"))
    return {"code": code or "", "wrong": wrong(code)}


class Steps(dict[str, dict[str, Any]]):
    """A run's steps by name, each `{"ok": bool, "value"|"error"+"message": ...}`; a missing one fails loudly.
    `undelivered`: the codes the scenario asked for that the emulator never sent."""

    undelivered: list[dict[str, Any]]

    def __missing__(self, name: str) -> dict[str, Any]:
        raise AssertionError(f"the Amplify scenario never reached the step {name!r}; steps: {list(self)}")


def run_amplify(emulator: Any, pool: dict[str, str], scenario: str, **config: str) -> Steps:
    """Run one scenario of tests/amplify/conformance.mjs against the emulator; its steps by name."""
    node = shutil.which("node")
    if node is None or not os.path.isdir(os.path.join(AMPLIFY_DIR, "node_modules", "aws-amplify")):
        pytest.fail("node or tests/amplify/node_modules is missing: run `make test`, which installs them")
    settings = {
        "userPoolId": pool["user_pool_id"],
        "userPoolClientId": pool["client_id"],
        "endpoint": emulator.endpoint_url,
        "password": PASSWORD,
        **config,
    }
    settings.setdefault("email", f"{settings['username']}@example.com")
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            [node, os.path.join(AMPLIFY_DIR, "conformance.mjs"), json.dumps(settings), scenario],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=AMPLIFY_DIR,
        )
        watchdog = threading.Timer(90, process.kill)  # a scenario stuck on a call fails, never hangs the suite
        watchdog.start()
        steps, done = Steps(), False
        steps.undelivered = []
        try:
            assert process.stdout is not None and process.stdin is not None
            for line in process.stdout:
                message = json.loads(line)
                if "ask" in message:
                    reply = answer(emulator, message["ask"])
                    if not reply["code"]:
                        steps.undelivered.append(message["ask"])
                    process.stdin.write(json.dumps(reply) + "\n")
                    process.stdin.flush()
                elif message.get("done"):
                    done = True
                else:
                    steps[message.pop("step")] = message
            process.wait(timeout=30)
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
        errors.seek(0)
        assert done and process.returncode == 0, f"node failed ({process.returncode}): {errors.read()[-3000:]}"
    return steps


def ok(step: dict[str, Any]) -> Any:
    """A step's value, asserting it succeeded."""
    assert step["ok"], f"{step.get('error')}: {step.get('message')}"
    return step["value"]


def refused(step: dict[str, Any], *errors: str) -> str:
    """A step's error name, asserting it failed with one of `errors`."""
    assert not step["ok"], f"accepted, expected {' or '.join(errors)}: {step.get('value')}"
    assert step["error"] in errors, f"{step['error']}: {step['message']} (expected {' or '.join(errors)})"
    return str(step["message"])


def verify(emulator, pool_id: str, client_ids: list[str], tokens: Tokens) -> dict[str, Any]:
    """aws-jwt-verify's verdicts on `tokens` and the JWKS URIs it asked for, from one node process."""
    node = shutil.which("node")
    if node is None or not os.path.isdir(os.path.join(AMPLIFY_DIR, "node_modules", "aws-jwt-verify")):
        pytest.fail("node or tests/amplify/node_modules is missing: run `make test`, which installs them")
    config = {
        "userPoolId": pool_id,
        "clientId": client_ids,
        "jwksUrl": f"{emulator.endpoint_url}/{pool_id}/.well-known/jwks.json",
    }
    stdin = json.dumps([{"token": token, "tokenUse": use} for token, use in tokens])
    result = subprocess.run(
        [node, os.path.join(AMPLIFY_DIR, "verify.mjs"), json.dumps(config)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=AMPLIFY_DIR,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)  # type: ignore[no-any-return]
