"""One way to start a server process for a test or a benchmark: on a free loopback port, waited for, stopped."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = str(Path(__file__).resolve().parents[2])
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A server command (it must answer `GET /health` once up) with its output kept in a file.

    With no command: `python server.py` with no pool configured, as `make run` starts it. `ready(self)`
    adds a condition to wait for (gunicorn's workers, say). Settings come only from `env`: the caller's
    COGNITO_* and AWS_* variables never leak in.
    """

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        command: list[str] | None = None,
        cwd: str = ROOT,
        port: int | None = None,
        ready: Callable[[ServerProcess], bool] = lambda server: True,
        timeout: float = 30,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("COGNITO_", "AWS_", "LOCAL_COGNITO"))}
        environ.update(PORT=str(self.port), **(env or {}))
        self._state_dir = None
        if command is None and "LOCAL_COGNITO_STATE" not in environ:  # never the developer's own saved users
            self._state_dir = tempfile.TemporaryDirectory(prefix="local-cognito-")
            environ["LOCAL_COGNITO_STATE"] = os.path.join(self._state_dir.name, "state.pickle")
        state = environ.get("LOCAL_COGNITO_STATE")
        self._codes_file = os.path.join(os.path.dirname(os.path.abspath(state)), "codes.json") if state else None
        # A file, not a pipe: a pipe nobody reads fills up and blocks the server's logging.
        self._log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            command or [sys.executable, "server.py"], cwd=cwd, env=environ, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while not (self._answers() and ready(self)):
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.stop()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {self.stop()[-3000:]}")
            time.sleep(0.1)

    def _answers(self) -> bool:
        try:
            requests.get(f"{self.url}/health", timeout=1)
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or no worker up yet
            return False
        return True

    def code(self, username: str, medium: str = "EMAIL") -> str:
        """The last code the server's embedded emulator sent to `username` (its codes file, next to its state)."""
        assert self._codes_file is not None, "only a server with an embedded emulator sends codes"
        return read_code(self._codes_file, username, medium)

    def output(self) -> str:
        """Everything the server has printed so far, even while it runs."""
        # pread: the server shares this file's offset, and seeking it would make the server overwrite.
        fd = self._log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

    def stop(self) -> str:
        """Stop the server (if running); return everything it printed."""
        end_process(self.process)
        if self._state_dir is not None:
            self._state_dir.cleanup()
            self._state_dir = None
        return self.output()


def read_code(path: str, username: str, medium: str = "EMAIL") -> str:
    """The last code in an emulator's codes file (emulator.py CODES_FILE) for `username` by `medium`."""
    with open(path) as file:
        return json.load(file)[username][medium]  # type: ignore[no-any-return]


def end_process(process: subprocess.Popen[Any]) -> None:
    """Terminate `process` if it runs (killed when it ignores that for 20 s), and wait for its end."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def gunicorn(env: dict[str, str], *options: str, workers: int = 2) -> ServerProcess:
    """`gunicorn server:app` with `workers` workers, waited for until every worker is up."""
    port = free_port()
    command = [str(BIN / "gunicorn"), *options, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "server:app"]
    return ServerProcess(env, command=command, port=port, ready=lambda server: len(worker_pids(server)) >= workers)


def worker_pids(server: ServerProcess) -> list[int]:
    """The pids of a server process's children (gunicorn's workers)."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def pool_env(pool: dict[str, str], **settings: str) -> dict[str, str]:
    """The environment of a server process on the emulator's `pool` (its JWKS, unless COGNITO_JWKS_URL is given)."""
    return {
        "COGNITO_USER_POOL_ID": pool["user_pool_id"],
        "COGNITO_CLIENT_ID": pool["client_id"],
        "COGNITO_ENDPOINT_URL": pool["endpoint_url"],
        "COGNITO_JWKS_URL": pool["jwks_url"],
        "AWS_ACCESS_KEY_ID": "emulator",  # boto3 signs every call; the emulator takes any credentials
        "AWS_SECRET_ACCESS_KEY": "emulator",
        **settings,
    }
