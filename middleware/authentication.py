"""How a request is authenticated, decided in this one module: the bearer token, else the session cookie's
token (the session refreshed by its store), else with `alb=True` a load balancer's `x-amzn-oidc-data`;
`authenticate()` returns what it found and from where (`Authenticated`). `require_token` protects a route with
it and exposes the claims, token, pool and session; `Policy`: what the token must also meet (groups, scopes, a
user), here and at /auth/check."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from flask import g, request

import errors
from extensions import services
from middleware.session_cookie import COOKIE, cookie_name
from services.common import metrics
from services.state.session_record import Session
from services.tokens.alb import is_alb_user
from services.tokens.verifier import is_machine

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Policy:
    """What a valid token must also meet, else 403: a group, scopes, a user (not a machine)."""

    groups: frozenset[str] = frozenset()
    all_groups: bool = False
    scopes: frozenset[str] = frozenset()
    machine: bool = False
    token_use: str | None = None  # "id" or "access": another valid token is refused 403 (/auth/check)

    def check(self, claims: Mapping[str, Any]) -> None:
        """Raise Forbidden or InsufficientScope (403) unless `claims` meet the policy."""
        if self.token_use is not None and claims.get("token_use") != self.token_use:
            raise errors.Forbidden(f"This upstream needs an {self.token_use} token.")
        if not self.machine and is_machine(claims):  # the route's rule, so cached tokens meet it too
            raise errors.Forbidden(
                "This route needs a user's token; a machine (client credentials) token is not enough."
            )
        if self.groups:
            held = self.groups & set(claims.get("cognito:groups", ()))
            if not held or (self.all_groups and held != self.groups):
                raise errors.Forbidden()
        if self.scopes and not self.scopes <= set(claims.get("scope", "").split()):
            challenge = f'Bearer error="insufficient_scope", scope="{" ".join(sorted(self.scopes))}"'
            raise errors.InsufficientScope(headers={"WWW-Authenticate": challenge})


def require_token(
    token_uses: Collection[str] | None = None,
    *,
    groups: Collection[str] = (),
    all_groups: bool = False,
    scopes: Collection[str] = (),
    machine: bool = False,
    alb: bool = False,
) -> Callable[[F], F]:
    """Let the route run only for a valid token of an accepted type (default: the configured ones), from
    `Authorization` or the session cookie (`authenticate`).

    `groups`: the token's `cognito:groups` must include any of them (all of them with `all_groups`);
    a token without the claim has no groups. `scopes`: the access token's space-separated `scope` must
    include every one, exactly. `machine`: machine-to-machine access tokens (client-credentials grant,
    no user) are let in as well as users'; without it they get 403. `alb`: without a token, the user an
    Application Load Balancer signed in (`x-amzn-oidc-data`) is let in, when ALB_ARNS is set, whatever the
    configured token types: that user's claims are identity claims, as an ID token's, so `alb=True` with
    `token_uses` naming no "id" is a mistake refused here (ValueError). A valid token failing these gets
    403, not 401.
    """
    if alb and token_uses is not None and "id" not in token_uses:
        raise ValueError("alb=True admits a load balancer's user (identity claims): token_uses must include 'id'")
    policy = Policy(frozenset(groups), all_groups, frozenset(scopes), machine)

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            found = authenticate(token_uses, alb=alb)
            policy.check(found.claims)
            g.token, g.token_claims = found.token, found.claims
            return view(*args, **kwargs)

        wrapper.token_uses = token_uses or "configured"  # type: ignore[attr-defined]  # for the OpenAPI document
        return wrapper  # type: ignore[return-value]

    return decorator


@dataclass(frozen=True)
class Authenticated:
    """What authenticated a request: the token, its verified claims, where it came from, and the session when
    the cookie's."""

    token: str
    claims: Mapping[str, Any]
    source: Literal["bearer", "session", "alb"]
    session: Session | None = None


