"""The probes: liveness (`/health`) and readiness (`/ready`)."""

from __future__ import annotations

from flask import Response, jsonify

import errors
from extensions import services


def health() -> Response:
    """Liveness: the process is up and serving."""
    return jsonify(status="ok")


def ready() -> Response:
    """Readiness: what serving needs can be had (the primary pool's signing keys); 503 says which part cannot.

    Every pool's keys are reported; another pool's missing keys do not fail readiness, as taking the
    server out of service would refuse every pool's users for one pool's outage."""
    app_services = services()
    pools = {pool.pool_id: "ok" if pool.jwks.available() else "unavailable" for pool in app_services.verifier.pools}
    checks = {"signing_keys": pools[app_services.verifier.primary.pool_id]}
    if app_services.settings.redis_url:
        checks["shared_store"] = "ok" if app_services.revocations.available() else "unavailable"
    if any(state != "ok" for state in checks.values()):
        failing = ", ".join(name for name, state in checks.items() if state != "ok")
        raise errors.ServiceUnavailable(f"Not ready: {failing}.", extra={"checks": checks, "pools": pools})
    return jsonify(status="ready", checks=checks, pools=pools)
