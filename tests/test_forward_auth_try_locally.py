"""docs/deployment.md's "Try it locally", run as it is written: `make run` with its settings, the echo app, then
nginx and Caddy started and stopped by the doc's own commands; only the ports 8080, 5000 and 8000 are replaced by
free ones. It runs in a copy of the repository's root made of symlinks, so `.forward-auth/` and `.local-cognito/`
land in a temporary folder, never in the checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin

import pytest
import requests

from tests.support.helpers import PASSWORD
from tests.support.servers import ROOT, free_port, read_code

pytestmark = [pytest.mark.nginx, pytest.mark.subprocess, pytest.mark.slow]

API = {"Accept": "application/json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
EXAMPLE_PORTS = {"proxy": "8080", "auth": "5000", "app": "8000"}


def section() -> str:
    """The doc's "Try it locally" subsection."""
    text = Path(ROOT, "docs", "deployment.md").read_text()
    found = re.search(r"^### Try it locally\n(.*?)(?=^##)", text, re.S | re.M)
    assert found, 'docs/deployment.md has no "### Try it locally"'
    return found.group(1)


def block(needle: str) -> str:
    """The one `sh` block of the section that holds `needle`."""
    blocks = [code for code in re.findall(r"```sh\n(.*?)```", section(), re.S) if needle in code]
    assert len(blocks) == 1, f"{len(blocks)} sh blocks hold {needle!r}"
    return blocks[0]


def with_ports(script: str, ports: dict[str, int]) -> str:
    """`script` with each example port number replaced by its free port."""
    for name, example in EXAMPLE_PORTS.items():
        script = re.sub(rf"\b{example}\b", str(ports[name]), script)
    return script


def answers(url: str) -> bool:
    try:
        requests.get(url, timeout=1)
    except (requests.ConnectionError, requests.Timeout):
        return False
    return True


def wait_for(condition: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie no init has reaped yet counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


class Shell:
    """The doc's blocks run by bash -eu in the copy of the repository, their output in one file."""

    def __init__(self, folder: Path, env: dict[str, str], ports: dict[str, int]) -> None:
        self.folder, self.env, self.ports = folder, env, ports
        self.log: IO[str] = (folder / "commands.log").open("w+")
        self.background: list[subprocess.Popen[Any]] = []

    def start(self, needle: str) -> None:
        """A block that keeps running (make run, the app), in a process group of its own."""
        self.background.append(self._popen(needle))

    def run(self, needle: str) -> None:
        """A block that returns (a proxy's start or stop), which must succeed."""
        process = self._popen(needle)
        try:
            code = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.end(process)  # only then: the group also holds what it started (Caddy's child stays in it)
            raise
        assert code == 0, f"{needle!r} failed ({code}):\n{self.output()[-3000:]}"

    def _popen(self, needle: str) -> subprocess.Popen[Any]:
        script = with_ports(block(needle), self.ports)
        self.log.write(f"$ {script}\n")
        self.log.flush()
        bash = shutil.which("bash") or "/bin/bash"
        # Files, not pipes: a daemon (nginx, Caddy's child) inherits them and would hold a pipe open forever.
        return subprocess.Popen(
            [bash, "-eu", "-c", script],
            cwd=self.folder,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    @staticmethod
    def end(process: subprocess.Popen[Any]) -> None:
        """Its whole process group (make and the server it started, say) terminated, then killed if need be."""
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def close(self) -> None:
        for process in self.background:
            self.end(process)
        self.log.close()


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Shell]:
    """A copy of the repository's root (symlinks to each entry), and the environment a developer's shell has."""
    clone = tmp_path / "clone"
    clone.mkdir()
    for entry in Path(ROOT).iterdir():
        if entry.name not in {".git", ".forward-auth", ".local-cognito"}:
            (clone / entry.name).symlink_to(entry)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COGNITO_", "AWS_", "LOCAL_COGNITO"))}
    env.update(
        # Never the developer's own saved users, nor Caddy's autosaved configuration.
        LOCAL_COGNITO_STATE=str(tmp_path / "state" / "state.json"),
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "home" / "config"),
        XDG_DATA_HOME=str(tmp_path / "home" / "data"),
        PATH=env.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin",  # Debian's nginx is in /usr/sbin
    )
    ports = {name: free_port() for name in EXAMPLE_PORTS}
    runner = Shell(clone, env, ports)
    yield runner
    runner.close()


