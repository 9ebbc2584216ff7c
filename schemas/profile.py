"""The signed-in user's profile and MFA choices: request bodies and answers (PATCH /auth/me, /auth/me/verify,
DELETE /auth/me/attributes/{name}, GET and PUT /auth/mfa)."""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import Field, field_validator

from schemas.answers import Answer, CodeDelivery
from schemas.fields import CUSTOM_ATTRIBUTE_PATTERN, EMAIL_PATTERN, Body, StandardAttribute, Text, text

# What a user may change of their own record: the standard attributes (email too) and `custom:` ones. `sub`, the
# `*_verified` flags and `cognito:*` are Cognito's; whether the app client may write a name is Cognito's to say.
ProfileAttribute = Literal[StandardAttribute, "email"]  # type: ignore[valid-type]
PROFILE_ATTRIBUTES = [*get_args(StandardAttribute), "email"]
CustomAttribute = Annotated[str, Field(pattern=CUSTOM_ATTRIBUTE_PATTERN)]
NAMES = {"anyOf": [{"enum": PROFILE_ATTRIBUTES}, {"pattern": CUSTOM_ATTRIBUTE_PATTERN}]}
Verifiable = Literal["email", "phone_number"]
Factor = Literal["TOTP", "SMS", "EMAIL"]


class UpdateAttributes(Body):
    attributes: Annotated[
        dict[ProfileAttribute | CustomAttribute, text(2048)],
        Field(
            min_length=1,
            max_length=25,
            description="standard or `custom:` attributes and their new values (`email`, `phone_number`: a code is "
            "sent to verify them)",
            json_schema_extra={"propertyNames": NAMES},
        ),
    ]

    @field_validator("attributes")
    @classmethod
    def _email_is_an_address(cls, attributes: dict[str, str]) -> dict[str, str]:
        if "email" in attributes and not re.fullmatch(EMAIL_PATTERN, attributes["email"]):
            raise ValueError("email must be an email address")
        return attributes


class VerifyAttribute(Body):
    attribute: Verifiable
    code: Text = Field(description="the code Cognito sent to the attribute's (new) value")


class ResendAttributeCode(Body):
    attribute: Verifiable


class MfaChoice(Body):
    enabled: Annotated[list[Factor], Field(max_length=3, description="the factors to turn on; the others turn off")]
    preferred: Factor | None = Field(default=None, description="one of `enabled`, asked first at sign-in")


class ProfileUpdated(Answer):
    attributes: dict[str, str] = Field(description="the user's attributes after the change (GetUser)")
    code_deliveries: list[CodeDelivery] = Field(description="where verification codes went (email, phone_number)")


class AttributeVerified(Answer):
    attribute: str
    verified: Literal[True]


class AttributeCodeSent(Answer):
    code_delivery: CodeDelivery


class MfaSettings(Answer):
    preferred: Factor | None
    enabled: list[Factor]
    available: list[Factor] = Field(description="the factors the pool offers (all three when the server may not ask)")
    required: bool | None = Field(
        description="the pool requires MFA (MfaConfiguration ON); null: the server may not ask"
    )