def authenticate(
    token_uses: Collection[str] | None = None, *, session_token: str | None = None, alb: bool = False
) -> Authenticated:
    """The request's token and its verified claims: the bearer token, else the session cookie's (its
    `session_token`, "id" or "access"; by default its access token, or its ID token where only ID tokens are
    accepted), else with `alb` the load balancer's `x-amzn-oidc-data`; InvalidToken (401) when there is none."""
    token = bearer_token()
    if token is not None:
        return Authenticated(token, verified_claims(token, token_uses), "bearer")
    session = session_of_request()
    if session is not None:
        accepted = token_uses or services().settings.accepted_token_uses
        kind = session_token or ("access" if "access" in accepted else "id")
        token = session.access_token if kind == "access" else session.id_token
        try:
            return Authenticated(token, verified_claims(token, token_uses), "session", session)
        except errors.RevokedToken:  # signed out elsewhere: the session is over too
            forget_session()
            raise
    alb_data = alb_token() if alb else None
    if alb_data is not None:
        # Not held against the revocation list: the load balancer keeps that session (its own cookie).
        with metrics.token_check(lambda: False):  # never cached: each check is a signature's
            return Authenticated(alb_data, services().alb.verify(alb_data), "alb")  # type: ignore[union-attr]
    # None found: the verifier refuses None (401), counted as every other refusal.
    return Authenticated("", verified_claims(None, token_uses), "bearer")


def session_of_request() -> Session | None:
    """The request's session, its access token fresh (the store refreshes it once however many requests ask),
    or None."""
    session_id = request.cookies.get(cookie_name(COOKIE))
    if not session_id or len(session_id) > 128:
        return None
    session = services().sessions.fresh(session_id)
    if session is not None:
        g.session, g.session_id = session, session_id
    return session


def current_session() -> Session | None:
    """The session that authenticated this request (None for a bearer token)."""
    session: Session | None = g.get("session")
    return session


def current_session_id() -> str | None:
    """The cookie's id of the session that authenticated this request (None for a bearer token)."""
    session_id: str | None = g.get("session_id") if current_session() is not None else None
    return session_id


def forget_session() -> None:
    """Delete the request's session from the store (its cookie is cleared by the answer)."""
    session_id = g.get("session_id")
    if session_id:
        services().sessions.delete(session_id)
    g.session = None


def current_token() -> str:
    """The verified bearer token itself (only inside a protected route), for calls Cognito authorizes. The
    server's Cognito client is the primary pool's: another pool's token, or a load balancer's, gets 403."""
    verifier = services().verifier
    if is_alb_user(g.token_claims) or verifier.pool_of(g.token_claims) is not verifier.primary:
        raise errors.OtherPool()
    token: str = g.token
    return token


def current_claims() -> Mapping[str, Any]:
    """The verified claims of the request's token, read-only (only inside a protected route)."""
    claims: Mapping[str, Any] = g.token_claims
    return claims


def current_pool() -> str:
    """The id of the user pool that issued the request's token (only inside a protected route)."""
    return services().verifier.pool_of(g.token_claims).pool_id


def verified_claims(token: str | None, token_uses: Collection[str] | None = None) -> Mapping[str, Any]:
    """Verify a token with the app's verifier: its claims, or InvalidToken (401), or ServiceUnavailable (503).

    A token whose user signed out, or whose refresh token was revoked, is refused as well: a dict lookup."""
    app_services = services()
    verifier = app_services.verifier
    with metrics.token_check(lambda: type(token) is str and verifier.cache.get(token) is not None):
        claims = verifier.verify(token, token_uses or app_services.settings.accepted_token_uses)
        if app_services.revocations.revoked(claims):
            raise errors.RevokedToken()
    return claims


def alb_token() -> str | None:
    """`x-amzn-oidc-data`, when this server believes a load balancer's (ALB_ARNS is set); else None, always."""
    if services().alb is None:
        return None
    return request.headers.get("X-Amzn-Oidc-Data") or None


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
