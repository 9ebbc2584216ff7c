"""The shell blocks a newcomer copies, run as they are written (bash, curl, python3) against `python server.py` as
`make run` starts it, from a folder whose .local-cognito/ holds the emulator's state: the README's walk-through,
and docs/api.md's "Passwordless sign-in and passkeys"."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.helpers import ROOT


def block(document: str, heading: str) -> str:
    """The first ```sh block under `heading` in `document` (a path under the checkout)."""
    page = Path(ROOT, document).read_text()
    section = page.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def run_block(script: str, tmp_path: Path, serve) -> tuple[subprocess.CompletedProcess, str]:
    """`script` run by bash against a fresh `python server.py` (the `serve` fixture), from `tmp_path`; its run and
    the server's output."""
    server = serve({"LOCAL_COGNITO_STATE": str(tmp_path / ".local-cognito" / "state.json")})
    try:
        ran = subprocess.run(
            [shutil.which("bash") or "/bin/bash", "-euo", "pipefail", "-c", script.replace(":5000", f":{server.port}")],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        output = server.stop()
    assert ran.returncode == 0, ran.stderr + ran.stdout
    return ran, output


@pytest.mark.subprocess
@pytest.mark.slow
def test_the_readmes_walk_through_runs_as_written(tmp_path, serve):
    """Sign up, confirm with the code the emulator delivered (read as the README reads it), sign in, validate, and
    /hello with and without the token."""
    ran, _ = run_block(block("README.md", "Walk-through"), tmp_path, serve)
    answers = [json.loads(line) for line in ran.stdout.splitlines() if line.startswith("{")]
    registered, confirmed, validated, hello, refused = answers
    assert registered["confirmed"] is False and confirmed == {"confirmed": True, "username": "alice"}
    assert validated["valid"] is True and hello["message"] == "Hello, alice!"
    assert refused["error"] == "invalid_token"
    assert any(line.startswith("HTTP/1.1 401") for line in ran.stdout.splitlines())  # `curl -i`'s status line


@pytest.mark.subprocess
@pytest.mark.slow
def test_the_documented_passwordless_block_signs_up_and_in_by_email_code(tmp_path, serve):
    ran, output = run_block(block("docs/api.md", "Passwordless sign-in and passkeys"), tmp_path, serve)
    confirmed, hello, passkeys = (json.loads(line) for line in ran.stdout.splitlines() if line.startswith("{"))
    assert confirmed["confirmed"] is True and confirmed["access_token"]  # the confirmation signed bob in
    assert hello["message"] == "Hello, bob@example.com!"
    assert passkeys == {"passkeys": []}
    code = json.loads((tmp_path / ".local-cognito" / "codes.json").read_text())["bob@example.com"]["EMAIL"]
    assert f"emulator: email code for bob@example.com: {code}" in output  # as docs/api.md says
