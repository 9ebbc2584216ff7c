"""The emulator's SRP sign-in over HTTP (srp.py), with the SRP client of tests/support/srp_client.py: the
password really checked, USER_ID_FOR_SRP as Cognito sends it, and every part of PASSWORD_VERIFIER's answer
checked (signature, SECRET_BLOCK, TIMESTAMP, SECRET_HASH). Sources: ../shared/PROTOCOLS-2.md section 1 (SRP as
Cognito does it, with the measured errors), botocore's cognito-idp model (InitiateAuth AuthParameters,
RespondToAuthChallenge ChallengeResponses: "USERNAME", "SRP_A", "PASSWORD_CLAIM_SIGNATURE", ...), and the
ChallengeResponseType API reference for USER_AUTH's PASSWORD_SRP ("ANSWER": "PASSWORD_SRP" with "SRP_A").
"""

from __future__ import annotations

import base64

import pytest

from cognito_emulator import srp_math
from cognito_emulator.pools import PASSWORD_POLICY
from tests.support.helpers import PASSWORD, bearer
from tests.support.srp_client import SrpClient
from tests.support.srp_steps import WRONG, Srp, add_user, srp_app_client
from tests.support.userauth import refusal

# The emulator serves in a thread of this process: an error it logs (an HTML 500) fails the test.
pytestmark = pytest.mark.usefixtures("no_emulator_errors")


def test_the_constants_are_cognitos():
    """k = H(padHex(N) | padHex(g)) is the value every Cognito client computes (PROTOCOLS-2.md section 1)."""
    assert srp_math.K == 0x538282C4354742D7CBBDE2359FCF67F9F5B3A6B08791E5011B43B8A5B66D9EE6
    assert srp_math.N.bit_length() == 3072 and srp_math.G == 2
    assert srp_math.pad(0x80) == "0080" and srp_math.pad(0x123) == "0123" and srp_math.pad(0x7F) == "7f"
    assert srp_math.pool_name("us-east-1_AbC123") == "AbC123"


def test_the_right_password_signs_in_and_the_tokens_verify(srp_flow, srp_alice, client):
    """USER_SRP_AUTH → PASSWORD_VERIFIER → AuthenticationResult with no Session (PROTOCOLS-2.md section 1)."""
    answer = srp_flow.sign_in("alice")
    tokens = answer["AuthenticationResult"]
    assert set(tokens) >= {"IdToken", "AccessToken", "RefreshToken", "ExpiresIn"} and "Session" not in answer
    assert client.get("/hello", headers=bearer(tokens["IdToken"])).status_code == 200


def test_a_wrong_password_is_refused(srp_flow, srp_alice):
    """A wrong password: NotAuthorizedException "Incorrect username or password." (measured, PROTOCOLS-2.md)."""
    client, challenge = srp_flow.start("alice")
    assert (
        refusal(
            srp_flow.answer,
            challenge=challenge,
            responses=client.responses("Wr0ngPass!", challenge["ChallengeParameters"]),
        )
        == WRONG
    )


def test_the_challenge_carries_what_cognito_sends(srp_flow, srp_alice):
    """SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP (the internal username, not the sub) and USERNAME, all strings."""
    _, challenge = srp_flow.start("alice")
    parameters = challenge["ChallengeParameters"]
    assert set(parameters) == {"SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP", "USERNAME"}
    assert parameters["USER_ID_FOR_SRP"] == parameters["USERNAME"] == "alice" != srp_alice["sub"]
    assert int(parameters["SRP_B"], 16) % srp_math.N != 0 and int(parameters["SALT"], 16) > 0
    assert len(base64.b64decode(parameters["SECRET_BLOCK"], validate=True)) >= 64


def test_the_answer_may_name_the_user_by_sub(srp_flow, srp_alice):
    """USERNAME in the answer resolves like any Cognito user name: the sub names alice too."""
    client, challenge = srp_flow.start("alice")
    responses = client.responses(PASSWORD, challenge["ChallengeParameters"]) | {"USERNAME": srp_alice["sub"]}
    assert "AuthenticationResult" in srp_flow.answer(challenge, responses)


def test_an_email_as_username_pool_sends_the_sub(emulator):
    """UsernameAttributes ["email"]: the stored username is the sub, so USER_ID_FOR_SRP is the sub (COGNITO.md);
    Amplify answers with it, and signs in (it used to be UserNotFoundException)."""
    emulator.reset()
    pool_id = emulator.client.create_user_pool(
        PoolName="by-email", UsernameAttributes=["email"], Policies={"PasswordPolicy": PASSWORD_POLICY}
    )["UserPool"]["Id"]
    client_id = srp_app_client(emulator, pool_id)["ClientId"]
    user = add_user(emulator, pool_id, "dora@example.com", email="dora@example.com")
    flow = Srp(emulator, pool_id, client_id)
    client, challenge = flow.start("dora@example.com")
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == user["sub"] == user["Username"]
    assert "AuthenticationResult" in flow.answer(
        challenge, client.responses(PASSWORD, challenge["ChallengeParameters"])
    )


