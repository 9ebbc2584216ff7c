"""The Flask side of the metrics (services/metrics.py): each request counted by its route, and who may scrape."""

from __future__ import annotations

import time
from collections.abc import Collection
from ipaddress import IPv4Network, IPv6Network, ip_address

from flask import Flask, Response, g, request

import errors
from services import metrics

UNMATCHED = "unmatched"  # the route label of a request no route matched (a 404 or 405): never its path


def add_metrics_hooks(app: Flask) -> None:
    """Record every request of `app` by route, method and status, with its time (only with METRICS_ENABLED)."""
    metrics.enable()

    @app.before_request
    def start_clock() -> None:
        g._get_current_object().metrics_started = time.perf_counter()

    @app.after_request
    def count(response: Response) -> Response:
        started = getattr(g._get_current_object(), "metrics_started", None)
        elapsed = time.perf_counter() - started if started is not None else 0.0
        rule = request.url_rule
        metrics.request_answered(rule.rule if rule else UNMATCHED, request.method, response.status_code, elapsed)
        return response


def check_scraper(networks: Collection[IPv4Network | IPv6Network]) -> None:
    """Let only a client in `networks` (METRICS_ALLOWED_NETWORKS, after TRUSTED_PROXIES) read /metrics, else 403."""
    try:
        address = ip_address(request.remote_addr or "")
    except ValueError:
        raise errors.MetricsForbidden() from None
    if not any(address in network for network in networks):
        raise errors.MetricsForbidden()
