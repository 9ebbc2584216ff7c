"""The pytest plugin (entry point `pytest11`): the fixture `cognito_emulator`, a running emulator with a fresh
pool and app client for each test, and a boto3 client pointed at it.

One emulator serves the whole session (moto's state is one per process); each test that asks for the fixture
starts with it emptied and a new pool made, so no test sees another's users. The pool is `make run`'s (email,
optional TOTP MFA, SRP, USER_PASSWORD_AUTH, USER_AUTH with email codes and passkeys at `localhost`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass(frozen=True)
class RunningEmulator:
    """What a test needs of the emulator: where it is, the pool and client made for the test, and a client."""

    endpoint_url: str
    region: str
    user_pool_id: str
    client_id: str
    domain: str  # where the OAuth endpoints (/oauth2/*, /login, /logout) answer: the endpoint itself
    client: Any  # boto3's cognito-idp client, endpoint_url set
    server: Any  # the LocalCognito underneath (last_code, create_pool, enable_oauth, allow_origins)

    @property
    def jwks_url(self) -> str:
        """The pool's public keys, at the emulator (Cognito serves them under the issuer)."""
        return f"{self.endpoint_url}/{self.user_pool_id}/.well-known/jwks.json"

    @property
    def issuer(self) -> str:
        """The `iss` of the pool's tokens: Cognito's own, as a token verifier configured for AWS expects."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    def last_code(self, username: str, medium: str = "EMAIL") -> str | None:
        """The last code the emulator sent `username` by EMAIL or SMS (sign-up, reset, MFA, email sign-in)."""
        return self.server.last_code(username, medium)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def cognito_emulator_session() -> Iterator[Any]:
    """The session's one emulator (in memory, on a free loopback port): `cognito_emulator` resets it per test."""
    from cognito_emulator.emulator import LocalCognito

    server = LocalCognito()
    yield server
    server.stop()


@pytest.fixture
def cognito_emulator(cognito_emulator_session: Any) -> RunningEmulator:
    """The emulator, emptied, with a new pool and app client for this test."""
    from cognito_emulator.emulator import EMULATOR_REGION

    cognito_emulator_session.reset()
    cognito_emulator_session.allow_origins(())
    settings = cognito_emulator_session.create_pool("test")
    return RunningEmulator(
        endpoint_url=settings["endpoint_url"],
        region=EMULATOR_REGION,
        user_pool_id=settings["user_pool_id"],
        client_id=settings["client_id"],
        domain=settings["endpoint_url"],
        client=cognito_emulator_session.client,
        server=cognito_emulator_session,
    )
