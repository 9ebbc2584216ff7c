"""`--cors-origin`: a page at an allowed origin may call the API and the token endpoint and read their answers;
any other origin is refused as before, and what Cognito never lets a browser read stays unreadable to all."""

from __future__ import annotations

import pytest
import requests

PAGE = "http://localhost:3000"
OTHER = "http://localhost:3001"
API_HEADERS = "content-type,x-amz-target,x-amz-user-agent"


@pytest.fixture
def emulator(cognito_emulator):
    cognito_emulator.server.allow_origins([PAGE])
    return cognito_emulator


def api_call(emulator, origin: str) -> requests.Response:
    return requests.post(
        emulator.endpoint_url + "/",
        json={
            "ClientId": emulator.client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "nobody", "PASSWORD": "Wrong-pass-1"},
        },
        headers={
            "Origin": origin,
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
        },
        timeout=10,
    )


def preflight(emulator, origin: str, path: str = "/", headers: str = API_HEADERS) -> requests.Response:
    return requests.options(
        emulator.endpoint_url + path,
        headers={"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": headers},
        timeout=10,
    )


def test_an_allowed_origin_gets_the_preflight_and_reads_the_api_answer(emulator):
    answer = preflight(emulator, PAGE)
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == PAGE
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]
    assert set(answer.headers["Access-Control-Allow-Headers"].split(", ")) == set(API_HEADERS.split(","))
    called = api_call(emulator, PAGE)
    assert called.status_code == 400 and called.json()["__type"].endswith("NotAuthorizedException")
    assert called.headers["Access-Control-Allow-Origin"] == PAGE and called.headers["Vary"] == "Origin"


def test_another_origin_is_refused_with_no_cors_header(emulator):
    for answer in (preflight(emulator, OTHER), api_call(emulator, OTHER), api_call(emulator, "null")):
        assert answer.status_code == 403
        assert not any(name.lower().startswith("access-control-") for name in answer.headers)


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("AdminSetUserPassword", {"Username": "alice", "Password": "Taken-over-1", "Permanent": True}),
        ("AdminCreateUser", {"Username": "mallory", "MessageAction": "SUPPRESS"}),
        ("ListUsers", {}),
        ("DescribeUserPoolClient", {"ClientId": "CLIENT"}),
        ("", {}),
    ],
)
def test_an_allowed_origin_may_not_call_administrative_operations(emulator, operation, body):
    """Cognito serves Admin*, List*, Describe* and pool changes only to AWS credentials, which no page holds; moto
    checks no signature, so from a page they are refused outright (403, no CORS header)."""
    emulator.client.admin_create_user(UserPoolId=emulator.user_pool_id, Username="alice", MessageAction="SUPPRESS")
    body = {
        "UserPoolId": emulator.user_pool_id,
        **{k: emulator.client_id if v == "CLIENT" else v for k, v in body.items()},
    }
    answer = requests.post(
        emulator.endpoint_url + "/",
        json=body,
        headers={
            "Origin": PAGE,
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}" if operation else "",
        },
        timeout=10,
    )
    assert answer.status_code == 403, answer.text
    assert not any(name.lower().startswith("access-control-") for name in answer.headers)
    users = emulator.client.list_users(UserPoolId=emulator.user_pool_id)["Users"]
    assert [user["Username"] for user in users] == ["alice"]  # no mallory, and alice untouched
    assert users[0]["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_a_preflight_for_a_header_the_api_never_takes_is_refused(emulator):
    answer = preflight(emulator, PAGE, headers="content-type,x-evil")
    assert answer.status_code == 403 and "Access-Control-Allow-Origin" not in answer.headers


def test_the_token_endpoint_is_readable_from_the_allowed_origin_only(emulator):
    def token(origin):
        return requests.post(
            emulator.endpoint_url + "/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": "made-up",
                "client_id": emulator.client_id,
                "redirect_uri": PAGE + "/",
            },
            headers={"Origin": origin},
            timeout=10,
        )

    allowed = token(PAGE)
    assert allowed.status_code == 400 and allowed.headers["Access-Control-Allow-Origin"] == PAGE
    other = token(OTHER)  # it reaches the endpoint (a form may post there) but its answer is not readable
    assert "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/moto-api/data.json"),
        ("GET", "/"),
        ("GET", "/login"),
        ("GET", "/oauth2/authorize"),
        ("POST", "/moto-api/reset"),
        ("GET", "/local/sent-code"),
    ],
)
def test_state_pages_and_debug_routes_are_never_readable_cross_origin(emulator, method, path):
    answer = requests.request(method, emulator.endpoint_url + path, headers={"Origin": PAGE}, timeout=10)
    assert "Access-Control-Allow-Origin" not in answer.headers
    assert b"Password" not in answer.content  # moto's data.json holds every user's password
