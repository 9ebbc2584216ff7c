"""A signed-in user's passkeys: register one (start, then finish with the browser's credential), list, delete.

Every call is authorized by the user's access token (a bearer token, or the session cookie's); Cognito keeps
the passkeys and checks the WebAuthn ceremony (services/flows/passkey_calls.py).
"""

from __future__ import annotations

from flask import Response, jsonify

from extensions import services
from middleware.authentication import current_token
from schemas.webauthn import PasskeyFinish


def register_start() -> Response:
    """The creation options for navigator.credentials.create (binary fields base64url, as Cognito gives them)."""
    return jsonify(credential_creation_options=services().auth.start_registration(current_token()))


def register_finish(body: PasskeyFinish) -> tuple[Response, int]:
    """Register the credential navigator.credentials.create made; answers the user's passkeys."""
    auth, token = services().auth, current_token()
    auth.complete_registration(token, body.credential.as_cognito())
    return jsonify(passkeys=auth.passkeys(token)), 201


def passkeys() -> Response:
    """The signed-in user's passkeys."""
    return jsonify(passkeys=services().auth.passkeys(current_token()))


def delete(credential_id: str) -> tuple[str, int]:
    """Delete one of the signed-in user's passkeys: 204 (404 passkey_not_found when there is none such)."""
    services().auth.delete_passkey(current_token(), credential_id)
    return "", 204
