"""The tools benchmark 8 (bench/forward_auth.py) drives: wrk with request headers (and a Lua script), read into
numbers, and nginx with deploy/nginx-forward-auth.conf, with or without its `auth_request` lines."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.support.servers import ROOT, ServerProcess


def wrk(url: str, headers: list[str], *, seconds: float, connections: int = 4, script: str | None = None) -> dict:
    """wrk with any request headers; requests/s, p50 and p99 (ms), requests, and the ones not answered 2xx."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", str(Path(ROOT) / "bench" / script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50_ms": _milliseconds(re.search(r"50%\s+([\d.]+\w+)", output)[1]),
        "p99_ms": _milliseconds(re.search(r"99%\s+([\d.]+\w+)", output)[1]),
        "requests": int(re.search(r"(\d+) requests in", output)[1]),
        "non_2xx": (int(non_2xx[1]) if non_2xx else 0) + (sum(int(n) for n in errors.groups()) if errors else 0),
    }


def _milliseconds(text: str) -> float:
    value, unit = float(re.match(r"[\d.]+", text)[0]), re.search(r"[a-z]+", text)[0]
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def start_nginx(directory: Path, port: int, auth_port: int, app_port: int, *, auth_request: bool) -> ServerProcess:
    """deploy/nginx-forward-auth.conf with its ports replaced; without auth_request, the same file minus those lines."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    config = (Path(ROOT) / "deploy" / "nginx-forward-auth.conf").read_text()
    for example, actual in (
        ("listen 8080;", f"listen 127.0.0.1:{port};"),
        ("127.0.0.1:5000;", f"127.0.0.1:{auth_port};"),
        ("127.0.0.1:8000;", f"127.0.0.1:{app_port};"),
    ):
        if config.count(example) != 1:
            raise RuntimeError(f"deploy/nginx-forward-auth.conf no longer has exactly one {example!r}")
        config = config.replace(example, actual)
    if not auth_request:
        lines = config.splitlines(keepends=True)
        kept = [line for line in lines if not line.strip().startswith("auth_request ")]
        if len(lines) - len(kept) != 2:
            raise RuntimeError("expected two auth_request lines in deploy/nginx-forward-auth.conf")
        config = "".join(kept)
    directory.mkdir()
    (directory / "nginx.conf").write_text(config)
    directives = f"daemon off; pid {directory}/nginx.pid; error_log stderr;"
    command = [nginx, "-p", str(directory), "-c", str(directory / "nginx.conf"), "-g", directives]
    return ServerProcess(command=command, port=port)
