"""A sample project's tests against the `cognito_emulator` fixture: what a user of the package writes."""

from __future__ import annotations

import base64
import json

import pytest

PASSWORD = "Correct-Horse-9"


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def sign_up_and_confirm(cognito_emulator, username: str) -> None:
    cognito = cognito_emulator.client
    cognito.sign_up(
        ClientId=cognito_emulator.client_id,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )
    code = cognito_emulator.last_code(username)
    assert code and code.isdigit() and len(code) == 6
    cognito.confirm_sign_up(ClientId=cognito_emulator.client_id, Username=username, ConfirmationCode=code)


def test_sign_up_confirm_and_sign_in(cognito_emulator):
    sign_up_and_confirm(cognito_emulator, "alice")
    result = cognito_emulator.client.initiate_auth(
        ClientId=cognito_emulator.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    access = claims(result["AccessToken"])
    assert access["iss"] == cognito_emulator.issuer
    assert access["client_id"] == cognito_emulator.client_id and access["username"] == "alice"
    me = cognito_emulator.client.get_user(AccessToken=result["AccessToken"])
    assert {"Name": "email_verified", "Value": "true"} in me["UserAttributes"]


def test_a_wrong_code_is_refused(cognito_emulator):
    cognito = cognito_emulator.client
    cognito.sign_up(
        ClientId=cognito_emulator.client_id,
        Username="bob",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "bob@example.com"}],
    )
    wrong = "000000" if cognito_emulator.last_code("bob") != "000000" else "111111"
    with pytest.raises(cognito.exceptions.CodeMismatchException):
        cognito.confirm_sign_up(ClientId=cognito_emulator.client_id, Username="bob", ConfirmationCode=wrong)


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_starts_with_an_empty_pool(cognito_emulator, run):
    """The same user made in two tests: the second would meet UsernameExistsException if state leaked."""
    listed = cognito_emulator.client.list_users(UserPoolId=cognito_emulator.user_pool_id)["Users"]
    assert listed == []
    sign_up_and_confirm(cognito_emulator, "carol")
    pools = cognito_emulator.client.list_user_pools(MaxResults=10)["UserPools"]
    assert [pool["Id"] for pool in pools] == [cognito_emulator.user_pool_id]
