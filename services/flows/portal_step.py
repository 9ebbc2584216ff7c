"""A step of a sign-in in the portal (/auth/sign-in): what Cognito asked next, kept server-side between forms.

Cognito's `Session` for the challenge never reaches the browser: the step is stored under a random id
(services/state/pending_sign_ins.py, taken once), and the form carries that id with its own CSRF token, whose
digest the step keeps, so a step answers only the form it was rendered into.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class PortalStep:
    """One challenge of a portal sign-in: who, which challenge and Cognito's session for it, and where to go."""

    username: str
    challenge: str
    session: str
    rd: str | None
    csrf_digest: str  # sha256 of the CSRF token of the form this step was rendered into
    parameters: dict[str, Any] = field(default_factory=dict)  # what the page shows (where a code went, ...)
    available: list[str] = field(default_factory=list)  # SELECT_CHALLENGE's factors, SELECT_MFA_TYPE's types
    # Asked right after a password the user gave (or SELECT_MFA_TYPE): an EMAIL_OTP here is a second factor.
    after_password: bool = False

    def dump(self) -> str:
        """The stored form (JSON)."""
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def load(cls, data: str | bytes) -> PortalStep | None:
        """A stored step, or None when what is stored is not one."""
        try:
            return cls(**json.loads(data))
        except (ValueError, TypeError):
            return None

    def answered_by(self, csrf_token: str) -> bool:
        """Whether `csrf_token` is the one of the form this step was rendered into."""
        return hashlib.sha256(csrf_token.encode()).hexdigest() == self.csrf_digest


def csrf_digest(csrf_token: str) -> str:
    """What a step keeps of its form's CSRF token."""
    return hashlib.sha256(csrf_token.encode()).hexdigest()
