"""The /auth endpoints: register, confirm, login, validate and the public configuration."""

from __future__ import annotations

from flask import jsonify

import errors
from controllers.body import NO_STORE, USERNAME_ALIAS, fields, json_body, optional_field
from extensions import services
from middleware.auth import bearer_token, verify
from services.cognito import CHALLENGE_ANSWER
from services.tokens import username_of


def register():
    """Sign a new user up; they confirm with the code Cognito sends."""
    body = json_body()
    username, email, password = fields(body, "username", "email", "password", aliases=USERNAME_ALIAS)
    return jsonify(services().auth.register(username, email, password)), 201


def confirm():
    """Confirm a sign-up with the emailed code."""
    username, code = fields(json_body(), "username", "code", aliases=USERNAME_ALIAS)
    services().auth.confirm(username, code)
    return jsonify(username=username, confirmed=True)


def login():
    """Sign in with username and password; answers tokens (never cached) or a challenge."""
    username, password = fields(json_body(), "username", "password", aliases=USERNAME_ALIAS)
    return jsonify(services().auth.login(username, password)), 200, NO_STORE


def challenge():
    """Answer the challenge a sign-in returned: a new password, or an MFA code."""
    body = json_body()
    (username,) = fields(body, "username", aliases=USERNAME_ALIAS)
    name, session = fields(body, "challenge", "session", max_chars=4096)
    auth = services().auth
    if name == "MFA_SETUP":  # two steps: get a TOTP secret for the session, then answer with a code
        code = optional_field(body, "code")
        if code is None:
            result = auth.mfa_setup_challenge(username, session, services().settings.totp_issuer)
        else:
            result = auth.answer_mfa_setup(username, session, code)
    elif name in CHALLENGE_ANSWER:
        (answer,) = fields(body, "new_password" if name == "NEW_PASSWORD_REQUIRED" else "code")
        result = auth.answer_challenge(username, name, session, answer)
    else:
        names = ", ".join([*CHALLENGE_ANSWER, "MFA_SETUP"])
        raise errors.InvalidRequest(f"Invalid request: 'challenge' must be one of {names}.")
    return jsonify(result), 200, NO_STORE


def validate():
    """Check a token from the body's `token` field or the Authorization header."""
    body = json_body()
    token = body["token"] if "token" in body else bearer_token()
    if token is not None and not isinstance(token, str):
        raise errors.InvalidRequest("Invalid request: 'token' must be a string.")
    try:
        claims = verify(token)
    except errors.InvalidToken as err:
        raise errors.InvalidToken(err.message, extra={"valid": False}) from err
    return jsonify(
        valid=True,
        token_use=claims["token_use"],
        username=username_of(claims),
        sub=claims["sub"],
        expires_at=claims["exp"],
        claims=dict(claims),
    )


def public_config():
    """What a front end needs to talk to the pool; never a secret."""
    settings = services().settings
    return jsonify(
        region=settings.region,
        user_pool_id=settings.user_pool_id,
        client_id=settings.client_id,
        issuer=settings.issuer,
        jwks_url=settings.jwks_url,
    )
