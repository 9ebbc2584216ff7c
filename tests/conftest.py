"""Fixtures: one Cognito emulator per session (reset for every test), the app, a client and helpers."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis

from app import create_app
from cognito_emulator.emulator import LocalCognito
from middleware.openapi import document
from tests.support.cognito_local import CognitoLocal
from tests.support.cognito_proxy import CognitoProxy
from tests.support.helpers import EMULATOR_PRIVATE_JWK, JwksHost, Minter, Users
from tests.support.redis_server import RedisServer

# Modules of tests/support whose fixtures every test module reaches by name, without importing them.
pytest_plugins = [
    "tests.support.example_idp",
    "tests.support.forward_auth",
    "tests.support.rotating_cognito",
    "tests.support.serving",
    "tests.support.srp_steps",
    "tests.support.triggers",
    "tests.support.userauth",
]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Settings come from what each test passes, never from the developer's shell; each test's apps (and the
    servers it starts) share sign-outs and attempt counts in a folder of its own."""
    for name in list(os.environ):
        if name.startswith("COGNITO_") or name.startswith("AWS_ENDPOINT_URL"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SHARED_STATE_DIR", str(tmp_path_factory.mktemp("shared-state")))


@pytest.fixture(scope="session", autouse=True)
def _no_example_idp() -> Iterator[None]:
    """`python server.py` started by a test (module- and session-wide servers too) leaves ExampleIdP (a node
    process) out unless the test signs in through it and passes LOCAL_EXAMPLE_IDP=on: a faster start."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCAL_EXAMPLE_IDP", "off")
        yield


@pytest.fixture(autouse=True)
def _no_unexpected_server_errors(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture):
    """Fail any test during which the app hit an unhandled error, unless the test is about exactly that."""
    yield
    if request.node.get_closest_marker("internal_error_expected"):
        return
    unhandled = [r for r in caplog.get_records("call") if r.name == "middleware.handlers" and r.levelname == "ERROR"]
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


@pytest.fixture(scope="session")
def cognito_local():
    """cognito-local, the second Cognito implementation: one process per session, its output readable."""
    local = CognitoLocal()
    yield local
    local.stop()


@pytest.fixture
def proxy(emulator: LocalCognito) -> Iterator[CognitoProxy]:
    """A proxy in front of the emulator: it counts and records every call (`operations`, `sent(operation)`) and
    answers the ones the test scripts (`answers`, `fault`) as real Cognito would; the rest the emulator answers."""
    cognito = CognitoProxy(emulator.endpoint_url)
    yield cognito
    cognito.stop()


@pytest.fixture
def local_pool(cognito_local: CognitoLocal) -> dict[str, Any]:
    """A fresh pool and client on cognito-local: the settings overrides pointing at them."""
    return cognito_local.create_pool("test")


@pytest.fixture
def app(pool: dict[str, Any]):
    return create_app(pool)


@pytest.fixture
def conforms(app):
    """`conforms(response, path, method)`: the response is one the app's OpenAPI document allows (else raises)."""
    schema = schemathesis.openapi.from_dict(document(app))

    def check(response, path: str, method: str):
        schema[path][method].validate_response(response)
        return response

    return check


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


@pytest.fixture
def users(client) -> Users:
    """Register, confirm and log in through the test app's client."""
    return Users(client)


@pytest.fixture
def users_of():
    """`users_of(client)`: the same steps through another app's client."""
    return Users


@pytest.fixture
def redis_server():
    """A redis-server of the test's own on a free loopback port (tests using it are marked `redis`)."""
    server = RedisServer()
    yield server
    server.close()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL on which nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# The files that take longest, longest first (measured with --durations; docs/testing.md): `make test`'s two
# workers (pytest-xdist, --dist loadfile) take files in collection order, so a long file started last would be
# the run's tail. Every other file keeps its place.
LONGEST_FIRST = (
    "test_fuzz.py",
    "test_emulator_restarts.py",
    "test_verifier_fuzz.py",
    "test_oracle.py",
    "test_attack_catalogue.py",
    "test_forward_auth_try_locally.py",
    "test_page.py",
    "test_walkthrough.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the longest files first (a stable sort: the order within a file, and of the others, is kept)."""
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


_TIERS = ("browser", "node", "redis", "nginx", "subprocess", "slow")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """A test outside every tier marker (the fast tier) that starts a process fails: mark it `subprocess`."""
    if any(item.get_closest_marker(tier) for tier in _TIERS):
        return (yield)
    import subprocess

    popen_init = subprocess.Popen.__init__

    def refuse(self, args, *rest, **kwargs):
        raise AssertionError(f"{item.nodeid} starts a process ({args!r}) without @pytest.mark.subprocess")

    subprocess.Popen.__init__ = refuse
    try:
        return (yield)
    finally:
        subprocess.Popen.__init__ = popen_init
