"""Debian's nginx, started on a free loopback port with one of deploy/'s configurations, its example ports
replaced by the test's own."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.support.servers import ROOT, ServerProcess, free_port


def start_nginx(config_name: str, replacements: dict[str, str], folder: Path, port: int | None = None) -> ServerProcess:
    """nginx with deploy/`config_name`, each example in `replacements` (which must occur) replaced; `{port}`
    in a replacement is the port nginx listens on (`port`, or a free one)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert os.access(nginx, os.X_OK), "this test needs Debian's nginx: `make test` installs it as root"
    port = port or free_port()
    config = (Path(ROOT) / "deploy" / config_name).read_text()
    for example, actual in replacements.items():
        assert example in config, example
        config = config.replace(example, actual.format(port=port))
    (folder / "nginx.conf").write_text(config)
    directives = f"daemon off; pid {folder}/nginx.pid; error_log stderr;"
    command = [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", directives]
    return ServerProcess(command=command, port=port)


def readmes_nginx(app_port: int, folder: Path, cognito_port: int | None = None) -> ServerProcess:
    """deploy/nginx.conf as the README runs it, on a free port, in front of the app on `app_port`: its second
    group of workers (the routes that call Cognito) on `cognito_port`, or the same app when not given."""
    replacements = {
        "listen 8080;": "listen 127.0.0.1:{port};",
        "127.0.0.1:5000;": f"127.0.0.1:{app_port};",
        "127.0.0.1:5001;": f"127.0.0.1:{cognito_port or app_port};",
    }
    return start_nginx("nginx.conf", replacements, folder)
