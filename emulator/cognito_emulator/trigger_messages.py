"""The messages the emulator sends with its codes, and the custom message trigger that rewrites them.

Every code (factors.py deliver_code: sign-up, reset, attribute verification, SMS MFA, EMAIL_OTP / SMS_OTP)
goes out in a message: the pool's template (VerificationMessageTemplate, EmailVerificationMessage /
EmailVerificationSubject, SmsVerificationMessage, SmsAuthenticationMessage), else Cognito's default, with
`{####}` replaced by the code. With a `custom_message` trigger, its answer replaces the template ([DG] "Custom
message Lambda trigger"): request {userAttributes, codeParameter "{####}", usernameParameter ("{username}" for
AdminCreateUser, else null), clientMetadata}; response {smsMessage, emailMessage, emailSubject}. A message that
lacks the code parameter is refused (InvalidLambdaResponseException), and so is an email message or subject when
the pool's EmailSendingAccount is not DEVELOPER (PROTOCOLS-2.md section 3: Cognito sends its own email then).

Each message sent is kept, the last by medium per user, in the pool's extras (saved with the state):
  messages: {username: {"EMAIL"|"SMS": {message, subject?, triggerSource}}}
which `last_message()` reads, as last_code() reads the codes.
"""

from __future__ import annotations

from typing import Any

from cognito_emulator import factors, triggers
from cognito_emulator.trigger_events import event, metadata
from cognito_emulator.webauthn_ops import error

CODE = "{####}"
DEFAULT_MESSAGE = "Your verification code is {####}. "  # Cognito's default verification message
DEFAULT_SUBJECT = "Your verification code"
DEFAULT_AUTHENTICATION = "Your authentication code is {####}. "
SOURCES = {
    "sign_up": "CustomMessage_SignUp",
    "resend_confirmation_code": "CustomMessage_ResendCode",
    "forgot_password": "CustomMessage_ForgotPassword",
    "admin_reset_user_password": "CustomMessage_ForgotPassword",
    "update_user_attributes": "CustomMessage_UpdateUserAttribute",
    "admin_update_user_attributes": "CustomMessage_UpdateUserAttribute",
    "get_user_attribute_verification_code": "CustomMessage_VerifyUserAttribute",
    "admin_create_user": "CustomMessage_AdminCreateUser",
}


def source() -> str:
    """The triggerSource of a code sent by the current operation (sign-in codes: CustomMessage_Authentication)."""
    return SOURCES.get(triggers.action() or "", "CustomMessage_Authentication")


def template(pool: Any, medium: str, trigger_source: str) -> tuple[str, str | None]:
    """(message, subject) the pool sends without a trigger; subject None for SMS."""
    config = pool.extended_config
    custom = config.get("VerificationMessageTemplate") or {}
    if trigger_source == "CustomMessage_Authentication" and medium == "SMS":
        return str(config.get("SmsAuthenticationMessage") or DEFAULT_AUTHENTICATION), None
    if medium == "SMS":
        return str(custom.get("SmsMessage") or config.get("SmsVerificationMessage") or DEFAULT_MESSAGE), None
    message = custom.get("EmailMessage") or config.get("EmailVerificationMessage") or DEFAULT_MESSAGE
    subject = custom.get("EmailSubject") or config.get("EmailVerificationSubject") or DEFAULT_SUBJECT
    return str(message), str(subject)


def _developer_email(pool: Any) -> bool:
    return (pool.extended_config.get("EmailConfiguration") or {}).get("EmailSendingAccount") == "DEVELOPER"


def compose(pool: Any, username: str, medium: str) -> dict[str, Any]:
    """The message (with CODE still in it) the pool sends `username` by `medium` now, the trigger's if it has one."""
    trigger_source = source()
    message, subject = template(pool, medium, trigger_source)
    user = pool._get_user(username)
    if user is not None and triggers.function(pool, "custom_message") is not None:
        request = {
            "codeParameter": CODE,
            "usernameParameter": "{username}" if trigger_source == "CustomMessage_AdminCreateUser" else None,
            "clientMetadata": metadata(),
        }
        response = {"smsMessage": None, "emailMessage": None, "emailSubject": None}
        asked = event(pool, trigger_source, user.username, request, response, user=user)
        answer = triggers.invoke(pool, "custom_message", asked)
        if medium == "SMS" and answer.get("smsMessage") is not None:
            message = answer["smsMessage"]
        if medium == "EMAIL" and (answer.get("emailMessage") is not None or answer.get("emailSubject") is not None):
            if not _developer_email(pool):
                raise error("InvalidLambdaResponseException", triggers.UNRECOGNIZABLE)
            message = answer["emailMessage"] if answer.get("emailMessage") is not None else message
            subject = answer["emailSubject"] if answer.get("emailSubject") is not None else subject
        if not isinstance(message, str) or CODE not in message or not isinstance(subject, str | None):
            raise error("InvalidLambdaResponseException", triggers.UNRECOGNIZABLE)
    sent: dict[str, Any] = {"message": message, "triggerSource": trigger_source}
    if medium == "EMAIL":
        sent["subject"] = subject
    return sent


def last_message(username: str, medium: str = "EMAIL") -> dict[str, Any] | None:
    """The last message this process's emulator sent `username` (or the email a pool takes as the username) by
    EMAIL or SMS: {message, subject (EMAIL), triggerSource}, the code in it."""
    from cognito_emulator.emulator import _backend

    for pool in _backend().user_pools.values():
        user = pool._get_user(username)
        sent = factors.extras(pool).get("messages", {}).get(user.username if user else username, {})
        if medium in sent:
            return dict(sent[medium])
    return None


def teach() -> None:
    """Put a message around every code factors.py delivers (once)."""
    if getattr(factors.deliver_code, "sends_messages", False):
        return
    deliver_code = factors.deliver_code

    def deliver_in_message(pool: Any, username: str, medium: str, code: str) -> None:
        sent = compose(pool, username, medium)  # a refusing trigger: nothing is delivered
        sent["message"] = sent["message"].replace(CODE, code)
        factors.extras(pool).setdefault("messages", {}).setdefault(username, {})[medium] = sent
        deliver_code(pool, username, medium, code)

    deliver_in_message.sends_messages = True  # type: ignore[attr-defined]
    factors.deliver_code = deliver_in_message  # type: ignore[assignment]
