"""docs/api.md's "Passwordless sign-in and passkeys" block, run as it is written (bash, curl, python3) against
`python server.py` as `make run` starts it, from a folder whose .local-cognito/ holds the emulator's state."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.helpers import ROOT


def passwordless_block() -> str:
    page = Path(ROOT, "docs", "api.md").read_text()
    section = page.split("## Passwordless sign-in and passkeys", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


@pytest.mark.subprocess
@pytest.mark.slow
def test_the_documented_passwordless_block_signs_up_and_in_by_email_code(tmp_path, serve):
    state = tmp_path / ".local-cognito" / "state.json"
    server = serve({"LOCAL_COGNITO_STATE": str(state)})
    try:
        script = passwordless_block().replace("localhost:5000", f"localhost:{server.port}")
        ran = subprocess.run(
            [shutil.which("bash") or "/bin/bash", "-euo", "pipefail", "-c", script],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        output = server.stop()
    assert ran.returncode == 0, ran.stderr + ran.stdout
    confirmed, hello, passkeys = (json.loads(line) for line in ran.stdout.splitlines() if line.startswith("{"))
    assert confirmed["confirmed"] is True and confirmed["access_token"]  # the confirmation signed bob in
    assert hello["message"] == "Hello, bob@example.com!"
    assert passkeys == {"passkeys": []}
    code = json.loads((tmp_path / ".local-cognito" / "codes.json").read_text())["bob@example.com"]["EMAIL"]
    assert f"emulator: email code for bob@example.com: {code}" in output  # as docs/api.md says
