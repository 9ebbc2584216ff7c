"""The README's walk-through, and the account lifecycle after it, on both Cognito implementations the suite runs."""

from __future__ import annotations

from typing import Any

import pytest

from app import create_app
from cognito_emulator.emulator import last_code
from tests.support.cognito_local import CognitoLocal
from tests.support.helpers import PASSWORD, bearer

EMAIL = "alice@example.com"
NEW_PASSWORD = "N3wPassw0rd!"
CHANGED_PASSWORD = "Ch4ngedPassw0rd!"


class Moto:
    """The embedded emulator: any confirmation code passes; reset codes come back in a response header."""

    name = "moto"
    username_is_sub = False  # its pools here have no UsernameAttributes: the email is the username as given
    unsupported: frozenset[str] = frozenset()  # cognito_emulator/additions.py teaches moto what it lacks

    def __init__(self, overrides: dict[str, Any]) -> None:
        self.overrides = overrides

    def watch(self, app) -> None:
        pass

    def code_for(self, user: str) -> str:
        """The last code the emulator (in this process) sent the user: sign-up or reset."""
        return last_code(user) or "no code was sent"


class Local:
    """cognito-local: email-as-username pools (the sub is the stored username); codes are printed."""

    name = "cognito-local"
    username_is_sub = True
    unsupported = frozenset({"/auth/resend-code", "/auth/logout"})  # no ResendConfirmationCode, no GlobalSignOut

    def __init__(self, server: CognitoLocal, overrides: dict[str, Any]) -> None:
        self.server = server
        self.overrides = overrides

    def watch(self, app) -> None:
        pass

    def code_for(self, user: str) -> str:
        return self.server.code_for(user)


@pytest.fixture(params=["moto", pytest.param("cognito-local", marks=[pytest.mark.node, pytest.mark.subprocess])])
def backend(request: pytest.FixtureRequest) -> Moto | Local:
    # Only the chosen implementation's fixtures are set up: a moto-only run never starts node.
    if request.param == "moto":
        return Moto(request.getfixturevalue("pool"))
    return Local(request.getfixturevalue("cognito_local"), request.getfixturevalue("local_pool"))


def test_walkthrough(backend: Moto | Local):
    app = create_app(backend.overrides)
    backend.watch(app)
    client = app.test_client()

    def login(password: str) -> Any:
        return client.post("/auth/login", json={"username": EMAIL, "password": password})

    # Register with the email alone: it is the username, as in a pool whose users sign in by email.
    response = client.post("/auth/register", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 201, response.json
    assert response.json["username"] == EMAIL and response.json["confirmed"] is False
    sub = response.json["user_sub"]
    username = sub if backend.username_is_sub else EMAIL  # what Cognito stores and puts in tokens

    response = client.post("/auth/confirm", json={"username": EMAIL, "code": backend.code_for(EMAIL)})
    assert response.status_code == 200, response.json

    response = login(PASSWORD)
    assert response.status_code == 200, response.json
    assert response.headers["Cache-Control"] == "no-store"
    tokens = response.json
    assert tokens["token_type"] == "Bearer" and tokens["username"] == username
    access = tokens["access_token"]

    for request in ({"json": {"token": access}}, {"json": {}, "headers": bearer(access)}):
        response = client.post("/auth/validate", **request)
        assert response.status_code == 200, response.json
        body = response.json
        assert body["valid"] is True and (body["token_use"], body["username"], body["sub"]) == ("access", username, sub)

    # An access token carries no email (cognito-local's names the sub); the ID token does.
    response = client.get("/hello", headers=bearer(access))
    assert response.status_code == 200, response.json
    assert response.json["message"] == f"Hello, {username}!"
    response = client.get("/hello", headers=bearer(tokens["id_token"]))
    assert response.status_code == 200, response.json
    assert response.json["message"] == f"Hello, {EMAIL}!" and response.json["email"] == EMAIL
    assert client.get("/hello").status_code == 401

    response = client.get("/auth/me", headers=bearer(access))
    assert response.status_code == 200, response.json
    assert response.json["username"] == username and response.json["attributes"]["email"] == EMAIL

    response = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200, response.json
    assert response.json["access_token"] != access
    response = client.get("/hello", headers=bearer(response.json["access_token"]))
    assert response.status_code == 200, response.json

    assert client.post("/auth/forgot-password", json={"username": EMAIL}).status_code == 202
    reset = {"username": EMAIL, "code": backend.code_for(EMAIL), "new_password": NEW_PASSWORD}
    response = client.post("/auth/reset-password", json=reset)
    assert response.status_code == 200, response.json
    assert login(PASSWORD).status_code == 401
    response = login(NEW_PASSWORD)
    assert response.status_code == 200, response.json

    change = {"old_password": NEW_PASSWORD, "new_password": CHANGED_PASSWORD}
    response = client.post("/auth/change-password", json=change, headers=bearer(response.json["access_token"]))
    assert response.status_code == 200, response.json
    response = login(CHANGED_PASSWORD)
    assert response.status_code == 200, response.json
    tokens = response.json

    # Where Cognito lacks the call, the documented answer: 503, never a 500.
    logout = client.post("/auth/logout", headers=bearer(tokens["access_token"]))
    resend = client.post("/auth/resend-code", json={"username": EMAIL})
    for route, response, success in (("/auth/logout", logout, 204), ("/auth/resend-code", resend, 202)):
        if route in backend.unsupported:
            assert (response.status_code, response.json["error"]) == (503, "service_unavailable"), route
        else:
            assert response.status_code == success, route
    if "/auth/logout" not in backend.unsupported:  # signed out everywhere: the refresh token is dead
        assert client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
