"""The OpenAPI 3.1 document of the API, served at GET /openapi.json; tests hold the routes to it."""

from __future__ import annotations

import functools
from typing import Any

from controllers.body import EMAIL_PATTERN, MAX_FIELD_CHARS, TEXT_PATTERN

JSON = "application/json"

_TEXT = {"type": "string", "minLength": 1, "maxLength": MAX_FIELD_CHARS, "pattern": f"^{TEXT_PATTERN}$"}
_EMAIL = {**_TEXT, "pattern": f"^{EMAIL_PATTERN}$"}
_RETRY_AFTER = {"Retry-After": {"required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"}}}
_CHALLENGE = {"WWW-Authenticate": {"required": True, "schema": {"type": "string", "pattern": "^Bearer "}}}

# Every error the API answers: (status, description, extra headers).
_ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    "400": ("Malformed JSON, JSON that is not an object, a missing or ill-typed field, or a Cognito refusal", {}),
    "401": ("Wrong credentials, or a missing or invalid token", {}),
    "403": ("Not allowed: user not confirmed, password reset required, or missing group or scope", {}),
    "404": ("No such user", {}),
    "409": ("The username is taken", {}),
    "413": ("The body is over 16 KiB", {}),
    "415": ("The body is not JSON", {}),
    "429": ("Rate limited, here or by Cognito", _RETRY_AFTER),
    "500": ("Unexpected error (no internals are shown)", {}),
    "503": ("Cognito or the signing keys are unreachable", _RETRY_AFTER),
}


def _error_schema(**extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "pattern": "^[a-z_]+$"},
            "message": {"type": "string"},
            **extra,
        },
    }


def _response(description: str, schema: dict[str, Any] | None = None, headers: dict | None = None) -> dict:
    response: dict[str, Any] = {"description": description}
    if schema is not None:
        response["content"] = {JSON: {"schema": schema}}
    if headers:
        response["headers"] = headers
    return response


def _errors(*statuses: str, overrides: dict[str, dict] | None = None) -> dict[str, dict]:
    responses = {}
    for status in statuses:
        description, headers = _ERRORS[status]
        responses[status] = _response(description, {"$ref": "#/components/schemas/Error"}, headers)
    return {**responses, **(overrides or {})}


def _body(required: list[str], properties: dict[str, Any], any_of: list | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "required": required, "properties": properties}
    if any_of:
        schema["anyOf"] = any_of
    return {"required": True, "content": {JSON: {"schema": schema}}}


# `username` or, as the tutorial's clients send it, `name`.
_USERNAME = {"username": _TEXT, "name": _TEXT}
_USERNAME_REQUIRED = [{"required": ["username"]}, {"required": ["name"]}]
_BODY_ERRORS = ("400", "413", "415", "429", "500")
_COGNITO_ERRORS = ("503",)


def _operation(summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "operationId": summary.split()[0].lower(), "responses": responses, **extra}


