"""The granian command as docs/deployment.md gives it (python deploy/granian_serve.py): the hostile-input
catalogue over real HTTP, slow clients through the README's nginx, a SIGTERM with requests in flight, and
/metrics adding up both workers' counts."""

from __future__ import annotations

import os
import re
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.support.attack_cases import HEADER_CASES, SECOND_KEY, TOKEN_CASES
from tests.support.granian import documented_command, granian
from tests.support.helpers import bearer, cognito_error, public_jwk
from tests.support.nginx import hello_beside_slow_clients, readmes_nginx
from tests.support.servers import ROOT, pool_env, worker_pids

GATES = ("/hello", "/auth/check")


def serve_module_script():
    """deploy/granian_serve.py's functions, imported as the script is (deploy/ is no package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("granian_serve", Path(ROOT) / "deploy" / "granian_serve.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_docs_give_one_granian_command_and_it_is_the_script():
    assert documented_command() == ["python", "deploy/granian_serve.py"]


def test_the_scripts_defaults_yield_to_the_environment():
    script = serve_module_script()
    chosen = script.defaults({"PORT": "6001", "WEB_CONCURRENCY": "3", "GRANIAN_BLOCKING_THREADS": "8"})
    assert chosen["GRANIAN_INTERFACE"] == "wsgi"
    assert (chosen["GRANIAN_PORT"], chosen["GRANIAN_WORKERS"]) == ("6001", "3")
    assert chosen["GRANIAN_BLOCKING_THREADS"] == chosen["GRANIAN_BACKPRESSURE"] == "8"
    assert chosen["GRANIAN_WORKERS_KILL_TIMEOUT"] == "20"
    assert script.defaults({"GRANIAN_WORKERS_KILL_TIMEOUT": "5"})["GRANIAN_WORKERS_KILL_TIMEOUT"] == "5"


def test_the_sweep_marks_only_the_workers_that_ended(tmp_path):
    script = serve_module_script()
    for name in ("counter_101.db", "gauge_livesum_101.db", "counter_202.db", "histogram_303.db", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    marked: list[int] = []
    assert script.sweep(str(tmp_path), marked.append, is_alive=lambda pid: pid == 202) == [101, 303]
    assert marked == [101, 303]
    assert script.alive(os.getpid()) and not script.alive(2**22 + 1)


@pytest.fixture
def catalogue_server(pool, jwks_host, tmp_path):
    """granian, two workers, on the pool, with the catalogue's second key published too."""
    jwks_host.document["keys"].append(public_jwk(SECOND_KEY, "second"))
    server = granian(pool_env(pool, COGNITO_JWKS_URL=jwks_host.url, TOKEN_LEEWAY_SECONDS="5"))
    yield server
    server.stop()


