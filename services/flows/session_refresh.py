"""What the session store asks Cognito about a browser session, given to it when it is built (extensions.py):
the refresh of its tokens, and the check of its user every SESSION_RECHECK_SECONDS. Both are services over
`AuthService`, so the store never calls back into the request's layer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import errors
from services.flows.sign_in_answers import unverified_claims
from services.state.session_record import Session

USER_ADMIN_SCOPE = "aws.cognito.signin.user.admin"


class _Refreshes(Protocol):
    def refresh(
        self, refresh_token: str, username: str | None = None, device_key: str | None = None
    ) -> dict[str, Any]: ...


class _Reads(Protocol):
    def me(self, access_token: str) -> Any: ...


def refresher(auth: _Refreshes) -> Callable[[Session], Mapping[str, Any]]:
    """Cognito's refresh of a session's tokens (NotAuthorized when it has no refresh token)."""

    def refresh(session: Session) -> Mapping[str, Any]:
        if not session.refresh_token:
            raise errors.NotAuthorized("The session cannot be refreshed; sign in again.")
        return auth.refresh(session.refresh_token, session.username, session.device_key)

    return refresh


def user_check(auth: _Reads) -> Callable[[Session], None]:
    """The check of a session's user at Cognito (SESSION_RECHECK_SECONDS): GetUser with its access token,
    which refuses (InvalidToken) a disabled, deleted or signed-out user. `auth` is taken here: a check made in
    the background has no app context."""

    def check(session: Session) -> None:
        scopes = unverified_claims(session.access_token).get("scope")
        if not isinstance(scopes, str) or USER_ADMIN_SCOPE not in scopes.split():
            # GetUser needs this scope (managed login's tokens lack it unless OAUTH_SCOPES names it): its
            # refusal would say nothing of the user. Such a session ends when its refresh is refused.
            return
        auth.me(session.access_token)

    return check
