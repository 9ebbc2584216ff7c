"""The /auth endpoints: register, confirm, login, challenges, validate and the public configuration."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify, request

import errors
from extensions import services
from middleware.auth import bearer_token, verified_claims
from middleware.ratelimit import guessing, learn_names
from schemas import bodies
from services.answers import unverified_claims
from services.tokens import username_of


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
    return jsonify({**signed_in(answer, proven_name=body.username), "confirmed": True})


def login(body: bodies.Login) -> Response:
    """Sign in: with a password, tokens (never cached) or a challenge; without one (or with `preferred`),
    choice-based sign-in: the factors to choose from, or the challenge of the preferred one."""
    with guessing(body.username):
        answer = first_factor(body.username, body.password, body.preferred)
    return jsonify(signed_in(answer, proven_name=body.username if body.password is not None else None))


def first_factor(username: str, password: str | None, preferred: str | None) -> dict[str, Any]:
    """The sign-in's first step: the password flow for a password alone, else USER_AUTH."""
    auth = services().auth
    if password is not None and preferred is None:
        return auth.login(username, password)
    return auth.start_user_auth(username, preferred, password)


def challenge(body: bodies.ChallengeAnswer) -> Response:
    """Answer the challenge a sign-in returned: a new password, or an MFA code."""
    return jsonify(answered_challenge(body))


def answered_challenge(body: bodies.ChallengeAnswer) -> dict[str, Any]:
    """Cognito's answer to a challenge's answer: the tokens, or the next challenge."""
    auth = services().auth
    if body.challenge == "MFA_SETUP" and body.code is None:  # two steps: first a TOTP secret for the session
        return auth.mfa_setup_challenge(body.username, body.session, services().settings.totp_issuer)
    with guessing(body.username):  # a code, a password or a passkey: each answer is a guess
        if body.challenge == "MFA_SETUP":
            result = auth.answer_mfa_setup(body.username, body.session, body.code)
        else:
            answer, more = _answer_of(body)
            result = auth.answer_challenge(body.username, body.challenge, body.session, answer, **more)
    return signed_in(result)


def _answer_of(body: bodies.ChallengeAnswer) -> tuple[str, dict[str, str]]:
    """The challenge's answer as Cognito takes it, and any further response (SELECT_CHALLENGE's PASSWORD)."""
    if isinstance(body, bodies.NewPasswordAnswer):
        return body.new_password, {}
    if isinstance(body, bodies.SelectChallengeAnswer):
        one_step = body.answer == "PASSWORD" and body.password is not None
        return body.answer, {"PASSWORD": body.password} if one_step else {}
    if isinstance(body, bodies.PasskeyAnswer):
        return json.dumps(body.credential.as_cognito(), separators=(",", ":")), {}
    if isinstance(body, bodies.PasswordAnswer):
        return body.password, {}
    return body.code, {}


def signed_in(answer: dict[str, Any], proven_name: str | None = None) -> dict[str, Any]:
    """After Cognito answered tokens: the names the tokens carry (and `proven_name`, the one a password was
    just accepted for) count as the user's for the guess limit, and the new tokens are admitted past any
    earlier sign-out of the user (within the same second)."""
    if "access_token" not in answer:  # a challenge comes next
        return answer
    app_services = services()
    id_claims, access_claims = unverified_claims(answer["id_token"]), unverified_claims(answer["access_token"])
    for claims in (id_claims, access_claims):
        app_services.revocations.admit(claims)
    names = {proven_name, id_claims.get("cognito:username")}
    if id_claims.get("email_verified") in (True, "true"):  # an unverified email may be someone else's
        names.add(id_claims.get("email"))
    if isinstance(id_claims.get("sub"), str):
        learn_names({n for n in names if isinstance(n, str)} | {id_claims["sub"]}, id_claims["sub"])
    return answer


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
