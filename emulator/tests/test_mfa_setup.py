"""Required MFA after a password (mfa_setup.py), over HTTP with boto3. Cognito's ChallengeNameType: "MFA_SETUP: If
MFA is required, users who don't have at least one of the MFA methods set up are presented with an MFA_SETUP
challenge. The user must set up at least one MFA type to continue to authenticate." Each password first factor
(USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH, USER_AUTH's PASSWORD and PASSWORD_SRP) is followed
through the set-up to tokens; an OPTIONAL pool still signs a user with no factor in at once."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import PASSWORD
from pycognito.aws_srp import AWSSRP

from cognito_emulator import mfa
from cognito_emulator.pools import allow_flows

SNS = {"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns", "ExternalId": "x"}}


def require_mfa(emulator: Any, configuration: str = "ON", sms: bool = False) -> None:
    extra = {"SmsMfaConfiguration": SNS} if sms else {}
    emulator.client.set_user_pool_mfa_config(
        UserPoolId=emulator.user_pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration=configuration,
        **extra,
    )


def user_password(emulator: Any) -> dict[str, Any]:
    parameters = {"USERNAME": "alice", "PASSWORD": PASSWORD}
    return emulator.client.initiate_auth(  # type: ignore[no-any-return]
        ClientId=emulator.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters
    )


def admin_password(emulator: Any) -> dict[str, Any]:
    ids = {"user_pool_id": emulator.user_pool_id, "client_id": emulator.client_id}
    allow_flows(emulator.client, ids, "ALLOW_ADMIN_USER_PASSWORD_AUTH")
    return emulator.client.admin_initiate_auth(  # type: ignore[no-any-return]
        UserPoolId=emulator.user_pool_id,
        ClientId=emulator.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )


def _verifier(emulator: Any, srp: AWSSRP, challenge: dict[str, Any]) -> dict[str, Any]:
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER", challenge
    responses = srp.process_challenge(challenge["ChallengeParameters"], {"USERNAME": "alice"})
    return emulator.client.respond_to_auth_challenge(  # type: ignore[no-any-return]
        ClientId=emulator.client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=challenge["Session"],
        ChallengeResponses=responses,
    )


def _srp(emulator: Any) -> AWSSRP:
    return AWSSRP("alice", PASSWORD, emulator.user_pool_id, emulator.client_id, client=emulator.client)


def user_srp(emulator: Any) -> dict[str, Any]:
    srp = _srp(emulator)
    started = emulator.client.initiate_auth(
        ClientId=emulator.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )
    return _verifier(emulator, srp, started)


def choice_password(emulator: Any) -> dict[str, Any]:
    parameters = {"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD}
    return emulator.client.initiate_auth(  # type: ignore[no-any-return]
        ClientId=emulator.client_id, AuthFlow="USER_AUTH", AuthParameters=parameters
    )


def choice_password_srp(emulator: Any) -> dict[str, Any]:
    srp = _srp(emulator)
    parameters = {**srp.get_auth_params(), "PREFERRED_CHALLENGE": "PASSWORD_SRP"}
    started = emulator.client.initiate_auth(
        ClientId=emulator.client_id, AuthFlow="USER_AUTH", AuthParameters=parameters
    )
    return _verifier(emulator, srp, started)


FIRST_FACTORS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "USER_PASSWORD_AUTH": user_password,
    "ADMIN_USER_PASSWORD_AUTH": admin_password,
    "USER_SRP_AUTH": user_srp,
    "USER_AUTH PASSWORD": choice_password,
    "USER_AUTH PASSWORD_SRP": choice_password_srp,
}


def refusal(call: Callable[..., Any], **params: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"]  # type: ignore[no-any-return]


def fresh_code(secret: str, used: set[int]) -> str:
    """A TOTP code of `secret` for a step not taken yet (a code is good once per step; the next step's is taken too)."""
    now = int(time.time() // 30)
    step = next(step for step in (now, now + 1) if step not in used)
    used.add(step)
    return mfa.totp(secret, step)


def set_up(emulator: Any, challenge: dict[str, Any], used: set[int]) -> tuple[dict[str, Any], str]:
    """Answer MFA_SETUP as Amplify does: AssociateSoftwareToken, VerifySoftwareToken, then MFA_SETUP, by Session."""
    cognito = emulator.client
    associated = cognito.associate_software_token(Session=challenge["Session"])
    secret = associated["SecretCode"]
    code = fresh_code(secret, used)
    verified = cognito.verify_software_token(Session=associated["Session"], UserCode=code)
    assert verified["Status"] == "SUCCESS"
    done = cognito.respond_to_auth_challenge(
        ClientId=emulator.client_id,
        ChallengeName="MFA_SETUP",
        Session=verified["Session"],
        ChallengeResponses={"USERNAME": "alice"},
    )
    return done, secret


@pytest.mark.parametrize("first_factor", FIRST_FACTORS)
def test_a_user_with_no_factor_sets_up_totp_before_any_token(cognito_emulator, alice, first_factor):
    """MFA required, no factor: MFA_SETUP (MFAS_CAN_SETUP the JSON array string Cognito sends), no tokens; the
    Session alone answers nothing until a token is verified on it; the set-up ends in tokens that work, and the next
    sign-in asks the new factor."""
    alice()
    require_mfa(cognito_emulator)
    challenge = FIRST_FACTORS[first_factor](cognito_emulator)
    assert "AuthenticationResult" not in challenge
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert challenge["ChallengeParameters"]["MFAS_CAN_SETUP"] == '["SOFTWARE_TOKEN_MFA"]'
    respond = cognito_emulator.client.respond_to_auth_challenge
    skipped = {"ClientId": cognito_emulator.client_id, "ChallengeName": "MFA_SETUP", "Session": challenge["Session"]}
    assert refusal(respond, **skipped, ChallengeResponses={"USERNAME": "alice"}) == "NotAuthorizedException"
    used: set[int] = set()
    done, secret = set_up(cognito_emulator, FIRST_FACTORS[first_factor](cognito_emulator), used)
    access = done["AuthenticationResult"]["AccessToken"]
    assert cognito_emulator.client.get_user(AccessToken=access)["Username"] == "alice"
    again = FIRST_FACTORS[first_factor](cognito_emulator)
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA", again
    answer = {"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": fresh_code(secret, used)}
    tokens = respond(
        **{**skipped, "Session": again["Session"], "ChallengeName": "SOFTWARE_TOKEN_MFA"}, ChallengeResponses=answer
    )
    assert "AccessToken" in tokens["AuthenticationResult"]


@pytest.mark.parametrize("first_factor", ["USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_SRP_AUTH"])
def test_an_optional_pool_signs_a_user_with_no_factor_in_at_once(cognito_emulator, alice, first_factor):
    """MFA OPTIONAL: a user who set up no factor gets tokens after the password, as before."""
    alice()
    require_mfa(cognito_emulator, "OPTIONAL")
    assert "AccessToken" in FIRST_FACTORS[first_factor](cognito_emulator)["AuthenticationResult"]


def test_a_wrong_password_is_refused_before_any_mfa_step(cognito_emulator, alice):
    """The set-up comes after the password: a wrong one is NotAuthorizedException, as without MFA."""
    alice()
    require_mfa(cognito_emulator)
    params = {"USERNAME": "alice", "PASSWORD": "Wrong-Horse-9"}
    call = cognito_emulator.client.initiate_auth
    assert refusal(call, ClientId=cognito_emulator.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params) == (
        "NotAuthorizedException"
    )


@pytest.mark.parametrize("first_factor", ["USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_SRP_AUTH"])
def test_sms_mfa_is_asked_of_a_user_with_a_verified_phone(cognito_emulator, alice, first_factor):
    """MFA required with SMS in the pool: a user with a verified phone is sent an SMS code (SMS_MFA), not MFA_SETUP;
    its code gives tokens. A user with no phone is asked MFA_SETUP, offered both types."""
    alice()
    require_mfa(cognito_emulator, sms=True)
    assert FIRST_FACTORS[first_factor](cognito_emulator)["ChallengeParameters"]["MFAS_CAN_SETUP"] == (
        '["SOFTWARE_TOKEN_MFA","SMS_MFA"]'
    )
    phone = [{"Name": "phone_number", "Value": "+15555550123"}, {"Name": "phone_number_verified", "Value": "true"}]
    cognito_emulator.client.admin_update_user_attributes(
        UserPoolId=cognito_emulator.user_pool_id, Username="alice", UserAttributes=phone
    )
    challenge = FIRST_FACTORS[first_factor](cognito_emulator)
    assert challenge["ChallengeName"] == "SMS_MFA", challenge
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0123"
    code = cognito_emulator.last_code("alice", "SMS")
    done = cognito_emulator.client.respond_to_auth_challenge(
        ClientId=cognito_emulator.client_id,
        ChallengeName="SMS_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "SMS_MFA_CODE": code},
    )
    assert "AccessToken" in done["AuthenticationResult"]
