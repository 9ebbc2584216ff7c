"""Prometheus metrics: what the server counts, recorded by one call at each boundary. No Flask here.

Off until `enable()` (METRICS_ENABLED): each recording function is then one global read, and prometheus_client
(about 0.15 s to import) is never imported. Under gunicorn the workers write their counts to files in
PROMETHEUS_MULTIPROC_DIR (deploy/gunicorn.conf.py makes it fresh at each start) and the worker answering a
scrape adds up every worker's; in one process (python server.py, Lambda) the counts are held in memory.

Every label value comes from a fixed set (a route's URL rule, a status code, a Cognito operation, an outcome
named below): never a username, a token, a raw path or anything else a client chooses.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from types import TracebackType
from typing import Any

from errors import ApiError, JwksUnavailable, RevokedToken, TokenError

PREFIX = "auth_"
REQUEST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
COGNITO_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The outcome labels of refused tokens: each TokenError subclass's `reason` (errors.py), read from its type.
REFUSALS = frozenset(kind.reason for kind in TokenError.__subclasses__())
SESSION_EVENTS = frozenset({"created", "ended", "refreshed", "refresh_refused"})
_NO_CHECK = nullcontext()


def refusal(err: BaseException) -> str:
    """The outcome label of a failed token check: a TokenError's type's `reason`, else by kind of error."""
    if isinstance(err, TokenError):
        return err.reason
    if isinstance(err, RevokedToken):
        return "revoked"
    if isinstance(err, JwksUnavailable):
        return "keys_unavailable"
    return "invalid" if isinstance(err, ApiError) and err.status_code == 401 else "error"


class _Recorder:
    """The metric objects of this process, made once by `enable()`."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics

        # The *_created series: as many again, and of no use to a dashboard.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        # Multiprocess mode writes every value to the folder's files; the scrape reads them, not a registry.
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        self.registry = CollectorRegistry()
        registry = self.registry
        self.requests = Counter(
            PREFIX + "http_requests", "Requests answered", ["route", "method", "status"], registry=registry
        )
        self.latency = Histogram(
            PREFIX + "http_request_duration_seconds",
            "Time to answer a request",
            ["route"],
            buckets=REQUEST_BUCKETS,
            registry=registry,
        )
        self.tokens = Counter(PREFIX + "token_checks", "Token checks by outcome", ["outcome"], registry=registry)
        self.cognito = Counter(
            PREFIX + "cognito_calls",
            "Cognito calls by operation and outcome",
            ["operation", "outcome"],
            registry=registry,
        )
        self.cognito_latency = Histogram(
            PREFIX + "cognito_call_duration_seconds",
            "Time of a Cognito call, retries included",
            ["operation"],
            buckets=COGNITO_BUCKETS,
            registry=registry,
        )
        self.bulkhead = Counter(
            PREFIX + "cognito_bulkhead_refusals", "Calls refused for want of a free slot", registry=registry
        )
        self.jwks = Counter(PREFIX + "jwks_fetches", "JWKS fetches by outcome", ["outcome"], registry=registry)
        self.sessions = Counter(PREFIX + "sessions", "Session events", ["event"], registry=registry)
        self.admin = Counter(
            PREFIX + "admin_actions", "Admin API actions by result", ["action", "result"], registry=registry
        )
        # (metric, label values) -> its child: labels() takes a lock and builds a key on every call, the hot
        # path does one dict lookup instead. The keys are bounded as the label values are.
        self._children: dict[tuple[Any, tuple[str, ...]], Any] = {}

    def child(self, metric: Any, *labels: str) -> Any:
        """`metric.labels(*labels)`, looked up once."""
        key = (metric, labels)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = metric.labels(*labels)
        return found

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.child(self.requests, route, method if method in METHODS else "other", str(status)).inc()
        self.child(self.latency, route).observe(seconds)


_recorder: _Recorder | None = None


def enable() -> None:
    """Start recording in this process (METRICS_ENABLED); the metrics are made once however often it is called."""
    global _recorder
    if _recorder is None:
        _recorder = _Recorder()


