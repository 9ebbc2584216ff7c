"""Fixtures: one Cognito emulator per session (reset for every test), the app, a client and helpers."""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest

from app import create_app
from services.emulator import LocalCognito
from tests.helpers import EMULATOR_PRIVATE_JWK, JwksHost, Minter

PASSWORD = "Passw0rd!"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from what each test passes, never from the developer's shell."""
    for name in list(os.environ):
        if name.startswith("COGNITO_") or name.startswith("AWS_ENDPOINT_URL"):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _no_unexpected_server_errors(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture):
    """Fail any test during which the app hit an unhandled error, unless the test is about exactly that."""
    yield
    if request.node.get_closest_marker("internal_error_expected"):
        return
    unhandled = [r for r in caplog.get_records("call") if r.name == "errors" and r.levelname == "ERROR"]
    assert not unhandled, f"unhandled server error: {unhandled[0].getMessage()}"


@pytest.fixture(scope="session")
def emulator():
    local = LocalCognito()
    yield local
    local.stop()


@pytest.fixture
def pool(emulator: LocalCognito) -> dict[str, Any]:
    """A fresh pool and client on an emptied emulator: the settings overrides pointing at them."""
    emulator.reset()
    return emulator.create_pool("test")


@pytest.fixture
def app(pool: dict[str, Any]):
    return create_app(pool)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def minter(app) -> Minter:
    settings = app.extensions["cognito_auth"].settings
    return Minter(settings.issuer, settings.client_id)


@pytest.fixture
def jwks_host():
    """A JWKS server the test controls, publishing the emulator's public key."""
    public = {name: EMULATOR_PRIVATE_JWK[name] for name in ("kty", "kid", "alg", "use", "n", "e")}
    host = JwksHost({"keys": [public]})
    yield host
    host.server.stop()


class Users:
    """Common steps through the API: register, confirm and log in."""

    def __init__(self, client) -> None:
        self.client = client

    def register(self, username: str = "alice", password: str = PASSWORD, email: str | None = None):
        body = {"username": username, "email": email or f"{username}@example.com", "password": password}
        return self.client.post("/auth/register", json=body)

    def confirm(self, username: str = "alice", code: str = "123456"):
        return self.client.post("/auth/confirm", json={"username": username, "code": code})

    def login(self, username: str = "alice", password: str = PASSWORD):
        return self.client.post("/auth/login", json={"username": username, "password": password})

    def tokens(self, username: str = "alice") -> dict[str, Any]:
        """Register, confirm and log in; return the login response body."""
        assert self.register(username).status_code == 201
        assert self.confirm(username).status_code == 200
        response = self.login(username)
        assert response.status_code == 200, response.json
        return response.json


@pytest.fixture
def users(client) -> Users:
    return Users(client)


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL on which nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
