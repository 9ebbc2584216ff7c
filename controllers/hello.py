"""The protected greeting and the health check."""

from __future__ import annotations

from flask import jsonify

import errors
from extensions import services
from middleware.auth import current_claims
from services.names import display_name
from services.tokens import username_of


def hello():
    """Greet the signed-in user by the most human name their token carries (`username` stays the username)."""
    claims = current_claims()
    username = username_of(claims)
    body = {"message": f"Hello, {display_name(claims, username)}!", "username": username}
    if isinstance(claims.get("email"), str):
        body["email"] = claims["email"]
    return jsonify(body)


def health():
    """Liveness: the process is up and serving."""
    return jsonify(status="ok")


def ready():
    """Readiness: what serving needs can be had (the signing keys); 503 says which part cannot."""
    app_services = services()
    checks = {"signing_keys": "ok" if app_services.verifier.jwks.available() else "unavailable"}
    if app_services.settings.redis_url:
        checks["shared_store"] = "ok" if app_services.revocations.available() else "unavailable"
    if any(state != "ok" for state in checks.values()):
        failing = ", ".join(name for name, state in checks.items() if state != "ok")
        raise errors.ServiceUnavailable(f"Not ready: {failing}.", extra={"checks": checks})
    return jsonify(status="ready", checks=checks)
