"""`/metrics`: the Prometheus text format of every worker's counts (METRICS_ENABLED)."""

from __future__ import annotations

from flask import Response

from extensions import services
from middleware.metrics_hooks import check_scraper
from services.common import metrics


def metrics_text() -> Response:
    """Every metric, with the gauges read now; 403 unless the client is in METRICS_ALLOWED_NETWORKS."""
    app_services = services()
    check_scraper(app_services.settings.metrics_allowed_networks)
    revocations = app_services.revocations

    def gauges() -> dict[str, tuple[str, float]]:
        return {"revocation_entries": ("Sign-outs, revoked families and passes held", len(revocations))}

    body, content_type = metrics.exposition(gauges)
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})
