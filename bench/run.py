"""`make bench`: runs all eight benchmarks against one emulator and prints each figure beside its target."""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import platform
import sys

from bench import fast_command, forward_auth, forward_auth_assertion, http, lambda_bench, production, verify
from cognito_emulator.emulator import LocalCognito

# (label, figure, how it reads, target check (None: a figure reported, with no target), target text)
TARGETS = [
    ("1a. new token / raw RSA verify", lambda r: r["verify"]["new_over_raw"], "{:.2f}x", lambda v: v <= 1.5, "<= 1.5x"),
    ("1b. repeated token", lambda r: r["verify"]["repeat"], "{:.2f} us", lambda v: v <= 5, "<= 5 us"),
    (
        "2. /hello one token / /health",
        lambda r: r["http"]["hello_one"]["ratio_to_health"],
        "{:.3f}",
        lambda v: v >= 0.90,
        ">= 0.90",
    ),
    (
        "2. /hello 1,000 tokens / /health",
        lambda r: r["http"]["hello_1000"]["ratio_to_health"],
        "{:.3f}",
        lambda v: v >= 0.85,
        ">= 0.85",
    ),
    (
        "3. JWKS fetches during run 2",
        lambda r: r["http"]["jwks_fetches_run"],
        "{}",
        lambda v: v <= 2,
        "<= 1 per worker (2)",
    ),
    (
        "3. extra fetches, 1,000 unknown kids",
        lambda r: r["http"]["jwks_fetches_burst"],
        "{}",
        lambda v: v <= 2,
        "<= 1 per worker per cooldown",
    ),
    ("4. login: server / direct boto3", lambda r: r["http"]["login_ratio"], "{:.2f}x", lambda v: v <= 1.25, "<= 1.25x"),
    (
        "4. register: server / direct boto3",
        lambda r: r["http"]["register_ratio"],
        "{:.2f}x",
        lambda v: v <= 1.25,
        "<= 1.25x",
    ),
    (
        "5. worker RSS growth, 100,000 tokens",
        lambda r: r["http"]["rss_growth_mib"],
        "{:.1f} MiB",
        lambda v: v <= 30,
        "<= 30 MiB",
    ),
    (
        "6. Lambda cold start with SnapStart (restore + first /hello) / server start",
        lambda r: r["lambda"]["restore_over_server_start"],
        "{:.2f}x",
        lambda v: v <= 0.6,
        "<= 0.6x",
    ),
    (
        "6. Lambda cold start without SnapStart / server start",
        lambda r: r["lambda"]["cold_over_server_start"],
        "{:.2f}x",
        None,
        "(was the 0.6x target)",
    ),
    (
        "6. warm /hello: handler / test client",
        lambda r: r["lambda"]["warm_over_test_client"],
        "{:.2f}x",
        lambda v: v <= 1.5,
        "<= 1.5x",
    ),
    ("6. zip size", lambda r: r["lambda"]["zip_mib"], "{:.1f} MiB", lambda v: v <= 50, "<= 50 MiB (zipped)"),
    ("6. unzipped size", lambda r: r["lambda"]["unzipped_mib"], "{:.1f} MiB", lambda v: v <= 250, "<= 250 MiB"),
    *production.TARGETS,
    *forward_auth.TARGETS,
    *forward_auth_assertion.TARGETS,
    *fast_command.TARGETS,
]


# Each section by name (`--only NAME ...`); the production and Lambda ones also by part.
SECTIONS = {
    "verify": lambda emulator: ("verify", verify.run(emulator.create_pool("bench-verify"))),
    "http": lambda emulator: ("http", http.run(emulator, emulator.create_pool("bench-http"))),
    "lambda": lambda emulator: ("lambda", lambda_bench.run(emulator.create_pool("bench-lambda"))),
    "lambda-cold": lambda emulator: ("lambda", lambda_bench.run(emulator.create_pool("bench-lambda"), package=False)),
    "production": lambda emulator: ("production", production.run(emulator.create_pool("bench-production"))),
    **{
        f"production-{part}": lambda emulator, part=part: (
            "production",
            production.run(emulator.create_pool("bench-production"), parts=(part,)),
        )
        for part in production.PARTS
    },
    "forward_auth": lambda emulator: (
        "forward_auth",
        forward_auth.run(emulator.create_pool("bench-forward-auth"), emulator.last_code),
    ),
    "assertion": lambda emulator: (
        "assertion",
        forward_auth_assertion.run(emulator.create_pool("bench-assertion"), emulator.last_code),
    ),
    "fast_command": lambda emulator: ("fast_command", fast_command.run(emulator.create_pool("bench-fast-command"))),
}
ALL = ("verify", "http", "lambda", "production", "forward_auth", "assertion", "fast_command")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks, each figure printed beside its target.")
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), default=ALL, help="these sections only")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)  # the emulator's and server's per-request lines
    emulator = LocalCognito()
    try:
        results = dict(SECTIONS[name](emulator) for name in args.only)
    finally:
        emulator.stop()
    print(f"# {datetime.date.today()} on {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    print(json.dumps(results, indent=1, default=str))
    return report(results, TARGETS)


def report(results: dict, targets: list[tuple]) -> int:
    """Each figure beside its target, as a Markdown table; 1 when any target is missed."""
    print("\n| Benchmark | Figure | Target | Result |\n|---|---|---|---|")
    failed = 0
    for label, figure, shape, check, target in targets:
        try:
            value = figure(results)
        except KeyError:  # a section (or part) not run this time
            continue
        if check is None:
            print(f"| {label} | {shape.format(value)} | {target} | reported |")
            continue
        passed = check(value)
        failed += not passed
        print(f"| {label} | {shape.format(value)} | {target} | {'pass' if passed else 'FAIL'} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
