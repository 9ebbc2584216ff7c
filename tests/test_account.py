"""The account lifecycle: resend, forgot/reset, change password, refresh, logout, me, and secret-hash clients."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from tests.support.helpers import PASSWORD, bearer

NEW_PASSWORD = "N3wPassw0rd!"


def cognito_client(app):
    return app.extensions["cognito_auth"].auth.client


def test_forgot_then_reset_password_round_trip(client, users, emulator):
    users.tokens("alice")
    response = client.post("/auth/forgot-password", json={"username": "alice"})
    assert response.status_code == 202
    code = emulator.last_code("alice")
    assert code, "the emulator sent no reset code"
    reset = {"username": "alice", "code": code, "new_password": NEW_PASSWORD}
    response = client.post("/auth/reset-password", json=reset)
    assert response.status_code == 200
    assert response.json == {"username": "alice", "password_reset": True}
    assert users.login("alice", NEW_PASSWORD).status_code == 200
    assert users.login("alice", PASSWORD).status_code == 401


def test_forgot_password_answers_the_same_for_an_unknown_user(client, users):
    users.tokens("alice")
    known = client.post("/auth/forgot-password", json={"username": "alice"})
    unknown = client.post("/auth/forgot-password", json={"username": "nobody"})
    assert known.status_code == unknown.status_code == 202
    assert known.json == unknown.json


def test_reset_password_for_an_unknown_user_is_a_code_mismatch(client):
    body = {"username": "nobody", "code": "123456", "new_password": NEW_PASSWORD}
    response = client.post("/auth/reset-password", json=body)
    assert response.status_code == 400
    assert response.json["error"] == "code_mismatch"


def test_reset_password_refusals(client, users, emulator):
    """Cognito's refusals of ConfirmForgotPassword, from the emulator: no ForgotPassword first (ExpiredCode), a wrong
    code (CodeMismatch), a new password under the policy (InvalidPassword, the code still usable after it)."""
    users.tokens("alice")
    reset = {"username": "alice", "code": "123456", "new_password": NEW_PASSWORD}
    assert client.post("/auth/reset-password", json=reset).json["error"] == "expired_code"
    client.post("/auth/forgot-password", json={"username": "alice"})
    code = emulator.last_code("alice")
    wrong = {**reset, "code": "000000" if code != "000000" else "111111"}
    assert client.post("/auth/reset-password", json=wrong).json["error"] == "code_mismatch"
    weak = client.post("/auth/reset-password", json={**reset, "code": code, "new_password": "weak"})
    assert (weak.status_code, weak.json["error"]) == (400, "invalid_password")
    assert client.post("/auth/reset-password", json={**reset, "code": code}).status_code == 200


def test_change_password_then_log_in_with_it(client, users):
    access = users.tokens("alice")["access_token"]
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = client.post("/auth/change-password", json=body, headers=bearer(access))
    assert response.status_code == 200
    assert users.login("alice", NEW_PASSWORD).status_code == 200


def test_change_password_needs_an_access_token_and_the_old_password(client, users):
    tokens = users.tokens("alice")
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    for refused in (
        client.post("/auth/change-password", json=body),
        client.post("/auth/change-password", json=body, headers=bearer(tokens["id_token"])),
    ):
        assert (refused.status_code, refused.json["error"]) == (401, "invalid_token")
    wrong = {"old_password": "Wr0ngPassword", "new_password": NEW_PASSWORD}
    response = client.post("/auth/change-password", json=wrong, headers=bearer(tokens["access_token"]))
    assert response.status_code == 403  # the token is fine; the old password is not
    assert response.json == {"error": "not_authorized", "message": "The old password is incorrect."}


def test_refresh_returns_new_tokens_that_work(client, users):
    tokens = users.tokens("alice")
    response = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    fresh = response.json
    assert fresh["token_type"] == "Bearer" and fresh["access_token"] != tokens["access_token"]
    assert client.get("/hello", headers=bearer(fresh["access_token"])).json["username"] == "alice"


def test_refresh_with_a_bad_token_is_401(client):
    response = client.post("/auth/refresh", json={"refresh_token": "not-a-refresh-token"})
    assert response.status_code == 401
    assert response.json == {"error": "invalid_grant", "message": "The refresh token is no longer valid."}


def test_logout_then_refresh_fails(client, users):
    tokens = users.tokens("alice")
    response = client.post("/auth/logout", headers=bearer(tokens["access_token"]))
    assert response.status_code == 204
    refused = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert (refused.status_code, refused.json["error"]) == (401, "invalid_grant")
    # The JWT still verifies locally, but Cognito refuses it: 401 invalid_token, as for any dead token.
    for response in (
        client.get("/auth/me", headers=bearer(tokens["access_token"])),
        client.post("/auth/logout", headers=bearer(tokens["access_token"])),
        client.post(
            "/auth/change-password",
            json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=bearer(tokens["access_token"]),
        ),
    ):
        assert response.status_code == 401
        assert response.json["error"] == "invalid_token"
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_logout_with_a_refresh_token_signs_out_and_revokes_it(client, users):
    """GlobalSignOut, then RevokeToken (taught to the emulator by cognito_emulator/additions.py; which token it gets is
    shown in test_cognito_answers.py): the refresh token is dead."""
    tokens = users.tokens("alice")
    body = {"refresh_token": tokens["refresh_token"]}
    assert client.post("/auth/logout", json=body, headers=bearer(tokens["access_token"])).status_code == 204
    refused = client.post("/auth/refresh", json=body)
    assert (refused.status_code, refused.json["error"]) == (401, "invalid_grant")


def test_me_returns_the_users_attributes(client, users):
    access = users.tokens("alice")["access_token"]
    response = client.get("/auth/me", headers=bearer(access))
    assert response.status_code == 200
    assert response.json["username"] == "alice"
    assert response.json["attributes"]["email"] == "alice@example.com"


def test_me_needs_an_access_token(client, users):
    id_token = users.tokens("alice")["id_token"]
    response = client.get("/auth/me", headers=bearer(id_token))
    assert (response.status_code, response.json["error"]) == (401, "invalid_token")


def test_resend_code_calls_cognito_and_answers_the_same_for_unknown_users(app, client):
    """ResendConfirmationCode is not implemented by the emulator: Stubber at the client's edge."""
    client_id = app.extensions["cognito_auth"].settings.client_id
    with Stubber(cognito_client(app)) as stubber:
        delivery = {"CodeDeliveryDetails": {"Destination": "a***@e***", "DeliveryMedium": "EMAIL"}}
        stubber.add_response("resend_confirmation_code", delivery, {"ClientId": client_id, "Username": "alice"})
        stubber.add_client_error("resend_confirmation_code", "UserNotFoundException", "User does not exist.")
        known = client.post("/auth/resend-code", json={"username": "alice"})
        unknown = client.post("/auth/resend-code", json={"name": "nobody"})
        stubber.assert_no_pending_responses()
    assert known.status_code == unknown.status_code == 202
    assert known.json == unknown.json


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("/auth/forgot-password", {}, "'username' is required"),
        ("/auth/reset-password", {"username": "a", "code": "1"}, "'new_password' is required"),
        ("/auth/refresh", {"refresh_token": 5}, "'refresh_token' must be a string"),
        ("/auth/resend-code", {"username": ""}, "'username' must be 1 to 128"),
        ("/auth/forgot-password", {"username": "a", "name": {}}, "'name' must be a string"),
        ("/auth/refresh", {"refresh_token": "r", "username": None}, "'username' must be a string"),
    ],
)
def test_lifecycle_bodies_are_checked(client, path, body, named):
    response = client.post(path, json=body)
    assert (response.status_code, response.json["error"]) == (400, "invalid_request")
    assert named in response.json["message"]


def test_a_deleted_users_token_is_refused_as_invalid(emulator, pool, client, users):
    tokens = users.tokens("alice")
    emulator.client.admin_delete_user(UserPoolId=pool["user_pool_id"], Username="alice")
    response = client.get("/auth/me", headers=bearer(tokens["access_token"]))
    assert response.status_code == 401
    assert response.json["error"] == "invalid_token"
    # (Refresh for a deleted user cannot be shown: the emulator answers it with HTTP 500.)