def enabled() -> bool:
    """Whether this process records metrics."""
    return _recorder is not None


def request_answered(route: str, method: str, status: int, seconds: float) -> None:
    """One answered request: `route` is its URL rule (never the raw path)."""
    if _recorder is not None:
        _recorder.request(route, method, status, seconds)


class _TokenCheck:
    """Counts the token check in its block: accepted (or from the cache), or refused by reason."""

    __slots__ = ("cached",)

    def __init__(self, cached: bool) -> None:
        self.cached = cached

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        if _recorder is not None:
            outcome = refusal(err) if err is not None else ("cached" if self.cached else "accepted")
            _recorder.child(_recorder.tokens, outcome).inc()


def token_check(cached: Callable[[], bool]) -> _TokenCheck | nullcontext[None]:
    """A block checking one token; `cached()` (asked only when recording) tells whether it is a cache hit."""
    return _TokenCheck(cached()) if _recorder is not None else _NO_CHECK


class _CognitoCall:
    """Times the Cognito call in its block and counts it by operation and outcome."""

    __slots__ = ("codes", "operation", "started")

    def __init__(self, operation: str, codes: Callable[[], frozenset[str]]) -> None:
        self.operation, self.codes = operation, codes
        self.started = time.perf_counter()

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        if _recorder is None:
            return
        outcome = "ok" if err is None else cognito_outcome(err, self.codes())
        _recorder.child(_recorder.cognito, self.operation, outcome).inc()
        _recorder.child(_recorder.cognito_latency, self.operation).observe(time.perf_counter() - self.started)


def cognito_call(operation: str, codes: Callable[[], frozenset[str]]) -> _CognitoCall | nullcontext[None]:
    """A block making one Cognito call; `codes()` are the error codes Cognito's service model names."""
    return _CognitoCall(operation, codes) if _recorder is not None else _NO_CHECK


def cognito_outcome(err: BaseException, codes: frozenset[str]) -> str:
    """Cognito's error code when its model names it; else client_error, server_error, unreachable or error."""
    response = getattr(err, "response", None)
    if isinstance(response, dict):  # botocore's ClientError
        code = response.get("Error", {}).get("Code", "")
        if code in codes:
            return str(code)
        return (
            "server_error" if response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500) >= 500 else "client_error"
        )
    names = {cls.__name__ for cls in type(err).__mro__}
    return "unreachable" if names & {"ConnectionError", "HTTPClientError"} else "error"


def bulkhead_refused() -> None:
    """A Cognito call refused because every slot of the bulkhead was taken."""
    if _recorder is not None:
        _recorder.bulkhead.inc()


def jwks_fetched(ok: bool) -> None:
    """One JWKS fetch: keys had, or failed (unreachable, an HTTP error, no usable key)."""
    if _recorder is not None:
        _recorder.child(_recorder.jwks, "ok" if ok else "failed").inc()


def session_event(event: str) -> None:
    """A session created, ended (signed out), refreshed, or whose refresh Cognito refused (it ends too)."""
    if _recorder is not None and event in SESSION_EVENTS:
        _recorder.child(_recorder.sessions, event).inc()


def exposition(gauges: Callable[[], dict[str, tuple[str, float]]]) -> tuple[bytes, str]:
    """The text format of every process's counts, and `gauges()` (name -> (help, value)) read now."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.core import GaugeMetricFamily

    assert _recorder is not None, "metrics are not enabled"
    recorder = _recorder

    class Collected:
        def collect(self) -> Iterator[Any]:
            if not recorder.multiprocess:
                yield from recorder.registry.collect()
            for name, (text, value) in gauges().items():
                yield GaugeMetricFamily(PREFIX + name, text, value=value)

    registry = CollectorRegistry()
    if recorder.multiprocess:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    registry.register(Collected())
    return generate_latest(registry), CONTENT_TYPE_LATEST


def admin_action(action: str, result: str) -> None:
    """One admin API action (a fixed name) and its result: `ok`, or the API error's code (a fixed set)."""
    if _recorder is not None:
        _recorder.child(_recorder.admin, action, result).inc()
