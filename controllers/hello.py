"""The protected greeting."""

from __future__ import annotations

from flask import Response, jsonify

from middleware.authentication import current_claims, current_pool
from services.common.names import display_name
from services.tokens.verifier import username_of


def hello() -> Response:
    """Greet the signed-in user by the most human name their token carries (`username` stays the username)."""
    claims = current_claims()
    username = username_of(claims)
    body = {"message": f"Hello, {display_name(claims, username)}!", "username": username, "pool": current_pool()}
    if isinstance(claims.get("email"), str):
        body["email"] = claims["email"]
    return jsonify(body)
