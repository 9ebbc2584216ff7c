"""The Flask side of the metrics (services/common/metrics.py): each request counted by its route, and who may scrape."""

from __future__ import annotations

import time
from collections.abc import Collection
from ipaddress import IPv4Network, IPv6Address, IPv6Network, ip_address

from flask import Flask, Response, request

import errors
from middleware.requestlog import STARTED
from services.common import metrics

UNMATCHED = "unmatched"  # the route label of a request no route matched (a 404 or 405): never its path


def add_metrics_hooks(app: Flask) -> None:
    """Record every request of `app` by route, method and status, with its time (only with METRICS_ENABLED).

    The time is from the request's start, which the request log's WSGI middleware (middleware/requestlog.py)
    stores in the environ: no clock of its own, since every hook costs on every request (/health and /hello are
    benchmarked).
    """
    metrics.enable()

    @app.after_request
    def count(response: Response) -> Response:
        started = request.environ.get(STARTED)
        elapsed = time.perf_counter() - started if started is not None else 0.0
        rule = request.url_rule
        metrics.request_answered(rule.rule if rule else UNMATCHED, request.method, response.status_code, elapsed)
        return response


def check_scraper(networks: Collection[IPv4Network | IPv6Network]) -> None:
    """Let only a socket peer in `networks` (METRICS_ALLOWED_NETWORKS) read /metrics, else 403.

    A scrape never passes through the proxy, so the peer is the socket's (before TRUSTED_PROXIES' ProxyFix), and
    a request carrying X-Forwarded-For came through a proxy (or forged one): refused either way.
    """
    if "X-Forwarded-For" in request.headers:
        raise errors.MetricsForbidden()
    peer = request.environ.get("werkzeug.proxy_fix.orig", request.environ).get("REMOTE_ADDR") or ""
    try:
        address = ip_address(peer)
    except ValueError:
        raise errors.MetricsForbidden() from None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # `::ffff:10.0.5.7` from a dual-stack socket is 10.0.5.7
    if not any(address in network for network in networks):
        raise errors.MetricsForbidden()
