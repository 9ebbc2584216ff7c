"""Debian's nginx, started on a free loopback port with one of deploy/'s configurations, its example ports
replaced by the test's own."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import requests

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


# A request whose client sent its headers and one byte of a 100-byte body, and then waits.
SLOW_REQUEST = b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"


def hello_beside_slow_clients(
    port: int, authorization: dict[str, str], clients: int = 200, asks: int = 50
) -> list[int]:
    """`/hello`'s statuses through the proxy on `port` while `clients` connections each trickle a request in
    (SLOW_REQUEST): what slow clients leave of the server behind it."""
    slow: list[socket.socket] = []
    try:
        for _ in range(clients):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(SLOW_REQUEST)
            slow.append(sock)
        url = f"http://127.0.0.1:{port}/hello"
        return [requests.get(url, headers=authorization, timeout=5).status_code for _ in range(asks)]
    finally:
        for sock in slow:
            sock.close()
