"""DELETE /auth/me: the signed-in user deletes their own account (a sign-in within the last 5 minutes)."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from controllers import deletion
from middleware.authentication import require_token
from middleware.endpoint import endpoint
from views import USER_DATA, bp


@bp.delete("/auth/me")
@require_token({"access"}, scopes={"aws.cognito.signin.user.admin"})
@endpoint("Delete the signed-in user's account (a sign-in within the last 5 minutes)", {204: None}, **USER_DATA)
def delete_me() -> ResponseReturnValue:
    return deletion.delete_me()
