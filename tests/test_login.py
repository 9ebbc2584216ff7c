"""POST /auth/login against the emulator."""

from __future__ import annotations

from tests.support.helpers import PASSWORD


def test_login_returns_tokens_that_are_never_cached(users):
    users.register("alice")
    users.confirm("alice")
    response = users.login("alice")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert set(body) == {"access_token", "id_token", "refresh_token", "expires_in", "token_type", "username"}
    assert body["username"] == "alice"  # the stored username, which refresh with a client secret needs
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"].count(".") == 2 and body["id_token"].count(".") == 2


def test_wrong_password_and_unknown_user_answer_the_same(users):
    users.register("alice")
    users.confirm("alice")
    wrong_password = users.login("alice", "Wr0ngPassword")
    unknown_user = users.login("nobody", PASSWORD)
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert (
        wrong_password.json
        == unknown_user.json
        == {
            "error": "not_authorized",
            "message": "Incorrect username or password.",
        }
    )


def test_unconfirmed_user_is_403(users):
    users.register("alice")
    response = users.login("alice")
    assert response.status_code == 403
    assert response.json["error"] == "user_not_confirmed"


def test_login_requires_username_and_password(client):
    response = client.post("/auth/login", json={"password": PASSWORD})
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    assert "'username' is required" in response.json["message"]
