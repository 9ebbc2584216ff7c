"""Passwordless sign-in and passkeys: Cognito's WebAuthn errors (services/cognito/error_map.py).

Framework-free, as every error (errors.py has them all).
"""

from __future__ import annotations

from api_error import ApiError


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
