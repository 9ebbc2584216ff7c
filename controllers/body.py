"""Reading a request body as JSON, strictly, with a clear 4xx for every way it can be wrong."""

from __future__ import annotations

from typing import Any

from flask import request

import errors
import strictjson

# Headers of every response that carries a token or a secret.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def json_body() -> Any:
    """The request's JSON value; an empty body reads as `{}`. The declared model then checks its shape."""
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH this raises 413
    if not raw:
        return {}
    if not request.is_json:
        raise errors.UnsupportedMediaType()
    try:
        body = strictjson.loads(raw)
    except (ValueError, RecursionError):
        raise errors.InvalidJson() from None
    if not isinstance(body, dict):
        raise errors.InvalidRequest("The request body must be a JSON object.")
    return body
