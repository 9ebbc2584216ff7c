"""POST /auth/register and POST /auth/confirm against the emulator."""

from __future__ import annotations

import pytest

from app import create_app
from tests.support.helpers import ScriptedServer, cognito_error


def test_register_creates_an_unconfirmed_user(users):
    response = users.register("alice")
    assert response.status_code == 201
    body = response.json
    assert body["username"] == "alice"
    assert body["confirmed"] is False
    assert len(body["user_sub"]) == 36
    assert set(body["code_delivery"]) == {"destination", "medium", "attribute"}


def test_register_accepts_the_tutorials_name_field(client, users):
    body = {"name": "tutorial", "email": "t@example.com", "password": "Passw0rd!"}
    assert client.post("/auth/register", json=body).status_code == 201
    assert users.confirm("tutorial").status_code == 200
    assert client.post("/auth/login", json={"name": "tutorial", "password": "Passw0rd!"}).status_code == 200


def test_duplicate_username_is_409(users):
    assert users.register("alice").status_code == 201
    response = users.register("alice")
    assert response.status_code == 409
    assert response.json["error"] == "username_exists"


@pytest.mark.parametrize("password", ["short1A", "alllower1", "ALLUPPER1", "NoDigitsHere"])
def test_password_rejected_by_the_pool_policy_is_400_with_the_reason(users, password):
    response = users.register("weak", password=password)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_password"
    assert "policy" in response.json["message"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({}, ["'email' is required"]),  # no username: the email is the username; no password: passwordless
        ({"username": 7, "email": "a@example.com", "password": "Passw0rd!"}, ["'username' must be a string"]),
        ({"username": "a", "email": ["x"], "password": "Passw0rd!"}, ["'email' must be a string"]),
        ({"username": "a", "email": "a@example.com", "password": None}, ["'password' must be a string"]),
        ({"username": "", "email": "a@example.com", "password": "Passw0rd!"}, ["'username' must be 1 to 128"]),
        ({"username": "a\x00b", "email": "a@example.com", "password": "Passw0rd!"}, ["'username' must be 1 to 128"]),
        ({"username": "x" * 257, "email": "a@example.com", "password": "Passw0rd!"}, ["'username' must be 1 to 128"]),
        ({"username": "a", "email": "not-an-email", "password": "Passw0rd!"}, ["'email' must be an email address"]),
    ],
)
def test_missing_or_ill_typed_fields_are_400_naming_them(client, body, named):
    response = client.post("/auth/register", json=body)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    for text in named:
        assert text in response.json["message"]


def test_confirm_lets_the_user_log_in(users):
    users.register("alice")
    response = users.confirm("alice")
    assert response.status_code == 200
    assert response.json == {"username": "alice", "confirmed": True}
    assert users.login("alice").status_code == 200


def test_confirm_requires_username_and_code(client):
    response = client.post("/auth/confirm", json={"username": "alice"})
    assert response.status_code == 400
    assert "'code' is required" in response.json["message"]


def test_confirm_for_an_unknown_user_looks_like_a_wrong_code(users):
    response = users.confirm("nobody")
    assert response.status_code == 400
    assert response.json["error"] == "code_mismatch"


# The emulator accepts any confirmation code, so wrong and expired codes come from a scripted
# Cognito endpoint over HTTP: botocore parses the real error format.
@pytest.mark.parametrize(
    ("cognito_code", "error"),
    [("CodeMismatchException", "code_mismatch"), ("ExpiredCodeException", "expired_code")],
)
def test_wrong_or_expired_code_is_400(pool, cognito_code, error):
    scripted = ScriptedServer(lambda request: cognito_error(cognito_code))
    try:
        client = create_app({**pool, "endpoint_url": scripted.url}).test_client()
        response = client.post("/auth/confirm", json={"username": "alice", "code": "000000"})
    finally:
        scripted.stop()
    assert response.status_code == 400
    assert response.json["error"] == error
