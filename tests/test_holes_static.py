"""No static route: the page's files only through the page's routes (and only with DEMO_PAGE), /docs's
through /docs; every HTML answer refuses to be framed."""

from __future__ import annotations

import pytest

from app import create_app

STATIC = ["/static/page/index.html", "/static/page/app.js", "/static/docs.html", "/static/docs-init.js"]


@pytest.mark.parametrize("demo_page", [False, True])
def test_static_files_are_404_json_and_html_answers_cannot_be_framed(pool, demo_page):
    client = create_app({**pool, "demo_page": demo_page}).test_client()
    for path in STATIC:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.is_json and response.json["error"] == "not_found", path

    pages = ["/docs", "/"] if demo_page else ["/docs"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "text/html", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        policy = [part.strip() for part in response.headers["Content-Security-Policy"].split(";")]
        assert "frame-ancestors 'none'" in policy, path
        assert "script-src 'self'" in policy and "default-src 'none'" in policy, path
    if not demo_page:
        assert client.get("/").status_code == 404
