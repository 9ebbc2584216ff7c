"""The emulator's MFA, checked as Cognito checks it (mfa.py). Sources: RFC 6238 (TOTP) and its test vectors;
[DG] = the Cognito Developer Guide's TOTP page ("accepts TOTP tokens that are within 30 seconds before or after");
[BOTO] = botocore's cognito-idp model (SecretCodeType, VerifySoftwareToken's EnableSoftwareTokenMFAException)."""

from __future__ import annotations

import base64
import time

import pytest
from botocore.exceptions import ClientError

from cognito_emulator import mfa

PASSWORD = "Passw0rd!"


def refusal(call, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def now_step() -> int:
    return int(time.time() // 30)


def test_totp_is_rfc_6238():
    """RFC 6238 appendix B's SHA-1 vectors (secret "12345678901234567890"), as 6 digits."""
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert mfa.totp(secret, 59 // 30) == "287082"
    assert mfa.totp(secret, 1111111109 // 30) == "081804"
    assert mfa.totp(secret, 2000000000 // 30) == "279037"


def signed_in(emulator, pool, name: str = "alice", **extra: str) -> str:
    attributes = [
        {"Name": "email", "Value": f"{name}@example.com"},
        *({"Name": k, "Value": v} for k, v in extra.items()),
    ]
    emulator.client.sign_up(ClientId=pool["client_id"], Username=name, Password=PASSWORD, UserAttributes=attributes)
    code = emulator.last_code(name)
    emulator.client.confirm_sign_up(ClientId=pool["client_id"], Username=name, ConfirmationCode=code)
    return sign_in(emulator, pool, name)["AuthenticationResult"]["AccessToken"]


def sign_in(emulator, pool, name: str = "alice") -> dict:
    parameters = {"USERNAME": name, "PASSWORD": PASSWORD}
    return emulator.client.initiate_auth(
        ClientId=pool["client_id"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters
    )


def test_each_association_gets_a_new_random_secret_of_at_least_160_bits(emulator, pool):
    """SecretCodeType: at least 16 characters of [A-Za-z0-9] ([BOTO]); RFC 4226 asks 160 bits; a fresh secret for
    every association and user (moto gave everyone `asdfasdfasdf`)."""
    access = signed_in(emulator, pool)
    other = signed_in(emulator, pool, "bob")
    secrets = [
        emulator.client.associate_software_token(AccessToken=token)["SecretCode"] for token in (access, access, other)
    ]
    assert len(set(secrets)) == 3
    for secret in secrets:
        assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) * 8 >= 160
        assert secret.isalnum() and secret.upper() == secret


def test_verify_takes_a_code_of_the_secret_only(emulator, pool):
    """VerifySoftwareToken: `000000` and other wrong codes are refused (EnableSoftwareTokenMFAException, [BOTO]'s
    "code mismatch" error); the code of the secret just associated is taken, and TOTP can then be turned on."""
    access = signed_in(emulator, pool)
    secret = emulator.client.associate_software_token(AccessToken=access)["SecretCode"]
    verify = emulator.client.verify_software_token
    for code in ("000000", mfa.totp(secret, now_step() + 5)):
        assert refusal(verify, AccessToken=access, UserCode=code)[0] == "EnableSoftwareTokenMFAException"
    assert verify(AccessToken=access, UserCode=mfa.totp(secret, now_step()))["Status"] == "SUCCESS"


def totp_user(emulator, pool) -> str:
    access = signed_in(emulator, pool)
    secret = emulator.client.associate_software_token(AccessToken=access)["SecretCode"]
    emulator.client.verify_software_token(AccessToken=access, UserCode=mfa.totp(secret, now_step() - 1))
    emulator.client.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return secret


def answer(emulator, pool, session: str, code: str, name: str = "SOFTWARE_TOKEN_MFA") -> dict:
    return emulator.client.respond_to_auth_challenge(
        ClientId=pool["client_id"],
        ChallengeName=name,
        Session=session,
        ChallengeResponses={"USERNAME": "alice", f"{name}_CODE": code},
    )


def test_sign_in_takes_codes_within_one_step_and_each_once(emulator, pool):
    """SOFTWARE_TOKEN_MFA: codes of the step before and after are taken ([DG] ±30 s), two steps off refused
    (CodeMismatchException), and a code already taken is refused (replay)."""
    secret = totp_user(emulator, pool)
    challenge = sign_in(emulator, pool)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    session = challenge["Session"]
    for step in (now_step() - 3, now_step() + 3):
        assert refusal(answer, emulator=emulator, pool=pool, session=session, code=mfa.totp(secret, step))[0] == (
            "CodeMismatchException"
        )
    assert "AuthenticationResult" in answer(emulator, pool, session, mfa.totp(secret, now_step() + 1))
    again = sign_in(emulator, pool)["Session"]
    replay = refusal(answer, emulator=emulator, pool=pool, session=again, code=mfa.totp(secret, now_step() + 1))
    assert replay[0] == "CodeMismatchException"
    assert "AuthenticationResult" in answer(emulator, pool, again, mfa.totp(secret, now_step()))


def test_three_wrong_codes_end_the_sign_in_session(emulator, pool):
    """A sign-in session takes a few wrong MFA codes, then ends (Cognito documents no number; the emulator: three)."""
    secret = totp_user(emulator, pool)
    session = sign_in(emulator, pool)["Session"]
    for _ in range(3):
        refusal(answer, emulator=emulator, pool=pool, session=session, code="000000")
    ended = refusal(answer, emulator=emulator, pool=pool, session=session, code=mfa.totp(secret, now_step()))
    assert ended == ("NotAuthorizedException", "Invalid session for the user.")


def test_sms_mfa_needs_a_phone_number(emulator, pool):
    """SetUserMFAPreference with SMS for a user with no phone: InvalidParameterException "User does not have delivery
    config set to turn on SMS_MFA" (Cognito's message); the administrator's call refuses it alike."""
    access = signed_in(emulator, pool)
    assert refusal(emulator.client.set_user_mfa_preference, AccessToken=access, SMSMfaSettings={"Enabled": True}) == (
        "InvalidParameterException",
        "User does not have delivery config set to turn on SMS_MFA",
    )
    admin = emulator.client.admin_set_user_mfa_preference
    params = {"UserPoolId": pool["user_pool_id"], "Username": "alice", "SMSMfaSettings": {"Enabled": True}}
    assert refusal(admin, **params)[0] == "InvalidParameterException"


def test_sms_mfa_sends_a_code_to_the_phone_and_takes_only_it(emulator, pool):
    """SMS_MFA: a random code goes by SMS to the user's phone (ChallengeParameters CODE_DELIVERY_DELIVERY_MEDIUM and
    CODE_DELIVERY_DESTINATION, as Cognito's); `123456` or any other wrong code is refused."""
    access = signed_in(emulator, pool, phone_number="+15555550123")
    emulator.client.set_user_mfa_preference(AccessToken=access, SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    challenge = sign_in(emulator, pool)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0123"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    code = emulator.last_code("alice", "SMS")
    bad = "123456" if code != "123456" else "654321"
    refused = refusal(answer, emulator=emulator, pool=pool, session=challenge["Session"], code=bad, name="SMS_MFA")
    assert refused[0] == "CodeMismatchException"
    assert "AuthenticationResult" in answer(emulator, pool, challenge["Session"], code, "SMS_MFA")
