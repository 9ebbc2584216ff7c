"""The /auth endpoints: register, confirm, login, challenges, validate and the public configuration."""

from __future__ import annotations

from flask import Response, jsonify, request

import errors
from extensions import services
from middleware.authentication import bearer_token, verified_claims
from middleware.ratelimit import guessing, learn_names
from middleware.remembered_device import sent_device, signing_in, with_new_device
from middleware.signed_in import answered_challenge
from schemas import bodies
from services.tokens.verifier import username_of


def register(body: bodies.Register) -> tuple[Response, int]:
    """Sign a new user up; they confirm with the code Cognito sends."""
    registered = services().auth.register(body.username, body.email, body.password, body.attributes)
    learn_names({body.username}, registered["user_sub"])  # a guess at this name counts against this user
    return jsonify(registered), 201


def confirm(body: bodies.Confirm) -> Response:
    """Confirm a sign-up with the emailed code; with register's `session` (a passwordless sign-up), the
    confirmation signs the user in: the tokens, or the next challenge."""
    with guessing(body.username):
        session = services().auth.confirm(body.username, body.code, body.session)
    if body.session is None or session is None:
        return jsonify(username=body.username, confirmed=True)
    answer = services().auth.start_user_auth(body.username, session=session)
    return jsonify({**services().sign_ins.signed_in(answer, proven_name=body.username), "confirmed": True})


def login(body: bodies.Login) -> Response:
    """Sign in: with a password, tokens (never cached) or a challenge; without one (or with `preferred`),
    choice-based sign-in: the factors to choose from, or the challenge of the preferred one. With `device` (a
    remembered one), signed in by it; tokens for a new device carry it, confirmed, as `device`."""
    sign_ins = services().sign_ins
    with guessing(body.username), signing_in(sent_device(body.device)) as device:
        answer = sign_ins.first_factor(body.username, body.password, body.preferred)
    proven = body.username if body.password is not None else None
    return jsonify(with_new_device(sign_ins.signed_in(answer, proven_name=proven), device))


def challenge(body: bodies.ChallengeAnswer) -> Response:
    """Answer the challenge a sign-in returned: a new password, or an MFA code (with the sign-in's `device`)."""
    with signing_in(sent_device(getattr(body, "device", None))) as device:
        answer = answered_challenge(body)
    return jsonify(with_new_device(answer, device))


def validate(body: bodies.Validate) -> Response:
    """Check a token from the body's `token` field or the Authorization header; machine tokens are valid too."""
    token = body.token if "token" in body.model_fields_set else bearer_token()
    try:
        claims = verified_claims(token)
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


def public_config() -> Response:
    """What a front end needs to talk to the pool; never a secret."""
    app_services = services()
    settings = app_services.settings
    managed_login = app_services.managed_login
    return jsonify(
        region=settings.region,
        user_pool_id=settings.user_pool_id,
        client_id=settings.client_id,
        issuer=settings.issuer,
        jwks_url=settings.jwks_url,
        # A front end in local development talks to the same emulator.
        **({"endpoint_url": settings.endpoint_url} if settings.endpoint_url else {}),
        # Managed login, when COGNITO_DOMAIN is set: Amplify's loginWith.oauth.
        **(
            {"oauth": managed_login.front_end_config(settings.oauth_identity_providers, request.host_url)}
            if managed_login
            else {}
        ),
    )
