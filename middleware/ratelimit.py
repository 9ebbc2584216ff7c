"""Rate limits (Flask-Limiter): per client address on the /auth endpoints, and per username on failed logins.

Limits are settings, read per request from the app's Settings, so one limiter serves every app. They are
checked by the decorators below and nowhere else: a route without one (/health, /hello) pays nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response
from flask.globals import request_ctx
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

import errors
from config import Settings
from controllers.body import request_fields
from extensions import services
from schemas.bodies import Login

F = TypeVar("F", bound=Callable[..., Any])

limiter = Limiter(key_func=get_remote_address, headers_enabled=True, strategy="moving-window")
# Where Flask-Limiter keeps a request's limit state; it exists only once a decorated route has been checked.
_STATE = "_limiter_request_context"


def init_app(app: Flask, settings: Settings) -> None:
    """Give the app its own limit storage (memory by default; Redis or Memcached URIs for several instances).

    With a shared store, limits fall back to this process's memory while the store is unreachable.
    """
    app.config.update(
        RATELIMIT_STORAGE_URI=settings.rate_limit_storage_uri,
        RATELIMIT_ENABLED=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=settings.rate_limit_storage_uri != "memory://",
    )
    # Registered as already initialised, Flask-Limiter adds none of its per-request hooks: its global
    # before_request check only resolves app-wide and default limits, and this app declares none.
    app.extensions.setdefault("limiter", set()).add(limiter)
    limiter.init_app(app)
    app.after_request(_finish)


def _finish(response: Response) -> Response:
    """On a limited route: count a failed login, add the X-RateLimit-* and Retry-After headers."""
    state = getattr(request_ctx._get_current_object(), _STATE, None)
    if state is None:  # no limit was checked in this request
        return response
    own_retry_after = response.headers.get("Retry-After")  # a 503's "1", say: the limit's window must not replace it
    try:
        response = limiter._Limiter__inject_headers(response)
    finally:
        state.clear()  # what Flask-Limiter's teardown did
    if own_retry_after is not None and response.status_code != 429:
        response.headers["Retry-After"] = own_retry_after
    return response


def per_client(setting: str) -> Callable[[F], F]:
    """Limit a route per client address by the named setting, e.g. "10/minute"."""
    return limiter.limit(_setting(setting))


def failed_logins_per_username() -> Callable[[F], F]:
    """Count failed sign-ins per username (brute-force protection); successful ones cost nothing."""
    return limiter.limit(
        _setting("rate_limit_login_username"),
        key_func=_login_username,
        deduct_when=_failed_login,
        scope="login-username",
    )


def _setting(name: str) -> Callable[[], str]:
    return lambda: getattr(services().settings, name)


def _failed_login(response: Response) -> bool:
    return response.status_code == 401


def _login_username() -> str:
    try:
        body = request_fields()  # JSON or a form, read as the route will read it
    except errors.ApiError:
        body = None
    name = Login.username_in(body)
    # Malformed bodies share one bucket; they are rejected before reaching Cognito anyway.
    return "user:" + (name.strip().lower() if name else "")