def raw(port: int, request: bytes, wait: float = 5) -> bytes:
    """Send bytes as they are; everything answered until the server closes or `wait` passes."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(request)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except TimeoutError:
            pass
    return answer


@pytest.mark.subprocess
def test_the_hostile_input_catalogue_is_refused_over_http(catalogue_server, minter):
    server = catalogue_server
    session = requests.Session()
    cases = {name: make(minter) for name, make in HEADER_CASES.items()}
    cases.update({name: f"Bearer {make(minter)}" for name, make in TOKEN_CASES.items()})
    for name, authorization in cases.items():
        headers = {} if authorization is None else {"Authorization": authorization}
        for path in GATES:
            response = session.get(f"{server.url}{path}", headers=headers, timeout=10)
            assert response.status_code == 401, (name, path, response.status_code, response.text[:300])
            assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"', name
            assert response.json()["error"] == "invalid_token", name
    good = session.get(f"{server.url}/auth/check", headers=bearer(minter.token()), timeout=10)
    assert good.status_code == 200, good.text
    session.close()  # an idle keep-alive connection would hold a worker until --workers-kill-timeout
    output = server.stop()
    assert "Traceback" not in output and " 500 " not in output, output[-3000:]


@pytest.mark.subprocess
def test_hostile_http_framing_is_refused_without_a_5xx(catalogue_server):
    server = catalogue_server
    newline = raw(
        server.port, b"GET /hello%0a2026-01-01%20INFO%20forged HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert newline.startswith(b"HTTP/1.1 404"), newline[:200]  # no such route
    head = b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
    too_long = raw(server.port, head + b"Content-Length: 100000\r\n\r\n" + b"{" * 100000)
    assert too_long.startswith(b"HTTP/1.1 413"), too_long[:200]
    chunked = raw(server.port, head + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
    assert chunked.startswith(b"HTTP/1.1 4"), chunked[:200]  # a malformed chunk size: refused, never a 5xx
    huge_header = raw(server.port, b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 500_000 + b"\r\n\r\n")
    assert huge_header == b"" or huge_header.startswith(b"HTTP/1.1 4"), huge_header[:200]
    assert requests.get(f"{server.url}/health", timeout=5).status_code == 200  # and it still serves
    output = server.stop()
    lines = [line for line in output.splitlines() if "forged" in line]
    assert len(lines) == 1 and "\\u000a" in lines[0], lines  # the newline escaped: no forged log line
    assert "Traceback" not in output, output[-3000:]


@pytest.mark.subprocess
@pytest.mark.nginx
def test_slow_clients_behind_the_readmes_nginx_do_not_starve_hello(pool, jwks_host, minter, tmp_path):
    """200 clients trickling their requests in: nginx (deploy/nginx.conf) holds them, granian never sees them."""
    app_server = granian(pool_env(pool, COGNITO_JWKS_URL=jwks_host.url, TRUSTED_PROXIES="1"))
    proxy = readmes_nginx(app_server.port, tmp_path)
    try:
        statuses = hello_beside_slow_clients(proxy.port, bearer(minter.token()))
    finally:
        proxy.stop()
        output = app_server.stop()
    assert statuses == [200] * 50, output[-2000:]


@pytest.mark.subprocess
@pytest.mark.slow
def test_sigterm_lets_the_requests_in_flight_finish(pool, proxy):
    """Sign-ins held 2 s by Cognito when SIGTERM comes: every one is answered, then the server exits cleanly."""

    def slow_refusal(request):
        time.sleep(2)
        return cognito_error("NotAuthorizedException", message="Incorrect username or password.")

    proxy.answers["InitiateAuth"] = slow_refusal
    server = granian(pool_env(pool, COGNITO_ENDPOINT_URL=proxy.url, RATE_LIMIT_LOGIN="1000/minute"))

    def login(index: int) -> int:
        body = {"username": f"user{index}", "password": "Passw0rd!"}
        return requests.post(f"{server.url}/auth/login", json=body, timeout=15).status_code

    with ThreadPoolExecutor(max_workers=6) as threads:
        logins = [threads.submit(login, index) for index in range(6)]
        time.sleep(1)  # every sign-in is inside the app now, waiting on Cognito
        stopped_at = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        statuses = [future.result() for future in logins]
    code = server.process.wait(timeout=25)
    output = server.stop()
    assert statuses == [401] * 6, output[-3000:]  # Cognito's refusal, answered: none cut off
    assert code == 0 and time.monotonic() - stopped_at < 15, output[-3000:]
    with pytest.raises(requests.ConnectionError):  # and nothing listens any more
        requests.get(f"{server.url}/health", timeout=2)


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus's text format (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        found = re.match(r"^([a-z_]+)\{(.*)\} (\S+)$", line)
        if found and found.group(1) == name and ",".join(sorted(found.group(2).split(","))) == wanted:
            return float(found.group(3))
    return 0.0


def writers(folder: Path) -> set[int]:
    """The pids that have written counts to a metrics folder."""
    return {int(path.stem.rsplit("_", 1)[1]) for path in folder.glob("counter_*.db")}


@pytest.mark.subprocess
@pytest.mark.slow
def test_metrics_add_up_both_workers_and_keep_a_dead_ones_counts(pool, jwks_host, minter, tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_999999.db").write_bytes(b"stale")  # an earlier run's: removed before any worker starts
    env = pool_env(pool, COGNITO_JWKS_URL=jwks_host.url, METRICS_ENABLED="true")
    server = granian({**env, "PROMETHEUS_MULTIPROC_DIR": str(folder)})
    token = minter.token()
    labels = {"route": "/hello", "method": "GET", "status": "200"}

    def hello(_: int) -> int:  # a connection each: the two workers take turns accepting
        return requests.get(
            f"{server.url}/hello", headers={**bearer(token), "Connection": "close"}, timeout=10
        ).status_code

    try:
        sent = 0
        pids = set(worker_pids(server))
        # Batches until both workers have answered some (which one accepts a connection is the kernel's choice).
        while sent < 2000 and writers(folder) != pids:
            with ThreadPoolExecutor(max_workers=8) as threads:
                assert set(threads.map(hello, range(100))) == {200}
            sent += 100
        assert writers(folder) == pids and len(pids) == 2, (writers(folder), pids)  # both counted, no stale file
        total = metric(requests.get(f"{server.url}/metrics", timeout=5).text, "auth_http_requests_total", **labels)
        assert total == sent
        victim = sorted(pids)[0]
        os.kill(victim, signal.SIGKILL)  # a worker dies: granian starts another; its counts stay in the sums
        deadline = time.monotonic() + 15
        while not (len(set(worker_pids(server)) - {victim}) == 2) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(set(worker_pids(server)) - {victim}) == 2
        with ThreadPoolExecutor(max_workers=8) as threads:
            assert set(threads.map(hello, range(50))) == {200}
        text = requests.get(f"{server.url}/metrics", timeout=5).text
        assert metric(text, "auth_http_requests_total", **labels) == sent + 50, text[:3000]
    finally:
        output = server.stop()
    assert "Traceback" not in output, output[-3000:]