def test_an_email_alias_signs_in_as_the_username(emulator):
    """AliasAttributes ["email"]: the verified email starts the sign-in, USER_ID_FOR_SRP is the username, and the
    answer names the user by the username or the alias; an unverified alias names nobody."""
    emulator.reset()
    pool_id = emulator.client.create_user_pool(
        PoolName="alias", AliasAttributes=["email"], Policies={"PasswordPolicy": PASSWORD_POLICY}
    )["UserPool"]["Id"]
    client_id = srp_app_client(emulator, pool_id)["ClientId"]
    add_user(emulator, pool_id, "erin", email="erin@example.com")
    flow = Srp(emulator, pool_id, client_id)
    client, challenge = flow.start("erin@example.com")
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == "erin"
    assert "AuthenticationResult" in flow.answer(
        challenge, client.responses(PASSWORD, challenge["ChallengeParameters"])
    )
    client, challenge = flow.start("erin@example.com")
    responses = client.responses(PASSWORD, challenge["ChallengeParameters"]) | {"USERNAME": "erin@example.com"}
    assert "AuthenticationResult" in flow.answer(challenge, responses)
    emulator.client.admin_update_user_attributes(
        UserPoolId=pool_id, Username="erin", UserAttributes=[{"Name": "email_verified", "Value": "false"}]
    )
    code, _ = refusal(flow.start, username="erin@example.com")
    assert code == "UserNotFoundException"  # this client does not hide users


def test_a_temporary_password_asks_for_a_new_one(emulator, pool, srp_flow):
    """After the password, moto's flow goes on: a user made by an admin answers NEW_PASSWORD_REQUIRED."""
    add_user(emulator, pool["user_pool_id"], "tess", permanent=False)
    answer = srp_flow.sign_in("tess")
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and answer["Session"]


def test_a_client_with_a_secret_needs_the_secret_hash(emulator, pool, srp_alice):
    """SECRET_HASH over USERNAME is required in InitiateAuth and in the PASSWORD_VERIFIER answer (ChallengeResponseType:
    "You must provide a SECRET_HASH parameter in all challenge responses to an app client that has a client secret")."""
    secret_client = srp_app_client(emulator, pool["user_pool_id"], "s", GenerateSecret=True)
    flow = Srp(emulator, pool["user_pool_id"], secret_client["ClientId"], secret_client["ClientSecret"])
    assert "AuthenticationResult" in flow.sign_in("alice")
    client, challenge = flow.start("alice")
    responses = client.responses(PASSWORD, challenge["ChallengeParameters"])  # no SECRET_HASH
    # A missing hash and a wrong one are told apart, as Cognito does (the missing one's message as seen from Cognito
    # by amplify-android #2504 and amazon-cognito-identity-dart-2 #249, for RespondToAuthChallenge).
    missing = f"Client {secret_client['ClientId']} is configured with secret but SECRET_HASH was not received"
    assert refusal(flow.answer, challenge=challenge, responses=responses) == ("NotAuthorizedException", missing)
    secret_message = f"Unable to verify secret hash for client {secret_client['ClientId']}"
    wrong_secret = Srp(emulator, pool["user_pool_id"], secret_client["ClientId"], "not-the-secret")
    assert refusal(wrong_secret.start, username="alice") == ("NotAuthorizedException", secret_message)


def test_an_unknown_user_gets_a_challenge_that_always_fails(emulator, pool, srp_flow):
    """The local pool's client hides users (PreventUserExistenceErrors ENABLED): a made-up PASSWORD_VERIFIER,
    whose every answer is NotAuthorizedException, as for a wrong password."""
    client, challenge = srp_flow.start("nobody")
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == "nobody"
    responses = client.responses(PASSWORD, challenge["ChallengeParameters"])
    assert refusal(srp_flow.answer, challenge=challenge, responses=responses) == WRONG


def test_admin_initiate_auth_takes_srp_too(emulator, pool, srp_alice):
    """AdminInitiateAuth USER_SRP_AUTH → PASSWORD_VERIFIER, answered by AdminRespondToAuthChallenge (measured on
    Cognito, PROTOCOLS-2.md section 1; moto refused the flow)."""
    client = SrpClient(pool["user_pool_id"])
    started = emulator.client.admin_initiate_auth(
        UserPoolId=pool["user_pool_id"],
        ClientId=pool["client_id"],
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": "alice", "SRP_A": client.srp_a},
    )
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    call = {"UserPoolId": pool["user_pool_id"], "ClientId": pool["client_id"], "ChallengeName": "PASSWORD_VERIFIER"}
    wrong = client.responses("Wr0ngPass!", started["ChallengeParameters"])
    assert (
        refusal(
            emulator.client.admin_respond_to_auth_challenge,
            Session=started["Session"],
            ChallengeResponses=wrong,
            **call,
        )
        == WRONG
    )
    client = SrpClient(pool["user_pool_id"])
    started = emulator.client.admin_initiate_auth(
        UserPoolId=pool["user_pool_id"],
        ClientId=pool["client_id"],
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": "alice", "SRP_A": client.srp_a},
    )
    right = client.responses(PASSWORD, started["ChallengeParameters"])
    answer = emulator.client.admin_respond_to_auth_challenge(
        Session=started["Session"], ChallengeResponses=right, **call
    )
    assert "AuthenticationResult" in answer
