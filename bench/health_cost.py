"""The per-request cost of `/health` in process, beside a bare Flask route: `python -m bench.health_cost
[--against OTHER_CHECKOUT ...]`. No HTTP and no gunicorn, so the app's own work is all that differs.

Each tree (this one, and any other checkout given, to compare a change with what it replaces) is measured in
a process of its own started in that tree, with the request log written to /dev/null as the server writes it
to its output. Rounds alternate the two apps; the figure is CPU time of the measuring thread per request
(`time.thread_time`, which other work on a shared machine moves less than the wall clock), medians.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 21
CALLS = 1000

MEASURE = """
import io, json, logging, os, statistics, sys, time
sys.path.insert(0, os.getcwd())
os.environ.update(COGNITO_USER_POOL_ID="us-east-1_abcdefghi", COGNITO_CLIENT_ID="abcdefghijklmnopqrstuvwxyz",
                  AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
from flask import Flask, jsonify
from app import create_app
bare = Flask("bare")
bare.get("/health")(lambda: jsonify(status="ok"))
ours = create_app()
logging.getLogger().handlers[0].setStream(open(os.devnull, "w"))

def call(app):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/health", "SERVER_NAME": "x", "SERVER_PORT": "80",
               "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
               "wsgi.errors": sys.stderr, "HTTP_HOST": "x", "REMOTE_ADDR": "127.0.0.1"}
    body = app(environ, lambda status, headers, exc_info=None: None)
    for _ in body:
        pass
    body.close()

def per_call_us(app):
    started = time.thread_time()
    for _ in range(CALLS):
        call(app)
    return (time.thread_time() - started) / CALLS * 1e6

for _ in range(200):
    call(bare), call(ours)
bare_us, ours_us = [], []
for _ in range(ROUNDS):
    bare_us.append(per_call_us(bare))
    ours_us.append(per_call_us(ours))
ratios = [b / o for b, o in zip(bare_us, ours_us)]
print(json.dumps({"bare_us": statistics.median(bare_us), "ours_us": statistics.median(ours_us),
                  "ratio": statistics.median(ratios), "spread": [min(ratios), max(ratios)]}))
"""


def measure(tree: Path) -> dict[str, float]:
    """bare / ours for `/health` in `tree` (its app, this venv's Python)."""
    script = f"ROUNDS, CALLS = {ROUNDS}, {CALLS}\n{MEASURE}"
    result = subprocess.run([sys.executable, "-c", script], cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", nargs="*", default=[], type=Path, help="other checkouts to compare")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each tree, alternated")
    args = parser.parse_args(argv)
    trees = [ROOT, *args.against]
    for run in range(args.repeat):
        for tree in trees if run % 2 == 0 else trees[::-1]:
            figures = measure(tree)
            print(f"{tree}: /health {figures['ours_us']:.1f} us, bare {figures['bare_us']:.1f} us, ", end="")
            print(f"bare/ours {figures['ratio']:.3f} (rounds {figures['spread'][0]:.3f}-{figures['spread'][1]:.3f})")


if __name__ == "__main__":
    main()
