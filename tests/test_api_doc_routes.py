"""docs/api.md names every route the app declares, with each of its methods: a new route cannot go undocumented.
(The OpenAPI document is generated from the same declarations; this holds the hand-written guide to them.)"""

from __future__ import annotations

import re
from pathlib import Path

from app import create_app

DOC = (Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text()
# Files a page loads (its scripts, style sheets, Swagger UI's assets): documented with their page, not one by one.
FILES = {"sign_in_style", "portal_script", "docs_script", "docs_asset", "page_asset"}
ELSEWHERE = {"metrics_text": "deployment.md#metrics"}


def documented(method: str, path: str) -> bool:
    """Whether a line of docs/api.md names `path` (`{name}` or `<name>` for a parameter) with `method`."""
    lines = [line for line in DOC.splitlines() if path in line.replace("<", "{").replace(">", "}")]
    return any(f"`{method} " in line or f"`{method}`" in line or "any method" in line for line in lines)


def test_every_declared_route_and_method_is_in_the_api_guide(pool):
    app = create_app({**pool, "admin_group": "admins", "demo_page": True, "metrics_enabled": True})
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.split(".")[-1] in FILES | set(ELSEWHERE):
            continue
        path = re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", rule.rule)
        missing += [f"{m} {path}" for m in sorted(rule.methods - {"HEAD", "OPTIONS"}) if not documented(m, path)]
    assert missing == [], f"routes docs/api.md does not name: {missing}"


def test_the_check_fails_for_a_route_it_does_not_name():
    assert documented("GET", "/hello") and not documented("GET", "/no/such/route")