@functools.cache
def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    tokens = {
        "type": "object",
        "required": ["access_token", "id_token", "expires_in", "token_type"],
        "properties": {
            "access_token": {"type": "string"},
            "id_token": {"type": "string"},
            "refresh_token": {"type": ["string", "null"]},
            "expires_in": {"type": "integer"},
            "token_type": {"const": "Bearer"},
        },
    }
    challenge = {
        "type": "object",
        "required": ["challenge", "session", "parameters"],
        "properties": {
            "challenge": {"type": "string"},
            "session": {"type": ["string", "null"]},
            "parameters": {"type": "object"},
        },
    }
    invalid_token = _response(
        "The token is missing or invalid",
        _error_schema(valid={"const": False}),
        _CHALLENGE,
    )
    accepted = _response(
        "Accepted; the same answer whether or not the account exists",
        {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}},
    )
    bearer_errors = {"401": invalid_token, **_errors("403", "500", "503")}
    new_tokens = {**tokens, "required": ["access_token", "id_token", "expires_in", "token_type"]}
    paths = {
        "/auth/resend-code": {
            "post": _operation(
                "Resend the sign-up confirmation code",
                {"202": accepted, **_errors(*_BODY_ERRORS, *_COGNITO_ERRORS)},
                requestBody=_body([], _USERNAME, _USERNAME_REQUIRED),
            )
        },
        "/auth/forgot-password": {
            "post": _operation(
                "Forgot-password: email a reset code",
                {"202": accepted, **_errors(*_BODY_ERRORS, *_COGNITO_ERRORS)},
                requestBody=_body([], _USERNAME, _USERNAME_REQUIRED),
            )
        },
        "/auth/reset-password": {
            "post": _operation(
                "Reset-password with the emailed code",
                {
                    "200": _response(
                        "The password is reset",
                        {
                            "type": "object",
                            "required": ["username", "password_reset"],
                            "properties": {"username": {"type": "string"}, "password_reset": {"const": True}},
                        },
                    ),
                    **_errors(*_BODY_ERRORS, *_COGNITO_ERRORS),
                },
                requestBody=_body(
                    ["code", "new_password"], {**_USERNAME, "code": _TEXT, "new_password": _TEXT}, _USERNAME_REQUIRED
                ),
            )
        },
        "/auth/change-password": {
            "post": _operation(
                "Change-password for the signed-in user (access token)",
                {
                    "200": _response(
                        "Changed", {"type": "object", "properties": {"password_changed": {"const": True}}}
                    ),
                    **bearer_errors,
                    **_errors(*_BODY_ERRORS),
                },
                requestBody=_body(["old_password", "new_password"], {"old_password": _TEXT, "new_password": _TEXT}),
                security=[{"bearer": []}],
            )
        },
        "/auth/refresh": {
            "post": _operation(
                "Refresh: new access and ID tokens (REFRESH_TOKEN_AUTH)",
                {
                    "200": _response(
                        "New tokens",
                        new_tokens,
                        {"Cache-Control": {"required": True, "schema": {"const": "no-store"}}},
                    ),
                    **_errors("401", *_BODY_ERRORS, *_COGNITO_ERRORS),
                },
                requestBody=_body(
                    ["refresh_token"], {"refresh_token": {**_TEXT, "maxLength": 8192}, "username": _TEXT}
                ),
            )
        },
        "/auth/logout": {
            "post": _operation(
                "Logout: GlobalSignOut, and RevokeToken for a given refresh token",
                {"204": _response("Signed out everywhere"), **bearer_errors, **_errors(*_BODY_ERRORS)},
                requestBody={
                    "required": False,
                    "content": {
                        JSON: {
                            "schema": {"type": "object", "properties": {"refresh_token": {**_TEXT, "maxLength": 8192}}}
                        }
                    },
                },
                security=[{"bearer": []}],
            )
        },
        "/auth/mfa/totp/setup": {
            "post": _operation(
                "TOTP set-up: the secret and otpauth:// URI (AssociateSoftwareToken)",
                {
                    "200": _response(
                        "The secret",
                        {
                            "type": "object",
                            "required": ["secret", "otpauth_uri"],
                            "properties": {
                                "secret": {"type": "string"},
                                "otpauth_uri": {"type": "string", "pattern": "^otpauth://totp/"},
                            },
                        },
                        {"Cache-Control": {"required": True, "schema": {"const": "no-store"}}},
                    ),
                    **bearer_errors,
                    **_errors("429"),
                },
                security=[{"bearer": []}],
            )
        },
        "/auth/mfa/totp/verify": {
            "post": _operation(
                "TOTP verify: check a code and make TOTP the preferred MFA",
                {
                    "200": _response(
                        "TOTP is on",
                        {
                            "type": "object",
                            "properties": {"mfa": {"const": "SOFTWARE_TOKEN_MFA"}, "enabled": {"const": True}},
                        },
                    ),
                    **bearer_errors,
                    **_errors(*_BODY_ERRORS),
                },
                requestBody=_body(["code"], {"code": _TEXT}),
                security=[{"bearer": []}],
            )
        },
        "/auth/me": {
            "get": _operation(
                "Me: the signed-in user's username and attributes (GetUser)",
                {
                    "200": _response(
                        "The user",
                        {
                            "type": "object",
                            "required": ["username", "attributes"],
                            "properties": {
                                "username": {"type": "string"},
                                "attributes": {"type": "object", "additionalProperties": {"type": "string"}},
                            },
                        },
                    ),
                    **bearer_errors,
                    **_errors("429"),
                },
                security=[{"bearer": []}],
            )
        },
        "/auth/register": {
            "post": _operation(
                "Register a user (Cognito SignUp)",
                {
                    "201": _response(
                        "Signed up; confirm with the code sent",
                        {
                            "type": "object",
                            "required": ["username", "user_sub", "confirmed", "code_delivery"],
                            "properties": {
                                "username": {"type": "string"},
                                "user_sub": {"type": "string"},
                                "confirmed": {"type": "boolean"},
                                "code_delivery": {"type": ["object", "null"]},
                            },
                        },
                    ),
                    **_errors("409", *_BODY_ERRORS, *_COGNITO_ERRORS),
                },
                requestBody=_body(
                    ["email", "password"], {**_USERNAME, "email": _EMAIL, "password": _TEXT}, _USERNAME_REQUIRED
                ),
            )
        },
        "/auth/confirm": {
            "post": _operation(
                "Confirm a sign-up with the emailed code",
                {
                    "200": _response(
                        "Confirmed",
                        {
                            "type": "object",
                            "required": ["username", "confirmed"],
                            "properties": {"username": {"type": "string"}, "confirmed": {"const": True}},
                        },
                    ),
                    **_errors(*_BODY_ERRORS, *_COGNITO_ERRORS),
                },
                requestBody=_body(["code"], {**_USERNAME, "code": _TEXT}, _USERNAME_REQUIRED),
            )
        },
        "/auth/login": {
            "post": _operation(
                "Login with username and password (USER_PASSWORD_AUTH)",
                {
                    "200": _response(
                        "Tokens, or the challenge Cognito asks to answer first",
                        {"oneOf": [tokens, challenge]},
                        {"Cache-Control": {"required": True, "schema": {"const": "no-store"}}},
                    ),
                    **_errors("401", "403", *_BODY_ERRORS, *_COGNITO_ERRORS),
                },
                requestBody=_body(["password"], {**_USERNAME, "password": _TEXT}, _USERNAME_REQUIRED),
            )
        },
        "/auth/challenge": {
            "post": _operation(
                "Challenge: answer NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA or MFA_SETUP",
                {
                    "200": _response(
                        "Tokens, or the next challenge",
                        {"oneOf": [tokens, challenge]},
                        {"Cache-Control": {"required": True, "schema": {"const": "no-store"}}},
                    ),
                    **_errors("401", *_BODY_ERRORS, *_COGNITO_ERRORS),
                },
                requestBody=_body(
                    ["challenge", "session"],
                    {
                        **_USERNAME,
                        "challenge": {"enum": ["NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA", "SMS_MFA", "MFA_SETUP"]},
                        "session": {**_TEXT, "maxLength": 4096},
                        "new_password": _TEXT,
                        "code": _TEXT,
                    },
                    _USERNAME_REQUIRED,
                ),
            )
        },
        "/auth/validate": {
            "post": _operation(
                "Validate a token from the body or the Authorization header",
                {
                    "200": _response(
                        "The token is valid",
                        {
                            "type": "object",
                            "required": ["valid", "token_use", "username", "sub", "expires_at", "claims"],
                            "properties": {
                                "valid": {"const": True},
                                "token_use": {"enum": ["id", "access"]},
                                "username": {"type": "string"},
                                "sub": {"type": "string"},
                                "expires_at": {"type": "number"},
                                "claims": {"type": "object"},
                            },
                        },
                    ),
                    **_errors(*_BODY_ERRORS, "503", overrides={"401": invalid_token}),
                },
                requestBody={
                    "required": False,
                    "content": {JSON: {"schema": {"type": "object", "properties": {"token": {"type": "string"}}}}},
                },
                parameters=[{"name": "Authorization", "in": "header", "required": False, "schema": {"type": "string"}}],
            )
        },
        "/auth/config": {
            "get": _operation(
                "Config: the pool's public settings for a front end",
                {
                    "200": _response(
                        "Public settings, never a secret",
                        {
                            "type": "object",
                            "required": ["region", "user_pool_id", "client_id", "issuer", "jwks_url"],
                            "properties": {
                                name: {"type": "string"}
                                for name in ("region", "user_pool_id", "client_id", "issuer", "jwks_url")
                            },
                        },
                    ),
                    **_errors("500"),
                },
            )
        },
        "/hello": {
            "get": _operation(
                "Hello: greets the user of a valid bearer token",
                {
                    "200": _response(
                        "The greeting",
                        {
                            "type": "object",
                            "required": ["message", "username"],
                            "properties": {
                                "message": {"type": "string"},
                                "username": {"type": "string"},
                                "email": {"type": "string"},
                            },
                        },
                    ),
                    "401": invalid_token,
                    **_errors("500", "503"),
                },
                security=[{"bearer": []}],
            )
        },
        "/health": {
            "get": _operation(
                "Health check",
                {"200": _response("Serving", {"type": "object", "properties": {"status": {"const": "ok"}}})},
            )
        },
        "/openapi.json": {
            "get": _operation("OpenAPI document (this one)", {"200": _response("The document", {"type": "object"})})
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cognito auth server",
            "version": "1.0.0",
            "description": "Sign-up and sign-in through Amazon Cognito, and bearer-token protected routes.",
        },
        "paths": paths,
        "components": {
            "schemas": {"Error": _error_schema()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
