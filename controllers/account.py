"""The account lifecycle after sign-up: codes, passwords, refresh, sign-out and the user's own record."""

from __future__ import annotations

import logging
import time

from flask import Response, jsonify

import errors
from extensions import services
from middleware.authentication import current_claims, current_session, current_session_id, current_token, forget_session
from middleware.ratelimit import guessing
from middleware.session_cookie import set_session_cookie
from schemas import bodies
from services.common.names import display_name

log = logging.getLogger(__name__)


def resend_code(body: bodies.Username) -> tuple[Response, int]:
    """Send a new sign-up confirmation code; the answer is the same for unknown users."""
    services().auth.resend_code(body.username)
    return jsonify(message="If the account exists and is unconfirmed, a new code is on its way."), 202


def forgot_password(body: bodies.Username) -> tuple[Response, int]:
    """Start a password reset; the answer is the same for unknown users."""
    services().auth.forgot_password(body.username)
    return jsonify(message="If the account exists, a reset code is on its way."), 202


def reset_password(body: bodies.ResetPassword) -> Response:
    """Set a new password with the emailed reset code; every session of the user ends."""
    with guessing(body.username):
        services().sign_ins.reset_password(body.username, body.code, body.new_password)
    return jsonify(username=body.username, password_reset=True)


def change_password(body: bodies.ChangePassword) -> Response:
    """Change the signed-in user's password; every other session of the user ends, and the one that made the
    change (if a session made it) goes on with tokens issued after the change."""
    app_services = services()
    claims = current_claims()
    with guessing(claims["sub"]):
        app_services.auth.change_password(current_token(), body.old_password, body.new_password)
    at = time.time()
    session_id, moved = current_session_id(), None
    try:
        if session_id:  # begun again at `at` under a new id, before the mark: never seen ended in between
            moved = app_services.sign_ins.renew_under_new_id(session_id, at)
    except errors.ApiError as err:  # the mark below ends it with the others: safe, and the password is changed
        log.warning("the session that changed the password ends too (%s)", err.error)
    finally:
        app_services.revocations.end_sessions({claims["sub"]}, app_services.settings.session_lifetime, at)
    if moved is None:
        return jsonify(password_changed=True)
    new_id, session = moved
    response = jsonify(password_changed=True, csrf_token=session.csrf_token)
    set_session_cookie(response, new_id)
    return response


def refresh(body: bodies.Refresh) -> Response:
    """New access and ID tokens for a refresh token (never cached)."""
    try:
        answer = services().auth.refresh(body.refresh_token, body.username, body.device_key)
    except errors.NotAuthorized as err:  # revoked, expired or not a refresh token: Cognito does not say which
        raise errors.RefreshTokenInvalid() from err
    return jsonify(services().sign_ins.signed_in(answer))


def logout(body: bodies.Logout) -> tuple[str, int]:
    """Sign the user out everywhere, and revoke the refresh token when one is given (a session's too)."""
    session = current_session()
    refresh_token = body.refresh_token or (session.refresh_token if session else None)
    services().sign_ins.sign_out(current_token(), current_claims(), refresh_token)
    if session is not None:
        forget_session()
    return "", 204


def me() -> Response:
    """The signed-in user's username and attributes, from Cognito."""
    return jsonify(services().auth.me(current_token()))


def totp_setup() -> Response:
    """Start TOTP set-up for the signed-in user: the secret and an otpauth:// URI for an authenticator app."""
    auth, token = services().auth, current_token()
    # The app lists the account by a name the user knows; in email-as-username pools the token's username
    # is a uuid, and access tokens carry no email, so the user's record has it.
    label = display_name(auth.me(token)["attributes"], current_claims()["username"])
    return jsonify(auth.totp_setup(token, label, services().settings.totp_issuer))


def totp_verify(body: bodies.TotpVerify) -> Response:
    """Finish TOTP set-up with a code from the app; TOTP becomes the user's preferred MFA."""
    with guessing(current_claims()["sub"]):
        services().auth.totp_verify(current_token(), body.code)
    return jsonify(mfa="SOFTWARE_TOKEN_MFA", enabled=True)
