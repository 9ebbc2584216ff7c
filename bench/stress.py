"""Benchmark 7's hostile parts: a hung Cognito under 100 sign-ins, and 200 slowloris clients behind nginx."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from bench.http import wrk
from tests.support.nginx import readmes_nginx

HUNG_SECONDS = 8
SIGN_INS = 100
SLOW_CLIENTS = 200
# Headers, then one byte of a 100-byte body: a slow client that has not finished its request.
SLOW_REQUEST = b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"


def concurrently(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions at the same time; their results, in order."""
    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return [future.result() for future in [pool.submit(action) for action in actions]]


def hung_cognito(url: str, cognito: Any, token: str, seconds: float = 5) -> dict[str, Any]:
    """100 clients signing in against a Cognito that holds each sign-in 8 s (retrying after Retry-After on a
    503, so 100 stay under way); meanwhile, wrk on /hello."""
    cognito.hang = HUNG_SECONDS
    stop = threading.Event()
    answers: list[tuple[int, float]] = []  # status, seconds

    def sign_in(index: int) -> None:
        body = {"username": f"hung{index}", "password": "Passw0rd!"}
        while not stop.is_set():
            started = time.monotonic()
            answer = requests.post(f"{url}/auth/login", json=body, timeout=HUNG_SECONDS + 5)
            answers.append((answer.status_code, time.monotonic() - started))
            stop.wait(float(answer.headers.get("Retry-After", "1")))

    try:
        with ThreadPoolExecutor(max_workers=SIGN_INS) as pool:
            for index in range(SIGN_INS):
                pool.submit(sign_in, index)
            time.sleep(1)  # every slot held by now, the rest answered 503
            hello = wrk(f"{url}/hello", seconds=seconds, connections=4, token=token)
            stop.set()
    finally:
        cognito.hang = 0.0
    answered = hello["requests"] - hello["non_2xx"]
    return {
        "hello_requests": hello["requests"] + hello["socket_errors"],
        "hello_answered_share": answered / (hello["requests"] + hello["socket_errors"]),
        "hello_p99_ms": hello["p99_ms"],
        "hello_rps": hello["rps"],
        "sign_in_answers": {status: [n for n, _ in answers].count(status) for status in {n for n, _ in answers}},
        "sign_in_answered_within_1s": sum(seconds < 1 for _, seconds in answers),
        "sign_in_slowest_s": max(seconds for _, seconds in answers),
    }


def slowloris(app_port: int, token: str, seconds: float = 4) -> dict[str, Any]:
    """200 clients trickling requests into deploy/nginx.conf in front of the server; meanwhile, wrk on /hello."""
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as prefix:
        proxy = readmes_nginx(app_port, Path(prefix))
        port = proxy.port
        slow: list[socket.socket] = []
        try:
            for _ in range(SLOW_CLIENTS):  # each has sent its headers and one byte of its body, and then waits
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                sock.sendall(SLOW_REQUEST)
                slow.append(sock)
            hello = wrk(f"http://127.0.0.1:{port}/hello", seconds=seconds, connections=4, token=token)
        finally:
            for sock in slow:
                sock.close()
            proxy.stop()
    sent = hello["requests"] + hello["socket_errors"]
    return {
        "slow_clients": len(slow),
        "hello_requests": sent,
        "hello_answered_share": (hello["requests"] - hello["non_2xx"]) / sent,
        "hello_p99_ms": hello["p99_ms"],
    }
