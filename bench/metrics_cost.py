"""The cost of METRICS_ENABLED on /hello and /health, two ways, each side by side and alternated round by round:
the production configuration under wrk (requests/s and the workers' CPU per request, medians), and the app
called in-process through WSGI, one process with metrics off and one with them on (CPU µs per request, medians:
the figure a loaded machine blurs least).

`python -m bench.metrics_cost [--in-process]` (about two minutes): not one of `make bench`'s targets, a figure
for BENCHMARKS.md.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from bench.production import _load, production
from local.emulator import LocalCognito
from tests.support.helpers import Minter

ROUNDS = 5
CALLS = 4000  # per in-process round


def run(pool: dict[str, Any]) -> dict[str, Any]:
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool['user_pool_id']}"
    env = {
        "COGNITO_USER_POOL_ID": pool["user_pool_id"],
        "COGNITO_CLIENT_ID": pool["client_id"],
        "COGNITO_ENDPOINT_URL": pool["endpoint_url"],
        "COGNITO_JWKS_URL": pool["jwks_url"],
    }
    token = Minter(issuer, pool["client_id"]).token()
    servers = {}
    try:
        servers["off"] = production("server:app", env)
        servers["on"] = production("server:app", {**env, "METRICS_ENABLED": "true"})
        samples: dict[str, list[dict[str, Any]]] = {}
        for _ in range(ROUNDS):
            for name, server in servers.items():
                samples.setdefault(f"hello_{name}", []).append(_load(server, "/hello", {"token": token}))
                samples.setdefault(f"health_{name}", []).append(_load(server, "/health", {}))
    finally:
        for server in servers.values():
            server.stop()
    results: dict[str, Any] = {}
    for name, runs in samples.items():
        assert all(run["non_2xx"] == 0 and run["socket_errors"] == 0 for run in runs), (name, runs)
        results[name] = {key: statistics.median(run[key] for run in runs) for key in ("rps", "cpu_us", "p99_ms")}
    for route in ("hello", "health"):
        on, off = results[f"{route}_on"], results[f"{route}_off"]
        results[f"{route}_rps_on_over_off"] = on["rps"] / off["rps"]
        results[f"{route}_cpu_us_added"] = on["cpu_us"] - off["cpu_us"]
    return results


def in_process(pool: dict[str, Any]) -> dict[str, Any]:
    """CPU µs per WSGI call, metrics off and on, each in a process of its own (the switch is process-wide)."""
    children = {}
    for name, enabled in (("off", "false"), ("on", "true")):
        environ = {**os.environ, "METRICS_ENABLED": enabled, "BENCH_POOL": json.dumps(pool)}
        command = [sys.executable, "-m", "bench.metrics_cost", "--child"]
        children[name] = subprocess.Popen(
            command, env=environ, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
    samples: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
    try:
        for _ in range(ROUNDS):
            for name, child in children.items():  # one at a time: never both on the CPU at once
                assert child.stdin is not None and child.stdout is not None
                child.stdin.write("go\n")
                child.stdin.flush()
                samples[name].append(json.loads(child.stdout.readline()))
    finally:
        for child in children.values():
            child.kill()
            child.wait()
    results: dict[str, Any] = {}
    for route in ("hello", "health", "part_request", "part_token"):
        off = statistics.median(sample[route] for sample in samples["off"])
        on = statistics.median(sample[route] for sample in samples["on"])
        results[route] = {"off_us": off, "on_us": on, "added_us": on - off, "on_over_off": on / off}
    return results


def _child() -> None:
    """Serve rounds for `in_process`: on each line read, time CALLS WSGI calls of each route."""
    from app import create_app

    logging.disable(logging.INFO)
    pool = json.loads(os.environ["BENCH_POOL"])
    app = create_app({**pool, "metrics_enabled": os.environ["METRICS_ENABLED"] == "true"})
    settings = app.extensions["cognito_auth"].settings
    token = Minter(settings.issuer, settings.client_id).token()
    base = {"REQUEST_METHOD": "GET", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "5000", "REMOTE_ADDR": "127.0.0.1"}
    base.update({"wsgi.url_scheme": "http", "wsgi.input": sys.stdin.buffer, "SERVER_PROTOCOL": "HTTP/1.1"})
    routes = {"hello": {**base, "PATH_INFO": "/hello", "HTTP_AUTHORIZATION": f"Bearer {token}"}}
    routes["health"] = {**base, "PATH_INFO": "/health"}

    def call(environ: dict[str, Any]) -> None:
        for chunk in app.wsgi_app(dict(environ), lambda status, headers: None):
            assert chunk

    for environ in routes.values():  # warm: the JWKS fetched, the token cached, the metrics' children made
        for _ in range(200):
            call(environ)
    for _ in sys.stdin:
        timings = {}
        for name, environ in routes.items():
            started = time.process_time()
            for _ in range(CALLS):
                call(environ)
            timings[name] = (time.process_time() - started) / CALLS * 1e6
        timings.update(_parts())
        print(json.dumps(timings), flush=True)


def _parts() -> dict[str, float]:
    """CPU µs of the calls a /hello adds with metrics on (a no-op each when off), each timed on its own."""
    from services import metrics

    def check() -> None:
        with metrics.token_check(lambda: True):
            pass

    parts = {"part_request": lambda: metrics.request_answered("/hello", "GET", 200, 0.001), "part_token": check}
    timings = {}
    for name, part in parts.items():
        started = time.process_time()
        for _ in range(CALLS * 10):
            part()
        timings[name] = (time.process_time() - started) / (CALLS * 10) * 1e6
    return timings


def main() -> None:
    if sys.argv[1:] == ["--child"]:
        _child()
        return
    logging.disable(logging.INFO)
    emulator = LocalCognito()
    try:
        pool = emulator.create_pool("bench-metrics")
        results = {"in_process": in_process(pool)}
        if "--in-process" not in sys.argv:  # the WSGI figures only
            results["production"] = run(pool)
        print(json.dumps(results, indent=1))
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
