"""Threat protection: every Cognito call that takes it is told the user's address and device data.

A proxy in front of the emulator records each call's parameters as Cognito would receive them (no emulator
reads UserContextData or ContextData), and the emulator answers them, so every call must also be one
botocore accepts: a call whose input has neither member is given neither.
"""

from __future__ import annotations

import http.client
import json

import pytest

import lambda_function
import middleware.threat_request
from app import create_app
from cognito_emulator.emulator import last_code
from cognito_emulator.pools import allow_flows
from middleware.threat_request import ENCODED_DATA_HEADER, FORWARDED_HEADERS, MAX_ENCODED_DATA
from tests.support.helpers import PASSWORD, Users, bearer
from tests.support.nginx import readmes_nginx
from tests.support.servers import pool_env

CLIENT = "198.51.100.7"  # the user, as the one trusted proxy saw them
SPOOFED = "203.0.113.66"  # what a caller writes into X-Forwarded-For itself
ENCODED = "eyJwYXlsb2FkIjoie1widXNlcm5hbWVcIjpcImFsaWNlXCJ9Iiwic2lnbmF0dXJlIjoiYWJjPSIsInZlcnNpb24iOiJKUzIwMTcxMTE1In0="
NEW_PASSWORD = "N3wPassw0rd!"


@pytest.fixture
def model():
    """Which member each operation's input has, read from botocore's service model itself."""
    import botocore.session

    service = botocore.session.get_session().get_service_model("cognito-idp")

    def member(operation: str) -> str | None:
        members = service.operation_model(operation).input_shape.members
        return next((name for name in ("UserContextData", "ContextData") if name in members), None)

    return member


def through(pool, proxy, **settings):
    return create_app({**pool, "endpoint_url": proxy.url, **settings}).test_client()


def proxied(address: str = CLIENT, **headers: str) -> dict[str, str]:
    return {"X-Forwarded-For": address, ENCODED_DATA_HEADER: ENCODED, **headers}


def check_every_call(proxy, model, address: str = CLIENT, encoded: str | None = ENCODED) -> set[str]:
    """Each recorded call carries exactly the member its input has (its address and device data those
    given) and not the other; returns the operations seen."""
    told = {"IpAddress": address, **({"EncodedData": encoded} if encoded else {})}
    for operation, params in proxy.received:
        member = model(operation)
        for name in ("UserContextData", "ContextData"):
            if name != member:
                assert name not in params, (operation, name)
            elif name == "UserContextData":
                assert params[name] == told, (operation, params[name])
            else:
                assert {key: params[name].get(key) for key in told} == told, (operation, params[name])
    return {operation for operation, _ in proxy.received}


def invite(emulator, pool, username: str = "invited") -> None:
    """A user an administrator created: their first sign-in is a NEW_PASSWORD_REQUIRED challenge."""
    emulator.client.admin_create_user(
        UserPoolId=pool["user_pool_id"],
        Username=username,
        TemporaryPassword="Temp0rary!",
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
        MessageAction="SUPPRESS",
    )


def answer_new_password(client, headers, username: str = "invited"):
    login = client.post("/auth/login", json={"username": username, "password": "Temp0rary!"}, headers=headers)
    assert login.json["challenge"] == "NEW_PASSWORD_REQUIRED", login.json
    body = {"username": username, "challenge": "NEW_PASSWORD_REQUIRED", "session": login.json["session"]}
    answered = client.post("/auth/challenge", json={**body, "new_password": NEW_PASSWORD}, headers=headers)
    assert answered.status_code == 200, answered.json
    return answered


