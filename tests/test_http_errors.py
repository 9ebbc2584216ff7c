"""Bad bodies, Cognito faults and unexpected errors: always the same JSON error shape, never a traceback."""

from __future__ import annotations

import time

import pytest

from app import create_app
from tests.support.helpers import ScriptedServer, cognito_error, json_reply

LOGIN = {"username": "alice", "password": "Passw0rd!"}
ENDPOINTS = ["/auth/register", "/auth/confirm", "/auth/login", "/auth/validate"]


def assert_error(response, status: int, error: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    assert set(response.json) >= {"error", "message"}
    assert response.json["error"] == error
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "data", [b"{", b'{"username": }', b"\xff\xfe", b'{"a": NaN}', b'{"a": 1, "a": 2}', b"[" * 5000]
)
def test_malformed_json_is_400(client, path, data):
    response = client.post(path, data=data, content_type="application/json")
    assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("data", [b"[]", b'"text"', b"12", b"null", b"true"])
def test_json_that_is_not_an_object_is_400(client, path, data):
    response = client.post(path, data=data, content_type="application/json")
    assert_error(response, 400, "invalid_request")


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data", "application/xml"])
def test_a_body_that_is_neither_json_nor_a_form_is_415(client, path, content_type):
    response = client.post(path, data=b"username=alice", content_type=content_type)
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_body_over_16_kib_is_413(client, path):
    response = client.post(path, data=b'{"username": "' + b"a" * 17000 + b'"}', content_type="application/json")
    assert_error(response, 413, "request_entity_too_large")


def test_unknown_route_and_wrong_method_are_json(client):
    assert_error(client.get("/nope"), 404, "not_found")
    response = client.get("/auth/login")
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def _app_against(pool, reply, **settings):
    scripted = ScriptedServer(reply)
    return scripted, create_app({**pool, "endpoint_url": scripted.url, **settings}).test_client()


@pytest.mark.parametrize(
    "code", ["TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException"]
)
@pytest.mark.slow  # sleeps or waits out timeouts: seconds
def test_cognito_throttling_is_429_with_retry_after(pool, code):
    scripted, client = _app_against(pool, lambda request: cognito_error(code))
    try:
        response = client.post("/auth/login", json=LOGIN)
    finally:
        scripted.stop()
    assert_error(response, 429, "too_many_requests")
    assert int(response.headers["Retry-After"]) > 0


def test_cognito_unreachable_is_503(pool, closed_port_url):
    client = create_app({**pool, "endpoint_url": closed_port_url}).test_client()
    for path, body in [("/auth/login", LOGIN), ("/auth/confirm", {"username": "a", "code": "1"})]:
        assert_error(client.post(path, json=body), 503, "service_unavailable")


@pytest.mark.slow  # sleeps or waits out timeouts: seconds
def test_cognito_timing_out_is_503_within_bounded_time(pool):
    def slow(request):
        time.sleep(3)
        return json_reply(200, {})

    scripted, client = _app_against(pool, slow, cognito_timeout=0.5)
    try:
        started = time.monotonic()
        response = client.post("/auth/login", json=LOGIN)
        elapsed = time.monotonic() - started
    finally:
        scripted.stop()
    assert_error(response, 503, "service_unavailable")
    assert elapsed < 2.5  # two attempts of 0.5 s each plus back-off, never the full 3 s hang


def test_cognito_server_error_is_503(pool):
    scripted, client = _app_against(pool, lambda request: cognito_error("InternalErrorException", status=500))
    try:
        assert_error(client.post("/auth/login", json=LOGIN), 503, "service_unavailable")
    finally:
        scripted.stop()


@pytest.mark.parametrize(
    "reply",
    [
        lambda request: json_reply(200, {"unexpected": "shape"}),  # our code meets a KeyError
        lambda request: cognito_error("ResourceNotFoundException"),  # a misconfigured client id
    ],
    ids=["unexpected answer", "unmapped cognito error"],
)
@pytest.mark.internal_error_expected
def test_anything_unexpected_is_500_without_internals(pool, reply, caplog):
    scripted, client = _app_against(pool, reply)
    try:
        response = client.post("/auth/register", json={**LOGIN, "email": "a@example.com"})
    finally:
        scripted.stop()
    assert_error(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    for internal in ("KeyError", "UserSub", "ResourceNotFound", "scripted", "File "):
        assert internal not in text


def test_cors_on_auth_and_hello(client):
    preflight = client.options(
        "/auth/login",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type, Authorization",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    response = client.get("/hello", headers={"Origin": "https://app.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/health", headers={"Origin": "https://x"}).headers


def test_cors_origins_are_a_setting(pool):
    client = create_app({**pool, "cors_origins": ("https://app.example",)}).test_client()
    allowed = client.get("/hello", headers={"Origin": "https://app.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    other = client.get("/hello", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_public_config_has_what_a_front_end_needs_and_no_secret(client, pool):
    body = client.get("/auth/config").json
    # The emulator is the pool's domain, so managed login is on: its `oauth` block is tests/test_oauth.py's.
    assert body.pop("oauth")["domain"] == pool["cognito_domain"].split("://")[1]
    assert body == {
        "region": "us-east-1",
        "user_pool_id": pool["user_pool_id"],
        "client_id": pool["client_id"],
        "issuer": f"https://cognito-idp.us-east-1.amazonaws.com/{pool['user_pool_id']}",
        "jwks_url": pool["jwks_url"],
        "endpoint_url": pool["endpoint_url"],  # set here (the emulator): a local front end needs it
    }


def test_health_and_common_headers(client):
    response = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Request-ID"] == "abc-123"
    replaced = client.get("/health", headers={"X-Request-ID": "<script>" + "x" * 100}).headers["X-Request-ID"]
    assert len(replaced) == 32 and replaced.isalnum()  # an unsafe id is replaced by a fresh one
