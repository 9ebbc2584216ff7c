"""A check for the fuzz run (loaded through SCHEMATHESIS_HOOKS): the document and the server agree on what
is well-formed, so a request generated from the document is never refused as malformed."""

from __future__ import annotations

import schemathesis

MALFORMED = ("invalid_request", "invalid_json", "unsupported_media_type")


@schemathesis.check
def schema_valid_request_accepted(ctx, response, case):
    """A schema-valid request answered 400 `invalid_request` (or 415) means the document allows too much."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code not in (400, 415):
        return None
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and answer.get("error") in MALFORMED:
        raise AssertionError(f"schema-valid request rejected: {answer.get('error')}: {answer.get('message')}")
    return None
