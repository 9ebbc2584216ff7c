"""A user's account: the refusals of the profile (PATCH /auth/me), MFA choices (PUT /auth/mfa), remembered devices,
the account's deletion (a recent sign-in), and the admin API's lookups (no such user or group).

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


class UserNotFound(ApiError):
    status_code, error, message = 404, "user_not_found", "No such user."


class GroupNotFound(ApiError):
    status_code, error, message = 404, "group_not_found", "No such group in the user pool."


class ReauthenticationRequired(ApiError):
    """The sign-in behind the token is too old for what is asked (deleting the account): step-up, RFC 9470."""

    status_code, error = 401, "reauthentication_required"
    message = "This needs a sign-in within the last 5 minutes: sign in again, then retry."
    headers = {"WWW-Authenticate": 'Bearer error="insufficient_user_authentication", max_age=300'}


class DeviceNotFound(ApiError):
    status_code, error, message = 404, "device_not_found", "The signed-in user has no device with this key."


class DeviceRequired(ApiError):  # the sign-in began with a remembered device: its answer needs the device too
    status_code, error, message = 400, "device_required", "This sign-in needs its remembered device: send `device`."


class DeviceRefused(ApiError):  # the device's secret no longer matches (confirmed again elsewhere, say)
    status_code, error, message = 401, "device_refused", "The remembered device was refused; sign in without it."
