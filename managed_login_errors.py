"""Managed login's errors: the OAuth 2.0 code flow at the pool's domain (services/flows/managed_login.py,
controllers/oauth.py). Framework-free, as every error (errors.py has them all).
"""

from __future__ import annotations

from api_error import ApiError


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