def sign_in_through(proxy: str, username: str) -> requests.Session:
    """The browser's way in: a page load sent to the sign-in form, the form posted, back on the app."""
    browser = requests.Session()
    browser.headers.update(BROWSER)
    sent = browser.get(f"{proxy}/", allow_redirects=False, timeout=10)
    assert sent.status_code == 302, (sent.status_code, sent.text[:300])
    sign_in = urljoin(f"{proxy}/", sent.headers["Location"])  # nginx makes the Location absolute, Caddy not
    assert sign_in == f"{proxy}/auth/sign-in?rd={proxy}/"
    form = browser.get(sign_in, timeout=10)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert form.status_code == 200 and csrf, form.text[:500]
    fields = {"csrf_token": csrf.group(1), "rd": f"{proxy}/", "username": username, "password": PASSWORD}
    signed_in = browser.post(f"{proxy}/auth/session", data=fields, allow_redirects=False, timeout=10)
    assert signed_in.status_code == 303, signed_in.text[:500]
    assert signed_in.headers["Location"] == f"{proxy}/"
    return browser


def test_the_docs_try_it_locally_commands_run_as_written(shell):
    assert "TRUSTED_PROXIES=1" in block("make run") and "SESSION_REDIRECT_HOSTS" in block("make run")
    auth = f"http://127.0.0.1:{shell.ports['auth']}"
    proxy = f"http://127.0.0.1:{shell.ports['proxy']}"
    shell.start("make run")
    shell.start("scripts/echo_app.py")
    wait_for(lambda: answers(f"{auth}/health"), "make run's server", timeout=90)
    wait_for(lambda: answers(f"http://127.0.0.1:{shell.ports['app']}/"), "the echo app")

    # A user, signed up on the auth server itself (as the doc says, on make run's page or with curl).
    user = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
    assert requests.post(f"{auth}/auth/register", json=user, timeout=10).status_code == 201
    codes = os.path.join(os.path.dirname(shell.env["LOCAL_COGNITO_STATE"]), "codes.json")  # beside its state
    confirm = {"username": "alice", "code": read_code(codes, "alice")}  # the code make run printed and kept
    assert requests.post(f"{auth}/auth/confirm", json=confirm, timeout=10).status_code == 200
    login = requests.post(f"{auth}/auth/login", json={"username": "alice", "password": PASSWORD}, timeout=10)
    token = login.json()["access_token"]

    proxies = {
        "nginx": ("nginx-forward-auth.sh start", "nginx-forward-auth.sh stop", ".forward-auth/nginx/nginx.pid"),
        "caddy": ("caddy start", "caddy.pid)", ".forward-auth/caddy.pid"),
    }
    for name, (start, stop, pid_file) in proxies.items():
        shell.run(start)
        pid = int((shell.folder / pid_file).read_text())
        try:
            wait_for(lambda: answers(f"{proxy}/"), f"{name} on its port", timeout=20)
            no_token = requests.get(f"{proxy}/", headers=API, timeout=10)
            assert no_token.status_code == 401, (name, no_token.status_code)

            browser = sign_in_through(proxy, "alice")
            page = browser.get(f"{proxy}/", allow_redirects=False, timeout=10)
            assert page.status_code == 200, (name, page.status_code, page.text[:300])
            assert '<h1 id="user">alice</h1>' in page.text, page.text
            seen = browser.get(f"{proxy}/reports?x=1", headers=API, allow_redirects=False, timeout=10)
            assert seen.status_code == 200, (name, seen.status_code, seen.text[:300])
            assert seen.json()["path"] == "/reports?x=1"
            assert seen.json()["identity"]["X-Auth-Request-User"] == "alice", (name, seen.json())
            assert browser.get(f"{proxy}/admin/", allow_redirects=False, timeout=10).status_code == 403  # not admin
            # The doc's terminal way: the walk-through's bearer token.
            bearer = {**API, "Authorization": f"Bearer {token}"}
            by_token = requests.get(f"{proxy}/", headers=bearer, allow_redirects=False, timeout=10)
            assert by_token.status_code == 200 and by_token.json()["identity"]["X-Auth-Request-User"] == "alice"
        finally:
            stopped = False
            try:
                shell.run(stop)
                stopped = True
            finally:
                if not stopped and alive(pid):  # never left running by a failed test: the one it started
                    os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not answers(f"{proxy}/"), f"{name} to stop listening", timeout=15)
        wait_for(lambda pid=pid: not alive(pid), f"{name}'s process {pid} to end", timeout=15)

    assert "Traceback" not in shell.output(), shell.output()[-3000:]
