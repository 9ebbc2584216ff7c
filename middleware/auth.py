"""`require_token`: protects a route with a Cognito bearer token and exposes its claims."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from flask import g, request

import errors
from extensions import services
from services.tokens import is_machine

F = TypeVar("F", bound=Callable[..., Any])


def require_token(
    token_uses: Collection[str] | None = None,
    *,
    groups: Collection[str] = (),
    all_groups: bool = False,
    scopes: Collection[str] = (),
    machine: bool = False,
) -> Callable[[F], F]:
    """Let the route run only for a valid token of an accepted type (default: the configured ones).

    `groups`: the token's `cognito:groups` must include any of them (all of them with `all_groups`);
    a token without the claim has no groups. `scopes`: the access token's space-separated `scope` must
    include every one, exactly. `machine`: machine-to-machine access tokens (client-credentials grant,
    no user) are let in as well as users'; without it they get 403. A valid token failing these gets 403,
    not 401.
    """
    required_groups, required_scopes = frozenset(groups), frozenset(scopes)

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = bearer_token()
            claims = verified_claims(token, token_uses)
            if not machine and is_machine(claims):  # the route's rule, so cached tokens meet it too
                raise errors.Forbidden(
                    "This route needs a user's token; a machine (client credentials) token is not enough."
                )
            if required_groups:
                held = required_groups & set(claims.get("cognito:groups", ()))
                if not held or (all_groups and held != required_groups):
                    raise errors.Forbidden()
            if required_scopes and not required_scopes <= set(claims.get("scope", "").split()):
                wanted = " ".join(sorted(required_scopes))
                challenge = f'Bearer error="insufficient_scope", scope="{wanted}"'
                raise errors.InsufficientScope(headers={"WWW-Authenticate": challenge})
            g.token, g.token_claims = token, claims
            return view(*args, **kwargs)

        wrapper.token_uses = token_uses or "configured"  # type: ignore[attr-defined]  # for the OpenAPI document
        return wrapper  # type: ignore[return-value]

    return decorator


def current_token() -> str:
    """The verified bearer token itself (only inside a protected route), for calls Cognito authorizes."""
    token: str = g.token
    return token


def current_claims() -> Mapping[str, Any]:
    """The verified claims of the request's token, read-only (only inside a protected route)."""
    claims: Mapping[str, Any] = g.token_claims
    return claims


def verified_claims(token: str | None, token_uses: Collection[str] | None = None) -> Mapping[str, Any]:
    """Verify a token with the app's verifier: its claims, or InvalidToken (401), or ServiceUnavailable (503).

    A token whose user signed out, or whose refresh token was revoked, is refused as well: a dict lookup."""
    app_services = services()
    claims = app_services.verifier.verify(token, token_uses or app_services.settings.accepted_token_uses)
    if app_services.revocations.revoked(claims):
        raise errors.RevokedToken()
    return claims


def bearer_token() -> str | None:
    """The token of `Authorization: Bearer <token>`, or of a bare token as the tutorial's client sends it."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return None
    scheme, _, rest = header.partition(" ")
    if not rest:
        return header if "." in header else None  # a bare JWT has no space and at least one dot
    if scheme.lower() != "bearer" or " " in rest.strip():
        raise errors.InvalidToken("The Authorization header must be 'Bearer <token>'.")
    return rest.strip()
