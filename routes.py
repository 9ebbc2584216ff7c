"""The API's routes: each hands off to a controller."""

from __future__ import annotations

from flask import Blueprint, jsonify

import openapi
from controllers import account, auth
from controllers import hello as greeting
from middleware.auth import require_token
from middleware.ratelimit import failed_logins_per_username, per_client

bp = Blueprint("api", __name__)


@bp.post("/auth/register")
@per_client("rate_limit_register")
def register():
    return auth.register()


@bp.post("/auth/confirm")
@per_client("rate_limit_confirm")
def confirm():
    return auth.confirm()


@bp.post("/auth/login")
@per_client("rate_limit_login")
@failed_logins_per_username()
def login():
    return auth.login()


@bp.post("/auth/challenge")
@per_client("rate_limit_login")
def challenge():
    return auth.challenge()


@bp.post("/auth/validate")
@per_client("rate_limit_validate")
def validate():
    return auth.validate()


@bp.post("/auth/resend-code")
@per_client("rate_limit_confirm")
def resend_code():
    return account.resend_code()


@bp.post("/auth/forgot-password")
@per_client("rate_limit_confirm")
def forgot_password():
    return account.forgot_password()


@bp.post("/auth/reset-password")
@per_client("rate_limit_confirm")
def reset_password():
    return account.reset_password()


@bp.post("/auth/change-password")
@per_client("rate_limit_login")
@require_token({"access"})
def change_password():
    return account.change_password()


@bp.post("/auth/refresh")
@per_client("rate_limit_login")
def refresh():
    return account.refresh()


@bp.post("/auth/logout")
@require_token({"access"})
def logout():
    return account.logout()


@bp.get("/auth/me")
@require_token({"access"}, scopes={"aws.cognito.signin.user.admin"})
def me():
    return account.me()


@bp.post("/auth/mfa/totp/setup")
@require_token({"access"})
def totp_setup():
    return account.totp_setup()


@bp.post("/auth/mfa/totp/verify")
@per_client("rate_limit_confirm")
@require_token({"access"})
def totp_verify():
    return account.totp_verify()


@bp.get("/auth/config")
def config():
    return auth.public_config()


@bp.get("/hello")
@require_token()
def hello():
    return greeting.hello()


@bp.get("/health")
def health():
    return greeting.health()


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())
