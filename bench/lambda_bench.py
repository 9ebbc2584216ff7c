"""Benchmark 6: the Lambda entry point. Cold start against the server module's start, warm /hello against
Flask's test client, and the deployment zip against Lambda's size limits; side by side, in one run."""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import fields
from pathlib import Path
from typing import Any

import lambda_function
from config import Settings
from tests.support.helpers import Minter

ROOT = Path(__file__).resolve().parent.parent
COLD_ROUNDS = 9
WARM_ROUNDS = 7
WARM_CALLS = 2000
MIB = 2**20

# A fresh process each: import, build the app, answer the first /hello (the JWKS fetched on the way).
COLD = """
import json, sys, time
started = time.perf_counter()
sys.path.insert(0, ".")
import lambda_function
imported = time.perf_counter()
lambda_function.function()
created = time.perf_counter()
status = lambda_function.lambda_handler(json.load(sys.stdin), None)["statusCode"]
done = time.perf_counter()
assert status == 200, status
print(json.dumps({"import": imported - started, "create": created - imported, "hello": done - created,
                  "total": done - started, "boto3": "boto3" in sys.modules}))
"""
# A cold start with SnapStart, in a fresh process: what the snapshot holds done first (the import and the
# before-snapshot hooks, untimed: Lambda does them once per version), then what each restore costs: the
# after-restore hooks (the keys fetched anew) and the first /hello. Lambda's own restore of the memory is not in it.
RESTORE = """
import json, sys, time
sys.path.insert(0, ".")
import lambda_function, snapshot_restore_py
for hook, args, kwargs in snapshot_restore_py.get_before_snapshot():
    hook(*args, **kwargs)
started = time.perf_counter()
for hook, args, kwargs in snapshot_restore_py.get_after_restore():
    hook(*args, **kwargs)
restored = time.perf_counter()
status = lambda_function.lambda_handler(json.load(sys.stdin), None)["statusCode"]
done = time.perf_counter()
assert status == 200, status
print(json.dumps({"hooks": restored - started, "total": done - started}))
"""
# `import server` (import and create_app), then its Cognito client: what `import server` built before
# boto3 was loaded on first use, so the sum is the server module's start as it was.
SERVER = """
import json, time
started = time.perf_counter()
import server
created = time.perf_counter()
server.app.extensions["cognito_auth"].auth.client
print(json.dumps({"server": created - started, "server_with_client": time.perf_counter() - started}))
"""


def run(pool: dict[str, Any], package: bool = True) -> dict[str, Any]:
    environ = {spec.metadata["env"]: str(pool[spec.name]) for spec in fields(Settings) if spec.name in pool}
    token = Minter(Settings.load({}, overrides=pool).issuer, pool["client_id"]).token()
    hello = _event(token)
    results: dict[str, Any] = {**_cold(environ, hello), **_warm(environ, hello, token)}
    if package:  # `make package` and the zip (bench.run --only lambda-cold skips it)
        results.update(_package(environ, hello))
    results["cold_over_server_start"] = results["cold_ms"] / results["server_with_client_ms"]
    results["restore_over_server_start"] = results["restore_ms"] / results["server_with_client_ms"]
    results["cold_over_server_import"] = results["cold_ms"] / results["server_ms"]
    results["warm_over_test_client"] = results["warm_handler_us"] / results["warm_test_client_us"]
    return results


def _event(token: str) -> dict[str, Any]:
    """GET /hello with the token, as an HTTP API (payload 2.0) sends it: the template's shape."""
    event = json.loads((ROOT / "tests" / "events" / "http-api-v2.json").read_text())
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/hello"
    event["headers"]["authorization"] = f"Bearer {token}"
    return event


def _fresh(command: list[str], script: str, environ: dict[str, str], stdin: Any = None, cwd: Path = ROOT) -> dict:
    result = subprocess.run(
        [*command, "-c", script], input=json.dumps(stdin), cwd=cwd, env=environ, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout)


def _cold(settings: dict[str, str], hello: dict[str, Any]) -> dict[str, Any]:
    environ = {**{k: v for k, v in os.environ.items() if not k.startswith("COGNITO_")}, **settings}
    cold: list[dict] = []
    start: list[dict] = []
    restore: list[dict] = []
    for _ in range(COLD_ROUNDS):  # interleaved, so drift on a shared machine hits all three alike
        cold.append(_fresh([sys.executable], COLD, environ, hello))
        start.append(_fresh([sys.executable], SERVER, environ))
        restore.append(_fresh([sys.executable], RESTORE, environ, hello))
    results = {f"cold_{part}_ms": _median_ms(cold, part) for part in ("import", "create", "hello")}
    results.update(
        cold_ms=_median_ms(cold, "total"),
        cold_loaded_boto3=any(sample["boto3"] for sample in cold),
        server_ms=_median_ms(start, "server"),
        server_with_client_ms=_median_ms(start, "server_with_client"),
        restore_ms=_median_ms(restore, "total"),
        restore_hooks_ms=_median_ms(restore, "hooks"),
        cold_ratios=[round(c["total"] / s["server_with_client"], 3) for c, s in zip(cold, start, strict=True)],
        restore_ratios=[round(r["total"] / s["server_with_client"], 3) for r, s in zip(restore, start, strict=True)],
    )
    return results


def _median_ms(samples: list[dict], name: str) -> float:
    return statistics.median(sample[name] for sample in samples) * 1000


def _warm(settings: dict[str, str], hello: dict[str, Any], token: str) -> dict[str, Any]:
    with _environment(settings):
        function = lambda_function.Function()
    client = function.app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert function.handler(hello, None)["statusCode"] == 200  # keys fetched, token verified: warm from here
    assert client.get("/hello", headers=headers).status_code == 200
    samples: dict[str, list[float]] = {"handler": [], "test_client": []}
    for _ in range(WARM_ROUNDS):
        samples["handler"].append(_per_call_us(lambda: function.handler(hello, None)))
        samples["test_client"].append(_per_call_us(lambda: client.get("/hello", headers=headers)))
    return {f"warm_{name}_us": statistics.median(values) for name, values in samples.items()}


@contextlib.contextmanager
def _environment(settings: dict[str, str]):
    saved = dict(os.environ)
    os.environ.update(settings)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _per_call_us(action) -> float:
    started = time.perf_counter()
    for _ in range(WARM_CALLS):
        action()
    return (time.perf_counter() - started) / WARM_CALLS * 1e6


def _package(settings: dict[str, str], hello: dict[str, Any]) -> dict[str, Any]:
    """`make package`, the zip's sizes, and a cold start from it with the runtime's Python (for the record)."""
    subprocess.run(["make", "-s", "package"], cwd=ROOT, check=True, capture_output=True)
    python = subprocess.run(["make", "-s", "lambda-python"], cwd=ROOT, check=True, capture_output=True, text=True)
    archive = ROOT / "build" / "lambda.zip"
    with zipfile.ZipFile(archive) as package, tempfile.TemporaryDirectory() as unpacked:
        unzipped = sum(entry.file_size for entry in package.infolist())
        package.extractall(unpacked)
        environ = {"PATH": os.environ["PATH"], **settings}
        cold = [_fresh([python.stdout.strip(), "-I", "-S"], COLD, environ, hello, Path(unpacked)) for _ in range(5)]
    return {
        "zip_mib": archive.stat().st_size / MIB,
        "unzipped_mib": unzipped / MIB,
        "cold_from_zip_ms": _median_ms(cold, "total"),
        "zip_python": python.stdout.strip(),
    }
