"""Benchmark 11: what the signed identity and a policy file cost `/auth/check` (issue 29, point 4).

Two servers side by side, each `gunicorn -c deploy/gunicorn.conf.py server:app` (bench/production.py), on the
same pool, asked with the same bearer token and the same original request (`X-Forwarded-Host`,
`X-Original-URI`, `X-Forwarded-Method`, as the proxies send them): one plain (no ASSERTION_KEY_FILE, no
POLICY_FILE), one with the assertion on and a policy file (bench/policy-ten-rules.yaml, ten rules of every kind,
the request measured matched by the last; or `--policy-file`). wrk `-t1 -c4`, rounds alternated (the plain
server first in every other round), the figure the median of the per-round ratios, the workers' CPU time per
request beside it.

Alone: `.venv/bin/python -m bench.forward_auth_assertion [--policy-file FILE] [--rounds N] [--seconds S]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from typing import Any

import requests

from bench.forward_auth_tools import wrk
from bench.http import UNLIMITED
from bench.production import _cpu_seconds, production
from services.tokens.assertion import write_new_key
from tests.support.servers import ROOT, ServerProcess, pool_env

ROUNDS = 7
SECONDS = 2
USER = {"username": "bench-assert", "email": "bench-assert@example.com", "password": "Passw0rd!"}
HOST = "app.example.com"
ORIGINAL = {"X-Forwarded-Host": HOST, "X-Original-URI": "/reports/7", "X-Forwarded-Method": "GET"}
HEADER = "X-Auth-Request-Assertion"
# The ten-rule policy `make bench` measures with (the request measured matches its last rule).
POLICY = os.path.join(ROOT, "bench", "policy-ten-rules.yaml")

# For bench/run.py: (label, figure, how it reads, target check or None for a figure only reported, target text)
TARGETS = [
    (
        "11. /auth/check with the assertion (and a ten-rule policy) / without",
        lambda r: r["assertion"]["ratio"],
        "{:.3f}",
        lambda v: v >= 0.85,
        ">= 0.85",
    ),
    ("11. non-2xx answers in those runs", lambda r: r["assertion"]["non_2xx"], "{}", lambda v: v == 0, "0"),
]


def run(
    pool: dict[str, Any],
    code: Callable[[str], str],
    policy_file: str | None = None,
    rounds: int = ROUNDS,
    seconds: int = SECONDS,
) -> dict[str, Any]:
    """Both servers started, measured side by side, stopped; `code(username)` reads the sign-up code sent."""
    started: list[ServerProcess] = []
    with tempfile.TemporaryDirectory(prefix="bench-assertion-") as scratch:
        key = os.path.join(scratch, "assertion.pem")
        write_new_key(key)
        base = pool_env(pool, **UNLIMITED, TRUSTED_PROXIES="1")
        full = {**base, "ASSERTION_KEY_FILE": key, "ASSERTION_ISSUER": "https://auth.example.com"}
        policy = _policy(policy_file)
        full["POLICY_FILE"] = policy
        try:
            plain_server = production("server:app", {**base, "SHARED_STATE_DIR": f"{scratch}/plain"})
            started.append(plain_server)
            full_server = production("server:app", {**full, "SHARED_STATE_DIR": f"{scratch}/full"})
            started.append(full_server)
            results = _measure(plain_server, full_server, code, rounds, seconds)
        finally:
            for server in reversed(started):
                server.stop()
    results["policy_file"] = policy
    return results


def _policy(policy_file: str | None) -> str:
    """The policy file to measure with: `--policy-file`, else the ten-rule file beside this module."""
    return os.path.abspath(policy_file or POLICY)


def _measure(
    plain: ServerProcess, full: ServerProcess, code: Callable[[str], str], rounds: int, seconds: int
) -> dict[str, Any]:
    token = _token(plain, code)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", **ORIGINAL}
    for server, signed in ((plain, False), (full, True)):
        answer = requests.get(f"{server.url}/auth/check", headers=headers, timeout=10)
        if answer.status_code != 200 or (HEADER in answer.headers) != signed:
            raise RuntimeError(
                f"/auth/check answered {answer.status_code} {dict(answer.headers)}: {server.output()[-2000:]}"
            )
    lines = [f"{name}: {value}" for name, value in headers.items()]
    for server in (plain, full):  # warm-up: JWKS fetched, caches filled
        wrk(f"{server.url}/auth/check", lines, seconds=1)
    samples: list[tuple[dict, dict]] = []
    for round_ in range(rounds):
        order = (plain, full) if round_ % 2 == 0 else (full, plain)
        measured = {server.url: _load(server, lines, seconds) for server in order}
        samples.append((measured[plain.url], measured[full.url]))
    return {
        "plain_rps": statistics.median(p["rps"] for p, _ in samples),
        "full_rps": statistics.median(f["rps"] for _, f in samples),
        "ratio": statistics.median(f["rps"] / p["rps"] for p, f in samples),
        "ratios": [round(f["rps"] / p["rps"], 3) for p, f in samples],
        "cpu_ratio": statistics.median(p["cpu_us"] / f["cpu_us"] for p, f in samples),
        "plain_cpu_us": statistics.median(p["cpu_us"] for p, _ in samples),
        "full_cpu_us": statistics.median(f["cpu_us"] for _, f in samples),
        "non_2xx": sum(p["non_2xx"] + f["non_2xx"] for p, f in samples),
    }


def _token(server: ServerProcess, code: Callable[[str], str]) -> str:
    requests.post(f"{server.url}/auth/register", json=USER, timeout=10).raise_for_status()
    confirm = {"username": USER["username"], "code": code(USER["username"])}  # the emulator checks it
    requests.post(f"{server.url}/auth/confirm", json=confirm, timeout=10).raise_for_status()
    token: str = requests.post(f"{server.url}/auth/login", json=USER, timeout=10).json()["access_token"]
    return token


def _load(server: ServerProcess, lines: list[str], seconds: int) -> dict:
    before = _cpu_seconds(server)
    result = wrk(f"{server.url}/auth/check", lines, seconds=seconds)
    result["cpu_us"] = (_cpu_seconds(server) - before) / max(result["requests"], 1) * 1e6
    return result


def main(argv: list[str] | None = None) -> int:
    """This benchmark alone, against its own emulator."""
    import logging

    from bench import run as bench_run
    from cognito_emulator.emulator import LocalCognito

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy-file", help="a ten-rule POLICY_FILE, measured with the assertion")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--seconds", type=int, default=SECONDS)
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)
    emulator = LocalCognito()
    try:
        pool = emulator.create_pool("bench-assertion")
        results = {"assertion": run(pool, emulator.last_code, args.policy_file, args.rounds, args.seconds)}
    finally:
        emulator.stop()
    print(json.dumps(results, indent=1, default=str))
    return bench_run.report(results, TARGETS)


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
