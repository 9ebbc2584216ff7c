"""Reading a request body, strictly: JSON, or a form as the Express tutorial's clients post it.

Either way the result is a dict the route's declared model then checks, with the same rules and the same
answers; every way the body itself can be wrong is a clear 4xx.
"""

from __future__ import annotations

import sys
from typing import Any
from urllib.parse import parse_qsl

from flask import request

import errors
from services.common import strictjson

MALFORMED_CHUNKS = "The request body's chunked encoding is malformed."
FORM = "application/x-www-form-urlencoded"


def request_fields() -> dict[str, Any]:
    """The request's body as a dict of fields; an empty body reads as `{}`."""
    raw = _raw_body()
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A chunked body is cut at the limit, not refused: refuse it here, and close the connection
        # rather than read the rest of what the client is still sending.
        raise errors.RequestEntityTooLarge()
    if not raw:
        return {}
    if request.is_json:
        return _json_object(raw)
    if request.mimetype == FORM:
        return _form(raw)
    raise errors.UnsupportedMediaType()


def _raw_body() -> bytes:
    """The body's bytes; 400 when its chunked framing is malformed, whichever server read it."""
    try:
        return request.get_data(cache=True)  # with a Content-Length over MAX_CONTENT_LENGTH this raises 413
    except Exception as err:
        if not _bad_framing(err):
            raise
        raise errors.InvalidRequest(MALFORMED_CHUNKS) from None


def _bad_framing(err: Exception) -> bool:
    # Gunicorn's body reader raises its ParseException family (InvalidChunkSize, ChunkMissingTerminator,
    # InvalidChunkExtension, ...) where Werkzeug's own server raises OSError, which Werkzeug turns into a 400.
    # Looked up, not imported: gunicorn is not installed everywhere (Lambda), and unloaded it raised nothing.
    gunicorn_errors = sys.modules.get("gunicorn.http.errors")
    return gunicorn_errors is not None and isinstance(err, gunicorn_errors.ParseException)


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = strictjson.loads(raw)
    except (ValueError, RecursionError):
        raise errors.InvalidJson() from None
    if not isinstance(body, dict):
        raise errors.InvalidRequest("The request body must be a JSON object.")
    return body


def _form(raw: bytes) -> dict[str, str]:
    """`a=1&b=2`, UTF-8, each field once: anything else would be read differently by different servers."""
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True, errors="strict")
    except ValueError:  # UnicodeDecodeError included
        raise errors.InvalidForm() from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise errors.InvalidForm(f"The form gives '{name[:40]}' more than once.")
        fields[name] = value
    return fields
