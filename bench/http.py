"""Benchmarks 2 to 5: the server under gunicorn (2 workers) against the emulator, loaded by wrk."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import boto3
import requests

from tests.support.helpers import JwksHost, Minter
from tests.support.servers import gunicorn, worker_pids

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROUNDS = 3
SECONDS = 5
DISTINCT = 1000
MEMORY_TOKENS = 100_000
LOGIN_SAMPLES = 100
UNLIMITED = {
    f"RATE_LIMIT_{n}": "100000000/minute" for n in ("REGISTER", "CONFIRM", "LOGIN", "LOGIN_USERNAME", "VALIDATE")
}


class Gunicorn:
    """`gunicorn server:app` with 2 workers against the given pool (the suite's one server-process helper)."""

    def __init__(self, pool: dict[str, Any], jwks_url: str) -> None:
        env = {
            **UNLIMITED,
            "COGNITO_USER_POOL_ID": pool["user_pool_id"],
            "COGNITO_CLIENT_ID": pool["client_id"],
            "COGNITO_ENDPOINT_URL": pool["endpoint_url"],
            "COGNITO_JWKS_URL": jwks_url,
            "AWS_ACCESS_KEY_ID": "emulator",
            "AWS_SECRET_ACCESS_KEY": "emulator",
        }
        self.server = gunicorn(env)
        self.url = self.server.url

    def worker_pids(self) -> list[int]:
        return worker_pids(self.server)

    def worker_rss_mib(self) -> dict[int, float]:
        rss = {}
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            rss[pid] = int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) / 1024
        return rss

    def stop(self) -> None:
        self.server.stop()


