"""The signed-in user's own record and MFA choices: attributes, their verification codes, and the MFA preference.

Every call but GetUserPoolMfaConfig is Cognito's public API with the user's access token (the scope
`aws.cognito.signin.user.admin`); GetUserPoolMfaConfig needs the server's IAM permission, and without it the
choices are checked by Cognito alone (`pool_mfa` answers None).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import errors
from services.cognito.client import CognitoCalls
from services.cognito.error_map import BEARER_CALL, translated

log = logging.getLogger(__name__)

# The API's factor names and Cognito's: SetUserMFAPreference's settings and GetUser's UserMFASettingList.
FACTORS = {"TOTP": "SOFTWARE_TOKEN_MFA", "SMS": "SMS_MFA", "EMAIL": "EMAIL_OTP"}
SETTINGS = {"TOTP": "SoftwareTokenMfaSettings", "SMS": "SMSMfaSettings", "EMAIL": "EmailMfaSettings"}
POOL_CONFIGS = {"TOTP": "SoftwareTokenMfaConfiguration", "SMS": "SmsMfaConfiguration", "EMAIL": "EmailMfaConfiguration"}
# A profile change Cognito refuses because the app client may not write the attribute (its WriteAttributes).
NOT_WRITABLE = {**BEARER_CALL, "NotAuthorizedException": errors.AttributeNotWritable}


def delivery(details: Mapping[str, Any]) -> dict[str, Any]:
    """CodeDeliveryDetails as the API words it."""
    return {
        "destination": details.get("Destination"),
        "medium": details.get("DeliveryMedium"),
        "attribute": details.get("AttributeName"),
    }


class Profile(CognitoCalls):
    """UpdateUserAttributes, VerifyUserAttribute, GetUserAttributeVerificationCode, DeleteUserAttributes, and the
    MFA preference (GetUser, SetUserMFAPreference, GetUserPoolMfaConfig)."""

    def user_record(self, access_token: str) -> dict[str, Any]:
        """GetUser: attributes, the MFA factors on (API names) and the preferred one."""
        with translated("GetUser", BEARER_CALL):
            result = self.client.get_user(AccessToken=access_token)
        names = {cognito: ours for ours, cognito in FACTORS.items()}
        enabled = [names[item] for item in result.get("UserMFASettingList") or [] if item in names]
        return {
            "attributes": {item["Name"]: item["Value"] for item in result.get("UserAttributes", [])},
            "enabled": enabled,
            "preferred": names.get(result.get("PreferredMfaSetting") or ""),
        }

    def update_attributes(self, access_token: str, attributes: Mapping[str, str]) -> list[dict[str, Any]]:
        """UpdateUserAttributes; where each verification code went."""
        changes = [{"Name": name, "Value": value} for name, value in attributes.items()]
        try:
            with translated("UpdateUserAttributes", NOT_WRITABLE):
                result = self.client.update_user_attributes(AccessToken=access_token, UserAttributes=changes)
        except errors.AttributeNotWritable as err:
            # Cognito answers NotAuthorized for a dead token too: if the token still reads the user, it was the
            # attribute (as ChangePassword's wrong old password).
            self.user_record(access_token)
            raise errors.AttributeNotWritable() from err.__cause__
        return [delivery(item) for item in result.get("CodeDeliveryDetailsList") or []]

    def verify_attribute(self, access_token: str, attribute: str, code: str) -> None:
        """VerifyUserAttribute with the code sent to the attribute."""
        with translated("VerifyUserAttribute", BEARER_CALL):
            self.client.verify_user_attribute(AccessToken=access_token, AttributeName=attribute, Code=code)

    def resend_attribute_code(self, access_token: str, attribute: str) -> dict[str, Any]:
        """GetUserAttributeVerificationCode: a new code for the attribute; where it went."""
        with translated("GetUserAttributeVerificationCode", BEARER_CALL):
            result = self.client.get_user_attribute_verification_code(AccessToken=access_token, AttributeName=attribute)
        return delivery(result.get("CodeDeliveryDetails") or {})

    def delete_attributes(self, access_token: str, names: list[str]) -> None:
        """DeleteUserAttributes (Cognito refuses required and immutable ones)."""
        try:
            with translated("DeleteUserAttributes", NOT_WRITABLE):
                self.client.delete_user_attributes(AccessToken=access_token, UserAttributeNames=names)
        except errors.AttributeNotWritable as err:
            self.user_record(access_token)
            raise errors.AttributeNotWritable() from err.__cause__

    def pool_mfa(self) -> dict[str, Any] | None:
        """GetUserPoolMfaConfig: {available: the factors the pool offers, required: MfaConfiguration ON}; None
        without the IAM permission (or credentials) for it."""
        try:
            with translated("GetUserPoolMfaConfig"):
                result = self.client.get_user_pool_mfa_config(UserPoolId=self.user_pool_id)
        except errors.ApiError as err:
            if type(err) is not errors.ApiError:  # Cognito's refusal or an outage: not a missing permission
                raise
            log.info("GetUserPoolMfaConfig not allowed: MFA choices are checked by Cognito alone")
            return None
        mode = result.get("MfaConfiguration") or "OFF"
        offered = [
            factor
            for factor, key in POOL_CONFIGS.items()
            if mode != "OFF" and result.get(key) and result[key].get("Enabled", True)
        ]
        return {"available": offered, "required": mode == "ON"}

    def set_mfa(self, access_token: str, enabled: list[str], preferred: str | None, touched: set[str]) -> None:
        """SetUserMFAPreference: each factor of `touched` on (in `enabled`) or off, `preferred` the preferred one.
        Only the factors turned on, or on before, are named: a pool that lacks one may refuse its settings."""
        settings = {
            SETTINGS[factor]: {"Enabled": factor in enabled, "PreferredMfa": factor == preferred}
            for factor in FACTORS
            if factor in touched
        }
        if not settings:  # nothing on before or after: nothing to tell Cognito
            return
        try:
            with translated("SetUserMFAPreference", BEARER_CALL):
                self.client.set_user_mfa_preference(AccessToken=access_token, **settings)
        except errors.InvalidParameter as err:
            # Cognito's one refusal of a TOTP not yet verified ("User has not verified software token mfa") is
            # told apart by its wording only: the same exception covers every other parameter.
            if "TOTP" in enabled and "software token" in (err.message or "").lower():
                raise errors.TotpNotSetUp() from err.__cause__
            raise