def test_every_public_call_is_told_the_address_after_the_trusted_proxy_and_the_device_data(
    pool, proxy, model, emulator
):
    client = through(pool, proxy, trusted_proxies=1)
    headers = proxied()
    post = lambda path, body: client.post(path, json=body, headers=headers)  # noqa: E731
    assert (
        post("/auth/register", {"username": "alice", "email": "a@example.com", "password": PASSWORD}).status_code == 201
    )
    assert post("/auth/resend-code", {"username": "alice"}).status_code == 202
    assert post("/auth/confirm", {"username": "alice", "code": last_code("alice")}).status_code == 200
    tokens = post("/auth/login", {"username": "alice", "password": PASSWORD}).json
    assert post("/auth/forgot-password", {"username": "alice"}).status_code == 202
    reset = {"username": "alice", "code": last_code("alice"), "new_password": NEW_PASSWORD}
    assert post("/auth/reset-password", reset).status_code == 200
    invite(emulator, pool)
    answer_new_password(client, headers)
    me = client.get("/auth/me", headers={**headers, **bearer(tokens["access_token"])})
    assert me.status_code == 200  # GetUser takes neither member: given neither, or botocore would refuse it

    seen = check_every_call(proxy, model)
    told = {"SignUp", "ResendConfirmationCode", "ConfirmSignUp", "InitiateAuth", "ForgotPassword"}
    assert told | {"ConfirmForgotPassword", "RespondToAuthChallenge", "GetUser"} <= seen
    assert all(model(operation) == "UserContextData" for operation in told)
    assert "UserContextData" not in proxy.sent("GetUser")[0]


@pytest.mark.parametrize(
    "settings",
    [{"login_flow": "ADMIN_USER_PASSWORD_AUTH"}, {"registration_mode": "admin"}, {"registration_mode": "auto_confirm"}],
    ids=["admin-flow", "admin-registration", "auto-confirm"],
)
def test_admin_calls_are_told_the_address_server_and_harmless_headers_only(pool, proxy, model, emulator, settings):
    allow_flows(emulator.client, pool, "ALLOW_ADMIN_USER_PASSWORD_AUTH")  # the admin-flow case's client allows it
    client = through(pool, proxy, trusted_proxies=1, **settings)
    secrets = {
        "Authorization": "Bearer secret-bearer-token",
        "Cookie": "auth_session=secret-session-id",
        "X-CSRF-Token": "secret-csrf",
        "X-Api-Key": "secret-api-key",
    }
    headers = proxied(**secrets, **{"User-Agent": "Mozilla/5.0 (test)", "Accept-Language": "en-GB"})
    body = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
    assert client.post("/auth/register", json=body, headers=headers).status_code == 201
    if settings.get("registration_mode") is None:
        confirm = {"username": "alice", "code": last_code("alice")}
        assert client.post("/auth/confirm", json=confirm, headers=headers).status_code == 200
    login = client.post("/auth/login", json={"username": "alice", "password": PASSWORD}, headers=headers)
    assert login.status_code == 200, login.json
    invite(emulator, pool)
    answer_new_password(client, headers)

    seen = check_every_call(proxy, model)
    if "login_flow" in settings:
        expected = {
            "IpAddress": CLIENT,
            "ServerName": "localhost",
            "ServerPath": "/auth/login",
            "HttpHeaders": [
                {"headerName": "User-Agent", "headerValue": "Mozilla/5.0 (test)"},
                {"headerName": "Accept-Language", "headerValue": "en-GB"},
            ],
            "EncodedData": ENCODED,
        }
        assert proxy.sent("AdminInitiateAuth")[0]["ContextData"] == expected
        challenge = proxy.sent("AdminRespondToAuthChallenge")[0]["ContextData"]
        assert challenge == {**expected, "ServerPath": "/auth/challenge"}
    untouched = {"AdminCreateUser", "AdminSetUserPassword", "AdminConfirmSignUp", "AdminGetUser"} & seen
    assert untouched, seen  # each mode makes at least one call that takes neither member: given neither
    assert all(model(operation) is None for operation in untouched)
    everything = json.dumps(proxy.received)
    assert not any(secret in everything for secret in ("secret-bearer-token", "secret-session-id", "secret-csrf"))
    assert "secret-api-key" not in everything


