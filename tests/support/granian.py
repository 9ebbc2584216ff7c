"""The granian production command as docs/deployment.md gives it, started for a test or a benchmark."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

from tests.support.servers import ROOT, ServerProcess, free_port, worker_pids

DOCS = Path(ROOT) / "docs" / "deployment.md"
SCRIPT = "deploy/granian_serve.py"


def documented_command() -> list[str]:
    """The command of docs/deployment.md's granian section (its settings before it left out): the one line
    that runs deploy/granian_serve.py, so the docs and what the tests start cannot differ."""
    lines = [line for line in DOCS.read_text().splitlines() if SCRIPT in line and line.lstrip().startswith("COGNITO_")]
    assert len(lines) == 1, f"docs/deployment.md should give the granian command once: {lines}"
    words = shlex.split(lines[0])
    command = [word for word in words if not re.match(r"^[A-Z_]+=", word)]
    assert command[:2] == ["python", SCRIPT], command
    return command


def granian(env: dict[str, str], *options: str, workers: int = 2, port: int | None = None) -> ServerProcess:
    """The documented command (this interpreter for `python`) with `workers` workers on a free loopback port,
    waited for until every worker is up; `options` are granian's, added after the documented ones. `env` may
    name another app in APP_MODULE (module:attribute)."""
    port = port or free_port()
    command = [sys.executable, *documented_command()[1:], *options, "--workers", str(workers)]
    settings = {"GRANIAN_HOST": "127.0.0.1", **env}
    return ServerProcess(settings, command=command, port=port, ready=lambda server: len(worker_pids(server)) >= workers)
