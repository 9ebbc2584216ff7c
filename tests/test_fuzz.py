"""Schemathesis against the live server (`python server.py` with the emulator): no 5xx, nothing off-document."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "schema_valid_request_accepted",  # ours: tests/support/schemathesis_hooks.py
    ]
)
MIN_REQUESTS = 1000
# Rate limits would answer most generated requests with 429 (documented, but it explores nothing).
UNLIMITED = {
    f"RATE_LIMIT_{name}": "1000000/minute" for name in ("REGISTER", "CONFIRM", "LOGIN", "LOGIN_USERNAME", "VALIDATE")
}


def test_schemathesis_finds_no_server_error_and_no_schema_violation(serve):
    server = serve(UNLIMITED)
    base = server.url
    try:
        user = {"username": "fuzzer", "email": "fuzzer@example.com", "password": "Passw0rd!"}
        requests.post(f"{base}/auth/register", json=user, timeout=5).raise_for_status()
        requests.post(
            f"{base}/auth/confirm", json={"username": "fuzzer", "code": server.code("fuzzer")}, timeout=5
        ).raise_for_status()
        login = requests.post(f"{base}/auth/login", json=user, timeout=5).json()
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(Path(__file__).with_name("schemathesis.toml")),
            "run",
            f"{base}/openapi.json",
            "--header",
            f"Authorization: Bearer {login['access_token']}",  # so /hello is explored past the 401
            "--checks",
            CHECKS,
            "--max-examples",
            os.environ.get("FUZZ_MAX_EXAMPLES", "200"),
            "--seed",
            os.environ.get("FUZZ_SEED", "20261121"),
            "--workers",
            "1",
            # The emulator does not implement ResendConfirmationCode (HTTP 500 from it, so 503 here);
            # tests/test_account.py covers that endpoint with Stubber.
            "--exclude-path",
            "/auth/resend-code",
        ]
        hooks = {"SCHEMATHESIS_HOOKS": "tests.support.schemathesis_hooks", "PYTHONPATH": str(Path(__file__).parents[1])}
        run = subprocess.run(
            command, capture_output=True, text=True, timeout=600, check=False, env={**os.environ, **hooks}
        )
    finally:
        server_output = server.stop()
    report = run.stdout + run.stderr
    print(report)  # the whole report in the failure's captured output; the assertion's message keeps its end
    assert run.returncode == 0, report[-6000:]
    generated = re.search(r"(\d+) generated, (\d+) passed", report)
    assert generated and generated[1] == generated[2], report[-3000:]
    served = server_output.count(" request: ")
    print(f"schemathesis: {generated[0]}; the server logged {served} requests")
    assert served >= MIN_REQUESTS
    ours = [block for block in _tracebacks(server_output) if "/moto/" not in block]
    assert not ours, ours[0]  # the emulator's own crashes (RevokeToken is not implemented) are not ours
    assert "unhandled error" not in server_output
    assert not re.search(r"request: \S+ \S+ 5\d\d ", server_output)


def _tracebacks(output: str) -> list[str]:
    """Each traceback in the output, up to the next log line."""
    blocks = output.split("Traceback (most recent call last):")[1:]
    return [re.split(r"\n\d{4}-\d\d-\d\d ", block, maxsplit=1)[0] for block in blocks]
