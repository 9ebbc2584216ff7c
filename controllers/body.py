"""Reading a JSON request body and its fields, with a clear 4xx for every way it can be wrong."""

from __future__ import annotations

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
        elif not value.strip() or len(value) > 256 or any(ord(char) < 32 for char in value):
            problems.append(f"'{name}' must be 1 to 256 printable characters")
        values.append(value)
    if problems:
        raise errors.InvalidRequest("Invalid request: " + "; ".join(problems) + ".")
    return values
