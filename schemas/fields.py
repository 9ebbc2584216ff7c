"""The field types request bodies are made of, and the base model every body shares.

Bodies are pydantic models in strict mode: no coercion ("7" is not 7), unknown keys ignored. Their JSON
Schema (2020-12) goes into the OpenAPI document as it is, so a limit written here is the limit documented.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Cognito's own limits (botocore checks lengths before a call; a longer value would never reach Cognito).
MAX_FIELD_CHARS = 256  # passwords
MAX_USERNAME_CHARS = 128
MAX_TOKEN_CHARS = 8192
MIN_SESSION_CHARS, MAX_SESSION_CHARS = 20, 4096
# Patterns spelled without `\s`, whose meaning differs between JSON Schema's regexes (ECMA-262) and
# pydantic's: control characters (C0, DEL, C1) and the Unicode spaces are listed.
_CONTROL = r"\x00-\x1f\x7f-\x9f"
_SPACE = r"\x20\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
TEXT_PATTERN = rf"^[^{_CONTROL}]*[^{_CONTROL}{_SPACE}][^{_CONTROL}]*$"  # printable, not blank
EMAIL_PATTERN = rf"^[^@{_CONTROL}{_SPACE}]+@[^@{_CONTROL}{_SPACE}]+$"
TOTP_PATTERN = r"^[0-9]{6}$"
CUSTOM_ATTRIBUTE_PATTERN = r"^custom:[A-Za-z0-9_-]{1,20}$"


def text(max_chars: int = MAX_FIELD_CHARS) -> Any:
    """A string of 1 to `max_chars` printable characters."""
    return Annotated[str, Field(min_length=1, max_length=max_chars, pattern=TEXT_PATTERN)]


Text = text()
UsernameText = text(MAX_USERNAME_CHARS)
Email = Annotated[str, Field(min_length=3, max_length=MAX_USERNAME_CHARS, pattern=EMAIL_PATTERN)]
TotpCode = Annotated[str, Field(pattern=TOTP_PATTERN, description="the 6-digit code of an authenticator app")]
# Standard OIDC attributes a sign-up may set. `email` has its own field; `sub` and the `*_verified` flags
# are Cognito's to set.
StandardAttribute = Literal[
    "address", "birthdate", "family_name", "gender", "given_name", "locale", "middle_name", "name", "nickname",
    "phone_number", "picture", "preferred_username", "profile", "updated_at", "website", "zoneinfo",
]  # fmt: skip
CustomAttribute = Annotated[str, Field(pattern=CUSTOM_ATTRIBUTE_PATTERN)]
Attributes = Annotated[
    dict[StandardAttribute | CustomAttribute, text(2048)],
    Field(
        max_length=25,
        description="extra standard or `custom:` attributes for SignUp",
        json_schema_extra={
            "propertyNames": {
                "anyOf": [{"enum": list(get_args(StandardAttribute))}, {"pattern": CUSTOM_ATTRIBUTE_PATTERN}]
            }
        },
    ),
]

# Problems as the API words them, by pattern (the rest of the string constraints: printable characters).
PATTERN_PROBLEMS = {EMAIL_PATTERN: "must be an email address", TOTP_PATTERN: "must be 6 digits"}


class Body(BaseModel):
    """A request body: strict types, unknown keys ignored, read-only once parsed."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


def alias_name(schema: dict[str, Any]) -> None:
    """Document `name` as `username`'s synonym, and that one of them is needed when `username` is required."""
    properties = schema["properties"]
    properties["name"] = {**properties["username"], "description": "the Express tutorial's spelling of `username`"}
    if "username" in schema.get("required", ()):
        schema["required"].remove("username")
        schema["anyOf"] = [{"required": ["username"]}, {"required": ["name"]}]


class WithUsername(Body):
    """A body naming a user as `username` or, as the Express tutorial's clients do, `name`.

    Subclasses declare `username`; `name` fills it when it is absent, and is checked like it when both come.
    """

    model_config = ConfigDict(json_schema_extra=alias_name)
    name: UsernameText = Field(default=None, exclude=True)

    @classmethod
    def username_in(cls, data: Any) -> str | None:
        """The username a raw body names (either spelling), before any other check: for rate-limit keys."""
        value = cls._name_is_username(data).get("username") if isinstance(data, dict) else None
        return value if isinstance(value, str) else None

    @model_validator(mode="before")
    @classmethod
    def _name_is_username(cls, data: Any) -> Any:
        if isinstance(data, dict) and "name" in data and "username" not in data:
            return {("username" if key == "name" else key): value for key, value in data.items()}
        return data
