"""The second production command: `python deploy/granian_serve.py` serves server:app with granian (WSGI).

granian is a Rust HTTP server: its HTTP parsing, keep-alive and worker processes cost the app's workers less
CPU than gunicorn's Python ones, so a token check (`/auth/check`, `/hello`) answers faster on the same cores
(BENCHMARKS.md). gunicorn (deploy/gunicorn.conf.py) stays the default; docs/deployment.md#granian compares them.

Every setting below is a default only: a GRANIAN_* variable or a granian option on the command line
(`python deploy/granian_serve.py --workers 4`) overrides it. granian has no hooks around a worker's exit
(gunicorn's child_exit), so this script runs granian in its own process and does that work itself: it makes the
metrics folder fresh before any worker starts, marks the folder's dead workers from a thread, and removes a
private folder when granian has stopped.
"""

from __future__ import annotations

import glob
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

APP = "server:app"  # APP_MODULE names another (the benchmarks serve a bare Flask app beside this one)
# Seconds between two looks for workers that have ended (their live gauges leave the sums, counters stay).
SWEEP_SECONDS = 5.0


def defaults(environ: dict[str, str]) -> dict[str, str]:
    """granian's settings for this app, as GRANIAN_* variables: the ones `environ` sets already win."""
    threads = environ.get("GRANIAN_BLOCKING_THREADS", "16")
    chosen = {
        "GRANIAN_INTERFACE": "wsgi",
        # PORT as config.py reads it: one port whichever way the server is started.
        "GRANIAN_HOST": "0.0.0.0",  # noqa: S104 - every interface, as gunicorn.conf.py binds
        "GRANIAN_PORT": environ.get("PORT", "5000"),
        "GRANIAN_WORKERS": environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count())),
        # Threads per worker that run the app, as gunicorn's 16: more than COGNITO_MAX_CONCURRENT_CALLS (8), so
        # token checks always find one free while Cognito calls wait. No more requests than threads are taken
        # in at once: the rest wait in the listen backlog, not in memory.
        "GRANIAN_BLOCKING_THREADS": threads,
        "GRANIAN_BACKPRESSURE": threads,
        "GRANIAN_HTTP": "1",  # what nginx speaks to its upstreams
        "GRANIAN_WEBSOCKETS": "false",
        # Headers not in within 10 s: dropped (nginx's client_header_timeout; gunicorn's read of a request line).
        "GRANIAN_HTTP1_HEADER_READ_TIMEOUT": "10000",
        # SIGTERM: every worker stops taking connections and finishes the requests under way; one still busy
        # after 20 s is killed (gunicorn's graceful_timeout).
        "GRANIAN_WORKERS_KILL_TIMEOUT": "20",
        # A worker that dies is started again (gunicorn does this always).
        "GRANIAN_RESPAWN_FAILED_WORKERS": "true",
        "GRANIAN_LOG_ACCESS_ENABLED": "false",  # the app logs one line per request itself, tokens scrubbed
    }
    return {name: environ.get(name, value) for name, value in chosen.items()}


def metrics_enabled(environ: dict[str, str]) -> bool:
    """METRICS_ENABLED, read as config.py reads it."""
    return environ.get("METRICS_ENABLED", "").lower() in ("1", "true", "yes", "on")


def fresh_metrics_folder(environ: dict[str, str]) -> tuple[str, bool]:
    """The folder the workers write their counts to, emptied of an earlier run's: PROMETHEUS_MULTIPROC_DIR's,
    or a private one made now; and whether it is private (removed at exit)."""
    named = environ.get("PROMETHEUS_MULTIPROC_DIR")
    folder = named or tempfile.mkdtemp(prefix="auth-metrics-")
    os.makedirs(folder, exist_ok=True)
    for stale in glob.glob(os.path.join(folder, "*.db")):
        os.remove(stale)
    return folder, not named


def alive(pid: int) -> bool:
    """Whether a process with this id runs (a zombie child counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def sweep(folder: str, mark_dead: Callable[[int], None], is_alive: Callable[[int], bool] = alive) -> list[int]:
    """Mark every worker whose files are in `folder` and that no longer runs as dead; the pids marked."""
    pids = set()
    for path in glob.glob(os.path.join(folder, "*_*.db")):
        found = re.search(r"_(\d+)\.db$", path)
        if found:
            pids.add(int(found.group(1)))
    ended = sorted(pid for pid in pids if pid != os.getpid() and not is_alive(pid))
    for pid in ended:
        mark_dead(pid)
    return ended


def _sweep_forever(folder: str, stop: threading.Event, mark_dead: Callable[[int], None]) -> None:
    # mark_process_dead removes only live gauges' files: once swept, a pid has nothing left to find.
    while not stop.wait(SWEEP_SECONDS):
        sweep(folder, mark_dead)


def serve(argv: Sequence[str]) -> int:
    """Run granian on server:app with this file's defaults and `argv`'s granian options, until it stops."""
    from granian.cli import cli

    os.environ.update(defaults(dict(os.environ)))
    folder, private, stop = "", False, threading.Event()
    if metrics_enabled(dict(os.environ)):
        # Set before any worker starts (each imports prometheus_client with it), so no earlier counts add in.
        folder, private = fresh_metrics_folder(dict(os.environ))
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        # Imported here, not in the thread: a worker forked while the thread held the import lock would hang.
        from prometheus_client import multiprocess

        sweeper = threading.Thread(
            target=_sweep_forever, args=(folder, stop, multiprocess.mark_process_dead), daemon=True
        )
        sweeper.start()
    try:
        # granian's own exit code (1 when a worker failed and was not respawned) is this command's.
        return (
            cli.main(
                args=[*argv, os.environ.get("APP_MODULE", APP)],
                prog_name="granian",
                standalone_mode=False,
                auto_envvar_prefix="GRANIAN",
            )
            or 0
        )
    finally:
        stop.set()
        if private:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    # granian's workers may be spawned: they import this file again, as __mp_main__, and must only import it.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(serve(sys.argv[1:]))
