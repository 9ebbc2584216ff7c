"""Benchmark 7: the production configuration (`gunicorn -c deploy/gunicorn.conf.py`) against a Cognito 60 ms away.

Beside it, under the same configuration: a bare Flask route and a 20-line Flask + PyJWT app (bench/apps.py).
Every ratio is from runs taken side by side in this run, alternated round by round; medians.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import requests

from bench import stress
from bench.http import mint_many, write_tokens, wrk
from bench.latency import SlowCognito
from bench.layouts import LATENCY, SLOTS, p99_during_sign_ins
from tests.support.helpers import Minter
from tests.support.servers import ServerProcess, free_port, worker_pids

BIN = Path(sys.executable).parent
ROUNDS = 5
SECONDS = 2
SERIAL_SIGN_INS = 40
UNLIMITED = {f"RATE_LIMIT_{n}": "100000000/minute" for n in ("REGISTER", "CONFIRM", "LOGIN", "LOGIN_USERNAME")}
USER = {"username": "bench", "email": "bench@example.com", "password": "Passw0rd!"}


def _target(label: str, path: tuple[str, ...], shape: str, check, text: str) -> tuple:
    def figure(results: dict) -> Any:
        value = results["production"]
        for key in path:
            value = value[key]
        return value

    return (f"7. {label}", figure, shape, check, text)


# For bench/run.py: (label, figure, how it reads, target check, target text)
TARGETS = [
    _target("/health / bare Flask route", ("health", "ratio"), "{:.3f}", lambda v: v >= 0.85, ">= 0.85"),
    _target("/hello one token / Flask+PyJWT", ("hello_one", "ratio"), "{:.2f}x", lambda v: v >= 1.2, ">= 1.2x"),
    _target("/hello 1,000 tokens / Flask+PyJWT", ("hello_1000", "ratio"), "{:.2f}x", lambda v: v >= 1.0, ">= 1.0x"),
    _target("sign-ins/s / (16 slots / 60 ms)", ("sign_in_over_ideal",), "{:.3f}", lambda v: v >= 0.9, ">= 0.9"),
    _target(
        "sign-in: server / direct boto3", ("sign_in_server_over_direct",), "{:.3f}x", lambda v: v <= 1.1, "<= 1.1x"
    ),
    _target(
        "/hello p99 during sign-ins / alone",
        ("hello_p99_during_over_alone",),
        "{:.1f}x",
        lambda v: v <= 2,
        "<= 2x",
    ),
    _target("hung Cognito: /hello answered", ("hung", "hello_answered_share"), "{:.1%}", lambda v: v == 1, "100%"),
    _target("hung Cognito: /hello p99", ("hung", "hello_p99_ms"), "{:.1f} ms", lambda v: v <= 50, "<= 50 ms"),
    _target(
        "slowloris x200: /hello answered", ("slowloris", "hello_answered_share"), "{:.1%}", lambda v: v == 1, "100%"
    ),
]


def production(target: str, env: dict[str, str]) -> ServerProcess:
    """`gunicorn -c deploy/gunicorn.conf.py <target>` as the README runs it, on a free port, every worker up."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", target]
    return ServerProcess(env, command=command, port=port, ready=lambda server: len(worker_pids(server)) >= 2)


PARTS = ("throughput", "p99", "serial")  # serial: one sign-in at a time, the hung Cognito and slowloris runs


def run(pool: dict[str, Any], parts: tuple[str, ...] = PARTS) -> dict[str, Any]:
    cognito = SlowCognito(pool["endpoint_url"], delay=LATENCY)
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool['user_pool_id']}"
    credentials = {"AWS_ACCESS_KEY_ID": "emulator", "AWS_SECRET_ACCESS_KEY": "emulator"}
    ours_env = {
        **UNLIMITED,
        **credentials,
        "COGNITO_USER_POOL_ID": pool["user_pool_id"],
        "COGNITO_CLIENT_ID": pool["client_id"],
        "COGNITO_ENDPOINT_URL": cognito.url,
        "COGNITO_JWKS_URL": pool["jwks_url"],
    }
    yardstick_env = {"BENCH_JWKS_URL": pool["jwks_url"], "BENCH_ISSUER": issuer, "BENCH_CLIENT_ID": pool["client_id"]}
    servers = {}
    try:
        servers["ours"] = production("server:app", ours_env)
        servers["ours_cognito"] = production("server:app", ours_env)  # deploy/nginx.conf's second group
        servers["bare"] = production("bench.apps:bare", yardstick_env)
        servers["pyjwt"] = production("bench.apps:pyjwt", yardstick_env)
        return _measure(servers, cognito, pool, issuer, parts)
    finally:
        for server in servers.values():
            server.stop()
        cognito.stop()


