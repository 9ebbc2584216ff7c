"""/docs in a real browser: Swagger UI loads from the server's own assets, shows every route, and tries one."""

from __future__ import annotations

import pytest
import requests

from tests.support.browser import chromium_page, screenshot
from tests.support.servers import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.subprocess, pytest.mark.slow]


def test_docs_show_every_route_and_try_it_calls_health():
    server = ServerProcess()
    outside = []
    try:
        document = requests.get(f"{server.url}/openapi.json", timeout=5).json()
        with chromium_page() as page:
            # Nothing but this server is reachable here: a CDN asset would leave the page blank.
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.url) else None)
            page.goto(f"{server.url}/docs")
            page.wait_for_selector(".opblock", timeout=20000)
            paths = {el.get_attribute("data-path") for el in page.query_selector_all(".opblock-summary-path")}
            assert paths == set(document["paths"])
            health = page.locator("#operations-default-health")
            health.locator(".opblock-summary").click()  # "Try it out" is on from the start
            health.locator("button.execute").click()
            page.wait_for_selector("#operations-default-health .live-responses-table tr.response .response-col_status")
            status = health.locator(".live-responses-table tr.response .response-col_status").first.inner_text().strip()
            body = health.locator(".live-responses-table .microlight").first.inner_text()
            screenshot(page, "docs-try-health")
    finally:
        output = server.stop()
    assert status == "200", output[-2000:]
    assert '"status": "ok"' in body or '"status":"ok"' in body
    assert not outside, outside
