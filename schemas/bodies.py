"""Request bodies, one model per endpoint that takes one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, RootModel

from schemas.devices import DeviceCredentials, DeviceKey
from schemas.fields import (
    MAX_SESSION_CHARS,
    MAX_TOKEN_CHARS,
    MIN_SESSION_CHARS,
    TEXT_PATTERN,
    Attributes,
    Body,
    Email,
    Text,
    TotpCode,
    UsernameText,
    WithUsername,
    alias_name,
    text,
)
from schemas.webauthn import AuthenticationCredential

Session = Annotated[str, Field(min_length=MIN_SESSION_CHARS, max_length=MAX_SESSION_CHARS, pattern=TEXT_PATTERN)]
RefreshToken = text(MAX_TOKEN_CHARS)
Redirect = text(2048)


# PASSWORD_SRP: the same factor as PASSWORD, with `password`, proven to Cognito by SRP (services/flows/srp_sign_in.py).
FirstFactor = Literal["EMAIL_OTP", "SMS_OTP", "WEB_AUTHN", "PASSWORD", "PASSWORD_SRP"]
MfaType = Literal["SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP"]  # SELECT_MFA_TYPE's answers (Cognito's names)
OtpCode = Annotated[str, Field(pattern=r"^[0-9]{4,10}$", description="the code Cognito sent (email or text)")]


class Register(WithUsername):
    username: UsernameText = Field(default=None, description="default: the email (email-as-username pools need that)")
    email: Email
    password: Text = Field(default=None, description="absent: a passwordless sign-up, where the pool allows it")
    attributes: Attributes = Field(default_factory=dict)


class Confirm(WithUsername):
    username: UsernameText
    code: Text
    session: Session = Field(default=None, description="register's `session`: the confirmation then signs in")


def _srp_needs_password(factor: str) -> Callable[[dict[str, Any]], None]:
    """The schema's extra: `username` or `name` (fields.py), and `password` where the field `factor` is
    PASSWORD_SRP: the server proves the password by SRP in the same request (services/flows/srp_sign_in.py
    refuses one without)."""

    def extra(schema: dict[str, Any]) -> None:
        alias_name(schema)
        schema["if"] = {"properties": {factor: {"const": "PASSWORD_SRP"}}, "required": [factor]}
        schema["then"] = {"required": ["password"]}

    return extra


class Login(WithUsername):
    model_config = ConfigDict(json_schema_extra=_srp_needs_password("preferred"))
    username: UsernameText = Field(description="the email in email-as-username pools")
    password: Text = Field(default=None, description="absent: choice-based sign-in (USER_AUTH)")
    preferred: FirstFactor = Field(default=None, description="USER_AUTH: go straight to this first factor")
    device: DeviceCredentials = Field(default=None, description="a remembered device, as an earlier sign-in gave it")


class SessionSignIn(WithUsername):
    model_config = ConfigDict(json_schema_extra=_srp_needs_password("preferred"))
    username: UsernameText = Field(description="the email in email-as-username pools")
    password: Text = Field(default=None, description="absent: choice-based sign-in (USER_AUTH)")
    preferred: FirstFactor = Field(default=None, description="USER_AUTH: go straight to this first factor")
    rd: Redirect = Field(default=None, description="where a browser goes after signing in (the sign-in form)")
    csrf_token: Text = Field(default=None, description="the sign-in form's own token (against login CSRF)")


class SignOut(Body):
    rd: Redirect = Field(default=None, description="where the browser goes after signing out")
    # Empty too: a proxied app's static form has the field but cannot know the token (the confirmation page follows).
    csrf_token: Text | Literal[""] = Field(default=None, description="the session's CSRF token (GET /auth/session)")


class SessionCsrf(Body):
    csrf_token: Text = Field(default=None, description="the session's CSRF token (or send it as X-CSRF-Token)")


class Username(WithUsername):
    username: UsernameText


class ResetPassword(WithUsername):
    username: UsernameText
    code: Text
    new_password: Text


class ChangePassword(Body):
    old_password: Text
    new_password: Text


class Refresh(Body):
    refresh_token: RefreshToken
    device_key: DeviceKey = Field(default=None, description="login's `device_key`: the device the tokens are bound to")
    username: UsernameText = Field(
        default=None, description="login's `username`: needed only with a client secret where the endpoint lacks "
        "GetTokensFromRefreshToken"
    )  # fmt: skip


class Logout(Body):
    refresh_token: RefreshToken = Field(default=None, description="revoked too when given")


class Validate(Body):
    token: str | None = Field(default=None, description="or in the Authorization header")


class TotpVerify(Body):
    code: TotpCode


class NewPasswordAnswer(WithUsername):
    username: UsernameText
    challenge: Literal["NEW_PASSWORD_REQUIRED"]
    session: Session
    new_password: Text


class TotpAnswer(WithUsername):
    username: UsernameText
    challenge: Literal["SOFTWARE_TOKEN_MFA"]
    session: Session
    code: TotpCode
    device: DeviceCredentials = Field(default=None, description="the device the sign-in began with")


class SmsAnswer(WithUsername):
    username: UsernameText
    challenge: Literal["SMS_MFA"]
    session: Session
    code: Text
    device: DeviceCredentials = Field(default=None, description="the device the sign-in began with")


class MfaSetupAnswer(WithUsername):
    username: UsernameText
    challenge: Literal["MFA_SETUP"]
    session: Session
    code: TotpCode = Field(default=None, description="absent: answers the TOTP secret first; then the app's code")


class SelectChallengeAnswer(WithUsername):
    model_config = ConfigDict(json_schema_extra=_srp_needs_password("answer"))
    username: UsernameText
    challenge: Literal["SELECT_CHALLENGE"]
    session: Session
    answer: FirstFactor = Field(description="one of the sign-in's `available_challenges`")
    password: Text = Field(default=None, description="with `answer` PASSWORD or PASSWORD_SRP: signs in in one step")


class SelectMfaTypeAnswer(WithUsername):
    username: UsernameText
    challenge: Literal["SELECT_MFA_TYPE"]
    session: Session
    answer: MfaType = Field(description="one of the sign-in's `available_mfa_types`")


class OtpAnswer(WithUsername):
    username: UsernameText
    challenge: Literal["EMAIL_OTP", "SMS_OTP"]
    session: Session
    code: OtpCode


class PasskeyAnswer(WithUsername):
    username: UsernameText
    challenge: Literal["WEB_AUTHN"]
    session: Session
    credential: AuthenticationCredential = Field(description="navigator.credentials.get's answer, as JSON")


class PasswordAnswer(WithUsername):
    username: UsernameText
    challenge: Literal["PASSWORD"]
    session: Session
    password: Text


ChallengeAnswer = (
    NewPasswordAnswer
    | TotpAnswer
    | SmsAnswer
    | MfaSetupAnswer
    | SelectChallengeAnswer
    | SelectMfaTypeAnswer
    | OtpAnswer
    | PasskeyAnswer
    | PasswordAnswer
)


class Challenge(RootModel[ChallengeAnswer]):
    """The answer to the challenge a sign-in returned, by `challenge` (the view gets the `ChallengeAnswer`)."""

    root: Annotated[ChallengeAnswer, Field(discriminator="challenge")]
