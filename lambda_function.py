"""AWS Lambda entry point: the same app behind API Gateway (REST or HTTP API), a function URL or an ALB.

apig-wsgi turns each event (payload 1.0 or 2.0, multi-value headers, base64 bodies) into a WSGI request
for `create_app()` and its answer into the event's response shape. Settings come from the function's
environment, as under gunicorn; the emulator is never started here. The app is built by the first
invocation (so importing this module needs no settings) and kept: warm invocations reuse the Cognito
client, the JWKS and the verified tokens. Claims an API Gateway authorizer put in the event are never
read: a protected route verifies the bearer token itself, whatever ran in front of it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from apig_wsgi import make_lambda_handler
from flask import Flask

from app import create_app

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Function:
    """What an execution environment keeps from one invocation to the next: the app and its adapter."""

    def __init__(self) -> None:
        self.app: Flask = create_app()
        # Binary answers (the documentation's images) go out base64-encoded; JSON and text stay as they are.
        self.handler = make_lambda_handler(with_client_address(self.app), binary_support=True)


@functools.cache
def function() -> Function:
    """This environment's app, built on first use from the function's environment."""
    return Function()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Serve one API Gateway, function URL or ALB event; Lambda's `Handler` setting names this function."""
    return function().handler(event, context)


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
