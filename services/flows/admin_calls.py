"""The admin API's Cognito calls (issue 28): find users, read one, disable, enable, sign out, reset a password,
and group membership, with the server's IAM credentials; and DeleteUser, the signed-in user's own deletion.

Each call is made over the app's one boto3 client (the `AuthService`'s: its bulkhead and time budget), by
composition, so no new client or fork hook is made per request. Cognito's refusals become the API's errors: an
unknown user 404 `user_not_found`, an unknown group 404 `group_not_found`, a filter or token Cognito refuses 400.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import errors
from services.cognito.client import CognitoCalls
from services.cognito.error_map import BEARER_CALL, translated

# What Cognito's ListUsers filters on, and its two filter types: `name = "value"` (exact) and `name ^= "value"`
# (prefix). Anything else is refused here with a clear reason, before Cognito's "Error while parsing filter".
FILTER_ATTRIBUTES = (
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
)
_FILTER = re.compile(r'^\s*([a-z_:]+)\s*(=|\^=)\s*"([^"\\\x00-\x1f\x7f]*)"\s*$')
FILTER_MAX = 256  # Cognito's own limit on Filter
_NEXT = re.compile(r"^\S{1,4096}$")
# An admin call on a user Cognito refuses (NotAuthorized: a disabled user, say) is the admin's input, not a sign-in.
ADMIN_CALL = {"ResourceNotFoundException": errors.GroupNotFound, "NotAuthorizedException": errors.InvalidParameter}
# ListUsers' PaginationToken that is not one it gave (moto names it InvalidToken; Cognito, InvalidParameter).
LISTING = {**ADMIN_CALL, "InvalidToken": errors.InvalidParameter}
REAUTH_SECONDS = 300  # DELETE /auth/me: a sign-in within the last 5 minutes
clock = time.time  # the deletion window's clock (tests move it)


def checked_filter(text: str) -> str:
    """`text` if it is a ListUsers filter Cognito can parse (`attribute = "value"` or `^=`), else InvalidRequest."""
    if len(text) > FILTER_MAX:
        raise errors.InvalidRequest(f"The filter is longer than {FILTER_MAX} characters.")
    found = _FILTER.match(text)
    if found is None:
        raise errors.InvalidRequest('The filter must read `attribute = "value"` or `attribute ^= "value"`.')
    if found.group(1) not in FILTER_ATTRIBUTES:
        raise errors.InvalidRequest(f"The filter may name only: {', '.join(FILTER_ATTRIBUTES)}.")
    return text


def checked_next(text: str) -> str:
    """A pagination token as a listing gave it (no spaces, at most 4 KiB), else InvalidRequest."""
    if not _NEXT.match(text):
        raise errors.InvalidRequest("`next` must be the token a previous listing answered.")
    return text


def require_recent_sign_in(claims: Mapping[str, Any]) -> None:
    """ReauthenticationRequired (401) unless the token's `auth_time` (the sign-in behind it, kept across
    refreshes) is within the last REAUTH_SECONDS."""
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, int | float) or isinstance(auth_time, bool) or clock() - auth_time > REAUTH_SECONDS:
        raise errors.ReauthenticationRequired()


def delete_user(calls: CognitoCalls, access_token: str) -> None:
    """DeleteUser: the signed-in user deletes their own account (by their access token)."""
    with translated("DeleteUser", BEARER_CALL):
        calls.client.delete_user(AccessToken=access_token)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def user_record(user: Mapping[str, Any], attributes_key: str = "Attributes") -> dict[str, Any]:
    """A user of ListUsers or AdminGetUser in the API's words."""
    attributes = {item["Name"]: item.get("Value", "") for item in user.get(attributes_key, [])}
    return {
        "username": user["Username"],
        "sub": attributes.get("sub"),
        "enabled": bool(user.get("Enabled", True)),
        "status": user.get("UserStatus"),
        "attributes": attributes,
        "created": _iso(user.get("UserCreateDate")),
        "modified": _iso(user.get("UserLastModifiedDate")),
    }


class AdminCalls:
    """The admin operations over the app's Cognito calls (`calls`: its client and user pool id)."""

    def __init__(self, calls: CognitoCalls) -> None:
        self.calls = calls

    def _call(self, operation: str, username: str, overrides: Mapping[str, type[errors.ApiError]] = ADMIN_CALL) -> Any:
        method = getattr(self.calls.client, re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower())
        with translated(operation, overrides):
            return method(UserPoolId=self.calls.user_pool_id, Username=username)

    def list_users(self, filter_text: str | None, limit: int, next_token: str | None) -> dict[str, Any]:
        """ListUsers: a page of users (`limit`, 1 to 60) matching `filter_text`, and the token of the next page."""
        request: dict[str, Any] = {"UserPoolId": self.calls.user_pool_id, "Limit": limit}
        if filter_text:
            request["Filter"] = filter_text
        if next_token:
            request["PaginationToken"] = next_token
        with translated("ListUsers", LISTING):
            answer = self.calls.client.list_users(**request)
        users = [user_record(user) for user in answer.get("Users", [])]
        return {"users": users, "next": answer.get("PaginationToken") or None}

    def user(self, username: str) -> dict[str, Any]:
        """AdminGetUser and AdminListGroupsForUser: the user, their attributes and groups (UserNotFound: 404)."""
        record = user_record(self._call("AdminGetUser", username), "UserAttributes")
        groups: list[str] = []
        request: dict[str, Any] = {"UserPoolId": self.calls.user_pool_id, "Username": record["username"], "Limit": 60}
        while True:
            with translated("AdminListGroupsForUser", ADMIN_CALL):
                answer = self.calls.client.admin_list_groups_for_user(**request)
            groups += [group["GroupName"] for group in answer.get("Groups", [])]
            if not answer.get("NextToken"):
                return {**record, "groups": groups}
            request["NextToken"] = answer["NextToken"]

    def names_of(self, username: str) -> tuple[str, str | None]:
        """The user's username and sub (AdminGetUser; UserNotFound when there is no such user)."""
        record = user_record(self._call("AdminGetUser", username), "UserAttributes")
        return record["username"], record["sub"]

    def disable(self, username: str) -> None:
        """AdminDisableUser."""
        self._call("AdminDisableUser", username)

    def enable(self, username: str) -> None:
        """AdminEnableUser."""
        self._call("AdminEnableUser", username)

    def sign_out(self, username: str) -> None:
        """AdminUserGlobalSignOut: every refresh token of the user revoked at Cognito."""
        self._call("AdminUserGlobalSignOut", username)

    def reset_password(self, username: str) -> None:
        """AdminResetUserPassword: the user must set a new password with a code Cognito sends them."""
        self._call("AdminResetUserPassword", username)

    def add_to_group(self, username: str, group: str) -> None:
        """AdminAddUserToGroup (GroupNotFound for an unknown group)."""
        with translated("AdminAddUserToGroup", ADMIN_CALL):
            self.calls.client.admin_add_user_to_group(
                UserPoolId=self.calls.user_pool_id, Username=username, GroupName=group
            )

    def remove_from_group(self, username: str, group: str) -> None:
        """AdminRemoveUserFromGroup (GroupNotFound for an unknown group)."""
        with translated("AdminRemoveUserFromGroup", ADMIN_CALL):
            self.calls.client.admin_remove_user_from_group(
                UserPoolId=self.calls.user_pool_id, Username=username, GroupName=group
            )
