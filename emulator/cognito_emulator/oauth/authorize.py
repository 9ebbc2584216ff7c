"""The checks of `/oauth2/authorize` in Cognito's order, and the answers it sends back to the app.

A request whose client or redirect_uri cannot be trusted is answered on the emulator's own error page
(Cognito's `/error`); any other mistake goes back to the redirect_uri with `error=` and the state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Response, redirect

from cognito_emulator.oauth.clients import AppClient, find_client
from cognito_emulator.oauth.records import AuthorizeRequest

COGNITO = "COGNITO"
# RFC 7636: 43 to 128 characters of the unreserved set (an S256 challenge is exactly 43).
_CHALLENGE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


class PageError(Exception):
    """An authorize request that cannot go back to the app: shown on the error page."""


class RedirectError(Exception):
    """An authorize request refused back at the app's redirect_uri with `error=`."""

    def __init__(self, redirect_uri: str, error: str, description: str, state: str | None) -> None:
        super().__init__(description)
        self.redirect_uri, self.error, self.description, self.state = redirect_uri, error, description, state

    def response(self) -> Response:
        """The redirect carrying the error."""
        return redirect_to(self.redirect_uri, error=self.error, error_description=self.description, state=self.state)


def redirect_to(url: str, **params: str | None) -> Response:
    """A 302 to `url` with `params` (None ones left out) added to any query it already has."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in params.items() if v is not None]
    response = redirect(urlunsplit(parts._replace(query=urlencode(query))), 302)
    response.headers["Cache-Control"] = "no-store"
    return response


def _one(args: Mapping[str, Any], name: str) -> str | None:
    value = args.get(name)
    return value if isinstance(value, str) and value else None


def check(backend: Any, args: Mapping[str, Any]) -> tuple[AppClient, AuthorizeRequest, str | None]:
    """The client, the request and the identity provider asked for; raises PageError or RedirectError."""
    app = find_client(backend, _one(args, "client_id"))
    if app is None:
        raise PageError("invalid_request: the client_id is missing or not an app client of this pool.")
    redirect_uri = _one(args, "redirect_uri")
    if redirect_uri is None or redirect_uri not in app.setting("CallbackURLs"):
        raise PageError("redirect_mismatch: the redirect_uri is not one of the app client's callback URLs.")
    state = _one(args, "state")

    def refuse(error: str, description: str) -> RedirectError:
        return RedirectError(redirect_uri, error, description, state)

    if _one(args, "response_type") != "code":
        raise refuse("unsupported_response_type", "response_type must be code")
    if not app.allows_flow("code"):
        raise refuse("unauthorized_client", "the app client is not allowed the authorization code grant")
    requested = (_one(args, "scope") or "").split()
    scopes = requested or app.setting("AllowedOAuthScopes")  # no scope: every scope the client is allowed
    if not app.scopes_allowed(scopes):
        raise refuse("invalid_scope", "a scope asked for is not allowed to the app client")
    challenge, method = _one(args, "code_challenge"), _one(args, "code_challenge_method")
    if (challenge or method) and (method != "S256" or challenge is None or not _CHALLENGE.match(challenge)):
        raise refuse("invalid_request", "code_challenge must come with code_challenge_method S256")
    provider = None
    name, identifier = _one(args, "identity_provider"), _one(args, "idp_identifier")
    if name or identifier:
        provider = app.identity_provider(name, identifier)
        if provider is None:
            raise refuse("invalid_request", "the identity provider is not enabled for the app client")
    request = AuthorizeRequest(
        pool_id=app.pool.id,
        client_id=app.id,
        redirect_uri=redirect_uri,
        scopes=tuple(scopes),
        state=state,
        nonce=_one(args, "nonce"),
        code_challenge=challenge,
        login_hint=_one(args, "login_hint"),
    )
    return app, request, provider
