"""The API's errors: one hierarchy, each error knowing its status, code, message and headers.

No framework here: services raise these, and `handlers.py` (with the app) renders them as JSON.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error the API answers with `{"error": code, "message": sentence}` and `status_code`."""

    status_code = 500
    error = "internal_error"
    message = "The server could not complete the request."
    headers: dict[str, str] = {}

    def __init__(
        self, message: str | None = None, *, extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.extra = extra or {}
        self.headers = {**type(self).headers, **(headers or {})}

    def body(self) -> dict[str, Any]:
        return {**self.extra, "error": self.error, "message": self.message}


class InvalidRequest(ApiError):
    status_code, error = 400, "invalid_request"
    message = "The request is missing a field or has one of the wrong type."


class InvalidParameter(ApiError):
    """Cognito refused a parameter (an auth flow not enabled on the client, an attribute it does not know)."""

    status_code, error, message = 400, "invalid_parameter", "Cognito refused a parameter of the request."


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


class InvalidToken(ApiError):
    status_code, error, message = 401, "invalid_token", "The access token is missing or invalid."
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


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


class UserNotFound(ApiError):
    status_code, error, message = 404, "user_not_found", "No such user."


class TokenError(InvalidToken):
    """The token is not acceptable; the message says why, without echoing the token. Raised as one subclass per
    reason (as pyjwt and aws-jwt-verify do), whose `reason` is its metric label (services/common/metrics.py)."""

    reason = "other"

    def __init__(self, detail: str) -> None:
        super().__init__(f"The token is invalid: {detail}.")
        self.detail = detail


class TokenMissing(TokenError):
    reason = "missing"  # no token, or an empty one


class TokenMalformed(TokenError):
    reason = "malformed"  # not a compact JWS, bad base64url or JSON, a claim of the wrong type or missing


class TokenExpired(TokenError):
    reason = "expired"  # `exp`, with the leeway, has passed


class TokenNotYetValid(TokenError):
    reason = "not_yet_valid"  # `iat` or `nbf` in the future


class TokenSignatureInvalid(TokenError):
    reason = "signature"


class TokenAlgorithmRefused(TokenError):
    reason = "algorithm"  # not the one algorithm the keys are for


class TokenKeyUnknown(TokenError):
    reason = "unknown_key"  # a `kid` the pool (or the load balancers) do not publish


class TokenIssuerRefused(TokenError):
    reason = "issuer"


class TokenClientRefused(TokenError):
    reason = "client"  # issued to another app client (`aud` or `client_id`)


class TokenUseRefused(TokenError):
    reason = "token_use"  # an ID token where an access token is wanted, or the other way


class TokenSignerRefused(TokenError):
    reason = "signer"  # an ALB token signed by a load balancer not in ALB_ARNS


class RevokedToken(InvalidToken):
    message = "The token is no longer valid at Cognito (signed out, revoked or the user changed)."


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


# Managed login (the OAuth 2.0 code flow at the pool's domain: services/flows/managed_login.py, controllers/oauth.py).


class ManagedLoginOff(ApiError):
    status_code, error = 404, "managed_login_off"
    message = "Managed login is not configured on this server (COGNITO_DOMAIN is not set)."


class ManagedLoginFailed(ApiError):
    """A managed-login sign-in that cannot complete; no session is started."""

    status_code, error, message = 400, "sign_in_failed", "The sign-in could not be completed; please try again."


class InvalidRedirect(ManagedLoginFailed):
    error = "invalid_redirect"
    message = "rd must be a path on this server or a URL on a host of SESSION_REDIRECT_HOSTS."


class InvalidState(ManagedLoginFailed):
    """No sign-in under way in this browser with that state: missing, mismatched, expired or already used."""

    error = "invalid_state"
    message = "This sign-in was not started in this browser, has expired or was already completed; please start again."


class AuthorizationDenied(ManagedLoginFailed):
    """The authorize step answered `error=` (extra `oauth_error`: Cognito's code, one of the known ones)."""

    error = "authorization_denied"


class InvalidGrant(ManagedLoginFailed):
    """The token endpoint refused the code: expired, used, or its verifier or redirect URI differ."""

    error = "invalid_grant"
    message = "The authorization code was refused (expired or already used); please sign in again."


class TokenExchangeFailed(ManagedLoginFailed):
    """The token endpoint refused this server (its client, secret or flows): a configuration problem."""

    error = "token_exchange_failed"
    message = "The identity provider refused this server's token request; the app client's settings need a look."


class InvalidIdToken(ManagedLoginFailed):
    """The ID token of the exchange failed the verifier, or its nonce or audience is not this sign-in's."""

    status_code, error = 401, "invalid_id_token"
    message = "The identity provider's ID token was not accepted."


# Passwordless sign-in and passkeys (Cognito's WebAuthn errors, services/cognito/error_map.py).
class SessionEnded(ApiError):
    """Cognito refused the sign-in session: expired (3 to 15 minutes), used up by wrong codes, or unknown."""

    status_code, error = 401, "session_expired"
    message = "The sign-in session has expired or ended; start signing in again."


class FeatureUnavailable(ApiError):
    status_code, error = 400, "feature_unavailable"
    message = "The user pool does not offer this: passwordless sign-in and passkeys need its Essentials plan or higher."


class WebAuthnNotEnabled(ApiError):
    status_code, error = 400, "webauthn_not_enabled"
    message = "Passkeys are not enabled for this user pool (AllowedFirstAuthFactors lacks WEB_AUTHN)."


class WebAuthnConfigurationMissing(ApiError):
    status_code, error = 400, "webauthn_configuration_missing"
    message = "The user pool has no passkey relying party configured (WebAuthnRelyingPartyID)."


class WebAuthnChallengeNotFound(ApiError):
    status_code, error = 400, "webauthn_challenge_not_found"
    message = "No passkey registration is under way for this challenge; start it again."


class WebAuthnRelyingPartyMismatch(ApiError):
    status_code, error = 400, "webauthn_relying_party_mismatch"
    message = "The passkey was made for another relying party than the user pool's."


class WebAuthnClientMismatch(ApiError):
    status_code, error = 400, "webauthn_client_mismatch"
    message = "The passkey registration was started by another app client."


class WebAuthnOriginNotAllowed(ApiError):
    status_code, error = 400, "webauthn_origin_not_allowed"
    message = "The passkey was made on an origin the user pool does not allow."


class WebAuthnCredentialNotSupported(ApiError):
    status_code, error = 400, "webauthn_credential_not_supported"
    message = "The user pool does not accept this kind of passkey (its algorithm or attestation)."


class PasskeyNotFound(ApiError):
    status_code, error, message = 404, "passkey_not_found", "The signed-in user has no passkey with this id."
