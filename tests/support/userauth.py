"""Steps of the choice-based sign-in (USER_AUTH) and passkey registration, over boto3 against the emulator."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.authenticator import Authenticator
from tests.support.helpers import PASSWORD, bearer


@pytest.fixture
def no_emulator_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail the test if the emulator (serving in a thread of this process) logged an error: an HTML 500. A module
    asks for it with `pytestmark = pytest.mark.usefixtures("no_emulator_errors")`."""
    caplog.set_level(logging.INFO)
    yield
    assert "Traceback" not in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


# Fixtures for every test module (tests/conftest.py loads this module as a plugin); named apart from the
# functions so that a test's argument does not shadow them.
@pytest.fixture(name="steps")
def steps_fixture(emulator: Any, pool: dict[str, Any]) -> Steps:
    """USER_AUTH and passkey steps on the test's pool."""
    return Steps(emulator, pool)


@pytest.fixture(name="alice")
def alice_fixture(steps: Steps) -> str:
    """Alice, signed up with a password: her access token."""
    steps.sign_up("alice")
    return steps.password_tokens("alice")["AccessToken"]


@pytest.fixture(name="key")
def key_fixture(steps: Steps, alice: str) -> Authenticator:
    """Alice's authenticator, holding the one passkey she registered."""
    authenticator = Authenticator()
    steps.register_passkey(alice, authenticator)
    return authenticator


def refusal(call: Any, **params: Any) -> tuple[str, str]:
    """The error code and message a call answers (it must fail, with a 400)."""
    with pytest.raises(ClientError) as raised:
        call(**params)
    answer = raised.value.response
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 400  # as Cognito answers each of these: never a 5xx
    return answer["Error"]["Code"], answer["Error"]["Message"]


class Steps:
    """Sign-up, USER_AUTH and passkey steps for one pool and app client."""

    def __init__(self, emulator: Any, pool: dict[str, Any]) -> None:
        self.emulator, self.cognito, self.client_id = emulator, emulator.client, pool["client_id"]

    def sign_up(self, name: str, password: str | None = PASSWORD) -> dict[str, Any]:
        """Sign `name` up (with no password when None) and confirm; return ConfirmSignUp's answer."""
        options = {"Password": password} if password else {}
        attributes = [{"Name": "email", "Value": f"{name}@example.com"}]
        self.cognito.sign_up(ClientId=self.client_id, Username=name, UserAttributes=attributes, **options)
        code = self.emulator.last_code(name) or "no code was sent"
        return self.cognito.confirm_sign_up(ClientId=self.client_id, Username=name, ConfirmationCode=code)

    def password_tokens(self, name: str) -> dict[str, Any]:
        """Tokens from a USER_PASSWORD_AUTH sign-in."""
        parameters = {"USERNAME": name, "PASSWORD": PASSWORD}
        answer = self.cognito.initiate_auth(
            ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters
        )
        return answer["AuthenticationResult"]

    def start(self, name: str, preferred: str | None = None, **parameters: str) -> dict[str, Any]:
        """InitiateAuth USER_AUTH."""
        parameters = {"USERNAME": name, **parameters, **({"PREFERRED_CHALLENGE": preferred} if preferred else {})}
        return self.cognito.initiate_auth(ClientId=self.client_id, AuthFlow="USER_AUTH", AuthParameters=parameters)

    def respond(
        self, previous: dict[str, Any], name: str, challenge: str | None = None, **responses: str
    ) -> dict[str, Any]:
        """RespondToAuthChallenge to `previous`'s challenge (or `challenge`), on its session."""
        return self.cognito.respond_to_auth_challenge(
            ClientId=self.client_id,
            ChallengeName=challenge or previous["ChallengeName"],
            Session=previous["Session"],
            ChallengeResponses={"USERNAME": name, **responses},
        )

    def email_code(self, name: str) -> str:
        """The code the emulator last sent `name` by email."""
        code = self.emulator.last_code(name, "EMAIL")
        assert code is not None and len(code) == 6 and code.isdigit()
        return code

    def passkey_challenge(self, name: str = "alice") -> tuple[dict[str, Any], dict[str, Any]]:
        """USER_AUTH straight to WEB_AUTHN: the answer, and its CREDENTIAL_REQUEST_OPTIONS decoded."""
        started = self.start(name, "WEB_AUTHN")
        assert started["ChallengeName"] == "WEB_AUTHN"
        text = started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
        assert isinstance(text, str)  # a JSON string, as Cognito sends it
        return started, json.loads(text)

    def register_passkey(self, access_token: str, authenticator: Authenticator, **create: Any) -> dict[str, Any]:
        """Start and complete a passkey registration; return the creation options used."""
        options = self.cognito.start_web_authn_registration(AccessToken=access_token)["CredentialCreationOptions"]
        credential = authenticator.create(options, **create)
        self.cognito.complete_web_authn_registration(AccessToken=access_token, Credential=credential)
        return options


def signed_in(client, answer: dict) -> None:
    """The answer carries tokens, and the server's verifier (services/tokens/verifier.py via /hello) accepts them."""
    tokens = answer["AuthenticationResult"]
    assert set(tokens) >= {"IdToken", "AccessToken", "RefreshToken", "ExpiresIn"}
    assert client.get("/hello", headers=bearer(tokens["IdToken"])).status_code == 200