@pytest.mark.parametrize(
    ("trusted", "forwarded", "seen"),
    [
        (0, CLIENT, "127.0.0.1"),  # no trusted proxy: the header is the caller's own words
        (1, f"{SPOOFED}, {CLIENT}", CLIENT),  # one proxy: only the entry it appended
        (2, f"{SPOOFED}, {CLIENT}", SPOOFED),
    ],
)
def test_x_forwarded_for_is_believed_only_as_far_as_trusted_proxies(pool, proxy, trusted, forwarded, seen):
    client = through(pool, proxy, trusted_proxies=trusted)
    Users(client).tokens("alice")
    proxy.received.clear()
    client.post("/auth/login", json={"username": "alice", "password": PASSWORD}, headers={"X-Forwarded-For": forwarded})
    assert proxy.sent("InitiateAuth")[0]["UserContextData"] == {"IpAddress": seen}


def test_an_address_that_is_no_ip_address_is_not_sent(pool, proxy):
    """A trusted proxy that wrote something odd: Cognito is told nothing rather than a bad address."""
    client = through(pool, proxy, trusted_proxies=1)
    Users(client).tokens("alice")
    proxy.received.clear()
    login = client.post(
        "/auth/login", json={"username": "alice", "password": PASSWORD}, headers={"X-Forwarded-For": "unknown"}
    )
    assert login.status_code == 200
    assert "UserContextData" not in proxy.sent("InitiateAuth")[0]


@pytest.mark.parametrize(
    "value",
    [
        "x" * (MAX_ENCODED_DATA + 1),
        "two words",
        "tab\there",
        "caf\u00e9",
        "del\x7f",
        "",
    ],
    ids=["oversized", "space", "tab", "non-ascii", "control", "empty"],
)
def test_odd_device_data_is_dropped_and_the_sign_in_still_answers(pool, proxy, value):
    client = through(pool, proxy)
    Users(client).tokens("alice")
    proxy.received.clear()
    headers = {ENCODED_DATA_HEADER: value}
    login = client.post("/auth/login", json={"username": "alice", "password": PASSWORD}, headers=headers)
    assert login.status_code == 200, login.json
    wrong = client.post("/auth/login", json={"username": "alice", "password": "Wr0ngPassword"}, headers=headers)
    assert wrong.status_code == 401
    assert [p["UserContextData"] for p in proxy.sent("InitiateAuth")] == [{"IpAddress": "127.0.0.1"}] * 2


def test_device_data_of_the_longest_allowed_length_is_sent(pool, proxy):
    client = through(pool, proxy)
    Users(client).tokens("alice")
    proxy.received.clear()
    longest = "A" * MAX_ENCODED_DATA
    client.post("/auth/login", json={"username": "alice", "password": PASSWORD}, headers={ENCODED_DATA_HEADER: longest})
    assert proxy.sent("InitiateAuth")[0]["UserContextData"] == {"IpAddress": "127.0.0.1", "EncodedData": longest}


def test_the_session_cookie_sign_in_is_told_too(pool, proxy):
    client = through(pool, proxy, trusted_proxies=1)
    users = Users(client)
    assert users.register("alice").status_code == 201
    assert users.confirm("alice").status_code == 200
    started = client.post("/auth/session", json={"username": "alice", "password": PASSWORD}, headers=proxied())
    assert started.status_code == 200, started.json
    assert proxy.sent("InitiateAuth")[-1]["UserContextData"] == {"IpAddress": CLIENT, "EncodedData": ENCODED}


def test_on_lambda_the_address_is_the_source_aws_saw(pool, proxy, monkeypatch):
    from tests.support.lambda_events import ENV, event, read

    for name, value in {**pool, "endpoint_url": proxy.url}.items():
        monkeypatch.setenv(ENV[name], value)
    lambda_function.function.cache_clear()
    try:
        body = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
        spoofed = {"X-Forwarded-For": SPOOFED, ENCODED_DATA_HEADER: ENCODED}
        request = event("http-api-v2", "POST", "/auth/register", body=body, headers=spoofed)
        assert read(lambda_function.lambda_handler(request, None)).status == 201
    finally:
        lambda_function.function.cache_clear()
    source = request["requestContext"]["http"]["sourceIp"]
    assert proxy.sent("SignUp")[0]["UserContextData"] == {"IpAddress": source, "EncodedData": ENCODED}


