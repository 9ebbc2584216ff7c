"""AWS Lambda entry point: the same app behind API Gateway (REST or HTTP API), a function URL or an ALB.

apig-wsgi turns each event (payload 1.0 or 2.0, multi-value headers, base64 bodies) into a WSGI request
for `create_app()` and its answer into the event's response shape. Settings come from the function's
environment, as under gunicorn; the emulator is never started here. The app is built by the first
invocation (so importing this module needs no settings) and kept: warm invocations reuse the Cognito
client, the JWKS and the verified tokens. Claims an API Gateway authorizer put in the event are never
read: a protected route verifies the bearer token itself, whatever ran in front of it.

With SnapStart (template.yaml), Lambda imports this module, runs the before-snapshot hook (below: the app
built, boto3, requests and PyJWT loaded, the keys fetched) and snapshots the environment; a cold start then
resumes from the snapshot and runs the after-restore hook, which makes the copy safe to serve from.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable
from typing import Any

from apig_wsgi import make_lambda_handler
from flask import Flask

# SnapStart's hook registry (a list the runtime reads; a no-op anywhere else). It ships no types.
from snapshot_restore_py import register_after_restore, register_before_snapshot  # type: ignore[import-untyped]

from app import create_app
from extensions import Services, services
from services import restart_process

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Function:
    """What an execution environment keeps from one invocation to the next: the app and its adapter."""

    def __init__(self) -> None:
        self.app: Flask = create_app()
        self.services: Services = services(self.app)
        # Binary answers (the documentation's images) go out base64-encoded; JSON and text stay as they are.
        self.handler = make_lambda_handler(with_client_address(self.app), binary_support=True)


@functools.cache
def function() -> Function:
    """This environment's app, built on first use from the function's environment."""
    return Function()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Serve one API Gateway, function URL or ALB event; Lambda's `Handler` setting names this function."""
    return function().handler(event, context)


def before_snapshot() -> None:
    """What the snapshot holds ready: the app, boto3's Cognito client (its imports and service model), and
    requests and PyJWT with the pool's keys."""
    ready = function()
    ready.services.auth.client  # noqa: B018 (made on first use: this is that use)
    for pool in ready.services.verifier.pools:
        pool.jwks.available()


def after_restore() -> None:
    """A restored snapshot serves as a new process: every connection and lock made again (the services'
    fork resets), `random` seeded afresh, a new boto3 session (credentials resolved again), every pool's keys
    fetched anew.

    The same snapshot may be restored in many environments, hours after it was taken.
    """
    restart_process()
    if "boto3" in sys.modules:
        sys.modules["boto3"].setup_default_session()
    for pool in function().services.verifier.pools:
        pool.jwks.refetch()


register_before_snapshot(before_snapshot)
register_after_restore(after_restore)


def with_client_address(app: WsgiApp) -> WsgiApp:
    """Give the app the client address AWS saw (the key of the per-client rate limits).

    For REST APIs and ALBs apig-wsgi takes the first X-Forwarded-For entry, which the caller writes. The
    request context of a REST API names the source itself (HTTP APIs and function URLs too, and apig-wsgi
    reads those); an ALB appends the address it saw to X-Forwarded-For, so that is the last entry.
    """

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        context = environ.get("apig_wsgi.request_context") or {}
        source = (context.get("identity") or {}).get("sourceIp") or (context.get("http") or {}).get("sourceIp")
        if not source and "elb" in context:
            source = environ.get("HTTP_X_FORWARDED_FOR", "").rpartition(",")[2].strip()
        if source:
            environ["REMOTE_ADDR"] = source
        return app(environ, start_response)

    return wsgi
