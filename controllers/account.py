"""The account lifecycle after sign-up: codes, passwords, refresh, sign-out and the user's own record."""

from __future__ import annotations

from flask import jsonify

from controllers.body import NO_STORE, USERNAME_ALIAS, fields, json_body, optional_field
from extensions import services
from middleware.auth import current_claims, current_token


def resend_code():
    """Send a new sign-up confirmation code; the answer is the same for unknown users."""
    (username,) = fields(json_body(), "username", aliases=USERNAME_ALIAS)
    services().auth.resend_code(username)
    return jsonify(message="If the account exists and is unconfirmed, a new code is on its way."), 202


def forgot_password():
    """Start a password reset; the answer is the same for unknown users."""
    (username,) = fields(json_body(), "username", aliases=USERNAME_ALIAS)
    services().auth.forgot_password(username)
    return jsonify(message="If the account exists, a reset code is on its way."), 202


def reset_password():
    """Set a new password with the emailed reset code."""
    username, code, new_password = fields(json_body(), "username", "code", "new_password", aliases=USERNAME_ALIAS)
    services().auth.reset_password(username, code, new_password)
    return jsonify(username=username, password_reset=True)


def change_password():
    """Change the signed-in user's password."""
    old_password, new_password = fields(json_body(), "old_password", "new_password")
    services().auth.change_password(current_token(), old_password, new_password)
    return jsonify(password_changed=True)


def refresh():
    """New access and ID tokens for a refresh token (never cached)."""
    body = json_body()
    (refresh_token,) = fields(body, "refresh_token", max_chars=8192)
    username = optional_field(body, "username")
    return jsonify(services().auth.refresh(refresh_token, username)), 200, NO_STORE


def logout():
    """Sign the user out everywhere, and revoke the refresh token when one is given."""
    refresh_token = optional_field(json_body(), "refresh_token", max_chars=8192)
    services().auth.logout(current_token(), refresh_token)
    return "", 204


def me():
    """The signed-in user's username and attributes, from Cognito."""
    return jsonify(services().auth.me(current_token()))


def totp_setup():
    """Start TOTP set-up for the signed-in user: the secret and an otpauth:// URI for an authenticator app."""
    settings = services().settings
    result = services().auth.totp_setup(current_token(), current_claims()["username"], settings.totp_issuer)
    return jsonify(result), 200, NO_STORE


def totp_verify():
    """Finish TOTP set-up with a code from the app; TOTP becomes the user's preferred MFA."""
    (code,) = fields(json_body(), "code")
    services().auth.totp_verify(current_token(), code)
    return jsonify(mfa="SOFTWARE_TOKEN_MFA", enabled=True)