def test_a_call_outside_a_request_is_told_nothing_and_a_call_site_s_own_context_is_kept(pool, proxy):
    app = create_app({**pool, "endpoint_url": proxy.url})
    Users(app.test_client()).tokens("alice")
    auth = app.extensions["cognito_auth"].auth
    proxy.received.clear()
    auth.login("alice", PASSWORD)  # no request: a background call
    assert "UserContextData" not in proxy.sent("InitiateAuth")[0]
    with app.test_request_context("/auth/login", environ_base={"REMOTE_ADDR": CLIENT}):
        parameters = {"USERNAME": "alice", "PASSWORD": PASSWORD}
        own = {"IpAddress": "192.0.2.1"}
        auth.client.initiate_auth(
            ClientId=auth.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters, UserContextData=own
        )
        auth.login("alice", PASSWORD)
    assert [p["UserContextData"] for p in proxy.sent("InitiateAuth")[1:]] == [own, {"IpAddress": CLIENT}]


def test_token_only_routes_never_build_a_context(pool, proxy, monkeypatch):
    """The context is read only inside a Cognito call that takes it: /hello and /health pay nothing."""
    built: list[bool] = []
    original = middleware.threat_request.has_request_context
    monkeypatch.setattr(middleware.threat_request, "has_request_context", lambda: built.append(True) or original())
    client = through(pool, proxy)
    token = Users(client).tokens("alice")["access_token"]
    built.clear()
    for _ in range(3):
        assert client.get("/hello", headers=bearer(token)).status_code == 200
        assert client.get("/health").status_code == 200
    assert built == []
    client.post("/auth/login", json={"username": "alice", "password": PASSWORD})
    assert built == [True]  # one InitiateAuth, one context


def test_only_harmless_headers_are_ever_forwarded():
    """The list itself: no credential, cookie or proxy header can be added to it unnoticed."""
    lowered = {name.lower() for name in FORWARDED_HEADERS}
    assert not lowered & {"authorization", "cookie", "x-csrf-token", "proxy-authorization", "x-forwarded-for"}
    assert ENCODED_DATA_HEADER.lower() not in lowered


def test_a_front_end_on_another_origin_may_send_the_device_data(client):
    preflight = client.options(
        "/auth/login",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": f"Content-Type, {ENCODED_DATA_HEADER}",
        },
    )
    assert ENCODED_DATA_HEADER.lower() in preflight.headers["Access-Control-Allow-Headers"].lower()


@pytest.mark.nginx
@pytest.mark.subprocess
@pytest.mark.slow
def test_behind_the_readmes_nginx_cognito_is_told_the_user_not_the_proxy(pool, proxy, tmp_path, serve_gunicorn):
    """deploy/nginx.conf in front of gunicorn with TRUSTED_PROXIES=1: a user on 127.0.0.2 who writes their
    own X-Forwarded-For is still told as 127.0.0.2, and the device data comes through nginx."""
    server = serve_gunicorn(
        pool_env({**pool, "endpoint_url": proxy.url}, TRUSTED_PROXIES="1"), "-c", "deploy/gunicorn.conf.py"
    )
    nginx = None
    try:
        nginx = readmes_nginx(server.port, tmp_path)
        connection = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=10, source_address=("127.0.0.2", 0))
        body = json.dumps({"username": "alice", "email": "alice@example.com", "password": PASSWORD})
        headers = {"Content-Type": "application/json", "X-Forwarded-For": SPOOFED, ENCODED_DATA_HEADER: ENCODED}
        connection.request("POST", "/auth/register", body=body, headers=headers)
        status = connection.getresponse().status
        connection.close()
    finally:
        if nginx is not None:
            nginx.stop()
        output = server.stop()
    assert status == 201, output[-2000:]
    assert proxy.sent("SignUp")[0]["UserContextData"] == {"IpAddress": "127.0.0.2", "EncodedData": ENCODED}
