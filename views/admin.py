"""The admin API under /auth/admin/ (issue 28), on its own blueprint `admin_bp`: app.py registers it only when
ADMIN_GROUP is set, so without it the routes do not exist (404) and the OpenAPI document does not show them.
Members of ADMIN_GROUP only (403 `forbidden` otherwise, checked by the controller, which audits each attempt)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from controllers import admin
from middleware.authentication import require_token
from middleware.endpoint import endpoint
from schemas import admin as out

admin_bp = Blueprint("admin", __name__)
# Every admin route calls Cognito, answers about a user, and refuses an unknown user (404) or bad input (400).
ADMIN: dict[str, Any] = {"cognito": True, "no_store": True, "errors": (400, 404)}
LIST_QUERY = [
    {"name": "filter", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 256}},
    {"name": "limit", "in": "query", "required": False, "schema": {"type": "string", "pattern": "^[0-9]{1,2}$"}},
    {"name": "next", "in": "query", "required": False, "schema": {"type": "string"}},
]


@admin_bp.get("/auth/admin/users")
@require_token()
@endpoint(
    "Admin: list users (`filter` in ListUsers' syntax, `limit` 1-60, `next`)",
    {200: out.AdminUsers},
    parameters=LIST_QUERY,
    **ADMIN,
)
def admin_list_users() -> ResponseReturnValue:
    return admin.users(request.args)


@admin_bp.get("/auth/admin/users/<username>")
@require_token()
@endpoint("Admin: one user, their attributes and groups", {200: out.AdminUser}, **ADMIN)
def admin_get_user(username: str) -> ResponseReturnValue:
    return admin.user(username)


@admin_bp.post("/auth/admin/users/<username>/disable")
@require_token()
@endpoint("Admin: disable a user; their sessions and tokens end here at once", {200: out.AdminEnabled}, **ADMIN)
def admin_disable_user(username: str) -> ResponseReturnValue:
    return admin.disable(username)


@admin_bp.post("/auth/admin/users/<username>/enable")
@require_token()
@endpoint("Admin: enable a user", {200: out.AdminEnabled}, **ADMIN)
def admin_enable_user(username: str) -> ResponseReturnValue:
    return admin.enable(username)


@admin_bp.post("/auth/admin/users/<username>/sign-out")
@require_token()
@endpoint(
    "Admin: sign a user out everywhere; their sessions and tokens end here at once", {200: out.AdminSignedOut}, **ADMIN
)
def admin_sign_out_user(username: str) -> ResponseReturnValue:
    return admin.sign_out(username)


@admin_bp.post("/auth/admin/users/<username>/reset-password")
@require_token()
@endpoint("Admin: reset a user's password (Cognito sends a code)", {200: out.AdminPasswordReset}, **ADMIN)
def admin_reset_password(username: str) -> ResponseReturnValue:
    return admin.reset_password(username)


@admin_bp.put("/auth/admin/users/<username>/groups/<group>")
@require_token()
@endpoint("Admin: put a user in a group", {200: out.AdminMembership}, **ADMIN)
def admin_add_to_group(username: str, group: str) -> ResponseReturnValue:
    return admin.add_to_group(username, group)


@admin_bp.delete("/auth/admin/users/<username>/groups/<group>")
@require_token()
@endpoint("Admin: take a user out of a group", {200: out.AdminMembership}, **ADMIN)
def admin_remove_from_group(username: str, group: str) -> ResponseReturnValue:
    return admin.remove_from_group(username, group)
