"""The signed-in user's own record and MFA choices: the refusals of PATCH /auth/me and PUT /auth/mfa.

Framework-free, as every error (errors.py has them all).
"""

from __future__ import annotations

from api_error import ApiError


class AttributeNotWritable(ApiError):
    """Cognito's NotAuthorizedException "A client attempted to write unauthorized attribute" on a profile change."""

    status_code, error = 400, "attribute_not_writable"
    message = "The app client may not write or delete this attribute (its WriteAttributes in the user pool)."


class MfaFactorUnavailable(ApiError):
    status_code, error = 400, "mfa_factor_unavailable"
    message = "The user pool does not offer this MFA factor."


class MfaPhoneUnverified(ApiError):
    status_code, error = 400, "mfa_phone_unverified"
    message = "SMS MFA needs a verified phone number: set phone_number and verify it first."


class MfaEmailUnverified(ApiError):
    status_code, error = 400, "mfa_email_unverified"
    message = "Email MFA needs a verified email address: verify the email first."


class TotpNotSetUp(ApiError):
    status_code, error = 400, "totp_not_set_up"
    message = "TOTP is not set up yet: POST /auth/mfa/totp/setup, then /auth/mfa/totp/verify with a code."


class MfaPreferredNotEnabled(ApiError):
    status_code, error = 400, "mfa_preferred_not_enabled"
    message = "The preferred factor must be one of the enabled ones."


class MfaRequired(ApiError):
    status_code, error = 400, "mfa_required"
    message = "The user pool requires MFA: at least one factor must stay enabled."
