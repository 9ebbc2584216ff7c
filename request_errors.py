"""A request the API cannot read: a body or parameter it refuses (400), too large (413), of another type (415);
and a parameter Cognito refused, with its reason, or a sign-in flow the app client does not allow.

Framework-free, as every error (errors.py has them all).
"""

from __future__ import annotations

from api_error import ApiError


class InvalidRequest(ApiError):
    status_code, error = 400, "invalid_request"
    message = "The request is missing a field or has one of the wrong type."


class InvalidParameter(ApiError):
    """Cognito refused a parameter (an auth flow not enabled on the client, an attribute it does not know)."""

    status_code, error, message = 400, "invalid_parameter", "Cognito refused a parameter of the request."


class FlowNotAllowed(InvalidParameter):
    """The app client does not allow the sign-in flow: 400, not 5xx (the server's setting; the message says which)."""

    error, message = "flow_not_allowed", "The app client does not allow this sign-in flow."


class InvalidJson(ApiError):
    status_code, error, message = 400, "invalid_json", "The request body is not valid JSON."


class InvalidForm(ApiError):
    status_code, error = 400, "invalid_form"
    message = "The request body is not a valid form (UTF-8 application/x-www-form-urlencoded, each field once)."


class RequestEntityTooLarge(ApiError):
    status_code, error, message = 413, "request_entity_too_large", "The request body is too large."
    headers = {"Connection": "close"}


class UnsupportedMediaType(ApiError):
    status_code, error = 415, "unsupported_media_type"
    message = "The request body must be JSON (application/json) or a form (application/x-www-form-urlencoded)."
