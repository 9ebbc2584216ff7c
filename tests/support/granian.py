"""The granian production command as docs/deployment.md gives it, started for a test or a benchmark."""

from __future__ import annotations

import os
import re
import shlex
import signal
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


class GranianProcess(ServerProcess):
    """A granian command: stopped as ServerProcess stops a server, and then no worker left behind. (A worker
    holding an idle keep-alive connection stops only at --workers-kill-timeout, 20 s, the moment
    ServerProcess gives up and kills the main process: its workers would outlive it.)"""

    def stop(self) -> str:
        """Stop granian (if running) and any worker still there; return everything it printed."""
        workers = descendants(self.process.pid) if self.process.poll() is None else []
        output = super().stop()
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:  # it stopped with its main process, as it should
                pass
        return output


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children of any of its threads, and theirs)."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            pids = [int(child) for child in children.read_text().split()]
        except OSError:  # the thread ended meanwhile
            continue
        for child in pids:
            found += [child, *descendants(child)]
    return found


def granian(env: dict[str, str], *options: str, workers: int = 2, port: int | None = None) -> GranianProcess:
    """The documented command (this interpreter for `python`) with `workers` workers on a free loopback port,
    waited for until every worker is up; `options` are granian's, added after the documented ones. `env` may
    name another app in APP_MODULE (module:attribute)."""
    port = port or free_port()
    command = [sys.executable, *documented_command()[1:], *options, "--workers", str(workers)]
    settings = {"GRANIAN_HOST": "127.0.0.1", **env}
    return GranianProcess(
        settings, command=command, port=port, ready=lambda server: len(worker_pids(server)) >= workers
    )
