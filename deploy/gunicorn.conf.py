"""The production configuration: `gunicorn -c deploy/gunicorn.conf.py server:app` (docs/deployment.md).

An auth server mostly waits: on Cognito for sign-ins, on nothing for token checks. Threaded workers
(gthread) keep serving token checks while some threads wait on Cognito, and the Cognito bulkhead
(COGNITO_MAX_CONCURRENT_CALLS, below `threads`) keeps some threads free for them whatever Cognito does.
Slow clients are a reverse proxy's job: put a buffering one in front (docs/deployment.md's nginx example).
Every value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import glob
import multiprocessing
import os
import shutil
import tempfile

# PORT as config.py reads it, with the same default: one port whichever way the server is started.
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '5000')}")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
# A worker silent this long is restarted; a request's Cognito calls end well before (COGNITO_BUDGET_SECONDS).
timeout = 30
graceful_timeout = 20  # on SIGTERM: finish what is under way, for at most this long
keepalive = 5
# Requests no client of this API sends: refused before they take a thread for long.
limit_request_line = 4096
limit_request_fields = 50
limit_request_field_size = 8190
# X-Forwarded-Proto is trusted from these proxies; the client address for rate limits comes from
# TRUSTED_PROXIES (the app's ProxyFix), which must name the same proxies.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = None  # the app logs one line per request itself, with tokens and control characters scrubbed

# /metrics (METRICS_ENABLED) adds up every worker's counts from files in PROMETHEUS_MULTIPROC_DIR: made fresh
# here, before any worker (or a --preload app) imports prometheus_client, so no earlier run's counts are added
# in. A folder the operator names is emptied of its metric files; otherwise a private one is made (and removed
# at exit). Without METRICS_ENABLED (read as config.py reads it) none of this happens: no folder, no import.
_metrics = os.environ.get("METRICS_ENABLED", "").lower() in ("1", "true", "yes", "on")
_own_folder = _metrics and not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _metrics:
    _metrics_folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="auth-metrics-")
    os.makedirs(_metrics_folder, exist_ok=True)
    for _stale in glob.glob(os.path.join(_metrics_folder, "*.db")):
        os.remove(_stale)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_folder


def child_exit(server, worker):
    """A worker has ended: its counters stay in the sums, its live gauges leave them."""
    if not _metrics:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """The server is stopping: the private metrics folder goes with it."""
    if _own_folder:
        shutil.rmtree(_metrics_folder, ignore_errors=True)
