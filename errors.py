"""The API's errors: one hierarchy, each error knowing its status, code, message and headers; import them from here.

No framework here: services raise these, and `handlers.py` (with the app) renders them as JSON. The root,
`ApiError`, is in api_error.py; four families have modules of their own (token_errors.py,
managed_login_errors.py, passkey_errors.py, account_errors.py, request_errors.py); the rest (sign-in, limits, Cognito)
are here.
"""

from __future__ import annotations

from account_errors import (
    AttributeNotWritable,
    DeviceNotFound,
    DeviceRefused,
    DeviceRequired,
    GroupNotFound,
    MfaEmailUnverified,
    MfaFactorUnavailable,
    MfaPhoneUnverified,
    MfaPreferredNotEnabled,
    MfaRequired,
    ReauthenticationRequired,
    TotpNotSetUp,
    UserNotFound,
)
from api_error import ApiError
from managed_login_errors import (
    AuthorizationDenied,
    InvalidGrant,
    InvalidIdToken,
    InvalidRedirect,
    InvalidState,
    ManagedLoginFailed,
    ManagedLoginOff,
    TokenExchangeFailed,
)
from passkey_errors import (
    FeatureUnavailable,
    PasskeyNotFound,
    SessionEnded,
    WebAuthnChallengeNotFound,
    WebAuthnClientMismatch,
    WebAuthnConfigurationMissing,
    WebAuthnCredentialNotSupported,
    WebAuthnNotEnabled,
    WebAuthnOriginNotAllowed,
    WebAuthnRelyingPartyMismatch,
)
from request_errors import (
    FlowNotAllowed,
    InvalidForm,
    InvalidJson,
    InvalidParameter,
    InvalidRequest,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)
from token_errors import (
    InvalidToken,
    RevokedToken,
    TokenAlgorithmRefused,
    TokenClientRefused,
    TokenError,
    TokenExpired,
    TokenIssuerRefused,
    TokenKeyUnknown,
    TokenMalformed,
    TokenMissing,
    TokenNotYetValid,
    TokenSignatureInvalid,
    TokenSignerRefused,
    TokenUseRefused,
)

__all__ = [
    "ApiError",
    "AttributeNotWritable",
    "AuthorizationDenied",
    "CodeMismatch",
    "CognitoBusy",
    "CsrfFailed",
    "DeviceNotFound",
    "DeviceRefused",
    "DeviceRequired",
    "ExpiredCode",
    "FeatureUnavailable",
    "FlowNotAllowed",
    "Forbidden",
    "GroupNotFound",
    "IncorrectPassword",
    "InsufficientScope",
    "InvalidForm",
    "InvalidGrant",
    "InvalidIdToken",
    "InvalidJson",
    "InvalidParameter",
    "InvalidPassword",
    "InvalidRedirect",
    "InvalidRequest",
    "InvalidState",
    "InvalidToken",
    "JwksUnavailable",
    "ManagedLoginFailed",
    "ManagedLoginOff",
    "MetricsForbidden",
    "MfaEmailUnverified",
    "MfaFactorUnavailable",
    "MfaPhoneUnverified",
    "MfaPreferredNotEnabled",
    "MfaRequired",
    "NotAuthorized",
    "OtherPool",
    "PasskeyNotFound",
    "PasswordResetRequired",
    "ReauthenticationRequired",
    "RefreshTokenInvalid",
    "RequestEntityTooLarge",
    "RevokedToken",
    "ServiceUnavailable",
    "SessionEnded",
    "TokenAlgorithmRefused",
    "TokenClientRefused",
    "TokenError",
    "TokenExchangeFailed",
    "TokenExpired",
    "TokenIssuerRefused",
    "TokenKeyUnknown",
    "TokenMalformed",
    "TokenMissing",
    "TokenNotYetValid",
    "TokenSignatureInvalid",
    "TokenSignerRefused",
    "TokenUseRefused",
    "TooManyGuesses",
    "TooManyRequests",
    "TotpNotSetUp",
    "UnsupportedMediaType",
    "UserNotConfirmed",
    "UserNotFound",
    "UsernameExists",
    "WebAuthnChallengeNotFound",
    "WebAuthnClientMismatch",
    "WebAuthnConfigurationMissing",
    "WebAuthnCredentialNotSupported",
    "WebAuthnNotEnabled",
    "WebAuthnOriginNotAllowed",
    "WebAuthnRelyingPartyMismatch",
]


class InvalidPassword(ApiError):
    status_code, error = 400, "invalid_password"
    message = "The password does not meet the pool's password policy."


class CodeMismatch(ApiError):
    status_code, error, message = 400, "code_mismatch", "The confirmation code is not valid."


class ExpiredCode(ApiError):
    status_code, error, message = 400, "expired_code", "The confirmation code has expired; request a new one."


class NotAuthorized(ApiError):
    status_code, error, message = 401, "not_authorized", "Incorrect username or password."


class RefreshTokenInvalid(NotAuthorized):
    """/auth/refresh: Cognito refused the refresh token (revoked, expired, signed out, or never one)."""

    error, message = "invalid_grant", "The refresh token is no longer valid."


class Forbidden(ApiError):
    status_code, error, message = 403, "forbidden", "This token's user is not in a group this route requires."
    headers = {"WWW-Authenticate": 'Bearer error="forbidden"'}


class OtherPool(Forbidden):
    """A valid token of another pool (or a load balancer's user) on a route that calls the primary pool's Cognito."""

    message = "This route serves the primary user pool's tokens only."


class InsufficientScope(ApiError):
    status_code, error, message = 403, "insufficient_scope", "The token lacks a scope this route requires."
    headers = {"WWW-Authenticate": 'Bearer error="insufficient_scope"'}


class CsrfFailed(ApiError):
    """A cookie-authenticated request that changes something came without the session's CSRF token, or from
    an origin this server does not accept."""

    status_code, error = 403, "csrf_failed"
    message = "The request lacks the session's CSRF token (X-CSRF-Token), or comes from another origin."


class MetricsForbidden(ApiError):
    """/metrics asked for from an address outside METRICS_ALLOWED_NETWORKS."""

    status_code, error, message = 403, "metrics_forbidden", "Metrics are not served to this address."


class PasswordResetRequired(ApiError):
    status_code, error, message = 403, "password_reset_required", "The password must be reset before signing in."


class IncorrectPassword(ApiError):
    status_code, error, message = 403, "not_authorized", "The old password is incorrect."


class UserNotConfirmed(ApiError):
    status_code, error, message = 403, "user_not_confirmed", "The user has not confirmed their account yet."


class UsernameExists(ApiError):
    status_code, error, message = 409, "username_exists", "An account with this username already exists."


class TooManyRequests(ApiError):
    status_code, error, message = 429, "too_many_requests", "Too many requests; try again later."
    headers = {"Retry-After": "5"}


class TooManyGuesses(TooManyRequests):
    message = "Too many wrong attempts for this user; try again later."


class ServiceUnavailable(ApiError):
    status_code, error = 503, "service_unavailable"
    message = "The identity provider is unavailable; try again shortly."
    headers = {"Retry-After": "5"}


class CognitoBusy(ServiceUnavailable):
    """Every slot of the bulkhead around Cognito is taken (services/cognito/bulkhead.py)."""

    message = "Too many calls to the identity provider are under way; try again shortly."
    headers = {"Retry-After": "1"}


class JwksUnavailable(ServiceUnavailable):
    """No keys are held and the JWKS cannot be fetched: 503, and a retry shortly may succeed."""

    message = "The token signing keys are unavailable; try again shortly."