def wrk(url: str, *, seconds: float = SECONDS, threads: int = 1, connections: int = 4, **options: Any) -> dict:
    """Run wrk; return requests/s, p99 latency (ms), and the requests not answered 2xx or not answered at all."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    env = {**os.environ, "WRK_THREADS": str(threads)}
    if "tokens_file" in options:
        command += ["-s", str(ROOT / "bench" / "rotate.lua")]
        env["TOKENS_FILE"] = options["tokens_file"]
        env["OFFSET"] = str(options.get("offset", 0))
    if "token" in options:
        command += ["-H", f"Authorization: Bearer {options['token']}"]
    if "script" in options:
        command += ["-s", str(ROOT / "bench" / options["script"])]
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p99_ms": _milliseconds(re.search(r"99%\s+([\d.]+\w+)", output)[1]),
        "requests": int(re.search(r"(\d+) requests in", output)[1]),
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def _milliseconds(text: str) -> float:
    value, unit = float(re.match(r"[\d.]+", text)[0]), re.search(r"[a-z]+", text)[0]
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _mint(args: tuple[str, str, int]) -> list[str]:
    issuer, client_id, count = args
    minter = Minter(issuer, client_id)
    return [minter.token() for _ in range(count)]


def mint_many(issuer: str, client_id: str, count: int) -> list[str]:
    """Distinct valid tokens, signed with the emulator's key, minted on both cores."""
    with Pool(2) as pool:
        halves = pool.map(_mint, [(issuer, client_id, count // 2), (issuer, client_id, count - count // 2)])
    return halves[0] + halves[1]


def write_tokens(tokens: list[str]) -> str:
    handle = tempfile.NamedTemporaryFile("w", prefix="bench-tokens-", suffix=".txt", delete=False)
    with handle:
        handle.write("\n".join(tokens) + "\n")
    return handle.name


def run(emulator: Any, pool: dict[str, Any]) -> dict[str, Any]:
    jwks = JwksHost(requests.get(pool["jwks_url"], timeout=5).json())  # serves the pool's keys, counting fetches
    server = Gunicorn(pool, jwks.url)
    try:
        return _measure(server, jwks, emulator, pool)
    finally:
        server.stop()
        jwks.server.stop()


def _measure(server: Gunicorn, jwks: JwksHost, emulator: Any, pool: dict[str, Any]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    base = server.url
    user = {"username": "bench", "email": "bench@example.com", "password": "Passw0rd!"}
    requests.post(f"{base}/auth/register", json=user, timeout=5).raise_for_status()
    requests.post(f"{base}/auth/confirm", json={"username": "bench", "code": "1"}, timeout=5).raise_for_status()
    token = requests.post(f"{base}/auth/login", json=user, timeout=5).json()["access_token"]
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool['user_pool_id']}"
    rotating = write_tokens(mint_many(issuer, pool["client_id"], DISTINCT))

    # 2. Throughput and p99, the three targets interleaved round by round.
    runs: dict[str, list[dict]] = {"health": [], "hello_one": [], "hello_1000": []}
    for _ in range(ROUNDS):
        runs["health"].append(wrk(f"{base}/health"))
        runs["hello_one"].append(wrk(f"{base}/hello", token=token))
        runs["hello_1000"].append(wrk(f"{base}/hello", tokens_file=rotating))
    for name, samples in runs.items():
        results[name] = {
            "rps": statistics.median(s["rps"] for s in samples),
            "p99_ms": statistics.median(s["p99_ms"] for s in samples),
            "non_2xx": sum(s["non_2xx"] for s in samples),
        }
    for name in ("hello_one", "hello_1000"):
        results[name]["ratio_to_health"] = results[name]["rps"] / results["health"]["rps"]

    # 3. JWKS fetches: during run 2, then during a burst of 1,000 unknown kids.
    results["jwks_fetches_run"] = jwks.fetches
    minter = Minter(issuer, pool["client_id"])
    _, payload, signature = minter.token().split(".")
    unknown = [
        f"{_b64(json.dumps({'alg': 'RS256', 'kid': f'unknown-{n}'}))}.{payload}.{signature}" for n in range(1000)
    ]
    burst = wrk(f"{base}/hello", seconds=3, tokens_file=write_tokens(unknown))
    results["jwks_fetches_burst"] = jwks.fetches - results["jwks_fetches_run"]
    results["burst_requests"] = burst["requests"]
    results["burst_accepted"] = burst["requests"] - burst["non_2xx"]  # must stay 0: every unknown kid is refused

    # 4. Login and register: through the server vs the same emulator called directly, interleaved.
    direct = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=pool["endpoint_url"])
    session = requests.Session()
    client_id = pool["client_id"]

    def register_server(n: int) -> None:
        body = {"username": f"s{n}", "email": f"s{n}@example.com", "password": "Passw0rd!"}
        session.post(f"{base}/auth/register", json=body).raise_for_status()

    def register_direct(n: int) -> None:
        email = [{"Name": "email", "Value": f"d{n}@example.com"}]
        direct.sign_up(ClientId=client_id, Username=f"d{n}", Password="Passw0rd!", UserAttributes=email)

    def login_server(n: int) -> None:
        session.post(f"{base}/auth/login", json=user).raise_for_status()

    def login_direct(n: int) -> None:
        credentials = {"USERNAME": "bench", "PASSWORD": "Passw0rd!"}
        direct.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=credentials)

    calls = {
        "register_server": register_server,
        "register_direct": register_direct,
        "login_server": login_server,
        "login_direct": login_direct,
    }
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for n in range(LOGIN_SAMPLES):
        for name, call in calls.items():  # interleaved, so drift hits both paths alike
            timings[name].append(_timed(call, n))
    for name, values in timings.items():
        results[f"{name}_ms"] = statistics.median(values)
    for name in ("login", "register"):
        results[f"{name}_ratio"] = results[f"{name}_server_ms"] / results[f"{name}_direct_ms"]

    # 5. Memory: worker RSS before and after 100,000 distinct tokens.
    many = write_tokens(mint_many(issuer, pool["client_id"], MEMORY_TOKENS))
    before = server.worker_rss_mib()
    sent = failed = 0
    while sent < MEMORY_TOKENS:  # in chunks, each starting at the next token not yet sent
        chunk = wrk(f"{base}/hello", seconds=5, tokens_file=many, offset=sent)
        sent, failed = sent + chunk["requests"], failed + chunk["non_2xx"]
    after = server.worker_rss_mib()
    if set(after) != set(before):
        raise RuntimeError(f"a worker was replaced during the run: {Path(server.log.name).read_text()[-3000:]}")
    results.update(memory_requests=sent, memory_non_2xx=failed, rss_before_mib=before, rss_after_mib=after)
    results["rss_growth_mib"] = max(after[pid] - before[pid] for pid in before)
    return results


def _timed(action, *args: Any) -> float:
    """Milliseconds one call takes."""
    started = time.perf_counter()
    action(*args)
    return (time.perf_counter() - started) * 1000


def _b64(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()
