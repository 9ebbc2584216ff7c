"""The cost of METRICS_ENABLED on /hello and /health, two ways, each side by side and alternated round by round:
the production configuration under wrk (requests/s and the workers' CPU per request, medians), and two apps
called in-process through WSGI, one with metrics and one without, in short alternating turns (CPU µs per
request, medians: the figure a loaded machine blurs least).

`python -m bench.metrics_cost [--in-process]` (about two minutes): not one of `make bench`'s targets, a figure
for BENCHMARKS.md.
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import time
from typing import Any

from bench.production import _load, production
from cognito_emulator.emulator import LocalCognito
from tests.support.helpers import Minter

ROUNDS = 5
TURNS, CALLS = 40, 250  # in-process: turns of each app, calls of each route per turn


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
    """CPU µs per WSGI call of two apps in this process, one with metrics and one without, alternated in short
    turns (the recording switch is process-wide: it is off during the other app's turns)."""
    from app import create_app
    from services.common import metrics

    apps = {name: create_app({**pool, "metrics_enabled": name == "on"}) for name in ("off", "on")}
    recorder = metrics._recorder
    settings = apps["on"].extensions["cognito_auth"].settings
    token = Minter(settings.issuer, settings.client_id).token()
    base = {"REQUEST_METHOD": "GET", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "5000", "REMOTE_ADDR": "127.0.0.1"}
    base.update({"wsgi.url_scheme": "http", "wsgi.input": sys.stdin, "SERVER_PROTOCOL": "HTTP/1.1"})
    routes = {"hello": {**base, "PATH_INFO": "/hello", "HTTP_AUTHORIZATION": f"Bearer {token}"}}
    routes["health"] = {**base, "PATH_INFO": "/health"}
    spent = {(name, route): [] for name in apps for route in routes}
    for turn in range(-5, TURNS):  # the first turns warm up: the JWKS fetched, the token cached, children made
        for name, app in apps.items():
            metrics._recorder = recorder if name == "on" else None
            for route, environ in routes.items():
                started = time.process_time()
                for _ in range(CALLS):
                    for chunk in app.wsgi_app(dict(environ), lambda status, headers: None):
                        assert chunk
                if turn >= 0:
                    spent[(name, route)].append((time.process_time() - started) / CALLS * 1e6)
    metrics._recorder = recorder
    results: dict[str, Any] = {}
    for route in routes:
        off, on = statistics.median(spent[("off", route)]), statistics.median(spent[("on", route)])
        results[route] = {"off_us": off, "on_us": on, "added_us": on - off, "on_over_off": on / off}
    results.update(_parts(apps["on"]))
    return results


def _parts(app: Any) -> dict[str, float]:
    """CPU µs of what a /hello adds with metrics on, each part timed on its own: the two request hooks
    (recording included), and the token check's block."""
    from flask import Response

    from services.common import metrics

    start, count = app.before_request_funcs[None][-1], app.after_request_funcs[None][-1]
    answer = Response("{}")

    def hooks() -> None:
        start()
        count(answer)

    def check() -> None:
        with metrics.token_check(lambda: True):
            pass

    timings = {}
    with app.test_request_context("/hello"):
        for name, part in {"part_hooks_us": hooks, "part_token_check_us": check}.items():
            started = time.process_time()
            for _ in range(50_000):
                part()
            timings[name] = (time.process_time() - started) / 50_000 * 1e6
    return timings


def main() -> None:
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
