"""The emulator's sign-up without a password (ConfirmSignUp's Session into USER_AUTH), GetUserAuthFactors, and
TOTP after the password through USER_AUTH, over HTTP."""

from __future__ import annotations

import pytest

from cognito_emulator.pools import PASSWORD_POLICY
from tests.support.helpers import PASSWORD, next_totp, steady_totp
from tests.support.userauth import Steps, refusal, signed_in

# The emulator serves in a thread of this process: an error it logs (an HTML 500) fails the test.
pytestmark = pytest.mark.usefixtures("no_emulator_errors")


def test_sign_up_without_a_password_then_the_confirmation_signs_in(emulator, pool, client):
    cognito, attributes = emulator.client, [{"Name": "email", "Value": "dora@example.com"}]
    signed_up = cognito.sign_up(ClientId=pool["client_id"], Username="dora", UserAttributes=attributes)
    assert signed_up["UserConfirmed"] is False and signed_up["Session"]
    confirmed = cognito.confirm_sign_up(
        ClientId=pool["client_id"],
        Username="dora",
        ConfirmationCode=emulator.last_code("dora"),
        Session=signed_up["Session"],
    )
    parameters = {"USERNAME": "dora"}
    answer = cognito.initiate_auth(
        ClientId=pool["client_id"], AuthFlow="USER_AUTH", AuthParameters=parameters, Session=confirmed["Session"]
    )
    signed_in(client, answer)
    again = {"ClientId": pool["client_id"], "AuthFlow": "USER_AUTH", "AuthParameters": parameters}
    assert refusal(cognito.initiate_auth, **again, Session=confirmed["Session"])[0] == "NotAuthorizedException"  # once
    password = {"USERNAME": "dora", "PASSWORD": ""}
    flow = {"ClientId": pool["client_id"], "AuthFlow": "USER_PASSWORD_AUTH"}
    assert refusal(cognito.initiate_auth, **flow, AuthParameters=password)[0] == "NotAuthorizedException"
    assert refusal(cognito.initiate_auth, **flow, AuthParameters={"USERNAME": "dora"})[0] == "NotAuthorizedException"


def test_confirming_a_confirmed_user_again_is_refused(steps, emulator, pool):
    """Cognito: NotAuthorizedException "User cannot be confirmed. Current status is CONFIRMED" (no new Session)."""
    steps.sign_up("alice")
    confirm = emulator.client.confirm_sign_up
    code = emulator.last_code("alice") or ""
    again = refusal(confirm, ClientId=pool["client_id"], Username="alice", ConfirmationCode=code)
    assert again[0] == "NotAuthorizedException"


def test_a_confirmation_session_is_only_its_users(steps, emulator, pool):
    confirmed = steps.sign_up("alice")
    steps.sign_up("bob")
    flow = {"ClientId": pool["client_id"], "AuthFlow": "USER_AUTH", "AuthParameters": {"USERNAME": "bob"}}
    assert refusal(emulator.client.initiate_auth, **flow, Session=confirmed["Session"])[0] == "NotAuthorizedException"


def test_sign_up_without_a_password_needs_a_pool_that_allows_codes(emulator, pool):
    emulator.client.update_user_pool(UserPoolId=pool["user_pool_id"], Policies={"PasswordPolicy": PASSWORD_POLICY})
    code, _ = refusal(emulator.client.sign_up, ClientId=pool["client_id"], Username="erin")
    assert code in ("InvalidParameterException", "InvalidPasswordException")


def test_get_user_auth_factors(steps):
    steps.sign_up("alice")
    answer = steps.cognito.get_user_auth_factors(AccessToken=steps.password_tokens("alice")["AccessToken"])
    assert answer["Username"] == "alice"
    assert answer["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP"]
    assert answer["UserMFASettingList"] == []
    assert refusal(steps.cognito.get_user_auth_factors, AccessToken="not-a-token")[0] == "NotAuthorizedException"


def test_the_password_through_user_auth_still_asks_for_totp(steps, emulator):
    steps.sign_up("alice")
    access = steps.password_tokens("alice")["AccessToken"]
    secret = emulator.client.associate_software_token(AccessToken=access)["SecretCode"]
    emulator.client.verify_software_token(AccessToken=access, UserCode=steady_totp(secret))
    emulator.client.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    answer = steps.start("alice", "PASSWORD", PASSWORD=PASSWORD)
    assert answer["ChallengeName"] == "SOFTWARE_TOKEN_MFA"  # moto's own challenge, answered as for a password
    done = steps.respond(answer, "alice", SOFTWARE_TOKEN_MFA_CODE=next_totp(secret))
    assert "AuthenticationResult" in done
    assert "SOFTWARE_TOKEN" in emulator.client.get_user_auth_factors(AccessToken=access)["ConfiguredUserAuthFactors"]


def test_an_email_as_username_pool_signs_up_and_in_by_email_code(emulator, pool):  # pool: an emptied emulator
    pool = emulator.client.create_user_pool(
        PoolName="by-email",
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["EMAIL_OTP"]}},
    )["UserPool"]
    client_id = emulator.client.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="by-email", ExplicitAuthFlows=["ALLOW_USER_AUTH"]
    )["UserPoolClient"]["ClientId"]
    steps = Steps(emulator, {"client_id": client_id})
    emulator.client.sign_up(ClientId=client_id, Username="gil@example.com")
    code = emulator.last_code("gil@example.com")
    emulator.client.confirm_sign_up(ClientId=client_id, Username="gil@example.com", ConfirmationCode=code)
    started = steps.start("gil@example.com", "EMAIL_OTP")
    answer = steps.respond(started, "gil@example.com", EMAIL_OTP_CODE=emulator.last_code("gil@example.com"))
    assert answer["AuthenticationResult"]["AccessToken"]
