"""DELETE /auth/me: the signed-in user deletes their own account (issue 28), after a recent sign-in only."""

from __future__ import annotations

from flask import Response, make_response

from extensions import services
from middleware.authentication import current_claims, current_session, current_token, forget_session
from middleware.session_cookie import clear_cookie
from services.flows.admin_calls import delete_user, require_recent_sign_in

MAX_TOKEN_LIFETIME = 86400.0  # Cognito's longest access and ID token validity (1 day): tokens refused until then


def delete_me() -> Response:
    """Delete the signed-in user at Cognito (DeleteUser), then refuse every token and session of theirs at once, on
    every worker and instance; the request's session cookie is cleared. 204."""
    claims = current_claims()
    require_recent_sign_in(claims)  # 401 reauthentication_required: a stolen old session cannot delete the account
    app_services = services()
    delete_user(app_services.auth, current_token())
    sub = claims["sub"]
    app_services.revocations.revoke_user(sub, MAX_TOKEN_LIFETIME + app_services.settings.token_leeway)
    names = {sub, claims.get("username"), claims.get("cognito:username")}
    app_services.revocations.end_sessions(
        {name for name in names if isinstance(name, str)}, app_services.settings.session_lifetime
    )
    session = current_session()
    response = make_response("", 204)
    if session is not None:
        forget_session()
        clear_cookie(response)
    return response
