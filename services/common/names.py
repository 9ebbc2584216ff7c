"""The name to show a person by."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

_Username = TypeVar("_Username", bound=str | None)  # a machine's access token has none


def display_name(values: Mapping[str, Any], username: _Username) -> str | _Username:
    """The best human name among a token's claims or a user's attributes: `preferred_username`, then
    `email`, then the username (in email-as-username pools a uuid, so the last resort)."""
    for name in ("preferred_username", "email"):
        value = values.get(name)
        if isinstance(value, str) and value:
            return value
    return username
