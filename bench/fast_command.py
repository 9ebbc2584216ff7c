"""Benchmark 12: the decision path under the granian command (python deploy/granian_serve.py, issue 30).

Side by side in one run, two workers each, wrk `-t1 -c16`, rounds alternated, per-round ratios, medians:
- `/auth/check` with a bearer token under granian and under gunicorn (`deploy/gunicorn.conf.py`);
- under granian, `/auth/check` against a bare Flask route (bench/apps.py `bare`) under the same command;
- under granian with REDIS_URL, `/auth/check` with the session cookie against the same with a bearer token;
- `/hello`'s p99 through the README's nginx (deploy/nginx.conf: granian for the token checks, gunicorn for the
  Cognito routes), paced (bench/paced.lua), idle and while 8 clients sign in without pause.

The load average is recorded at the start and the end: the figures mean something on a quiet machine only.
Alone: `python -m bench.fast_command [--rounds N --seconds S]` (about three minutes with the defaults).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from bench.forward_auth_tools import wrk
from bench.http import UNLIMITED
from bench.production import production
from cognito_emulator.emulator import last_code
from tests.support.granian import granian
from tests.support.nginx import readmes_nginx
from tests.support.redis_server import RedisServer
from tests.support.servers import ROOT, ServerProcess, pool_env

ROUNDS = 5
SECONDS = 2
CONNECTIONS = 16
SIGN_IN_CLIENTS = 8  # within the bulkhead (8 Cognito calls per worker): sign-ins, not 503s
USER = {"username": "bench-fast", "email": "bench-fast@example.com", "password": "Passw0rd!"}
API = "Accept: application/json"


def _target(label: str, key: str, check, text: str) -> tuple:
    return (f"12. {label}", lambda results: results["fast_command"][key]["ratio"], "{:.2f}x", check, text)


# For bench/run.py: (label, figure, how it reads, target check, target text)
TARGETS = [
    _target("/auth/check bearer: granian / gunicorn", "granian_over_gunicorn", lambda v: v >= 1.5, ">= 1.5x"),
    _target("/auth/check bearer / bare Flask, granian", "check_over_bare", lambda v: v >= 0.75, ">= 0.75x"),
    _target("/auth/check cookie on Redis / bearer, granian", "cookie_over_bearer", lambda v: v >= 0.6, ">= 0.6x"),
    _target("/hello p99 during sign-ins / idle, nginx", "hello_p99_signins_over_idle", lambda v: v <= 2, "<= 2x"),
    ("12. non-2xx answers in the runs above", lambda r: r["fast_command"]["non_2xx"], "{}", lambda v: v == 0, "0"),
]


def _cookie(server: ServerProcess) -> str:
    answer = requests.post(f"{server.url}/auth/session", json=USER, timeout=10)
    found = re.search(r"auth_session=([^;]+)", answer.headers.get("Set-Cookie", ""))
    if answer.status_code != 200 or not found:
        raise RuntimeError(f"POST /auth/session answered {answer.status_code}: {server.output()[-3000:]}")
    return found[1]


def run(pool: dict[str, Any], rounds: int = ROUNDS, seconds: int = SECONDS) -> dict[str, Any]:
    """Start the servers, measure, stop them."""
    started: list[Any] = []
    with tempfile.TemporaryDirectory(prefix="bench-fast-") as scratch:
        try:
            redis = RedisServer()
            started.append(redis)
            env = pool_env(pool, **UNLIMITED, TRUSTED_PROXIES="1", SHARED_STATE_DIR=f"{scratch}/host")
            servers = {
                "gunicorn": production("server:app", env),
                "granian": granian(env),
                "granian_bare": granian({"APP_MODULE": "bench.apps:bare"}),
                "granian_redis": granian({**env, "REDIS_URL": redis.url, "SHARED_STATE_DIR": f"{scratch}/redis"}),
            }
            started.extend(servers.values())
            nginx = readmes_nginx(servers["granian"].port, Path(scratch), cognito_port=servers["gunicorn"].port)
            started.append(nginx)
            return _measure(servers, nginx, rounds, seconds)
        finally:
            for thing in reversed(started):
                thing.close() if isinstance(thing, RedisServer) else thing.stop()


def _measure(servers: dict[str, ServerProcess], nginx: ServerProcess, rounds: int, seconds: int) -> dict[str, Any]:
    load_before = os.getloadavg()
    url = servers["granian"].url
    requests.post(f"{url}/auth/register", json=USER, timeout=10).raise_for_status()
    code = last_code(USER["username"])  # the emulator's, as the user would read it
    requests.post(f"{url}/auth/confirm", json={"username": USER["username"], "code": code}, timeout=10)
    token = requests.post(f"{url}/auth/login", json=USER, timeout=10).json()["access_token"]
    bearer = [f"Authorization: Bearer {token}", API]
    cookie = [f"Cookie: auth_session={_cookie(servers['granian_redis'])}", API]
    check = "/auth/check"
    # (slower side, faster side): the ratio is the second's requests/s over the first's.
    pairs = {
        "granian_over_gunicorn": ((servers["gunicorn"], check, bearer), (servers["granian"], check, bearer)),
        "check_over_bare": ((servers["granian_bare"], "/health", [API]), (servers["granian"], check, bearer)),
        "cookie_over_bearer": ((servers["granian_redis"], check, bearer), (servers["granian_redis"], check, cookie)),
    }
    for pair in pairs.values():  # warm-up: keys fetched, store connections opened, caches filled
        for server, path, headers in pair:
            wrk(server.url + path, headers, seconds=1, connections=CONNECTIONS)
    results: dict[str, Any] = {}
    non_2xx = 0
    for name, pair in pairs.items():
        samples = []
        for round_ in range(rounds):
            order = pair if round_ % 2 == 0 else pair[::-1]
            measured = [wrk(s.url + p, h, seconds=seconds, connections=CONNECTIONS) for s, p, h in order]
            samples.append(measured if round_ % 2 == 0 else measured[::-1])
        non_2xx += sum(a["non_2xx"] + b["non_2xx"] for a, b in samples)
        results[name] = {
            "first_rps": statistics.median(a["rps"] for a, _ in samples),
            "second_rps": statistics.median(b["rps"] for _, b in samples),
            "ratio": statistics.median(b["rps"] / a["rps"] for a, b in samples),
            "ratios": [round(b["rps"] / a["rps"], 3) for a, b in samples],
        }
    results["hello_p99_signins_over_idle"] = _hello_during_sign_ins(nginx, bearer, rounds, seconds)
    non_2xx += results["hello_p99_signins_over_idle"].pop("non_2xx")
    results["non_2xx"] = non_2xx
    results["load_average"] = {"start": load_before, "end": os.getloadavg()}
    return results


def _hello_during_sign_ins(nginx: ServerProcess, probe: list[str], rounds: int, seconds: int) -> dict[str, Any]:
    """Paced /hello through nginx, idle and with SIGN_IN_CLIENTS clients signing in, rounds alternated."""
    hello = f"{nginx.url}/hello"
    wrk(hello, probe, seconds=1, connections=2, script="paced.lua")
    stop = threading.Event()
    statuses: list[int] = []

    def sign_in() -> None:
        session = requests.Session()
        while not stop.is_set():
            statuses.append(session.post(f"{nginx.url}/auth/login", json=USER, timeout=15).status_code)

    idle, busy = [], []
    for round_ in range(rounds):
        for loaded in (False, True) if round_ % 2 == 0 else (True, False):
            if not loaded:
                idle.append(wrk(hello, probe, seconds=seconds * 2, connections=2, script="paced.lua"))
                continue
            stop.clear()
            with ThreadPoolExecutor(max_workers=SIGN_IN_CLIENTS) as pool:
                for _ in range(SIGN_IN_CLIENTS):
                    pool.submit(sign_in)
                busy.append(wrk(hello, probe, seconds=seconds * 2, connections=2, script="paced.lua"))
                stop.set()
    return {
        "idle_p99_ms": statistics.median(s["p99_ms"] for s in idle),
        "busy_p99_ms": statistics.median(s["p99_ms"] for s in busy),
        "ratio": statistics.median(b["p99_ms"] / i["p99_ms"] for i, b in zip(idle, busy, strict=True)),
        "ratios": [round(b["p99_ms"] / i["p99_ms"], 2) for i, b in zip(idle, busy, strict=True)],
        "non_2xx": sum(s["non_2xx"] for s in idle + busy),
        "sign_ins": {str(status): statuses.count(status) for status in sorted(set(statuses))},
    }


def main(argv: list[str] | None = None) -> int:
    """This benchmark alone, against its own emulator."""
    import logging

    from bench import run as bench_run
    from cognito_emulator.emulator import LocalCognito  # the emulator runs in this process: last_code reads it

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--seconds", type=int, default=SECONDS)
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)
    emulator = LocalCognito()
    try:
        results = {"fast_command": run(emulator.create_pool("bench-fast-command"), args.rounds, args.seconds)}
    finally:
        emulator.stop()
    print(json.dumps(results, indent=1, default=str))
    return bench_run.report(results, TARGETS)


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
