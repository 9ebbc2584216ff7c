"""ExampleIdP (cognito_emulator/idp, npm's oidc-provider) for tests: started for the session's emulator on a free port.

Tests using it are marked `node`. With no node or no cognito_emulator/idp/node_modules the test fails, never skips: a
suite that quietly leaves federation out looks the same as one that passes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cognito_emulator.emulator import LocalCognito
from cognito_emulator.oauth.example_idp import ExampleIdP, IdPUnavailable


@pytest.fixture(scope="session")
def example_idp(emulator: LocalCognito) -> Iterator[ExampleIdP]:
    """A running ExampleIdP whose client is the session's emulator."""
    try:
        idp = ExampleIdP(f"{emulator.endpoint_url}/oauth2/idpresponse")
    except IdPUnavailable as err:
        pytest.fail(f"ExampleIdP cannot start: {err} (make test installs cognito_emulator/idp)", pytrace=False)
    yield idp
    idp.stop()
