"""Managed login: the code flow with PKCE at the pool's domain, and Cognito's logout."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from controllers import oauth
from middleware.endpoint import endpoint
from schemas import bodies
from views import SESSION, bp

# Managed login (COGNITO_DOMAIN; else 404 managed_login_off): the code flow with PKCE, and Cognito's logout.
OAUTH_QUERY = [
    {"name": "rd", "in": "query", "required": False, "schema": {"type": "string"}},
    *(
        {"name": name, "in": "query", "required": False, "schema": oauth.pass_through_schema(limit)}
        for name, limit in oauth.PASS_THROUGH.items()
    ),
]
CALLBACK_QUERY = [
    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
    for name in ("code", "state", "error", "error_description")
]


@bp.get("/auth/oauth/authorize")
@endpoint(
    "Managed login: to the pool's sign-in (back to `rd`)",
    {302: None},
    errors=(400, 404, 503),
    no_store=True,  # it sets the sign-in's binding cookie
    parameters=OAUTH_QUERY,
)
def oauth_authorize() -> ResponseReturnValue:
    return oauth.authorize(request.args)


@bp.get("/auth/oauth/callback")
@endpoint(
    "Managed login's redirect URI: a session cookie, then to `rd`",
    SESSION,
    errors=(400, 401, 404, 429, 503),
    no_store=True,
    parameters=CALLBACK_QUERY,
)
def oauth_callback() -> ResponseReturnValue:
    return oauth.callback(request.args)


@bp.get("/auth/oauth/logout")
@endpoint(
    "The sign-out confirmation (a form posting the session's CSRF token); no session: to Cognito's logout",
    {200: None, 303: None},
    errors=(404,),
    cognito=True,  # the session is read, and refreshed when due
    no_store=True,
)
def oauth_logout_page() -> ResponseReturnValue:
    return oauth.confirm_logout()


@bp.post("/auth/oauth/logout")
@endpoint(
    "Sign out of the session (its CSRF token), then Cognito's logout",
    {303: None},
    body=bodies.SessionCsrf,
    errors=(403, 404),
    cognito=True,
    no_store=True,
)
def oauth_logout(body: bodies.SessionCsrf) -> ResponseReturnValue:
    return oauth.logout(body)
