"""The portal's forms (/auth/sign-in/...): plain HTML forms, each with its page's CSRF token and `rd`.

The fields are loose text here: what they must look like (a code's digits, a password's rules) is checked
where the answer goes, so a wrong entry shows the same page again with the reason rather than a JSON error.
"""

from __future__ import annotations

from pydantic import Field

from schemas.fields import Body, Email, Text, UsernameText, WithUsername, text

Redirect = text(2048)
Credential = text(16384)  # navigator.credentials.get's answer, as JSON text


class PortalForm(Body):
    csrf_token: Text = Field(description="the page's own token (against cross-site forms)")
    rd: Redirect = Field(default=None, description="where the browser goes when signed in")


class StepForm(PortalForm):
    step: Text = Field(description="the step's id, from its page")
    code: Text = Field(default=None, description="a code from an authenticator app, an email or a text message")
    new_password: Text = Field(default=None, description="NEW_PASSWORD_REQUIRED's new password")
    answer: Text = Field(default=None, description="the factor chosen (SELECT_CHALLENGE)")
    password: Text = Field(default=None, description="with `answer` PASSWORD, the password")
    credential: Credential = Field(default=None, description="the passkey's assertion (WEB_AUTHN), as JSON")


class ForgotForm(PortalForm, WithUsername):
    username: UsernameText


class ResetForm(PortalForm, WithUsername):
    username: UsernameText
    code: Text
    new_password: Text


class SignUpForm(PortalForm, WithUsername):
    username: UsernameText = Field(default=None, description="default: the email")
    email: Email
    password: Text


class ConfirmForm(PortalForm, WithUsername):
    username: UsernameText
    code: Text
