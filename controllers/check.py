"""GET /auth/check: the forward-auth decision a reverse proxy asks for (nginx auth_request, Caddy forward_auth,
Traefik ForwardAuth), with the user's identity in oauth2-proxy's header names for the upstream.

No Cognito call and no body read: the token (bearer, or the session cookie's, or with ALB_ARNS set the load
balancer's `x-amzn-oidc-data`) is verified locally, revocation list included, against a policy the proxy's
configuration sets in the query string and, with POLICY_FILE, the file's rules (middleware/route_policy.py).
The original request's path (nginx's `X-Original-URI`, Caddy's and Traefik's `X-Forwarded-Uri`) is refused
first when an app might read it otherwise than the proxy did (services/common/paths.py), so no path rule of the
proxy can be walked around.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import Response, request

import errors
from extensions import services
from middleware import route_policy
from middleware.assertion import identity_assertion
from middleware.authentication import Policy, authenticate
from services.common.paths import REFUSAL, is_ambiguous
from services.tokens.verifier import is_machine, username_of

_PARAMETERS = frozenset({"groups", "scopes", "token_use", "machine"})
# Where proxies put the original request's target: nginx's examples (auth_request), Caddy and Traefik.
_ORIGINAL_URI = ("X-Original-URI", "X-Forwarded-Uri")
# A group name's characters sent as they are: printable ASCII but the list's separator `,`, the escape `%`
# and the space (an app that strips around each name would read ` admin` as `admin`).
_GROUP_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in ",%")


def check(query: Mapping[str, str]) -> Response:
    """200 with the identity headers, 400 (an ambiguous path or policy), 401 (no valid token), or 403."""
    _refuse_ambiguous_path()
    policy = _policy(query)
    # another type of token: 403 by the policy; with POLICY_FILE, its rules too (middleware/route_policy.py)
    found = route_policy.authorized(policy, lambda: authenticate(session_token=policy.token_use, alb=True))
    if found is None:  # anonymous access the policy file allows: no identity to pass on
        vary = "Authorization, Cookie, X-Amzn-Oidc-Data" if services().alb is not None else "Authorization, Cookie"
        return Response(status=200, mimetype="text/plain", headers={"Cache-Control": "no-store", "Vary": vary})
    claims = found.claims
    response = Response(status=200, mimetype="text/plain")
    headers = {"X-Auth-Request-Sub": claims["sub"]}
    if is_machine(claims):
        headers["X-Auth-Request-Client-Id"] = claims["client_id"]
    else:
        username = username_of(claims)
        if username:
            headers["X-Auth-Request-User"] = username
        session = found.session
        email = _verified_email(claims) or (session.email if session is not None and session.email_verified else None)
        if email:
            headers["X-Auth-Request-Email"] = email
    for name, value in headers.items():
        response.headers[name] = _header_value(value)
    groups = _groups_value(claims) if not is_machine(claims) else ""
    if groups:  # none: no header at all, as for every other empty value (one rule for every proxy)
        response.headers["X-Auth-Request-Groups"] = groups
    assertion = identity_assertion(found, headers.get("X-Auth-Request-Email"))  # None without ASSERTION_KEY_FILE
    if assertion is not None:  # the same identity, signed: the app can tell it from a header a client slipped in
        response.headers["X-Auth-Request-Assertion"] = assertion
    # An answer about this request's credentials: never from a cache, never for another's.
    vary = "Authorization, Cookie, X-Amzn-Oidc-Data" if services().alb is not None else "Authorization, Cookie"
    response.headers.update({"Cache-Control": "no-store", "Vary": vary})
    return response


def _refuse_ambiguous_path() -> None:
    """400 when the proxy's copy of the original target is a path an app might read otherwise."""
    for name in _ORIGINAL_URI:
        target = request.environ.get(route_policy.environ_key(name))
        if target is not None and is_ambiguous(target):
            raise errors.InvalidRequest(REFUSAL)


def _groups_value(claims: Mapping[str, Any]) -> str:
    """The groups, `,`-joined, each percent-encoded (UTF-8) where it holds `,`, `%`, a space, a control
    character or non-ASCII: split on `,`, then percent-decode each name, and no name can pass for two."""
    groups = claims.get("cognito:groups") or ()  # a tuple of strings (services/tokens/claims.py checked them)
    return ",".join(quote(group, safe=_GROUP_SAFE) for group in groups if group)


def _verified_email(claims: Mapping[str, Any]) -> str | None:
    """The token's email when Cognito verified it (an unverified one may be someone else's)."""
    email = claims.get("email")
    return email if isinstance(email, str) and claims.get("email_verified") in (True, "true") else None


def _policy(query: Mapping[str, str]) -> Policy:
    """The query string's policy; 400 for a parameter this endpoint does not know or cannot read."""
    unknown = set(query) - _PARAMETERS
    if unknown:
        raise errors.InvalidRequest(f"Unknown parameter: {sorted(unknown)[0][:40]!r}.")
    token_use = query.get("token_use")
    if token_use is not None and token_use not in ("id", "access"):
        raise errors.InvalidRequest("Invalid request: 'token_use' must be 'id' or 'access'.")
    machine = query.get("machine", "false")
    if machine not in ("true", "false"):
        raise errors.InvalidRequest("Invalid request: 'machine' must be 'true' or 'false'.")
    return Policy(
        groups=frozenset(_listed(query.get("groups"))),
        scopes=frozenset(_listed(query.get("scopes"))),
        machine=machine == "true",
        token_use=token_use,
    )


def _listed(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _header_value(value: str) -> str:
    """Printable ASCII without `%` as it is; anything else percent-encoded, `%` included, so that no two
    values send the same header (`éric` and a user named `%C3%A9ric`), and no newline or non-Latin-1 text
    reaches a header."""
    if value.isascii() and value.isprintable() and "%" not in value:
        return value
    return quote(value, safe=" !#$&'()*+,/:;=?@[]~")
