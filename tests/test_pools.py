"""Pools as real deployments configure them: email as the username, and required or custom attributes."""

from __future__ import annotations

import pytest

from app import create_app
from cognito_emulator.emulator import last_code
from cognito_emulator.pools import PASSWORD_POLICY
from tests.support.helpers import PASSWORD, bearer


def make_pool(emulator, **pool_options) -> dict:
    """A pool with the given options and a client reading every attribute, as overrides for create_app."""
    pool = emulator.client.create_user_pool(
        PoolName="shaped", Policies={"PasswordPolicy": PASSWORD_POLICY}, **pool_options
    )["UserPool"]
    app_client = emulator.client.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="shaped", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]
    settings = emulator.create_pool("unused")  # the emulator's endpoint and JWKS layout
    return {
        **settings,
        "user_pool_id": pool["Id"],
        "client_id": app_client["ClientId"],
        "jwks_url": settings["jwks_url"].replace(settings["user_pool_id"], pool["Id"]),
    }


def test_an_email_as_username_pool_registers_and_signs_in_by_email(emulator, pool):
    shaped = make_pool(emulator, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])  # the code by email
    client = create_app(shaped).test_client()
    registered = client.post("/auth/register", json={"email": "carol@example.com", "password": PASSWORD})
    assert registered.status_code == 201, registered.json
    assert (
        client.post(
            "/auth/confirm", json={"username": "carol@example.com", "code": last_code("carol@example.com")}
        ).status_code
        == 200
    )
    login = client.post("/auth/login", json={"username": "carol@example.com", "password": PASSWORD})
    assert login.status_code == 200, login.json
    stored = login.json["username"]
    assert stored == registered.json["user_sub"]  # Cognito stores the sub; refresh with a secret needs it
    hello = client.get("/hello", headers=bearer(login.json["id_token"]))
    assert hello.json["message"] == "Hello, carol@example.com!"  # not the uuid


def test_extra_attributes_reach_cognito(client):
    body = {
        "username": "dave",
        "email": "dave@example.com",
        "password": PASSWORD,
        "attributes": {"name": "Dave Example", "custom:team": "blue", "preferred_username": "dave_e"},
    }
    assert client.post("/auth/register", json=body).status_code == 201
    client.post("/auth/confirm", json={"username": "dave", "code": last_code("dave")})
    access = client.post("/auth/login", json={"username": "dave", "password": PASSWORD}).json["access_token"]
    attributes = client.get("/auth/me", headers=bearer(access)).json["attributes"]
    assert attributes["name"] == "Dave Example"
    assert attributes["custom:team"] == "blue"
    assert attributes["preferred_username"] == "dave_e"


def test_a_pool_with_required_attributes_registers_when_they_are_given(emulator, pool):
    schema = [
        {"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True},
        {"Name": "phone_number", "AttributeDataType": "String", "Required": True, "Mutable": True},
    ]
    shaped = make_pool(emulator, Schema=schema)
    client = create_app(shaped).test_client()
    attributes = {"name": "Erin", "phone_number": "+15555550100"}
    body = {"username": "erin", "email": "erin@example.com", "password": PASSWORD, "attributes": attributes}
    assert client.post("/auth/register", json=body).status_code == 201
    user = emulator.client.admin_get_user(UserPoolId=shaped["user_pool_id"], Username="erin")
    stored = {item["Name"]: item["Value"] for item in user["UserAttributes"]}
    assert stored["name"] == "Erin" and stored["phone_number"] == "+15555550100"


@pytest.mark.parametrize(
    ("attributes", "named"),
    [
        ([], "'attributes' must be an object"),
        ({"sub": "x"}, "may not set 'sub'"),
        ({"email_verified": "true"}, "may not set 'email_verified'"),
        ({"email": "x@example.com"}, "may not set 'email'"),
        ({"cognito:groups": "admin"}, "may not set 'cognito:groups'"),
        ({"custom:": "x"}, "may not set 'custom:'"),
        ({"custom:" + "x" * 21: "x"}, "may not set"),
        ({"name": 7}, "'attributes.name' must be a string"),
        ({"name": ""}, "'attributes.name' must be 1 to 2048"),
        ({"name": "x" * 2049}, "'attributes.name' must be 1 to 2048"),
        ({f"custom:a{i}": "x" for i in range(26)}, "at most 25"),
    ],
)
def test_bad_attributes_are_400_naming_them(client, attributes, named):
    body = {"username": "a", "email": "a@example.com", "password": PASSWORD, "attributes": attributes}
    response = client.post("/auth/register", json=body)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    assert named in response.json["message"]
