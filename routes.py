"""The API's routes: each hands off to a controller."""

from __future__ import annotations

from flask import Blueprint, jsonify

import openapi
from controllers import auth
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


@bp.post("/auth/validate")
@per_client("rate_limit_validate")
def validate():
    return auth.validate()


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
