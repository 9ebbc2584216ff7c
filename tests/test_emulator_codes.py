"""The emulator's confirmation, reset and attribute-verification codes, checked as Cognito checks them (codes.py,
confirmations.py, attributes.py). Sources: [DG] = the Cognito Developer Guide (limits.md "code security
resource quotas"; user-pool-settings-email-phone-verification), [BOTO] = botocore's cognito-idp model docs."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from cognito_emulator import codes
from cognito_emulator.emulator import _backend

PASSWORD, NEW_PASSWORD = "Passw0rd!", "N3wPassw0rd!"


def refusal(call, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def sign_up(emulator, pool, name: str = "alice", **attributes: str) -> dict:
    given = attributes or {"email": f"{name}@example.com"}
    user_attributes = [{"Name": k, "Value": v} for k, v in given.items()]
    return emulator.client.sign_up(
        ClientId=pool["client_id"], Username=name, Password=PASSWORD, UserAttributes=user_attributes
    )


def confirm(emulator, pool, name: str, code: str) -> dict:
    return emulator.client.confirm_sign_up(ClientId=pool["client_id"], Username=name, ConfirmationCode=code)


def attributes(emulator, pool, name: str) -> dict[str, str]:
    user = emulator.client.admin_get_user(UserPoolId=pool["user_pool_id"], Username=name)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def the_pool(pool):
    return _backend().user_pools[pool["user_pool_id"]]


def test_sign_up_sends_a_random_code_by_email_and_only_it_confirms(emulator, pool):
    """Cognito sends the sign-up code to the auto-verified email ([DG] email-phone verification) and ConfirmSignUp
    takes that code only (CodeMismatchException otherwise); confirming verifies the email ([DG]: the attribute the
    code went to is marked verified)."""
    answer = sign_up(emulator, pool)
    assert answer["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    code = emulator.last_code("alice")
    assert code and len(code) == 6 and code.isdigit()
    assert refusal(confirm, emulator=emulator, pool=pool, name="alice", code=wrong(code))[0] == "CodeMismatchException"
    assert attributes(emulator, pool, "alice").get("email_verified") is None
    confirm(emulator, pool, "alice", code)
    assert attributes(emulator, pool, "alice")["email_verified"] == "true"
    # Used once: the user is confirmed, and Cognito says so.
    assert refusal(confirm, emulator=emulator, pool=pool, name="alice", code=code) == (
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    )


def test_codes_differ_per_user(emulator, pool):
    """Codes are random ([DG]: a code per request), not one fixed value."""
    for name in ("u1", "u2", "u3", "u4"):
        sign_up(emulator, pool, name)
    assert len({emulator.last_code(name) for name in ("u1", "u2", "u3", "u4")}) > 1


def test_no_sms_for_a_user_with_no_phone_and_sms_when_the_phone_is_auto_verified(emulator, pool):
    """CodeDeliveryDetails are true to the user's attributes: a user with no phone is never told SMS; a pool that
    auto-verifies the phone sends there when the user has one ([DG]: with both auto-verified, the code goes by SMS)."""
    pool_id = pool["user_pool_id"]
    emulator.client.update_user_pool(UserPoolId=pool_id, AutoVerifiedAttributes=["email", "phone_number"])
    assert sign_up(emulator, pool, "nophone")["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    phone = sign_up(emulator, pool, "phoned", email="p@example.com", phone_number="+15555550123")
    assert phone["CodeDeliveryDetails"] == {
        "Destination": "+*******0123",
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }
    confirm(emulator, pool, "phoned", emulator.last_code("phoned", "SMS"))
    assert attributes(emulator, pool, "phoned")["phone_number_verified"] == "true"


def test_an_expired_sign_up_code_is_refused_and_a_resent_one_works(emulator, pool):
    """A sign-up code lasts 24 h ([DG] limits.md): after it, ExpiredCodeException; ResendConfirmationCode sends a new
    one, which confirms."""
    sign_up(emulator, pool)
    code = emulator.last_code("alice")
    codes.expire(the_pool(pool), "alice", codes.SIGN_UP)
    assert refusal(confirm, emulator=emulator, pool=pool, name="alice", code=code)[0] == "ExpiredCodeException"
    again = emulator.client.resend_confirmation_code(ClientId=pool["client_id"], Username="alice")
    assert again["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    confirm(emulator, pool, "alice", emulator.last_code("alice"))


def test_too_many_wrong_sign_up_codes_lock_even_the_right_one(emulator, pool):
    """ConfirmSignUp: 15 attempts an hour per user ([DG] limits.md); past them LimitExceededException."""
    sign_up(emulator, pool)
    code = emulator.last_code("alice")
    for _ in range(codes.WRONG_TRIES_PER_HOUR[codes.SIGN_UP]):
        assert (
            refusal(confirm, emulator=emulator, pool=pool, name="alice", code=wrong(code))[0] == "CodeMismatchException"
        )
    assert refusal(confirm, emulator=emulator, pool=pool, name="alice", code=code) == (
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )


def reset(emulator, pool, code: str, password: str = NEW_PASSWORD) -> dict:
    return emulator.client.confirm_forgot_password(
        ClientId=pool["client_id"], Username="alice", ConfirmationCode=code, Password=password
    )


def confirmed_alice(emulator, pool) -> None:
    sign_up(emulator, pool)
    confirm(emulator, pool, "alice", emulator.last_code("alice"))


def test_reset_needs_forgot_password_first_the_code_and_the_policy(emulator, pool):
    """ConfirmForgotPassword: no code without ForgotPassword (ExpiredCodeException), a wrong code CodeMismatchException,
    a weak password InvalidPasswordException ([BOTO] ConfirmForgotPassword errors); the right code with a good
    password resets it, once."""
    confirmed_alice(emulator, pool)
    assert refusal(reset, emulator=emulator, pool=pool, code="123456")[0] == "ExpiredCodeException"
    sent = emulator.client.forgot_password(ClientId=pool["client_id"], Username="alice")["CodeDeliveryDetails"]
    assert sent == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    code = emulator.last_code("alice")
    assert refusal(reset, emulator=emulator, pool=pool, code=wrong(code))[0] == "CodeMismatchException"
    assert refusal(reset, emulator=emulator, pool=pool, code=code, password="weak")[0] == "InvalidPasswordException"
    reset(emulator, pool, code)
    assert refusal(reset, emulator=emulator, pool=pool, code=code)[0] == "ExpiredCodeException"  # used once
    signed_in = emulator.client.initiate_auth(
        ClientId=pool["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": NEW_PASSWORD},
    )
    assert "AuthenticationResult" in signed_in


def test_reset_codes_expire_and_wrong_tries_are_limited(emulator, pool):
    """A forgot-password code lasts 1 h; ConfirmForgotPassword takes 5 to 20 attempts an hour by risk ([DG] limits.md):
    the emulator, never kinder, takes 5."""
    confirmed_alice(emulator, pool)
    emulator.client.forgot_password(ClientId=pool["client_id"], Username="alice")
    code = emulator.last_code("alice")
    codes.expire(the_pool(pool), "alice", codes.FORGOT)
    assert refusal(reset, emulator=emulator, pool=pool, code=code)[0] == "ExpiredCodeException"
    emulator.client.forgot_password(ClientId=pool["client_id"], Username="alice")
    code = emulator.last_code("alice")
    for _ in range(5):
        assert refusal(reset, emulator=emulator, pool=pool, code=wrong(code))[0] == "CodeMismatchException"
    assert refusal(reset, emulator=emulator, pool=pool, code=code)[0] == "LimitExceededException"


def test_forgot_password_needs_a_verified_email_or_phone(emulator, pool):
    """[BOTO] ForgotPassword: "If neither a verified phone number nor a verified email exists, Amazon Cognito
    responds with an InvalidParameterException"; an administrator-confirmed sign-up verified nothing."""
    sign_up(emulator, pool)
    emulator.client.admin_confirm_sign_up(UserPoolId=pool["user_pool_id"], Username="alice")
    forgot = emulator.client.forgot_password
    assert refusal(forgot, ClientId=pool["client_id"], Username="alice")[0] == "InvalidParameterException"


