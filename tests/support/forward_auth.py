"""Forward auth behind real proxies: the app behind nginx or Caddy and its upstream, started for a test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.helpers import PASSWORD
from tests.support.nginx import start_nginx as nginx_with
from tests.support.servers import ROOT, ServerProcess, free_port, gunicorn, pool_env
from tests.support.upstream import Upstream, headers_of

API = {"Accept": "application/json"}
# The shipped examples' policy (deploy/policy.yaml: /admin for the group `admin`), as the auth server reads it.
POLICY = {"POLICY_FILE": str(Path(ROOT) / "deploy" / "policy.yaml")}


def start_nginx(tmp_path: Path, port: int, auth_port: int, app_port: int) -> ServerProcess:
    replacements = {
        "listen 8080;": "listen 127.0.0.1:{port};",
        "127.0.0.1:5000;": f"127.0.0.1:{auth_port};",
        "127.0.0.1:8000;": f"127.0.0.1:{app_port};",
    }
    return nginx_with("nginx-forward-auth.conf", replacements, tmp_path, port=port)


def start_caddy(tmp_path: Path, port: int, auth_port: int, app_port: int) -> ServerProcess:
    caddy = shutil.which("caddy")
    assert caddy, "the forward-auth tests need Debian's caddy: `make test` installs it as root"
    env = {
        "PROXY_PORT": str(port),
        "AUTH_PORT": str(auth_port),
        "APP_PORT": str(app_port),
        # Caddy keeps its autosaved configuration and storage there: never the developer's own.
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    command = [caddy, "run", "--config", str(Path(ROOT) / "deploy" / "Caddyfile"), "--adapter", "caddyfile"]
    return ServerProcess(env, command=command, port=port)


PROXIES = {"nginx": start_nginx, "caddy": start_caddy}


def proxied(
    kind: str, port: int, env: dict[str, str], emulator: Any, pool: dict[str, Any], folders: Any, serve: Any
) -> Iterator[Stack]:
    """For a module fixture to `yield from`: the upstream, the auth server (`serve`, gunicorn with the shipped
    configuration and one worker, on `env`) and the proxy `kind` on `port`; stopped afterwards, and neither the
    server nor the proxy may have logged a traceback or an emergency."""
    upstream = Upstream()
    try:
        auth = serve(env, "-c", "deploy/gunicorn.conf.py", workers=1)
    except BaseException:
        upstream.stop()
        raise
    try:
        proxy = PROXIES[kind](folders.mktemp(kind), port, auth.port, upstream.port)
    except BaseException:
        auth.stop()
        upstream.stop()
        raise
    yield Stack(f"http://127.0.0.1:{port}", upstream, auth, proxy, emulator, pool)
    proxy_output = proxy.stop()
    output = auth.stop()
    upstream.stop()
    assert "Traceback" not in output, output[-3000:]
    assert "[emerg]" not in proxy_output, proxy_output[-2000:]


@dataclass
class Stack:
    url: str  # the proxy: the only address a client uses
    upstream: Upstream
    auth: ServerProcess
    proxy: ServerProcess
    emulator: Any
    pool: dict[str, Any]

    def get(self, path: str, headers: dict[str, str] | None = None, **options: Any) -> requests.Response:
        return requests.get(f"{self.url}{path}", headers=headers, allow_redirects=False, timeout=10, **options)

    def tokens(self, username: str, groups: tuple[str, ...] = (), email: str | None = None) -> dict[str, Any]:
        """Register, confirm (and add to `groups`) and log in, all through the proxy's /auth/."""
        body = {"username": username, "email": email or f"{username}@example.com", "password": PASSWORD}
        answer = requests.post(f"{self.url}/auth/register", json=body, timeout=10)
        assert answer.status_code == 201, answer.text
        answer = requests.post(
            f"{self.url}/auth/confirm",
            json={"username": username, "code": self.emulator.last_code(username)},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text  # the code verified the email: X-Auth-Request-Email passes it
        for group in groups:
            pool_id = self.pool["user_pool_id"]
            existing = self.emulator.client.list_groups(UserPoolId=pool_id)["Groups"]
            if group not in {g["GroupName"] for g in existing}:
                self.emulator.client.create_group(GroupName=group, UserPoolId=pool_id)
            self.emulator.client.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
        answer = requests.post(f"{self.url}/auth/login", json={"username": username, "password": PASSWORD}, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def seen(self, answer: requests.Response) -> dict[str, list[str]]:
        """The headers the upstream received, from its JSON answer passed back through the proxy."""
        assert answer.status_code == 200, (answer.status_code, answer.text[:300], self.auth.output()[-1500:])
        return headers_of(answer.json())


@pytest.fixture
def behind_nginx(emulator, pool, tmp_path):
    port = free_port()
    upstream = Upstream()
    auth = gunicorn(
        pool_env(pool, SESSION_REDIRECT_HOSTS=f"127.0.0.1:{port}", TRUSTED_PROXIES="1", **POLICY),
        "-c",
        "deploy/gunicorn.conf.py",
        workers=1,
    )
    try:
        proxy = start_nginx(tmp_path, port, auth.port, upstream.port)
    except BaseException:
        auth.stop()
        upstream.stop()
        raise
    yield Stack(f"http://127.0.0.1:{port}", upstream, auth, proxy, emulator, pool)
    proxy.stop()
    output = auth.stop()
    upstream.stop()
    assert "Traceback" not in output, output[-3000:]
