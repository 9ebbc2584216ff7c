"""GET /.well-known/jwks.json: the public keys of `/auth/check`'s assertions, for the apps that verify them."""

from __future__ import annotations

from flask import Response
from werkzeug.exceptions import NotFound

from extensions import assertion_signer

# The same to everyone, and changed only by a restart with another key: an app may keep it for minutes (a
# rotation publishes the next key beside the current one for longer than this before it signs with it).
_CACHE = "public, max-age=300"


def jwks() -> Response:
    """The current key and any previous ones, as a JWK Set; 404 when no ASSERTION_KEY_FILE is set."""
    signer = assertion_signer()
    if signer is None:
        raise NotFound("No assertion signing key is configured (ASSERTION_KEY_FILE).")
    response = Response(signer.jwks_json, status=200, mimetype="application/json")
    response.headers["Cache-Control"] = _CACHE
    return response
