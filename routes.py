"""The API's routes: each declares its body, answers and errors once, and hands off to a controller."""

from __future__ import annotations

from flask import Blueprint

from apispec import endpoint
from controllers import account, auth
from controllers import hello as greeting
from middleware.auth import require_token
from middleware.ratelimit import per_client
from schemas import answers as out
from schemas import bodies

bp = Blueprint("api", __name__)
TOKENS = {200: out.SignedIn}


@bp.post("/auth/register")
@per_client("rate_limit_register")
@endpoint("Register a user (SignUp)", {201: out.Registered}, body=bodies.Register, errors=(409,), cognito=True)
def register():
    return auth.register()


@bp.post("/auth/confirm")
@per_client("rate_limit_confirm")
@endpoint("Confirm a sign-up with the emailed code", {200: out.Confirmed}, body=bodies.Confirm, cognito=True)
def confirm():
    return auth.confirm()


@bp.post("/auth/login")
@per_client("rate_limit_login")
@endpoint("Sign in: tokens, or a challenge", TOKENS, body=bodies.Login, errors=(401, 403), cognito=True, no_store=True)
def login():
    return auth.login()


@bp.post("/auth/challenge")
@per_client("rate_limit_login")
@endpoint("Answer a sign-in challenge", TOKENS, body=bodies.Challenge, errors=(401,), cognito=True, no_store=True)
def challenge():
    return auth.challenge()


@bp.post("/auth/validate")
@per_client("rate_limit_validate")
@endpoint(
    "Validate a token from the body or the Authorization header",
    {200: out.Validated},
    body=bodies.Validate,
    errors=(401, 503),
    no_store=True,
    parameters=[{"name": "Authorization", "in": "header", "required": False, "schema": {"type": "string"}}],
)
def validate():
    return auth.validate()


@bp.post("/auth/resend-code")
@per_client("rate_limit_confirm")
@endpoint("Resend the sign-up confirmation code", {202: out.Accepted}, body=bodies.Username, cognito=True)
def resend_code():
    return account.resend_code()


@bp.post("/auth/forgot-password")
@per_client("rate_limit_confirm")
@endpoint("Email a password reset code", {202: out.Accepted}, body=bodies.Username, cognito=True)
def forgot_password():
    return account.forgot_password()


@bp.post("/auth/reset-password")
@per_client("rate_limit_confirm")
@endpoint("Reset the password with the code", {200: out.PasswordReset}, body=bodies.ResetPassword, cognito=True)
def reset_password():
    return account.reset_password()


@bp.post("/auth/change-password")
@per_client("rate_limit_login")
@require_token({"access"})
@endpoint("Change the signed-in user's password", {200: out.PasswordChanged}, body=bodies.ChangePassword, cognito=True)
def change_password():
    return account.change_password()


@bp.post("/auth/refresh")
@per_client("rate_limit_login")
@endpoint(
    "New tokens for a refresh token", {200: out.Tokens}, body=bodies.Refresh, errors=(401,), cognito=True, no_store=True
)
def refresh():
    return account.refresh()


@bp.post("/auth/logout")
@require_token({"access"})
@endpoint("Sign out everywhere (and revoke a refresh token)", {204: None}, body=bodies.Logout, cognito=True)
def logout():
    return account.logout()


@bp.get("/auth/me")
@require_token({"access"}, scopes={"aws.cognito.signin.user.admin"})
@endpoint("The signed-in user's username and attributes", {200: out.Me}, cognito=True, no_store=True)
def me():
    return account.me()


@bp.post("/auth/mfa/totp/setup")
@require_token({"access"})
@endpoint("Start TOTP set-up: the secret and otpauth:// URI", {200: out.TotpSecret}, cognito=True, no_store=True)
def totp_setup():
    return account.totp_setup()


@bp.post("/auth/mfa/totp/verify")
@per_client("rate_limit_confirm")
@require_token({"access"})
@endpoint("Finish TOTP set-up with a code", {200: out.TotpEnabled}, body=bodies.TotpVerify, cognito=True)
def totp_verify():
    return account.totp_verify()


@bp.get("/auth/config")
@endpoint("The pool's public settings for a front end", {200: out.PublicConfig}, errors=(500,))
def config():
    return auth.public_config()


@bp.get("/hello")
@require_token()
@endpoint("Greet the user of a valid bearer token", {200: out.Greeting}, no_store=True)
def hello():
    return greeting.hello()


@bp.get("/health")
@endpoint("Liveness: the process is up", {200: out.Health})
def health():
    return greeting.health()


@bp.get("/ready")
@endpoint("Readiness: the signing keys can be had (503 says what cannot)", {200: out.Ready}, errors=(503,))
def ready():
    return greeting.ready()
