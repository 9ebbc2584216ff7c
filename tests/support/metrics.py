"""Reading /metrics in tests (an app with metrics, scrapes compared), and a real Prometheus (Debian's
`prometheus`) on a free loopback port."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from tests.support.servers import ROOT, end_process, free_port

DASHBOARD = Path(ROOT) / "deploy" / "grafana-dashboard.json"
# Grafana's variables, as a query run straight against Prometheus needs them: every job, a one-minute window.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$job": ".*"}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    """Every sample of a text exposition: (name, labels) -> value."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: Samples, name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels` (0 when there is none)."""
    wanted = set(labels.items())
    return sum(v for (sample, have), v in found.items() if sample == name and wanted <= have)


def label_values(found: Samples) -> set[str]:
    """Every label value of every sample."""
    return {label for _, labels in found for _, label in labels}


def metered(pool, **settings):
    """An app on `pool` with METRICS_ENABLED, and its test client."""
    app = create_app({**pool, "metrics_enabled": True, **settings})
    return app, app.test_client()


class Scrapes:
    """Scrape before and after: `delta(name, **labels)` is what the requests in between added."""

    def __init__(self, client) -> None:
        self.client = client
        self.before = self.scrape()

    def scrape(self):
        response = self.client.get("/metrics")
        assert response.status_code == 200, response.json
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        return samples(response.text)

    def delta(self, name: str, **labels: str) -> float:
        return value(self.scrape(), name, **labels) - value(self.before, name, **labels)


def tampered(token: str) -> str:
    """The token with its signature's first character changed (still canonical base64url)."""
    head, _, signature = token.rpartition(".")
    return f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


def dashboard_expressions() -> list[str]:
    """Every panel's PromQL expression in deploy/grafana-dashboard.json, Grafana's variables filled in."""
    expressions = []
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        for target in panel["targets"]:
            expression = target["expr"]
            for variable, text in GRAFANA_VARIABLES.items():
                expression = expression.replace(variable, text)
            expressions.append(expression)
    return expressions


class Prometheus:
    """`prometheus` scraping `target` (host:port) every second, its data in a temporary folder; `stop()` ends it."""

    def __init__(self, target: str, *, timeout: float = 30) -> None:
        binary = shutil.which("prometheus")
        assert binary, "Debian's prometheus is missing: make system-deps"
        self._folder = tempfile.TemporaryDirectory(prefix="prometheus-")
        folder = Path(self._folder.name)
        config = folder / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            f"scrape_configs:\n  - job_name: auth\n    static_configs:\n      - targets: ['{target}']\n"
        )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while not self._ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"prometheus did not start: {self.stop()[-3000:]}")
            time.sleep(0.2)

    def _ready(self) -> bool:
        try:
            return requests.get(f"{self.url}/-/ready", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def evaluate(self, expression: str) -> list[dict[str, Any]]:
        """Every series of `expression` now (an invalid expression fails the test with Prometheus's reason)."""
        answer = requests.get(f"{self.url}/api/v1/query", params={"query": expression}, timeout=5).json()
        assert answer["status"] == "success", (expression, answer)
        result: list[dict[str, Any]] = answer["data"]["result"]
        return result

    def query(self, expression: str) -> float | None:
        """The instant value of `expression` (one series), or None when it has no series yet."""
        result = self.evaluate(expression)
        assert len(result) <= 1, result
        return float(result[0]["value"][1]) if result else None

    def series(self, match: str) -> list[dict[str, Any]]:
        """Every series matching `match`: their label sets, `__name__` included."""
        answer = requests.get(f"{self.url}/api/v1/series", params={"match[]": match}, timeout=5).json()
        assert answer["status"] == "success", answer
        series: list[dict[str, Any]] = answer["data"]
        return series

    def stop(self) -> str:
        """Stop prometheus (if running) and remove its data; return what it printed."""
        end_process(self.process)
        self._log.seek(0)
        output = self._log.read()
        self._folder.cleanup()
        return output
