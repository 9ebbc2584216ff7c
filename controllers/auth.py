"""The /auth endpoints: register, confirm, login, challenges, validate and the public configuration."""

from __future__ import annotations

from flask import jsonify

import errors
from apispec import request_body
from controllers.body import NO_STORE
from extensions import services
from middleware.auth import bearer_token, verify
from services.tokens import username_of


def register():
    """Sign a new user up; they confirm with the code Cognito sends."""
    body = request_body()
    registered = services().auth.register(body.username, body.email, body.password, body.attributes)
    return jsonify(registered), 201


def confirm():
    """Confirm a sign-up with the emailed code."""
    body = request_body()
    services().auth.confirm(body.username, body.code)
    return jsonify(username=body.username, confirmed=True)


def login():
    """Sign in with username and password; answers tokens (never cached) or a challenge."""
    body = request_body()
    return jsonify(services().auth.login(body.username, body.password)), 200, NO_STORE


def challenge():
    """Answer the challenge a sign-in returned: a new password, or an MFA code."""
    body, auth = request_body(), services().auth
    if body.challenge == "MFA_SETUP":  # two steps: get a TOTP secret for the session, then answer with a code
        if body.code is None:
            result = auth.mfa_setup_challenge(body.username, body.session, services().settings.totp_issuer)
        else:
            result = auth.answer_mfa_setup(body.username, body.session, body.code)
    else:
        answer = body.new_password if body.challenge == "NEW_PASSWORD_REQUIRED" else body.code
        result = auth.answer_challenge(body.username, body.challenge, body.session, answer)
    return jsonify(result), 200, NO_STORE


def validate():
    """Check a token from the body's `token` field or the Authorization header; machine tokens are valid too."""
    body = request_body()
    token = body.token if "token" in body.model_fields_set else bearer_token()
    try:
        claims = verify(token)
    except errors.InvalidToken as err:
        raise errors.InvalidToken(err.message, extra={"valid": False}) from err
    kind = claims["token_use"]
    answer = {
        "valid": True,
        "token_use": kind,
        "username": username_of(claims),  # null for a machine's (client credentials) access token
        "sub": claims["sub"],
        "expires_at": claims["exp"],
        "claims": dict(claims),
    }
    if kind == "access":  # which client it was issued to, and what it may do
        answer.update(client_id=claims["client_id"], scope=claims.get("scope"))
    return jsonify(answer)


def public_config():
    """What a front end needs to talk to the pool; never a secret."""
    settings = services().settings
    return jsonify(
        region=settings.region,
        user_pool_id=settings.user_pool_id,
        client_id=settings.client_id,
        issuer=settings.issuer,
        jwks_url=settings.jwks_url,
        # A front end in local development talks to the same emulator.
        **({"endpoint_url": settings.endpoint_url} if settings.endpoint_url else {}),
    )