def update(emulator, access: str, **values: str) -> dict:
    return emulator.client.update_user_attributes(
        AccessToken=access, UserAttributes=[{"Name": k, "Value": v} for k, v in values.items()]
    )


def access_of(emulator, pool) -> str:
    confirmed_alice(emulator, pool)
    answer = emulator.client.initiate_auth(
        ClientId=pool["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    return answer["AuthenticationResult"]["AccessToken"]


def test_an_email_change_unverifies_it_and_sends_a_code_that_verifies_it(emulator, pool):
    """Without AttributesRequireVerificationBeforeUpdate the new email applies at once, unverified, and a code goes to
    it ([BOTO] UserAttributeUpdateSettingsType); VerifyUserAttribute with it verifies, a wrong one is refused."""
    access = access_of(emulator, pool)
    answer = update(emulator, access, email="new@example.org")
    assert answer["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    ]
    assert attributes(emulator, pool, "alice")["email"] == "new@example.org"
    assert attributes(emulator, pool, "alice")["email_verified"] == "false"
    code = emulator.last_code("alice")
    verify = emulator.client.verify_user_attribute
    assert refusal(verify, AccessToken=access, AttributeName="email", Code=wrong(code))[0] == "CodeMismatchException"
    verify(AccessToken=access, AttributeName="email", Code=code)
    assert attributes(emulator, pool, "alice")["email_verified"] == "true"


def test_with_verification_before_update_the_old_email_stays_until_the_code(emulator, pool):
    """With AttributesRequireVerificationBeforeUpdate: "Amazon Cognito doesn't change the value of the attribute until
    your user responds to the verification message" ([BOTO]); GetUserAttributeVerificationCode sends it again."""
    emulator.client.update_user_pool(
        UserPoolId=pool["user_pool_id"],
        AutoVerifiedAttributes=["email"],
        UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]},
    )
    access = access_of(emulator, pool)
    assert update(emulator, access, email="new@example.org")["CodeDeliveryDetailsList"][0]["Destination"] == "n***@e***"
    assert attributes(emulator, pool, "alice")["email"] == "alice@example.com"
    assert attributes(emulator, pool, "alice")["email_verified"] == "true"
    again = emulator.client.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    assert again["CodeDeliveryDetails"]["Destination"] == "n***@e***"
    emulator.client.verify_user_attribute(AccessToken=access, AttributeName="email", Code=emulator.last_code("alice"))
    assert attributes(emulator, pool, "alice")["email"] == "new@example.org"
    assert attributes(emulator, pool, "alice")["email_verified"] == "true"


def test_attribute_verification_codes_for_an_attribute_the_user_lacks_are_refused(emulator, pool):
    """GetUserAttributeVerificationCode for a phone the user does not have: InvalidParameterException, never an SMS
    to a made-up number; no code waiting: ExpiredCodeException."""
    access = access_of(emulator, pool)
    get_code = emulator.client.get_user_attribute_verification_code
    assert refusal(get_code, AccessToken=access, AttributeName="phone_number")[0] == "InvalidParameterException"
    verify = emulator.client.verify_user_attribute
    assert refusal(verify, AccessToken=access, AttributeName="email", Code="123456")[0] == "ExpiredCodeException"
