"""Request hooks every answer passes through: a request id, security headers and one log line per request,
with every logged line escaped (no forged lines, no tokens), in text or JSON."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from config import Settings

log = logging.getLogger("request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Three base64url segments joined by dots: a JWS (a JWT), whatever else surrounds it.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "request_id")
_LINE = "%s %s %s %.1fms"
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
StartResponse = Callable[..., Any]
# For an HTML answer with no policy of its own (a redirect's body, say): nothing runs, nothing frames it.
_HTML_POLICY = "default-src 'none'; frame-ancestors 'none'"


def add_request_hooks(app: Flask) -> None:
    """The request id, the security headers and the request's log line, on every answer."""
    # Flask's documented way to wrap its WSGI app; mypy refuses any assignment to a method.
    app.wsgi_app = RequestHooks(app.wsgi_app)  # type: ignore[method-assign]


STARTED = "auth.started"  # the environ key of the request's start (perf_counter), which the metrics read too


class RequestHooks:
    """WSGI middleware around the Flask app: the request id, the security headers and the log line.

    Every request pays for these, /health included, so they run where they cost least: on the WSGI environ and
    the header list handed to `start_response`, rather than as Flask before/after-request hooks (each of which
    costs a `g` and `request` proxy lookup, a coroutine check and Werkzeug's header objects); the request id
    from os.urandom (no UUID object); the log record built without logging's caller lookup.
    """

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Serve one request through the app, its answer's headers and log line added."""
        started = environ[STARTED] = time.perf_counter()
        supplied = environ.get("HTTP_X_REQUEST_ID")
        request_id = supplied if supplied and _REQUEST_ID.fullmatch(supplied) else os.urandom(16).hex()

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            _secure(headers, request_id)
            if log.isEnabledFor(logging.INFO):
                _log(environ, int(status[:3]), (time.perf_counter() - started) * 1000, request_id)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def _secure(headers: list[tuple[str, str]], request_id: str) -> None:
    headers.append(("X-Content-Type-Options", "nosniff"))
    headers.append(("X-Request-ID", request_id))
    content_type = next((value for name, value in headers if name.lower() == "content-type"), "")
    if content_type.startswith("text/html"):  # no page of this server may be framed
        headers[:] = [(name, value) for name, value in headers if name.lower() != "x-frame-options"]
        headers.append(("X-Frame-Options", "DENY"))
        if not any(name.lower() == "content-security-policy" for name, _ in headers):
            headers.append(("Content-Security-Policy", _HTML_POLICY))


def _log(environ: dict[str, Any], status: int, elapsed_ms: float, request_id: str) -> None:
    method = environ.get("REQUEST_METHOD", "GET").upper()
    # As Werkzeug reads PATH_INFO (latin-1 by WSGI's rule, UTF-8 in truth); the path only: a query string could
    # carry a token.
    path = "/" + environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace").lstrip("/")
    path = loggable(path)
    fields = {"method": method, "path": path, "status": status, "duration_ms": round(elapsed_ms, 2)}
    fields["request_id"] = request_id
    args = (method, path, status, elapsed_ms)
    log.handle(log.makeRecord(log.name, logging.INFO, __file__, 0, _LINE, args, None, extra=fields))


def loggable(text: str) -> str:
    """`text` safe for a log line: a JWT anywhere in it replaced, control characters escaped (a `%0a` in a
    path must not start a forged log line)."""
    if text.isascii() and text.isprintable() and text.count(".") < 2:  # the usual path: nothing to do
        return text
    text = _TOKEN.sub("[token]", text)
    return _CONTROL.sub(lambda match: f"\\u{ord(match[0]):04x}", text)


class _Formatter(logging.Formatter):
    """The standard formatter, each message made `loggable` (whoever logged it, whatever its arguments: a
    library's line may carry a username or Cognito's echo of one), and the time of day formatted once per
    second rather than once per line. A traceback stays as it is: it is many lines by nature, and it is ours."""

    _second: tuple[int, str] = (-1, "")
    default_msec_format = "%s,%03d"  # logging.Formatter's own, declared a str (typeshed allows None)

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = loggable(record.message)  # format() has just set it from getMessage()
        return super().formatMessage(record)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt:
            return super().formatTime(record, datefmt)
        second, text = self._second
        if second != int(record.created):
            second, text = int(record.created), time.strftime(self.default_time_format, self.converter(record.created))
            self._second = (second, text)
        return self.default_msec_format % (text, record.msecs)


class _JsonFormatter(_Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name}
        entry["message"] = loggable(record.getMessage())
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        for name in _REQUEST_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        return json.dumps(entry)


def configure_logging(settings: Settings) -> None:
    """One handler on the root logger, text or JSON (`LOG_FORMAT`), unless the host set one up already."""
    logger = logging.getLogger()
    if logger.handlers:  # already set up: by an earlier app in this process, or by the host (pytest)
        return
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(_Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
