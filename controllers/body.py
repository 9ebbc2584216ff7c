"""Reading a JSON request body and its fields, with a clear 4xx for every way it can be wrong."""

from __future__ import annotations

import re
from typing import Any

from flask import request

import errors
import strictjson


def json_body() -> dict[str, Any]:
    """The request's JSON object; an empty body reads as `{}`."""
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


# Field rules, shared with the OpenAPI document (which anchors them with ^...$).
MAX_FIELD_CHARS = 256
TEXT_PATTERN = r"[^\x00-\x1f]*[^\x00-\x1f\s][^\x00-\x1f]*"  # no control characters, not blank
EMAIL_PATTERN = r"[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+"
_TEXT = re.compile(TEXT_PATTERN)
_EMAIL = re.compile(EMAIL_PATTERN)


def fields(body: dict[str, Any], *names: str, aliases: dict[str, str] | None = None) -> list[str]:
    """The named string fields of `body`, all required; `aliases` maps a field to an accepted synonym."""
    aliases = aliases or {}
    values, problems = [], []
    for name in names:
        value = body.get(name, body.get(aliases.get(name, ""), None))
        if value is None:
            problems.append(f"'{name}' is required")
        elif not isinstance(value, str):
            problems.append(f"'{name}' must be a string")
        elif len(value) > MAX_FIELD_CHARS or not _TEXT.fullmatch(value):
            problems.append(f"'{name}' must be 1 to {MAX_FIELD_CHARS} printable characters")
        elif name == "email" and not _EMAIL.fullmatch(value):
            problems.append("'email' must be an email address")
        values.append(value)
    if problems:
        raise errors.InvalidRequest("Invalid request: " + "; ".join(problems) + ".")
    return values
