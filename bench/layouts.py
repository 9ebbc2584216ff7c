"""Benchmark 7's p99 part: /hello's p99 alone and while sign-ins run, through deploy/nginx.conf, with every route in
one group of gunicorn workers and with the routes that call Cognito in a group of their own (the README's)."""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench import stress
from bench.http import wrk
from tests.support.nginx import readmes_nginx

PROBE_SECONDS = 4
SIGN_IN_ROUNDS = 5
LATENCY = 0.060  # the latency proxy's, in front of the emulator
SLOTS = 8 * 2  # COGNITO_MAX_CONCURRENT_CALLS per worker, 2 workers
SIGN_IN_CONNECTIONS = 24  # more than the slots, so none stays idle
LAYOUTS = ("one_group", "two_groups")  # of deploy/nginx.conf's upstreams: see p99_during_sign_ins


def p99_during_sign_ins(main: int, second: int, token: str) -> dict[str, Any]:
    """/hello's p99 alone and while sign-ins run, through deploy/nginx.conf, in two layouts side by side, round
    by round: every route in one group of workers (both of nginx's upstreams the same server), and the README's,
    the Cognito routes in a group of their own. Sign-ins/s counted in the README's layout."""
    samples: dict[str, dict[str, list]] = {name: {"alone": [], "during": [], "sign_ins": []} for name in LAYOUTS}
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as folder:
        for name in LAYOUTS:
            (Path(folder) / name).mkdir()
        proxies = {
            "one_group": readmes_nginx(main, Path(folder) / "one_group"),
            "two_groups": readmes_nginx(main, Path(folder) / "two_groups", second),
        }
        try:
            for proxy in proxies.values():  # warm-up: nginx's upstream connections, both groups' first sign-ins
                wrk(f"{proxy.url}/auth/login", seconds=1, connections=SIGN_IN_CONNECTIONS, script="login.lua")
            for round_ in range(SIGN_IN_ROUNDS):
                for name in LAYOUTS if round_ % 2 == 0 else LAYOUTS[::-1]:
                    alone, sign_ins, during = _probe_round(proxies[name].url, token)
                    samples[name]["alone"].append(alone)
                    samples[name]["sign_ins"].append(sign_ins)
                    samples[name]["during"].append(during)
        finally:
            for proxy in proxies.values():
                proxy.stop()
    results: dict[str, Any] = {}
    for name, runs in samples.items():
        ratios = [d["p99_ms"] / a["p99_ms"] for a, d in zip(runs["alone"], runs["during"], strict=True)]
        results[name] = {
            "hello_p99_alone_ms": statistics.median(s["p99_ms"] for s in runs["alone"]),
            "hello_p99_during_ms": statistics.median(s["p99_ms"] for s in runs["during"]),
            "hello_p99_during_over_alone": statistics.median(ratios),
            "ratios": [round(ratio, 2) for ratio in ratios],
            "hello_non_2xx": sum(s["non_2xx"] + s["socket_errors"] for s in runs["alone"] + runs["during"]),
            "sign_in_per_s": statistics.median(_sign_ins_per_s(s) for s in runs["sign_ins"]),
            "sign_in_non_2xx": sum(s["non_2xx"] for s in runs["sign_ins"]),
        }
    readme = results["two_groups"]
    results.update(
        sign_in_per_s=readme["sign_in_per_s"],
        sign_in_non_2xx=readme["sign_in_non_2xx"],
        sign_in_ideal_per_s=SLOTS / LATENCY,
        sign_in_over_ideal=readme["sign_in_per_s"] / (SLOTS / LATENCY),
        hello_p99_alone_ms=readme["hello_p99_alone_ms"],
        hello_p99_during_ms=readme["hello_p99_during_ms"],
        hello_p99_during_over_alone=readme["hello_p99_during_over_alone"],
    )
    return results


def _probe_round(url: str, token: str) -> tuple[dict, dict, dict]:
    """The paced /hello probe alone, then beside 24 clients signing in: (alone, sign-ins, during)."""

    def probe() -> dict:
        return wrk(f"{url}/hello", seconds=PROBE_SECONDS, connections=2, token=token, script="paced.lua")

    def sign_ins() -> dict:
        return wrk(f"{url}/auth/login", seconds=PROBE_SECONDS + 1, connections=SIGN_IN_CONNECTIONS, script="login.lua")

    alone = probe()
    during = stress.concurrently(sign_ins, probe)
    return alone, during[0], during[1]


def _sign_ins_per_s(sample: dict) -> float:
    return (sample["requests"] - sample["non_2xx"]) / (PROBE_SECONDS + 1)
