"""The Flask app of the emulator's OAuth endpoints, which gate.py puts in front of moto for their paths."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from cognito_emulator.oauth.browser import pages
from cognito_emulator.oauth.context import EXTENSION, Context
from cognito_emulator.oauth.endpoints import backchannel
from cognito_emulator.oauth.federation import Federation

PATHS = re.compile(
    r"^(/oauth2/(authorize|token|userInfo|revoke|idpresponse)|/login|/logout|/[^/]+/\.well-known/openid-configuration)$"
)


def serves(path: str) -> bool:
    """Whether `path` is one of the OAuth endpoints (the rest is moto's)."""
    return PATHS.match(path) is not None


def create_app(backend: Callable[[], Any]) -> Flask:
    """The endpoints, over moto's Cognito state as `backend()` returns it."""
    app = Flask("cognito_oauth_emulator")
    app.extensions[EXTENSION] = Context(backend=backend, federation=Federation())
    app.register_blueprint(pages)
    app.register_blueprint(backchannel)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Response:
        """A wrong method or an unknown path answers JSON, as the rest of the emulator does."""
        response = jsonify(__type=type(err).__name__, message=err.description)
        response.status_code = err.code or 400
        return response

    return app
