"""A real Prometheus scrapes the production configuration (deploy/gunicorn.conf.py, two workers) every second:
after a known number of requests its own query API answers the same totals, every worker's counts added up,
and no series carries a username or a token."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from config import Settings
from tests.support.helpers import Minter, bearer
from tests.support.metrics import Prometheus, dashboard_expressions
from tests.support.nginx import readmes_nginx
from tests.support.servers import pool_env, worker_pids

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]

GOOD, BAD, HEALTH = 60, 24, 18  # /hello with a valid token, /hello with a tampered one, /health


def settled(prometheus: Prometheus, expression: str, done: Callable[[float | None], bool], timeout: float = 30) -> None:
    """Wait until Prometheus's answer to `expression` is `done` (scrapes come every second); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    answer = prometheus.query(expression)
    while not done(answer):
        assert time.monotonic() < deadline, f"{expression}: still {answer}"
        time.sleep(0.5)
        answer = prometheus.query(expression)


def per_worker(folder: Path, pids: list[int]) -> dict[int, float]:
    """/hello's 200s as each worker's own files count them."""
    counts = {}
    for pid in pids:
        files = [str(path) for path in folder.glob(f"*_{pid}.db")]
        registry = CollectorRegistry()
        collector = MultiProcessCollector(registry, path=str(folder))
        found = collector.merge(files, accumulate=True)
        counts[pid] = sum(
            sample.value
            for family in found
            for sample in family.samples
            if sample.name == "auth_http_requests_total"
            and sample.labels == {"route": "/hello", "method": "GET", "status": "200"}
        )
    return counts


def test_prometheus_sees_every_workers_requests_and_no_user_or_token(pool, tmp_path, serve_gunicorn):
    folder = tmp_path / "metrics"
    env = pool_env(pool, METRICS_ENABLED="true", PROMETHEUS_MULTIPROC_DIR=str(folder), GUNICORN_THREADS="4")
    server = serve_gunicorn(env, "-c", "deploy/gunicorn.conf.py", workers=2)
    prometheus = None
    try:
        pids = worker_pids(server)
        prometheus = Prometheus(f"127.0.0.1:{server.port}")
        minter = Minter(Settings.load(overrides=pool).issuer, pool["client_id"])
        settled(prometheus, 'up{job="auth"}', lambda up: up == 1)
        # The start-up's own /health polls (tests/support/servers.py) came before: counted, and never again.
        health = 'sum(auth_http_requests_total{route="/health"})'
        started = prometheus.query(health)
        assert started is not None and started >= 1
        token = minter.token()
        head, _, signature = token.rpartition(".")
        tampered = f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"

        def get(request: tuple[str, str | None]) -> int:
            path, presented = request
            headers = bearer(presented) if presented else {}
            # A connection each (no session): the two workers take them as they come.
            return requests.get(f"{server.url}{path}", headers=headers, timeout=10).status_code

        work = [("/hello", token)] * GOOD + [("/hello", tampered)] * BAD + [("/health", None)] * HEALTH
        with ThreadPoolExecutor(max_workers=12) as threads:
            statuses = list(threads.map(get, work))
        assert statuses == [200] * GOOD + [401] * BAD + [200] * HEALTH, server.output()[-2000:]

        finished = time.time()  # a scrape that starts later sees every request
        settled(prometheus, 'timestamp(up{job="auth"})', lambda at: at is not None and at > finished)
        hello = 'sum(auth_http_requests_total{route="/hello",status="%s"})'
        assert prometheus.query(hello % "200") == GOOD
        assert prometheus.query(hello % "401") == BAD
        assert prometheus.query(health) == started + HEALTH
        checks = 'sum(auth_token_checks_total{outcome=~"%s"})'
        assert prometheus.query(checks % "accepted|cached") == GOOD
        assert prometheus.query(checks % "signature") == BAD
        assert prometheus.query('sum(auth_http_request_duration_seconds_count{route="/hello"})') == GOOD + BAD

        # Both workers served, each counted in files of its own, and Prometheus saw their sum.
        counts = per_worker(folder, pids)
        assert len(counts) == 2 and all(count > 0 for count in counts.values()), counts
        assert sum(counts.values()) == GOOD

        # Every panel of the dashboard is PromQL this Prometheus runs; the traffic panels have data. Their rate()
        # needs two samples of a series: a series the burst created has them after a second scrape since.
        settled(prometheus, 'timestamp(up{job="auth"})', lambda at: at is not None and at > finished + 1.1)
        answered = {expression: prometheus.evaluate(expression) for expression in dashboard_expressions()}
        assert answered[next(e for e in answered if "auth_http_requests_total" in e)]
        assert answered[next(e for e in answered if "auth_token_checks_total" in e)]

        secrets = {token, tampered, signature, "minted", minter.claims()["sub"]}
        series = prometheus.series('{__name__=~"auth_.+"}')
        assert len(series) > 10
        for labels in series:
            for label, text in labels.items():
                assert not any(secret in text for secret in secrets), (label, text)
                assert not re.search(r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.", text), (label, text)
    finally:
        if prometheus is not None:
            prometheus.stop()
        output = server.stop()
    assert "Traceback" not in output, output[-3000:]


@pytest.mark.nginx
def test_the_readmes_nginx_never_passes_metrics_on_and_the_app_refuses_its_clients(pool, tmp_path, serve_gunicorn):
    env = pool_env(pool, METRICS_ENABLED="true", TRUSTED_PROXIES="1")
    server = serve_gunicorn(env, "-c", "deploy/gunicorn.conf.py", workers=1)
    proxy = None
    try:
        proxy = readmes_nginx(server.port, tmp_path)
        assert requests.get(f"{server.url}/metrics", timeout=5).status_code == 200  # Prometheus, scraping directly
        for path in ("/metrics", "/metrics?format=text", "//metrics", "/./metrics"):
            answer = requests.get(f"{proxy.url}{path}", timeout=5)
            assert answer.status_code == 404 and "auth_" not in answer.text, path
        # Were nginx's block gone, the app would see the client nginx names, and refuse it.
        forwarded = {"X-Forwarded-For": "203.0.113.9"}
        refused = requests.get(f"{server.url}/metrics", headers=forwarded, timeout=5)
        assert refused.status_code == 403 and refused.json()["error"] == "metrics_forbidden"
        assert requests.get(f"{proxy.url}/health", timeout=5).status_code == 200  # the rest passes
    finally:
        if proxy is not None:
            proxy.stop()
        output = server.stop()
    assert "Traceback" not in output, output[-3000:]
