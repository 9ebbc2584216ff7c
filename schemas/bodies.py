"""Request bodies, one model per endpoint that takes one."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, RootModel

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
    text,
)

Session = Annotated[str, Field(min_length=MIN_SESSION_CHARS, max_length=MAX_SESSION_CHARS, pattern=TEXT_PATTERN)]
RefreshToken = text(MAX_TOKEN_CHARS)
Redirect = text(2048)


class Register(WithUsername):
    username: UsernameText = Field(default=None, description="default: the email (email-as-username pools need that)")
    email: Email
    password: Text
    attributes: Attributes = Field(default_factory=dict)


class Confirm(WithUsername):
    username: UsernameText
    code: Text


class Login(WithUsername):
    username: UsernameText = Field(description="the email in email-as-username pools")
    password: Text


class SessionSignIn(WithUsername):
    username: UsernameText = Field(description="the email in email-as-username pools")
    password: Text
    rd: Redirect = Field(default=None, description="where a browser goes after signing in (the sign-in form)")
    csrf_token: Text = Field(default=None, description="the sign-in form's own token (against login CSRF)")


class SignOut(Body):
    rd: Redirect = Field(default=None, description="where the browser goes after signing out")
    csrf_token: Text = Field(default=None, description="the session's CSRF token (GET /auth/session)")


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


class SmsAnswer(WithUsername):
    username: UsernameText
    challenge: Literal["SMS_MFA"]
    session: Session
    code: Text


class MfaSetupAnswer(WithUsername):
    username: UsernameText
    challenge: Literal["MFA_SETUP"]
    session: Session
    code: TotpCode = Field(default=None, description="absent: answers the TOTP secret first; then the app's code")


ChallengeAnswer = NewPasswordAnswer | TotpAnswer | SmsAnswer | MfaSetupAnswer


class Challenge(RootModel[ChallengeAnswer]):
    """The answer to the challenge a sign-in returned, by `challenge` (the view gets the `ChallengeAnswer`)."""

    root: Annotated[ChallengeAnswer, Field(discriminator="challenge")]
