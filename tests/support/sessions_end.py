"""A signed-in session client and its statuses on a protected route, for the sign-out tests."""

from __future__ import annotations

from typing import Any

from tests.support.helpers import PASSWORD

NEW_PASSWORD = "N3w-Passw0rd!"


PROTECTED = ("/auth/session", "/auth/check", "/hello")


def make_user(emulator, pool: dict[str, Any], username: str = "alice") -> None:
    """A confirmed user with PASSWORD, made directly at the emulator (no code needed)."""
    emulator.client.admin_create_user(
        UserPoolId=pool["user_pool_id"],
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": f"{username}@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    emulator.client.admin_set_user_password(
        UserPoolId=pool["user_pool_id"], Username=username, Password=PASSWORD, Permanent=True
    )


def session_client(app, username: str = "alice", password: str = PASSWORD):
    """A test client of `app` holding a new session cookie of `username`; its CSRF token."""
    client = app.test_client()
    response = client.post("/auth/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.json
    return client, response.json["csrf_token"]


def statuses(client) -> list[int]:
    return [client.get(path).status_code for path in PROTECTED]
