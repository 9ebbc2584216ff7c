"""Benchmark 8: forward auth (issue 17), under the production configuration (`gunicorn -c deploy/gunicorn.conf.py`).

- `/auth/check` with a bearer token, and with the session cookie (`auth_session`, from POST /auth/session), each
  against `/health` on the same server: the host's own store (no REDIS_URL) and, on a second server, Redis
  (a redis-server started here on a free loopback port). wrk `-t1 -c4`, rounds alternated, per-round ratios,
  medians, as bench/production.py measures; the workers' CPU time per request beside each.
- The latency nginx's `auth_request` adds: tests/support/upstream.py's app behind deploy/nginx-forward-auth.conf
  (ports substituted as tests/test_forward_auth_proxies.py does) against the same app behind a copy of that file
  with the `auth_request` lines removed. A paced probe (bench/paced.lua: 5 ms between requests on each of two
  connections), so the latencies are a client's, not wrk's own queue; p50 and p99 per round, medians.

No Cognito call is made on these routes once signed in, so the emulator is used directly, without a latency proxy.

Alone: `python -m bench.forward_auth` (about three minutes).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from bench.forward_auth_tools import start_nginx, wrk
from bench.http import UNLIMITED
from bench.production import _cpu_seconds, production
from tests.support.redis_server import RedisServer
from tests.support.servers import ROOT, ServerProcess, free_port, pool_env
from tests.support.upstream import Upstream

ROUNDS = 7
SECONDS = 2
LATENCY_ROUNDS = 5
LATENCY_SECONDS = 4
USER = {"username": "bench-fa", "email": "bench-fa@example.com", "password": "Passw0rd!"}
API = "Accept: application/json"


def _target(label: str, path: tuple[str, ...], shape: str, check, text: str) -> tuple:
    def figure(results: dict) -> Any:
        value = results["forward_auth"]
        for key in path:
            value = value[key]
        return value

    return (f"8. {label}", figure, shape, check, text)


# For bench/run.py: (label, figure, how it reads, target check or None for a figure only reported, target text)
TARGETS = [
    _target("/auth/check bearer / /health", ("check_bearer", "ratio"), "{:.3f}", lambda v: v >= 0.9, ">= 0.9"),
    _target(
        "/auth/check cookie / /health, host store",
        ("check_cookie_host", "ratio"),
        "{:.3f}",
        lambda v: v >= 0.8,
        ">= 0.8",
    ),
    _target(
        "/auth/check cookie / /health, Redis", ("check_cookie_redis", "ratio"), "{:.3f}", lambda v: v >= 0.6, ">= 0.6"
    ),
    _target("non-2xx answers in the runs above", ("non_2xx",), "{}", lambda v: v == 0, "0"),
    _target("nginx auth_request: added p50", ("nginx", "added_p50_ms"), "{:.2f} ms", None, "(reported)"),
    _target("nginx auth_request: added p99", ("nginx", "added_p99_ms"), "{:.2f} ms", None, "(reported)"),
    _target("/auth/check alone (paced): p50", ("nginx", "check_alone", "p50_ms"), "{:.2f} ms", None, "(reported)"),
    _target("/auth/check alone (paced): p99", ("nginx", "check_alone", "p99_ms"), "{:.2f} ms", None, "(reported)"),
    _target("nginx: requests not answered 200", ("nginx", "non_2xx"), "{}", lambda v: v == 0, "0"),
]


def _load(server: ServerProcess, path: str, headers: list[str]) -> dict:
    before = _cpu_seconds(server)
    result = wrk(server.url + path, headers, seconds=SECONDS)
    result["cpu_us"] = (_cpu_seconds(server) - before) / max(result["requests"], 1) * 1e6
    return result


def _session_cookie(server: ServerProcess) -> str:
    answer = requests.post(f"{server.url}/auth/session", json=USER, timeout=10)
    if answer.status_code != 200:
        raise RuntimeError(f"POST /auth/session answered {answer.status_code}: {server.output()[-3000:]}")
    found = re.search(r"auth_session=([^;]+)", answer.headers.get("Set-Cookie", ""))
    if not found:
        raise RuntimeError(f"POST /auth/session set no auth_session cookie: {answer.headers}")
    return found[1]


def run(pool: dict[str, Any], code: Callable[[str], str]) -> dict[str, Any]:
    """Benchmark 8; `code(username)` reads the sign-up code the emulator sent."""
    started: list[Any] = []
    with tempfile.TemporaryDirectory(prefix="bench-forward-auth-") as scratch:
        try:
            redis = RedisServer()
            started.append(redis)
            base_env = pool_env(pool, **UNLIMITED, TRUSTED_PROXIES="1")
            host = production("server:app", {**base_env, "SHARED_STATE_DIR": f"{scratch}/host-state"})
            started.append(host)
            shared = production(
                "server:app", {**base_env, "SHARED_STATE_DIR": f"{scratch}/redis-state", "REDIS_URL": redis.url}
            )
            started.append(shared)
            upstream = Upstream()
            started.append(upstream)
            # wrk stops with requests under way: nginx drops those, and the upstream's write meets a closed pipe.
            upstream._httpd.handle_error = lambda request, address: None
            with_auth = start_nginx(Path(scratch, "auth"), free_port(), host.port, upstream.port, auth_request=True)
            started.append(with_auth)
            without = start_nginx(Path(scratch, "open"), free_port(), host.port, upstream.port, auth_request=False)
            started.append(without)
            return _measure(host, shared, upstream, with_auth, without, code)
        finally:
            for thing in reversed(started):
                thing.close() if isinstance(thing, RedisServer) else thing.stop()


def _measure(
    host: ServerProcess,
    shared: ServerProcess,
    upstream: Upstream,
    with_auth: ServerProcess,
    without: ServerProcess,
    code: Callable[[str], str],
) -> dict[str, Any]:
    requests.post(f"{host.url}/auth/register", json=USER, timeout=10).raise_for_status()
    confirm = {"username": USER["username"], "code": code(USER["username"])}
    requests.post(f"{host.url}/auth/confirm", json=confirm, timeout=10).raise_for_status()
    token = requests.post(f"{host.url}/auth/login", json=USER, timeout=10).json()["access_token"]
    bearer = [f"Authorization: Bearer {token}", API]
    cookie_host = [f"Cookie: auth_session={_session_cookie(host)}", API]
    cookie_redis = [f"Cookie: auth_session={_session_cookie(shared)}", API]
    for server, headers in ((host, bearer), (host, cookie_host), (shared, cookie_redis)):
        answer = requests.get(f"{server.url}/auth/check", headers=dict(h.split(": ", 1) for h in headers), timeout=10)
        if answer.status_code != 200 or answer.headers.get("X-Auth-Request-User") != USER["username"]:
            raise RuntimeError(f"/auth/check answered {answer.status_code} {dict(answer.headers)}")
    results: dict[str, Any] = {}

    # Throughput: /auth/check right beside /health on the same server, which goes first in every other round.
    pairs = {
        "check_bearer": ((host, "/health", [API]), (host, "/auth/check", bearer)),
        "check_cookie_host": ((host, "/health", [API]), (host, "/auth/check", cookie_host)),
        "check_cookie_redis": ((shared, "/health", [API]), (shared, "/auth/check", cookie_redis)),
    }
    for pair in pairs.values():  # warm-up: JWKS fetched, store connections opened, caches filled
        for server, path, headers in pair:
            wrk(server.url + path, headers, seconds=1)
    runs: dict[str, list[tuple[dict, dict]]] = {name: [] for name in pairs}
    for round_ in range(ROUNDS):
        for name, pair in pairs.items():
            order = pair if round_ % 2 == 0 else pair[::-1]
            measured = [_load(*side) for side in order]
            runs[name].append(tuple(measured) if round_ % 2 == 0 else tuple(measured[::-1]))
    non_2xx = 0
    for name, samples in runs.items():
        results[name] = {
            "health_rps": statistics.median(h["rps"] for h, _ in samples),
            "check_rps": statistics.median(c["rps"] for _, c in samples),
            "health_cpu_us": statistics.median(h["cpu_us"] for h, _ in samples),
            "check_cpu_us": statistics.median(c["cpu_us"] for _, c in samples),
            "check_p99_ms": statistics.median(c["p99_ms"] for _, c in samples),
            "ratio": statistics.median(c["rps"] / h["rps"] for h, c in samples),
            "ratios": [round(c["rps"] / h["rps"], 3) for h, c in samples],
            "cpu_ratio": statistics.median(h["cpu_us"] / c["cpu_us"] for h, c in samples),
        }
        non_2xx += sum(h["non_2xx"] + c["non_2xx"] for h, c in samples)
    results["non_2xx"] = non_2xx

    # Latency: the upstream through nginx with auth_request and without, paced, alternated round by round.
    probe = [f"Authorization: Bearer {token}", API]
    for proxy in (with_auth, without):
        answer = requests.get(f"{proxy.url}/reports/7", headers=dict(h.split(": ", 1) for h in probe), timeout=10)
        if answer.status_code != 200:
            raise RuntimeError(f"nginx answered {answer.status_code}: {proxy.output()[-2000:]}")
        wrk(f"{proxy.url}/reports/7", probe, seconds=1, connections=2, script="paced.lua")
    # Beside them, the same probe on /auth/check straight to the auth server: what one check costs a client.
    sides: dict[str, list[dict]] = {"auth_request": [], "direct": [], "check_alone": []}
    order = [("auth_request", f"{with_auth.url}/reports/7"), ("direct", f"{without.url}/reports/7")]
    order.append(("check_alone", f"{host.url}/auth/check"))
    for round_ in range(LATENCY_ROUNDS):
        for name, url in order[round_ % 3 :] + order[: round_ % 3]:
            sides[name].append(wrk(url, probe, seconds=LATENCY_SECONDS, connections=2, script="paced.lua"))
            upstream.requests.clear()
    nginx: dict[str, Any] = {}
    for name, samples in sides.items():
        nginx[name] = {
            "p50_ms": statistics.median(s["p50_ms"] for s in samples),
            "p99_ms": statistics.median(s["p99_ms"] for s in samples),
            "rps": statistics.median(s["rps"] for s in samples),
            "requests": sum(s["requests"] for s in samples),
        }
    pairs_ = list(zip(sides["auth_request"], sides["direct"], strict=True))
    nginx["added_p50_ms"] = statistics.median(a["p50_ms"] - d["p50_ms"] for a, d in pairs_)
    nginx["added_p99_ms"] = statistics.median(a["p99_ms"] - d["p99_ms"] for a, d in pairs_)
    nginx["added_p50_ms_rounds"] = [round(a["p50_ms"] - d["p50_ms"], 3) for a, d in pairs_]
    nginx["added_p99_ms_rounds"] = [round(a["p99_ms"] - d["p99_ms"], 3) for a, d in pairs_]
    nginx["non_2xx"] = sum(s["non_2xx"] for samples in sides.values() for s in samples)
    results["nginx"] = nginx
    for proxy in (with_auth, without):
        if "[emerg]" in proxy.output() or "[alert]" in proxy.output():
            raise RuntimeError(proxy.output()[-2000:])
    return results


def main() -> int:
    """This benchmark alone, against its own emulator."""
    import logging

    from bench import run as bench_run
    from cognito_emulator.emulator import LocalCognito

    logging.disable(logging.INFO)
    emulator = LocalCognito()
    try:
        results = {"forward_auth": run(emulator.create_pool("bench-forward-auth"))}
    finally:
        emulator.stop()
    print(json.dumps(results, indent=1, default=str))
    return bench_run.report(results, TARGETS)


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
