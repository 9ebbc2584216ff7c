"""The choice of MFA factor (mfa_choice.py) and email MFA where MFA is required (mfa_setup.py), over HTTP with boto3.
A user with TOTP and email MFA on and none preferred is asked SELECT_MFA_TYPE after each password first factor
(MFAS_CAN_CHOOSE the JSON array string Amplify parses), chooses, and answers that factor's challenge; a pool that
requires MFA asks EMAIL_OTP of a user with a verified email and no other factor, where it offers email MFA."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import PASSWORD
from test_mfa_setup import FIRST_FACTORS, fresh_code, refusal, user_password

SES = {"EmailSendingAccount": "DEVELOPER", "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com"}
EMAIL_MFA = {"Message": "Your code is {####}", "Subject": "Your code"}


def offer_totp_and_email(emulator: Any, configuration: str = "OPTIONAL") -> None:
    cognito, pool = emulator.client, emulator.user_pool_id
    cognito.update_user_pool(UserPoolId=pool, EmailConfiguration=SES, AutoVerifiedAttributes=["email"])
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration=EMAIL_MFA,
        MfaConfiguration=configuration,
    )


def both_factors_on(emulator: Any, used: set[int]) -> str:
    """alice turns TOTP and email MFA on, neither preferred; her TOTP secret."""
    token = user_password(emulator)["AuthenticationResult"]["AccessToken"]
    cognito = emulator.client
    secret = cognito.associate_software_token(AccessToken=token)["SecretCode"]
    cognito.verify_software_token(AccessToken=token, UserCode=fresh_code(secret, used))
    off = {"Enabled": True, "PreferredMfa": False}
    cognito.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings=off, EmailMfaSettings=off)
    user = cognito.get_user(AccessToken=token)
    assert sorted(user["UserMFASettingList"]) == ["EMAIL_OTP", "SOFTWARE_TOKEN_MFA"]
    assert not user.get("PreferredMfaSetting")
    return secret  # type: ignore[no-any-return]


def respond(emulator: Any, name: str, session: str, **responses: str) -> dict[str, Any]:
    return emulator.client.respond_to_auth_challenge(  # type: ignore[no-any-return]
        ClientId=emulator.client_id,
        ChallengeName=name,
        Session=session,
        ChallengeResponses={"USERNAME": "alice", **responses},
    )


@pytest.mark.parametrize("first_factor", FIRST_FACTORS)
def test_two_factors_and_none_preferred_ask_the_choice_then_the_chosen_factor(cognito_emulator, alice, first_factor):
    """SELECT_MFA_TYPE after every password first factor, no tokens; EMAIL_OTP sends a code that signs in, and
    SOFTWARE_TOKEN_MFA takes a code of the user's secret."""
    alice()
    offer_totp_and_email(cognito_emulator)
    used: set[int] = set()
    secret = both_factors_on(cognito_emulator, used)

    choice = FIRST_FACTORS[first_factor](cognito_emulator)
    assert choice["ChallengeName"] == "SELECT_MFA_TYPE" and "AuthenticationResult" not in choice, choice
    assert json.loads(choice["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]
    emailed = respond(cognito_emulator, "SELECT_MFA_TYPE", choice["Session"], ANSWER="EMAIL_OTP")
    assert emailed["ChallengeName"] == "EMAIL_OTP" and emailed["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"]
    code = cognito_emulator.last_code("alice")
    done = respond(cognito_emulator, "EMAIL_OTP", emailed["Session"], EMAIL_OTP_CODE=code)
    assert cognito_emulator.client.get_user(AccessToken=done["AuthenticationResult"]["AccessToken"])

    choice = FIRST_FACTORS[first_factor](cognito_emulator)
    totp = respond(cognito_emulator, "SELECT_MFA_TYPE", choice["Session"], ANSWER="SOFTWARE_TOKEN_MFA")
    assert totp["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in totp
    done = respond(
        cognito_emulator, "SOFTWARE_TOKEN_MFA", totp["Session"], SOFTWARE_TOKEN_MFA_CODE=fresh_code(secret, used)
    )
    assert "AccessToken" in done["AuthenticationResult"]


def test_a_choice_not_offered_or_on_another_session_is_refused(cognito_emulator, alice):
    """ANSWER SMS_MFA (not offered): InvalidParameterException, the session still good for a right one; a session
    that asked no choice, or another user's name: NotAuthorizedException."""
    alice()
    offer_totp_and_email(cognito_emulator)
    both_factors_on(cognito_emulator, set())
    choice = user_password(cognito_emulator)
    call = cognito_emulator.client.respond_to_auth_challenge
    base = {"ClientId": cognito_emulator.client_id, "ChallengeName": "SELECT_MFA_TYPE", "Session": choice["Session"]}
    assert refusal(call, **base, ChallengeResponses={"USERNAME": "alice", "ANSWER": "SMS_MFA"}) == (
        "InvalidParameterException"
    )
    assert refusal(call, **base, ChallengeResponses={"USERNAME": "bob", "ANSWER": "EMAIL_OTP"}) == (
        "NotAuthorizedException"
    )
    wrong_session = {**base, "Session": "x" * 40}
    assert refusal(call, **wrong_session, ChallengeResponses={"USERNAME": "alice", "ANSWER": "EMAIL_OTP"}) == (
        "NotAuthorizedException"
    )
    assert respond(cognito_emulator, "SELECT_MFA_TYPE", choice["Session"], ANSWER="EMAIL_OTP")["ChallengeName"] == (
        "EMAIL_OTP"
    )
    with pytest.raises(ClientError):  # one choice per session
        respond(cognito_emulator, "SELECT_MFA_TYPE", choice["Session"], ANSWER="EMAIL_OTP")


def test_a_preferred_factor_is_asked_without_a_choice(cognito_emulator, alice):
    """With email MFA preferred, the password asks EMAIL_OTP at once (in an ON pool too, where moto asked TOTP)."""
    alice()
    offer_totp_and_email(cognito_emulator, "ON")
    used: set[int] = set()
    secret = both_factors_on_required(cognito_emulator, used)
    token = respond(
        cognito_emulator,
        "SOFTWARE_TOKEN_MFA",
        user_password(cognito_emulator)["Session"],
        SOFTWARE_TOKEN_MFA_CODE=fresh_code(secret, used),
    )["AuthenticationResult"]["AccessToken"]
    cognito_emulator.client.set_user_mfa_preference(
        AccessToken=token, EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    for first_factor in ("USER_PASSWORD_AUTH", "USER_SRP_AUTH"):
        assert FIRST_FACTORS[first_factor](cognito_emulator)["ChallengeName"] == "EMAIL_OTP"


def both_factors_on_required(emulator: Any, used: set[int]) -> str:
    """In a pool requiring MFA: alice sets TOTP up (MFA_SETUP) and the token alone is her factor; her secret."""
    challenge = user_password(emulator)
    assert challenge["ChallengeName"] == "EMAIL_OTP", challenge  # verified email, email MFA offered: no set-up
    return _totp_after_email(emulator, challenge, used)


def _totp_after_email(emulator: Any, challenge: dict[str, Any], used: set[int]) -> str:
    done = respond(emulator, "EMAIL_OTP", challenge["Session"], EMAIL_OTP_CODE=emulator.last_code("alice"))
    token = done["AuthenticationResult"]["AccessToken"]
    secret = emulator.client.associate_software_token(AccessToken=token)["SecretCode"]
    emulator.client.verify_software_token(AccessToken=token, UserCode=fresh_code(secret, used))
    emulator.client.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True})
    return secret  # type: ignore[no-any-return]


@pytest.mark.parametrize("first_factor", FIRST_FACTORS)
def test_required_mfa_asks_an_emailed_code_of_a_user_with_a_verified_email(cognito_emulator, alice, first_factor):
    """MFA ON with email MFA in the pool: a user with no TOTP or SMS but a verified email is sent an EMAIL_OTP code
    after the password (not MFA_SETUP), and its code gives tokens; without email MFA in the pool: MFA_SETUP."""
    alice()
    cognito_emulator.client.update_user_pool(UserPoolId=cognito_emulator.user_pool_id, EmailConfiguration=SES)
    cognito_emulator.client.set_user_pool_mfa_config(
        UserPoolId=cognito_emulator.user_pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    assert FIRST_FACTORS[first_factor](cognito_emulator)["ChallengeName"] == "MFA_SETUP"
    offer_totp_and_email(cognito_emulator, "ON")
    challenge = FIRST_FACTORS[first_factor](cognito_emulator)
    assert challenge["ChallengeName"] == "EMAIL_OTP" and "AuthenticationResult" not in challenge, challenge
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    wrong = {"EMAIL_OTP_CODE": "000000" if cognito_emulator.last_code("alice") != "000000" else "111111"}
    assert (
        refusal(
            cognito_emulator.client.respond_to_auth_challenge,
            ClientId=cognito_emulator.client_id,
            ChallengeName="EMAIL_OTP",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "alice", **wrong},
        )
        == "CodeMismatchException"
    )
    done = respond(
        cognito_emulator, "EMAIL_OTP", challenge["Session"], EMAIL_OTP_CODE=cognito_emulator.last_code("alice")
    )
    assert "AccessToken" in done["AuthenticationResult"]


def test_password_still_checked_before_the_choice(cognito_emulator, alice):
    """A wrong password is refused as without MFA: no choice, no code."""
    alice()
    offer_totp_and_email(cognito_emulator)
    both_factors_on(cognito_emulator, set())
    params = {"USERNAME": "alice", "PASSWORD": PASSWORD + "x"}
    call = cognito_emulator.client.initiate_auth
    assert refusal(call, ClientId=cognito_emulator.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params) == (
        "NotAuthorizedException"
    )
