"""The policy file (POLICY_FILE) at /auth/check: loaded and checked when the app is built (a mistake stops the
server with the file's name and line), then applied to the original request the proxy asks about.

The original request: nginx's `X-Original-Method` and `X-Original-URI`, Caddy's and Traefik's
`X-Forwarded-Method` and `X-Forwarded-Uri`; its host `X-Forwarded-Host`, else `Host`. Missing or two different
values are a 400: with a policy file nothing is guessed. The path is checked unambiguous first
(controllers/check.py), then percent-decoded once (unambiguous by then) and matched.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable

from flask import Flask, current_app, request

import errors
from config import ConfigError
from middleware.authentication import Authenticated, Policy
from services.policy.evaluate import decide
from services.policy.identity import identity_of
from services.policy.model import Decision, PolicyFile, Target
from services.policy.parse import PolicyError, load_policy
from services.policy.step_up import portal_prefix
from services.policy.target import AmbiguousTarget, canonical_target

log = logging.getLogger(__name__)
_KEY = "policy_file"
SIGN_IN_HEADER = "X-Auth-Request-Sign-In"  # a step-up 401's portal address, up to `rd=` (the proxy adds the URL)


def install(app: Flask, path: str | None) -> None:
    """Read and check POLICY_FILE for `app`; ConfigError (each mistake with its line) stops the start."""
    try:
        app.extensions[_KEY] = load_policy(path) if path else None
    except PolicyError as err:
        raise ConfigError(f"POLICY_FILE: {err}") from None


def policy_file() -> PolicyFile | None:
    """The app's policy file, None without POLICY_FILE."""
    policy: PolicyFile | None = current_app.extensions.get(_KEY)
    return policy


def authorized(query: Policy, authenticate: Callable[[], Authenticated]) -> Authenticated | None:
    """The request's authentication when the query-string policy and the policy file let it through; None for
    anonymous access the file allows. 401 (the portal, or a fresh sign-in), 403 or 400 otherwise."""
    policy = policy_file()
    if policy is None:  # the query string's policy alone, as before any policy file
        plain = authenticate()
        query.check(plain.claims)
        return plain
    target = original_target()
    refusal: errors.ApiError | None = None
    found: Authenticated | None = None
    try:
        found = authenticate()
    except errors.InvalidToken as err:  # no valid token: what the rule says of an anonymous request decides
        refusal = err
    identity = identity_of(found.claims, found.session) if found is not None else None
    decision = decide(policy, target, identity, time.time())
    if log.isEnabledFor(logging.DEBUG):  # its arguments cost a /auth/check's microseconds even when not written
        log.debug("policy %s %s%s: %s by %s (%s)", target.method, target.host, target.path[:200], decision.outcome,
                  decision.source(), decision.reason)  # fmt: skip
    if decision.outcome == "allow":
        if found is None:
            if query.groups or query.scopes:
                raise refusal or errors.InvalidToken()  # the proxy's own policy needs a user
            return None
        try:
            query.check(found.claims)  # the proxy's own policy, on top
        except errors.ApiError:
            if (decision.rule.allow if decision.rule is not None else policy.default) != "anonymous":
                raise
            return None  # open to anyone: a token the proxy's policy refuses is only not passed on
        return found
    if decision.outcome == "sign_in":
        raise refusal or errors.InvalidToken()
    if decision.outcome == "step_up":
        raise step_up(decision)
    raise errors.Forbidden(f"This request is not allowed for this user ({decision.source()}).")


def step_up(decision: Decision) -> errors.ApiError:
    """The 401 asking for a sign-in no older than the rule allows (RFC 9470's challenge), with the portal's
    address for a browser."""
    max_age = decision.max_age
    challenge = (
        f'Bearer error="insufficient_user_authentication", '
        f'error_description="A more recent sign-in is needed", max_age="{max_age}"'
    )
    return errors.InvalidToken(
        "A more recent sign-in is needed: sign in again.",
        headers={"WWW-Authenticate": challenge, SIGN_IN_HEADER: portal_prefix(max_age)},
    )


def original_target() -> Target:
    """The request the proxy asks about; 400 when its method or URI is missing, twice and different, or not
    UTF-8 once decoded."""
    method = _one("X-Original-Method", "X-Forwarded-Method")
    uri = _one("X-Original-URI", "X-Forwarded-Uri")
    host = request.environ.get("HTTP_X_FORWARDED_HOST") or request.host
    try:
        return canonical_target(method, host, uri)
    except AmbiguousTarget as err:
        raise errors.InvalidRequest(str(err)) from None


@functools.cache
def environ_key(header: str) -> str:
    """The WSGI environ's key of a request header (`X-Original-URI` -> `HTTP_X_ORIGINAL_URI`)."""
    return "HTTP_" + header.upper().replace("-", "_")


def _one(*names: str) -> str:
    environ = request.environ  # the headers as WSGI keeps them: Werkzeug's Headers view costs more per read
    values = {value for name in names if (value := environ.get(environ_key(name))) is not None}
    if len(values) != 1:
        state = "missing" if not values else "given twice with different values"
        raise errors.InvalidRequest(f"With a policy file, {' or '.join(names)} is needed: it is {state}.")
    return str(values.pop())
