"""The admin API's answers (views/admin.py): users as Cognito holds them, in the API's words."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.answers import Answer


class AdminUserSummary(Answer):
    username: str
    sub: str | None
    enabled: bool
    status: str | None = Field(description="Cognito's UserStatus: CONFIRMED, UNCONFIRMED, RESET_REQUIRED, ...")
    attributes: dict[str, str]
    created: str | None = Field(description="ISO 8601")
    modified: str | None = Field(description="ISO 8601")


class AdminUsers(Answer):
    users: list[AdminUserSummary]
    next: str | None = Field(description="send as `next` for the following page; null on the last")


class AdminUser(AdminUserSummary):
    groups: list[str]


class AdminEnabled(Answer):
    username: str
    enabled: bool


class AdminSignedOut(Answer):
    username: str
    signed_out: Literal[True]


class AdminPasswordReset(Answer):
    username: str
    password_reset: Literal[True]


class AdminMembership(Answer):
    username: str
    group: str
    member: bool
