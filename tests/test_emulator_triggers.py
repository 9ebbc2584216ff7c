"""Lambda triggers as Python functions (triggers.py): tests/support/trigger_sample.py assigned to a pool, and
boto3 against the emulator over HTTP. Sign-up (PreSignUp), confirmation (PostConfirmation), sign-in
(PreAuthentication, PostAuthentication), migration (UserMigration) and messages (CustomMessage); a trigger that
raises, answers nonsense or takes too long refuses the operation as Cognito does (PROTOCOLS-2.md section 3)."""

from __future__ import annotations

import time
import types

from cognito_emulator import trigger_messages
from tests.support import trigger_sample
from tests.support.helpers import PASSWORD
from tests.support.triggers import refusal, user


def sign_up(emulator, ids, username, email, password=PASSWORD):
    attributes = [{"Name": "email", "Value": email}]
    return emulator.client.sign_up(
        ClientId=ids["client_id"], Username=username, Password=password, UserAttributes=attributes
    )


def password_sign_in(emulator, ids, username, password=PASSWORD):
    return emulator.client.initiate_auth(
        ClientId=ids["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def test_a_sign_up_of_the_auto_domain_is_confirmed_with_no_code(emulator, trigger_pool):
    """autoConfirmUser and autoVerifyEmail: confirmed at once, email verified, no code sent, signs in at once."""
    answer = sign_up(emulator, trigger_pool, "ann", "ann@auto.example")
    assert answer["UserConfirmed"] is True and "CodeDeliveryDetails" not in answer
    got = emulator.client.admin_get_user(UserPoolId=trigger_pool["user_pool_id"], Username="ann")
    assert got["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in got["UserAttributes"]
    assert emulator.last_code("ann") is None
    assert "AuthenticationResult" in password_sign_in(emulator, trigger_pool, "ann")


def test_a_sign_up_of_another_domain_waits_for_its_code(emulator, trigger_pool):
    """The trigger lets it through unchanged: UNCONFIRMED, a code sent; confirming it runs PostConfirmation."""
    answer = sign_up(emulator, trigger_pool, "bob", "bob@example.com")
    assert answer["UserConfirmed"] is False and answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert trigger_sample.SEEN == []
    emulator.client.confirm_sign_up(
        ClientId=trigger_pool["client_id"], Username="bob", ConfirmationCode=emulator.last_code("bob")
    )
    assert trigger_sample.SEEN == [("PostConfirmation_ConfirmSignUp", "bob")]


def test_a_sign_up_of_the_blocked_domain_is_refused_with_the_triggers_message(emulator, trigger_pool):
    """The function raised: UserLambdaValidationException "PreSignUp failed with error <its message>."; no user."""
    code, message = refusal(sign_up, emulator=emulator, ids=trigger_pool, username="eve", email="eve@blocked.example")
    assert (code, message) == (
        "UserLambdaValidationException",
        "PreSignUp failed with error Sign-ups from blocked.example are closed.",
    )
    assert emulator.client.list_users(UserPoolId=trigger_pool["user_pool_id"])["Users"] == []


def test_moto_s_checks_come_before_the_trigger(emulator, trigger_pool):
    """A password the policy refuses is refused as before: the trigger's refusal is not what the caller sees."""
    code, _ = refusal(
        sign_up, emulator=emulator, ids=trigger_pool, username="eve", email="eve@blocked.example", password="short"
    )
    assert code == "InvalidPasswordException"


def test_the_verification_message_is_the_triggers(emulator, trigger_pool):
    """CustomMessage_SignUp: the message delivered is the function's, with the code where it put {####}."""
    sign_up(emulator, trigger_pool, "cat", "cat@example.com")
    sent = trigger_messages.last_message("cat")
    code = emulator.last_code("cat")
    assert sent == {
        "message": f"Hello cat, confirm your account with {code}.",
        "subject": "Welcome to Example",
        "triggerSource": "CustomMessage_SignUp",
    }


def test_without_a_trigger_the_message_is_cognitos_default(emulator, trigger_pool):
    emulator.set_triggers(trigger_pool["user_pool_id"], None)
    sign_up(emulator, trigger_pool, "dan", "dan@example.com")
    sent = trigger_messages.last_message("dan")
    assert sent["message"] == f"Your verification code is {emulator.last_code('dan')}. "
    assert sent["subject"] == "Your verification code"


def test_an_email_message_needs_the_developers_email_account(emulator, trigger_pool):
    """EmailSendingAccount COGNITO_DEFAULT: a function's email message is refused (InvalidLambdaResponseException)."""
    emulator.client.update_user_pool(
        UserPoolId=trigger_pool["user_pool_id"],
        EmailConfiguration={"EmailSendingAccount": "COGNITO_DEFAULT"},
        AutoVerifiedAttributes=["email"],
    )
    code, _ = refusal(sign_up, emulator=emulator, ids=trigger_pool, username="fay", email="fay@example.com")
    assert code == "InvalidLambdaResponseException"


def test_a_message_without_the_code_is_refused(emulator, trigger_pool):
    def custom_message(event, context):
        event["response"]["emailMessage"] = "Welcome! (no code here)"
        return event

    emulator.set_triggers(trigger_pool["user_pool_id"], types.SimpleNamespace(custom_message=custom_message))
    code, message = refusal(sign_up, emulator=emulator, ids=trigger_pool, username="gus", email="gus@example.com")
    assert (code, message) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")


def test_a_user_of_the_old_system_moves_in_at_first_sign_in(emulator, trigger_pool):
    """UserMigration_Authentication: the user is made CONFIRMED with the password given, signed in, and from then
    on is the pool's own (the second sign-in does not ask the old system)."""
    answer = password_sign_in(emulator, trigger_pool, "old-timer", "0ldSystem!pass")
    assert "AuthenticationResult" in answer
    got = emulator.client.admin_get_user(UserPoolId=trigger_pool["user_pool_id"], Username="old-timer")
    assert got["UserStatus"] == "CONFIRMED"
    assert {"Name": "email", "Value": "old-timer@legacy.example"} in got["UserAttributes"]
    trigger_sample.LEGACY.pop("old-timer")
    try:
        assert "AuthenticationResult" in password_sign_in(emulator, trigger_pool, "old-timer", "0ldSystem!pass")
    finally:
        trigger_sample.LEGACY["old-timer"] = {"password": "0ldSystem!pass", "email": "old-timer@legacy.example"}


def test_a_wrong_old_password_is_refused_and_no_user_is_made(emulator, trigger_pool):
    code, message = refusal(
        password_sign_in, emulator=emulator, ids=trigger_pool, username="old-timer", password="Wr0ngpass"
    )
    assert (code, message) == ("UserLambdaValidationException", "UserMigration failed with error Bad password.")
    assert emulator.client.list_users(UserPoolId=trigger_pool["user_pool_id"])["Users"] == []


def test_a_user_of_the_old_system_moves_in_at_forgot_password(emulator, trigger_pool):
    """UserMigration_ForgotPassword: made RESET_REQUIRED (no password known), the reset code sent in the trigger's
    message; the new password signs in and ConfirmForgotPassword runs PostConfirmation_ConfirmForgotPassword."""
    client = emulator.client
    answer = client.forgot_password(ClientId=trigger_pool["client_id"], Username="old-timer")
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    got = client.admin_get_user(UserPoolId=trigger_pool["user_pool_id"], Username="old-timer")
    assert got["UserStatus"] == "RESET_REQUIRED"
    code = emulator.last_code("old-timer")
    assert trigger_messages.last_message("old-timer")["message"] == f"Your reset code is {code}."
    client.confirm_forgot_password(
        ClientId=trigger_pool["client_id"], Username="old-timer", ConfirmationCode=code, Password="N3wPassword"
    )
    assert ("PostConfirmation_ConfirmForgotPassword", "old-timer") in trigger_sample.SEEN
    assert "AuthenticationResult" in password_sign_in(emulator, trigger_pool, "old-timer", "N3wPassword")


def test_pre_and_post_authentication(emulator, trigger_pool):
    """PreAuthentication refuses the suspended user with its message; PostAuthentication sees the others."""
    user(emulator, trigger_pool, "suspended")
    user(emulator, trigger_pool, "hal")
    code, message = refusal(password_sign_in, emulator=emulator, ids=trigger_pool, username="suspended")
    assert (code, message) == (
        "UserLambdaValidationException",
        "PreAuthentication failed with error This account is suspended.",
    )
    password_sign_in(emulator, trigger_pool, "hal")
    assert trigger_sample.SEEN == [("PostAuthentication_Authentication", "hal")]


def test_a_refresh_runs_no_authentication_trigger(emulator, trigger_pool):
    user(emulator, trigger_pool, "ida")
    refresh = password_sign_in(emulator, trigger_pool, "ida")["AuthenticationResult"]["RefreshToken"]
    trigger_sample.SEEN.clear()
    emulator.client.initiate_auth(
        ClientId=trigger_pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh}
    )
    assert trigger_sample.SEEN == []


def test_a_trigger_that_takes_too_long_refuses_the_operation(emulator, trigger_pool):
    """Past the time limit (Cognito's 5 s; 0.3 s here): UnexpectedLambdaException, the message clients report."""

    def pre_sign_up(event, context):
        time.sleep(2)
        return event

    emulator.set_triggers(trigger_pool["user_pool_id"], types.SimpleNamespace(pre_sign_up=pre_sign_up), timeout=0.3)
    started = time.monotonic()
    code, message = refusal(sign_up, emulator=emulator, ids=trigger_pool, username="jay", email="jay@example.com")
    assert time.monotonic() - started < 1.5
    assert (code, message) == (
        "UnexpectedLambdaException",
        "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.",
    )


def test_a_trigger_that_answers_no_event_is_refused(emulator, trigger_pool):
    """A handler that forgets `return event`: InvalidLambdaResponseException "Unrecognizable lambda output"."""
    emulator.set_triggers(trigger_pool["user_pool_id"], types.SimpleNamespace(pre_sign_up=lambda event, context: None))
    code, message = refusal(sign_up, emulator=emulator, ids=trigger_pool, username="kim", email="kim@example.com")
    assert (code, message) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")


def test_a_module_by_file_path_or_dotted_name(emulator, trigger_pool):
    """configure() takes a module's dotted name or file path as a config file names it."""
    for named in ("tests.support.trigger_sample", trigger_sample.__file__):
        emulator.set_triggers(trigger_pool["user_pool_id"], named)
        code, _ = refusal(sign_up, emulator=emulator, ids=trigger_pool, username="lee", email="lee@blocked.example")
        assert code == "UserLambdaValidationException"


def test_admin_operations_run_the_triggers_without_an_app_client(emulator, trigger_pool):
    """AdminCreateUser runs PreSignUp_AdminCreateUser (its refusal is the caller's); AdminConfirmSignUp runs
    PostConfirmation_ConfirmSignUp."""
    pool_id = trigger_pool["user_pool_id"]
    code, message = refusal(
        emulator.client.admin_create_user,
        UserPoolId=pool_id,
        Username="max",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "max@blocked.example"}],
    )
    assert (code, message) == (
        "UserLambdaValidationException",
        "PreSignUp failed with error Sign-ups from blocked.example are closed.",
    )
    sign_up(emulator, trigger_pool, "ned", "ned@example.com")
    emulator.client.admin_confirm_sign_up(UserPoolId=pool_id, Username="ned")
    assert trigger_sample.SEEN == [("PostConfirmation_ConfirmSignUp", "ned")]


def test_a_user_migrated_without_confirmation_must_reset_the_password(emulator, trigger_pool):
    """finalUserStatus other than CONFIRMED: RESET_REQUIRED, and the sign-in is PasswordResetRequiredException."""

    def user_migration(event, context):
        event = trigger_sample.user_migration(event, context)
        event["response"]["finalUserStatus"] = "RESET_REQUIRED"
        return event

    emulator.set_triggers(trigger_pool["user_pool_id"], types.SimpleNamespace(user_migration=user_migration))
    code, _ = refusal(
        password_sign_in, emulator=emulator, ids=trigger_pool, username="old-timer", password="0ldSystem!pass"
    )
    assert code == "PasswordResetRequiredException"
    got = emulator.client.admin_get_user(UserPoolId=trigger_pool["user_pool_id"], Username="old-timer")
    assert got["UserStatus"] == "RESET_REQUIRED"
