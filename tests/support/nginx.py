"""deploy/nginx.conf as the README runs it, on free loopback ports: for the tests and the benchmarks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.support.servers import ROOT, ServerProcess, free_port

# The file's example addresses, and what each is replaced with.
LISTEN, MAIN, COGNITO = "listen 8080;", "127.0.0.1:5000;", "127.0.0.1:5001;"


def readme_nginx(folder: str | Path, main_port: int, cognito_port: int) -> ServerProcess:
    """nginx with deploy/nginx.conf, its two upstream groups on the given ports, its own files in `folder`."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert os.access(nginx, os.X_OK), "the production tests need Debian's nginx: `make test` installs it as root"
    port = free_port()
    config = (Path(ROOT) / "deploy" / "nginx.conf").read_text()
    for example, actual in (
        (LISTEN, f"listen 127.0.0.1:{port};"),
        (MAIN, f"127.0.0.1:{main_port};"),
        (COGNITO, f"127.0.0.1:{cognito_port};"),
    ):
        assert example in config, example
        config = config.replace(example, actual)
    (Path(folder) / "nginx.conf").write_text(config)
    directives = f"daemon off; pid {folder}/nginx.pid; error_log stderr;"
    return ServerProcess(command=[nginx, "-p", str(folder), "-c", f"{folder}/nginx.conf", "-g", directives], port=port)
