"""The admin API (`/auth/admin/...`, ADMIN_GROUP): find and read users, disable, enable, sign out, reset a
password, group membership. Only for members of ADMIN_GROUP; every action writes one audit line (logger
`audit`: who, what, whom, result) and counts one metric; disable and sign-out end the user's sessions and tokens
here at once, on every worker and instance (the revocation store)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal

from flask import Response, jsonify

import errors
from extensions import services
from middleware.authentication import current_claims, current_token
from services.common import metrics
from services.flows.admin_calls import AdminCalls, checked_filter, checked_next

audit = logging.getLogger("audit")
MAX_TOKEN_LIFETIME = 86400.0  # Cognito's longest access and ID token validity (1 day): tokens refused until then
LIMIT_DEFAULT, LIMIT_MAX = 60, 60  # ListUsers' Limit
# The actions' names: the audit line's and the metric's `action` label (a bounded set).
AdminAction = Literal[
    "list_users", "get_user", "disable", "enable", "sign_out", "reset_password", "add_to_group", "remove_from_group"
]


def _who(claims: Mapping[str, Any]) -> str:
    name = claims.get("cognito:username") or claims.get("username") or "?"
    return f"{name} ({claims.get('sub', '?')})"


@contextmanager
def _audited(action: AdminAction, target: str) -> Iterator[None]:
    """The action's one audit line and metric, its result `ok` or the error's code; the admin check first."""
    claims = current_claims()
    result = "error"
    try:
        # The group is the primary pool's (whose users these calls change): another pool's (COGNITO_ADDITIONAL_POOLS)
        # group of the same name is someone else's to grant. current_token() refuses that token (403).
        current_token()
        group = services().settings.admin_group
        if not group or group not in claims.get("cognito:groups", ()):
            raise errors.Forbidden("This route is for members of the admin group only.")
        yield
        result = "ok"
    except errors.ApiError as err:
        result = err.error
        raise
    finally:
        audit.info("admin %s by %s on %s: %s", action, _who(claims), target or "-", result)
        metrics.admin_action(action, result)


def _admin() -> AdminCalls:
    return AdminCalls(services().auth)


def _end_everything_of(calls: AdminCalls, username: str) -> Callable[[], None]:
    """The user's names (AdminGetUser: 404 for an unknown user, before anything is changed), and what ends their
    sessions and tokens here once Cognito has acted."""
    name, sub = calls.names_of(username)
    app_services = services()

    def end() -> None:
        if sub:  # access and ID tokens are held against the sub; sessions against every name
            app_services.revocations.revoke_user(sub, MAX_TOKEN_LIFETIME + app_services.settings.token_leeway)
        app_services.revocations.end_sessions({name, sub or name}, app_services.settings.session_lifetime)

    return end


def users(query: Mapping[str, str]) -> Response:
    """GET /auth/admin/users: a page of users (`filter` in ListUsers' syntax, `limit` 1-60, `next`)."""
    with _audited("list_users", "-"):
        unknown = set(query) - {"filter", "limit", "next"}
        if unknown:
            raise errors.InvalidRequest(f"Unknown query parameter(s): {', '.join(sorted(unknown))}.")
        filter_text = checked_filter(query["filter"]) if query.get("filter") else None
        limit_text = query.get("limit", str(LIMIT_DEFAULT))
        if not limit_text.isascii() or not limit_text.isdigit() or not 1 <= int(limit_text) <= LIMIT_MAX:
            raise errors.InvalidRequest(f"`limit` must be a whole number from 1 to {LIMIT_MAX}.")
        next_token = checked_next(query["next"]) if "next" in query else None
        return jsonify(_admin().list_users(filter_text, int(limit_text), next_token))


def user(username: str) -> Response:
    """GET /auth/admin/users/{username}: the user, their attributes and groups."""
    with _audited("get_user", username):
        return jsonify(_admin().user(username))


def disable(username: str) -> Response:
    """Disable the user at Cognito, and end their sessions and tokens here at once."""
    with _audited("disable", username):
        calls = _admin()
        end = _end_everything_of(calls, username)
        calls.disable(username)
        end()
        return jsonify(username=username, enabled=False)


def enable(username: str) -> Response:
    """Enable the user again (their ended sessions stay ended: they sign in anew)."""
    with _audited("enable", username):
        _admin().enable(username)
        return jsonify(username=username, enabled=True)


def sign_out(username: str) -> Response:
    """AdminUserGlobalSignOut, and the user's sessions and tokens ended here at once."""
    with _audited("sign_out", username):
        calls = _admin()
        end = _end_everything_of(calls, username)
        calls.sign_out(username)
        end()
        return jsonify(username=username, signed_out=True)


def reset_password(username: str) -> Response:
    """AdminResetUserPassword: Cognito sends the user a code; their sessions end as at a reset."""
    with _audited("reset_password", username):
        calls = _admin()
        end = _end_everything_of(calls, username)
        calls.reset_password(username)
        end()
        return jsonify(username=username, password_reset=True)


def add_to_group(username: str, group: str) -> Response:
    """Put the user in `group` (their tokens carry it from their next sign-in or refresh)."""
    with _audited("add_to_group", f"{username} group {group}"):
        _admin().add_to_group(username, group)
        return jsonify(username=username, group=group, member=True)


def remove_from_group(username: str, group: str) -> Response:
    """Take the user out of `group`."""
    with _audited("remove_from_group", f"{username} group {group}"):
        _admin().remove_from_group(username, group)
        return jsonify(username=username, group=group, member=False)