def _measure(
    servers: dict[str, ServerProcess], cognito: SlowCognito, pool: dict, issuer: str, parts: tuple[str, ...]
) -> dict[str, Any]:
    ours = servers["ours"].url
    requests.post(f"{ours}/auth/register", json=USER, timeout=5).raise_for_status()
    requests.post(f"{ours}/auth/confirm", json={"username": "bench", "code": "1"}, timeout=5).raise_for_status()
    requests.post(f"{ours}/auth/login", json=USER, timeout=5).raise_for_status()
    token = Minter(issuer, pool["client_id"]).token()
    rotating = write_tokens(mint_many(issuer, pool["client_id"], 1000))
    results: dict[str, Any] = {}

    # Throughput: each of our routes right beside its yardstick, which goes first in every other round;
    # the ratio is taken per round (the machine is shared: a burst of other work hits both sides of a pair).
    # Beside requests/s, the workers' CPU time per request (from /proc), which other work barely moves.
    hello_one, hello_1000 = {"token": token}, {"tokens_file": rotating}
    pairs = {
        "health": ((servers["bare"], "/health", {}), (servers["ours"], "/health", {})),
        "hello_one": ((servers["pyjwt"], "/hello", hello_one), (servers["ours"], "/hello", hello_one)),
        "hello_1000": ((servers["pyjwt"], "/hello", hello_1000), (servers["ours"], "/hello", hello_1000)),
    }
    if "throughput" not in parts:
        pairs = {}
    for pair in pairs.values():  # warm-up: JWKS fetched, imports done, caches filled
        for server, path, options in pair:
            wrk(server.url + path, seconds=1, **options)
    runs: dict[str, list[tuple[dict, dict]]] = {name: [] for name in pairs}
    for round_ in range(ROUNDS):
        for name, pair in pairs.items():
            order = pair if round_ % 2 == 0 else pair[::-1]
            measured = [_load(server, path, options) for server, path, options in order]
            runs[name].append(tuple(measured) if round_ % 2 == 0 else tuple(measured[::-1]))
    for name, samples in runs.items():
        results[name] = {
            "yardstick": _summary([theirs for theirs, _ in samples]),
            "ours": _summary([ours_ for _, ours_ in samples]),
            "ratio": statistics.median(ours_["rps"] / theirs["rps"] for theirs, ours_ in samples),
            "ratios": [round(ours_["rps"] / theirs["rps"], 3) for theirs, ours_ in samples],
            "cpu_ratio": statistics.median(theirs["cpu_us"] / ours_["cpu_us"] for theirs, ours_ in samples),
        }

    if "p99" in parts:
        results.update(p99_during_sign_ins(servers["ours"].port, servers["ours_cognito"].port, token))
    if "serial" not in parts:
        return results

    # One sign-in at a time: through the server vs boto3 straight to the same slow Cognito, interleaved.
    direct = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=cognito.url)
    session = requests.Session()
    auth = {"USERNAME": "bench", "PASSWORD": "Passw0rd!"}
    server_ms, direct_ms = [], []
    for _ in range(SERIAL_SIGN_INS):
        server_ms.append(_timed(lambda: session.post(f"{ours}/auth/login", json=USER).raise_for_status()))
        direct_ms.append(
            _timed(
                lambda: direct.initiate_auth(
                    ClientId=pool["client_id"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=auth
                )
            )
        )
    results["sign_in_server_ms"] = statistics.median(server_ms)
    results["sign_in_direct_ms"] = statistics.median(direct_ms)
    results["sign_in_server_over_direct"] = results["sign_in_server_ms"] / results["sign_in_direct_ms"]
    # The same throughput against the latency a Cognito call really has here (60 ms plus the HTTP round trip).
    if "sign_in_per_s" in results:
        results["sign_in_over_measured"] = results["sign_in_per_s"] * results["sign_in_direct_ms"] / 1000 / SLOTS

    results["hung"] = stress.hung_cognito(ours, cognito, token)
    results["slowloris"] = stress.slowloris(servers["ours"].port, token)
    return results


def _load(server: ServerProcess, path: str, options: dict[str, Any]) -> dict[str, Any]:
    """wrk on one route, with the CPU time the server's workers spent per request (µs)."""
    before = _cpu_seconds(server)
    result = wrk(server.url + path, seconds=SECONDS, **options)
    result["cpu_us"] = (_cpu_seconds(server) - before) / result["requests"] * 1e6
    return result


def _cpu_seconds(server: ServerProcess) -> float:
    ticks = 0
    for pid in worker_pids(server):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _summary(samples: list[dict]) -> dict[str, float]:
    return {
        "rps": statistics.median(s["rps"] for s in samples),
        "cpu_us": statistics.median(s.get("cpu_us", 0) for s in samples),
        "p99_ms": statistics.median(s["p99_ms"] for s in samples),
        "non_2xx": sum(s["non_2xx"] + s["socket_errors"] for s in samples),
    }


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000
