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


# The tutorial's clients call the username `name`.
USERNAME_ALIAS = {"username": "name"}
# Headers of every response that carries a token or a secret.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

# Field rules, shared with the OpenAPI document (which anchors them with ^...$).
MAX_FIELD_CHARS = 256
TEXT_PATTERN = r"[^\x00-\x1f]*[^\x00-\x1f\s][^\x00-\x1f]*"  # no control characters, not blank
EMAIL_PATTERN = r"[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+"
_TEXT = re.compile(TEXT_PATTERN)
_EMAIL = re.compile(EMAIL_PATTERN)


def fields(
    body: dict[str, Any], *names: str, aliases: dict[str, str] | None = None, max_chars: int = MAX_FIELD_CHARS
) -> list[str]:
    """The named string fields of `body`, all required; `aliases` maps a field to an accepted synonym."""
    aliases = aliases or {}
    values, problems = [], []
    for name in names:
        alias = aliases.get(name)
        if alias in body and name in body:  # both spellings: the synonym must be well-formed too
            problem = _problem(alias, body[alias], max_chars)
            if problem:
                problems.append(f"'{alias}' {problem}")
        value = body.get(name, body.get(alias or "", None))
        problem = "is required" if value is None else _problem(name, value, max_chars)
        if problem:
            problems.append(f"'{name}' {problem}")
        values.append(value)
    if problems:
        raise errors.InvalidRequest("Invalid request: " + "; ".join(problems) + ".")
    return values


def optional_field(body: dict[str, Any], name: str, *, max_chars: int = MAX_FIELD_CHARS) -> str | None:
    """A string field that may be absent (but not null)."""
    if name not in body:
        return None
    value = body[name]
    problem = _problem(name, value, max_chars)
    if problem:
        raise errors.InvalidRequest(f"Invalid request: '{name}' {problem}.")
    return value


def _problem(name: str, value: Any, max_chars: int) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > max_chars or not _TEXT.fullmatch(value):
        return f"must be 1 to {max_chars} printable characters"
    if name == "email" and not _EMAIL.fullmatch(value):
        return "must be an email address"
    return None
