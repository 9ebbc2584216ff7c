"""The account of a user: codes, passwords, refresh, sign-out everywhere, who, TOTP."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from controllers import account
from middleware.authentication import require_token
from middleware.endpoint import endpoint
from middleware.ratelimit import per_client
from schemas import answers as out
from schemas import bodies
from views import USER_DATA, bp


@bp.post("/auth/resend-code")
@per_client("rate_limit_confirm")
@endpoint("Resend the sign-up confirmation code", {202: out.Accepted}, body=bodies.Username, cognito=True)
def resend_code(body: bodies.Username) -> ResponseReturnValue:
    return account.resend_code(body)


@bp.post("/auth/forgot-password")
@per_client("rate_limit_confirm")
@endpoint("Email a password reset code", {202: out.Accepted}, body=bodies.Username, cognito=True)
def forgot_password(body: bodies.Username) -> ResponseReturnValue:
    return account.forgot_password(body)


@bp.post("/auth/reset-password")
@per_client("rate_limit_confirm")
@endpoint("Reset the password with the code", {200: out.PasswordReset}, body=bodies.ResetPassword, **USER_DATA)
def reset_password(body: bodies.ResetPassword) -> ResponseReturnValue:
    return account.reset_password(body)


@bp.post("/auth/change-password")
@per_client("rate_limit_login")
@require_token({"access"})
@endpoint("Change the signed-in user's password", {200: out.PasswordChanged}, body=bodies.ChangePassword, **USER_DATA)
def change_password(body: bodies.ChangePassword) -> ResponseReturnValue:
    return account.change_password(body)


@bp.post("/auth/refresh")
@per_client("rate_limit_login")
@endpoint(
    "New tokens for a refresh token", {200: out.Tokens}, body=bodies.Refresh, errors=(401,), cognito=True, no_store=True
)
def refresh(body: bodies.Refresh) -> ResponseReturnValue:
    return account.refresh(body)


@bp.post("/auth/logout")
@require_token({"access"})
@endpoint("Sign out everywhere (and revoke a refresh token)", {204: None}, body=bodies.Logout, **USER_DATA)
def logout(body: bodies.Logout) -> ResponseReturnValue:
    return account.logout(body)


@bp.get("/auth/me")
@require_token({"access"}, scopes={"aws.cognito.signin.user.admin"})
@endpoint("The signed-in user's username and attributes", {200: out.Me}, cognito=True, no_store=True)
def me() -> ResponseReturnValue:
    return account.me()


@bp.post("/auth/mfa/totp/setup")
@require_token({"access"})
@endpoint("Start TOTP set-up: the secret and otpauth:// URI", {200: out.TotpSecret}, cognito=True, no_store=True)
def totp_setup() -> ResponseReturnValue:
    return account.totp_setup()


@bp.post("/auth/mfa/totp/verify")
@per_client("rate_limit_confirm")
@require_token({"access"})
@endpoint("Finish TOTP set-up with a code", {200: out.TotpEnabled}, body=bodies.TotpVerify, **USER_DATA)
def totp_verify(body: bodies.TotpVerify) -> ResponseReturnValue:
    return account.totp_verify(body)
