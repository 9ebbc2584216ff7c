"""The probes: liveness (`/health`) and readiness (`/ready`)."""

from __future__ import annotations

from flask import Response, jsonify

import errors
from extensions import services


def health() -> Response:
    """Liveness: the process is up and serving."""
    return jsonify(status="ok")


def ready() -> Response:
    """Readiness: what serving needs can be had (the signing keys); 503 says which part cannot."""
    app_services = services()
    checks = {"signing_keys": "ok" if app_services.verifier.jwks.available() else "unavailable"}
    if app_services.settings.redis_url:
        checks["shared_store"] = "ok" if app_services.revocations.available() else "unavailable"
    if any(state != "ok" for state in checks.values()):
        failing = ", ".join(name for name, state in checks.items() if state != "ok")
        raise errors.ServiceUnavailable(f"Not ready: {failing}.", extra={"checks": checks})
    return jsonify(status="ready", checks=checks)
