"""The app's own per-request CPU on `/auth/check` (bearer) and `/hello`, in process, beside a bare Flask route:
`python -m bench.check_cost [--profile PATH]`. No HTTP and no server, so only the app's work is measured.

The WSGI app is called as a server calls it (an environ, start_response, the body iterated and closed), with
the request log written to /dev/null. Rounds alternate the routes; the figure is the measuring thread's CPU
per request (`time.thread_time`), medians. `--profile /auth/check` prints cProfile's top functions instead.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, jsonify

ROUNDS = 15
CALLS = 500
POOL = "us-east-1_abcdefghi"
CLIENT = "abcdefghijklmnopqrstuvwxyz"


def _apps() -> tuple[Any, Any, str, Any]:
    """The app (JWKS from a local host), a bare Flask app, a valid access token, and the JWKS host."""
    import jwt

    from app import create_app
    from tests.support.helpers import EMULATOR_PRIVATE_JWK, JwksHost, Minter, public_jwk

    host = JwksHost({"keys": [public_jwk(jwt.PyJWK(EMULATOR_PRIVATE_JWK).key, EMULATOR_PRIVATE_JWK["kid"])]})
    os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
    ours = create_app({"user_pool_id": POOL, "client_id": CLIENT, "jwks_url": host.url})
    settings = ours.extensions["cognito_auth"].settings
    token = Minter(settings.issuer, settings.client_id).token()
    for handler in logging.getLogger().handlers:  # the server writes its request log to its output
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))
    bare = Flask("bare")
    bare.get("/health")(lambda: jsonify(status="ok"))
    return ours, bare, token, host


def caller(app: Any, path: str, token: str | None = None) -> Callable[[], None]:
    """One request to `app` at `path`, as a WSGI server makes it."""
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT": "application/json"} if token else {}

    def call() -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "x",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "HTTP_HOST": "x",
            "REMOTE_ADDR": "127.0.0.1",
            **extra,
        }
        statuses: list[str] = []
        body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
        for _ in body:
            pass
        body.close()
        assert statuses[0].startswith("200"), (path, statuses)

    return call


def per_call_us(call: Callable[[], None], calls: int = CALLS) -> float:
    """CPU microseconds per call of the measuring thread."""
    started = time.thread_time()
    for _ in range(calls):
        call()
    return (time.thread_time() - started) / calls * 1e6


def measure() -> dict[str, float]:
    """Median CPU per request: the bare route, /health, /hello and /auth/check (bearer)."""
    ours, bare, token, host = _apps()
    try:
        calls = {
            "bare": caller(bare, "/health"),
            "health": caller(ours, "/health"),
            "hello": caller(ours, "/hello", token),
            "check": caller(ours, "/auth/check", token),
        }
        for call in calls.values():
            per_call_us(call, 200)  # warm-up: keys fetched, caches filled
        samples: dict[str, list[float]] = {name: [] for name in calls}
        for _ in range(ROUNDS):
            for name, call in calls.items():
                samples[name].append(per_call_us(call))
        return {f"{name}_us": round(statistics.median(values), 1) for name, values in samples.items()}
    finally:
        host.server.stop()


def profile(path: str, top: int = 30) -> None:
    """cProfile's top functions, by own time, over 3,000 requests to `path`."""
    ours, _, token, host = _apps()
    try:
        call = caller(ours, path, token)
        per_call_us(call, 200)
        profiler = cProfile.Profile()
        profiler.runcall(per_call_us, call, 3000)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(top)
    finally:
        host.server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", metavar="PATH", help="print cProfile's top functions for this route")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile)
    else:
        print(json.dumps(measure()))


if __name__ == "__main__":
    main()
