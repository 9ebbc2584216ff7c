"""What every OAuth endpoint of one emulator shares: moto's backend, the records, a secret, the federation."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import current_app

from cognito_emulator.oauth.records import Records

if TYPE_CHECKING:
    from cognito_emulator.oauth.federation import Federation

EXTENSION = "cognito_oauth"


@dataclass
class Context:
    """One emulator's OAuth state."""

    backend: Callable[[], Any]
    federation: Federation
    records: Records = field(default_factory=Records)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))  # binds CSRF tokens to their cookie


def context() -> Context:
    """The running emulator's context (inside a request)."""
    found: Context = current_app.extensions[EXTENSION]
    return found
