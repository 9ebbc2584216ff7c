"""A sign-in flow the app client does not allow, answered in words that say what to change.

Cognito refuses such a flow with InvalidParameterException "<FLOW> flow not enabled for this client" (the
emulator answers the same, emulator/cognito_emulator/client_rules.py). The fix is the operator's (the app client's
ExplicitAuthFlows, or LOGIN_FLOW), so the answer names the flow and both settings. It stays a 400, as every
InvalidParameter is: the server's rule is no 5xx but the documented 503s, and a 503 would invite retries that
cannot help (docs/api.md, `flow_not_allowed`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import errors

log = logging.getLogger(__name__)

# Each flow the server starts: the ExplicitAuthFlows value that allows it, and the other way out.
_FIXES = {
    "USER_PASSWORD_AUTH": ("ALLOW_USER_PASSWORD_AUTH", "or set LOGIN_FLOW=USER_SRP_AUTH"),
    "ADMIN_USER_PASSWORD_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "or set LOGIN_FLOW=USER_SRP_AUTH"),
    "USER_SRP_AUTH": ("ALLOW_USER_SRP_AUTH", "or set LOGIN_FLOW=USER_PASSWORD_AUTH"),
    "USER_AUTH": ("ALLOW_USER_AUTH", "or sign in with a password alone"),
}


@contextmanager
def flow_refused(flow: str | None) -> Iterator[None]:
    """Turn Cognito's "<FLOW> flow not enabled for this client" into FlowNotAllowed, naming `flow` and the fix."""
    try:
        yield
    except errors.InvalidParameter as err:
        if flow is None or isinstance(err, errors.FlowNotAllowed) or "flow not enabled" not in err.message.lower():
            raise
        allow, otherwise = _FIXES.get(flow, (f"ALLOW_{flow}", "or choose another LOGIN_FLOW"))
        message = f"The app client does not allow {flow}: allow it on the client ({allow}) {otherwise}."
        log.error("Sign-in refused by Cognito's app client settings. %s", message)
        raise errors.FlowNotAllowed(message) from err.__cause__
