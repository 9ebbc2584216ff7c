"""SRP sign-in steps for the emulator's SRP tests (tests/test_emulator_srp*.py): users made by an admin (no
confirmation code needed), and USER_SRP_AUTH driven by the client half in tests/support/srp_client.py."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_emulator.additions import _secret_hash
from cognito_emulator.pools import _update_client
from tests.support.helpers import PASSWORD
from tests.support.srp_client import SrpClient

WRONG = ("NotAuthorizedException", "Incorrect username or password.")


def add_user(emulator: Any, pool_id: str, name: str, *, email: str | None = None, permanent: bool = True) -> Any:
    """A confirmed user with a verified email and PASSWORD (temporary when not `permanent`); moto's user object."""
    attributes = [
        {"Name": "email", "Value": email or f"{name}@example.com"},
        {"Name": "email_verified", "Value": "true"},
    ]
    emulator.client.admin_create_user(
        UserPoolId=pool_id,
        Username=name,
        UserAttributes=attributes,
        MessageAction="SUPPRESS",
        **({} if permanent else {"TemporaryPassword": PASSWORD}),
    )
    if permanent:
        emulator.client.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)
    user = emulator.client.admin_get_user(UserPoolId=pool_id, Username=name)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]} | {"Username": user["Username"]}


class Srp:
    """USER_SRP_AUTH on one app client: start, then answer."""

    def __init__(self, emulator: Any, pool_id: str, client_id: str, secret: str | None = None) -> None:
        self.cognito, self.pool_id, self.client_id, self.secret = emulator.client, pool_id, client_id, secret

    def start(self, username: str, client: SrpClient | None = None) -> tuple[SrpClient, dict[str, Any]]:
        """InitiateAuth USER_SRP_AUTH: the client half, and the PASSWORD_VERIFIER challenge."""
        client = client or SrpClient(self.pool_id)
        parameters = {"USERNAME": username, "SRP_A": client.srp_a}
        if self.secret:
            parameters["SECRET_HASH"] = _secret_hash(self.secret, username, self.client_id)
        answer = self.cognito.initiate_auth(
            ClientId=self.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=parameters
        )
        assert answer["ChallengeName"] == "PASSWORD_VERIFIER"
        return client, answer

    def answer(self, challenge: dict[str, Any], responses: dict[str, Any], **call: Any) -> dict[str, Any]:
        """RespondToAuthChallenge PASSWORD_VERIFIER, with the challenge's Session as Amplify passes it."""
        session = {"Session": challenge["Session"]} if "Session" in challenge else {}
        return self.cognito.respond_to_auth_challenge(
            ClientId=self.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses, **session, **call
        )

    def sign_in(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        """The whole SRP sign-in; RespondToAuthChallenge's answer."""
        client, challenge = self.start(username)
        responses = client.responses(password, challenge["ChallengeParameters"])
        if self.secret:
            responses["SECRET_HASH"] = _secret_hash(self.secret, responses["USERNAME"], self.client_id)
        return self.answer(challenge, responses)


@pytest.fixture(name="srp_flow")
def srp_flow_fixture(emulator: Any, pool: dict[str, Any]) -> Srp:
    """SRP on the test pool's client, which is given ALLOW_USER_SRP_AUTH (the server's own pools leave it out:
    the server signs in with USER_PASSWORD_AUTH; Cognito refuses a flow the client does not list)."""
    ids = (pool["user_pool_id"], pool["client_id"])
    flows = emulator.client.describe_user_pool_client(UserPoolId=ids[0], ClientId=ids[1])["UserPoolClient"]
    _update_client(
        emulator.client, *ids, ExplicitAuthFlows=[*flows.get("ExplicitAuthFlows", []), "ALLOW_USER_SRP_AUTH"]
    )
    return Srp(emulator, *ids)


@pytest.fixture(name="srp_alice")
def srp_alice_fixture(emulator: Any, pool: dict[str, Any], srp_flow: Srp) -> dict[str, str]:
    """Alice, confirmed, with PASSWORD, on a pool whose client allows SRP: her attributes and Username."""
    return add_user(emulator, pool["user_pool_id"], "alice")


SRP_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def srp_app_client(emulator: Any, pool_id: str, name: str = "c", **options: Any) -> dict[str, Any]:
    """A new app client that allows SRP (and refresh): CreateUserPoolClient's UserPoolClient."""
    made = emulator.client.create_user_pool_client(
        UserPoolId=pool_id, ClientName=name, ExplicitAuthFlows=SRP_FLOWS, **options
    )
    return made["UserPoolClient"]  # type: ignore[no-any-return]
