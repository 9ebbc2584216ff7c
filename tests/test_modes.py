"""Sign-up and sign-in styles: registration modes, the admin sign-in flow, and answering challenges."""

from __future__ import annotations

import pytest

from app import create_app
from cognito_emulator.pools import allow_flows
from tests.support.helpers import PASSWORD, bearer

NEW_PASSWORD = "N3wPassw0rd!"


@pytest.mark.parametrize("mode", ["self", "auto_confirm", "admin"])
def test_each_registration_mode_goes_from_register_to_hello(pool, mode, users_of):
    client = create_app({**pool, "registration_mode": mode}).test_client()
    users = users_of(client)
    registered = users.register("alice")
    assert registered.status_code == 201
    assert registered.json["confirmed"] is (mode != "self")
    assert registered.json["user_sub"]
    if mode == "self":
        assert users.login("alice").status_code == 403  # must confirm first
        assert users.confirm("alice").status_code == 200
    login = users.login("alice")
    assert login.status_code == 200, login.json
    hello = client.get("/hello", headers=bearer(login.json["id_token"]))
    assert hello.status_code == 200
    # The ID token has the email: the best human name to greet by.
    greeting = {"message": "Hello, alice@example.com!", "username": "alice", "email": "alice@example.com"}
    assert hello.json == {**greeting, "pool": pool["user_pool_id"]}


def test_admin_mode_verifies_the_email_and_sends_no_message(pool, emulator, users_of):
    users_of(create_app({**pool, "registration_mode": "admin"}).test_client()).register("alice")
    user = emulator.client.admin_get_user(UserPoolId=pool["user_pool_id"], Username="alice")
    attributes = {item["Name"]: item["Value"] for item in user["UserAttributes"]}
    assert attributes["email_verified"] == "true"
    assert user["UserStatus"] == "CONFIRMED"


def test_admin_mode_with_a_weak_password_leaves_no_account_behind(pool, users_of):
    users = users_of(create_app({**pool, "registration_mode": "admin"}).test_client())
    response = users.register("alice", password="weak")
    assert response.status_code == 400
    assert response.json["error"] == "invalid_password"
    assert users.register("alice").status_code == 201  # the username is still free


def test_admin_flow_signs_in_confirmed_users(pool, users_of, emulator):
    allow_flows(emulator.client, pool, "ALLOW_ADMIN_USER_PASSWORD_AUTH")  # Cognito refuses a flow the client lacks
    users = users_of(create_app({**pool, "login_flow": "ADMIN_USER_PASSWORD_AUTH"}).test_client())
    tokens = users.tokens("alice")
    assert users.client.get("/hello", headers=bearer(tokens["access_token"])).status_code == 200


def test_admin_flow_refuses_an_unconfirmed_user_itself(pool, users_of, emulator):
    """Cognito refuses unconfirmed users (UserNotConfirmedException); the server must not pass tokens on either."""
    allow_flows(emulator.client, pool, "ALLOW_ADMIN_USER_PASSWORD_AUTH")
    users = users_of(create_app({**pool, "login_flow": "ADMIN_USER_PASSWORD_AUTH"}).test_client())
    users.register("alice")
    response = users.login("alice")
    assert response.status_code == 403
    assert response.json["error"] == "user_not_confirmed"
    assert "access_token" not in response.json
    assert users.login("alice", "Wr0ngPassword").status_code == 401  # no password, no hint
    assert users.login("nobody").status_code == 401


@pytest.mark.parametrize("flow", ["USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH"])
def test_new_password_required_for_an_admin_created_user(pool, emulator, flow):
    allow_flows(emulator.client, pool, "ALLOW_ADMIN_USER_PASSWORD_AUTH")
    emulator.client.admin_create_user(
        UserPoolId=pool["user_pool_id"],
        Username="invited",
        TemporaryPassword="Temp0rary!",
        UserAttributes=[{"Name": "email", "Value": "invited@example.com"}],
        MessageAction="SUPPRESS",
    )
    client = create_app({**pool, "login_flow": flow}).test_client()
    login = client.post("/auth/login", json={"username": "invited", "password": "Temp0rary!"})
    assert login.status_code == 200
    assert login.json["challenge"] == "NEW_PASSWORD_REQUIRED"
    answer = {"username": "invited", "challenge": "NEW_PASSWORD_REQUIRED", "session": login.json["session"]}
    response = client.post("/auth/challenge", json={**answer, "new_password": NEW_PASSWORD})
    assert response.status_code == 200, response.json
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/hello", headers=bearer(response.json["access_token"])).json["username"] == "invited"
    assert client.post("/auth/login", json={"username": "invited", "password": NEW_PASSWORD}).status_code == 200


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"username": "a", "challenge": "CUSTOM_CHALLENGE", "session": "s", "code": "1"}, "'challenge' must be one of"),
        ({"username": "a", "challenge": "NEW_PASSWORD_REQUIRED", "session": "s"}, "'new_password' is required"),
        ({"username": "a", "challenge": "SOFTWARE_TOKEN_MFA", "session": "s"}, "'code' is required"),
        ({"username": "a", "challenge": "SMS_MFA"}, "'session' is required"),
    ],
)
def test_challenge_bodies_are_checked(client, body, named):
    response = client.post("/auth/challenge", json=body)
    assert response.status_code == 400
    assert named in response.json["message"]


def test_a_bad_session_is_refused(client, users):
    users.tokens("alice")
    forged = {"username": "alice", "challenge": "NEW_PASSWORD_REQUIRED", "new_password": PASSWORD}
    response = client.post("/auth/challenge", json={**forged, "session": "f" * 40})
    assert response.status_code == 401
    assert response.json["error"] == "session_expired"  # an unknown session: sign in again
    too_short = client.post("/auth/challenge", json={**forged, "session": "forged"})  # Cognito's minimum is 20
    assert too_short.status_code == 400


@pytest.mark.parametrize(("setting", "value"), [("registration_mode", "open"), ("login_flow", "SRP")])
def test_unknown_modes_fail_at_start_up(pool, setting, value):
    from config import ConfigError

    with pytest.raises(ConfigError):
        create_app({**pool, setting: value})
