"""Signing in for tokens: register, confirm, login, challenges, validate, and the pool's public settings."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from controllers import api_sign_in
from middleware.endpoint import endpoint
from middleware.ratelimit import per_client
from schemas import answers as out
from schemas import bodies
from views import SIGN_IN, TOKENS, USER_DATA, bp


@bp.post("/auth/register")
@per_client("rate_limit_register")
@endpoint("Register a user (SignUp)", {201: out.Registered}, body=bodies.Register, errors=(409,), **USER_DATA)
def register(body: bodies.Register) -> ResponseReturnValue:
    return api_sign_in.register(body)


@bp.post("/auth/confirm")
@per_client("rate_limit_confirm")
@endpoint(
    "Confirm a sign-up with the emailed code (with register's session: signed in too)",
    {200: out.ConfirmedOrSignedIn},
    body=bodies.Confirm,
    errors=(401, 403),
    cognito=True,
    no_store=True,
)
def confirm(body: bodies.Confirm) -> ResponseReturnValue:
    return api_sign_in.confirm(body)


@bp.post("/auth/login")
@per_client("rate_limit_login")
@endpoint("Sign in: tokens, or a challenge", TOKENS, body=bodies.Login, **SIGN_IN)
def login(body: bodies.Login) -> ResponseReturnValue:
    return api_sign_in.login(body)


@bp.post("/auth/challenge")
@per_client("rate_limit_login")
@endpoint("Answer a sign-in challenge", TOKENS, body=bodies.Challenge, errors=(401,), cognito=True, no_store=True)
def challenge(body: bodies.ChallengeAnswer) -> ResponseReturnValue:
    return api_sign_in.challenge(body)


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
def validate(body: bodies.Validate) -> ResponseReturnValue:
    return api_sign_in.validate(body)


@bp.get("/auth/config")
@endpoint("The pool's public settings for a front end", {200: out.PublicConfig}, errors=(500,))
def config() -> ResponseReturnValue:
    return api_sign_in.public_config()
