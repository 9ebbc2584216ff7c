"""middleware/cors_cache.py: a request without an Origin gets, from the second one on, exactly the CORS headers
flask-cors itself gives it; a request with an Origin, a preflight and an unmatched path still go to flask-cors."""

from __future__ import annotations

import pytest

from app import create_app
from tests.support.helpers import Minter, bearer

CORS_NAMES = ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers")


def cors_headers(response) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in response.headers.items()
        if name.startswith("Access-Control") or (name == "Vary")
    ]


@pytest.mark.parametrize("origins", [("*",), ("https://a.example", "https://b.example")])
def test_remembered_answers_equal_flask_cors_own(pool, jwks_host, origins):
    app = create_app({**pool, "jwks_url": jwks_host.url, "cors_origins": origins})
    settings = app.extensions["cognito_auth"].settings
    token = Minter(settings.issuer, settings.client_id).token()
    client = app.test_client()
    requests_ = [
        ("GET", "/auth/check", bearer(token)),
        ("GET", "/hello", bearer(token)),
        ("GET", "/hello", {}),
        ("GET", "/auth/check", {}),
        ("HEAD", "/hello", bearer(token)),
    ]
    for method, path, headers in requests_:
        first = client.open(path, method=method, headers=headers)  # flask-cors's own answer
        for _ in range(3):
            again = client.open(path, method=method, headers=headers)
            assert again.status_code == first.status_code
            assert cors_headers(again) == cors_headers(first), (method, path)
    # The same answers a fresh app gives on its first request, with the Origin routes untouched.
    fresh = create_app({**pool, "jwks_url": jwks_host.url, "cors_origins": origins}).test_client()
    assert cors_headers(fresh.get("/hello")) == cors_headers(client.get("/hello"))
    allowed = "https://a.example"
    answer = client.get("/hello", headers={**bearer(token), "Origin": allowed})
    assert answer.headers["Access-Control-Allow-Origin"] == ("*" if origins == ("*",) else allowed)
    if origins != ("*",):
        other = client.get("/hello", headers={**bearer(token), "Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options("/auth/check", headers={"Origin": allowed, "Access-Control-Request-Method": "GET"})
    assert preflight.headers["Access-Control-Allow-Origin"] in ("*", allowed)
    assert client.get("/health").headers.get("Access-Control-Allow-Origin") is None  # not a CORS resource
