"""The signed-in account: passwords, sign-out, the user's record and TOTP set-up."""

from __future__ import annotations

import logging
from typing import Any

import errors
from services.cognito.client import CognitoCalls
from services.cognito.error_map import BEARER_CALL, translated, unless_user_unknown
from services.flows.totp import totp_secret

log = logging.getLogger(__name__)


class Account(CognitoCalls):
    """Password reset and change, RevokeToken and GlobalSignOut, GetUser, and TOTP for the signed-in user."""

    def forgot_password(self, username: str) -> None:
        """ForgotPassword. Answers alike whether or not the user exists."""
        with unless_user_unknown("ForgotPassword"):
            self.client.forgot_password(ClientId=self.client_id, Username=username, **self.secret_hash(username))

    def reset_password(self, username: str, code: str, new_password: str) -> None:
        """ConfirmForgotPassword with the emailed code."""
        # The emulator reports an unknown user here as ResourceNotFoundException; Cognito, as UserNotFound.
        unknown_user = {"UserNotFoundException": errors.CodeMismatch, "ResourceNotFoundException": errors.CodeMismatch}
        with translated("ConfirmForgotPassword", unknown_user):
            self.client.confirm_forgot_password(
                ClientId=self.client_id,
                Username=username,
                ConfirmationCode=code,
                Password=new_password,
                **self.secret_hash(username),
            )

    def names_of(self, name: str) -> set[str] | None:
        """The user Cognito knows by `name` (a username, an alias, or a sub): their username and sub, by
        AdminGetUser. None when Cognito cannot say: no IAM permission for it, no such user, or no answer."""
        try:
            with translated("AdminGetUser"):
                user = self.client.admin_get_user(UserPoolId=self.user_pool_id, Username=name)
        except errors.ApiError as err:
            log.info("AdminGetUser could not name the user whose password was reset (%s)", err.error)
            return None
        sub = next((item["Value"] for item in user.get("UserAttributes", []) if item["Name"] == "sub"), None)
        return {user["Username"], *([sub] if sub else [])}

    def change_password(self, access_token: str, old_password: str, new_password: str) -> None:
        """ChangePassword for the signed-in user."""
        try:
            with translated("ChangePassword", BEARER_CALL):
                self.client.change_password(
                    AccessToken=access_token, PreviousPassword=old_password, ProposedPassword=new_password
                )
        except errors.RevokedToken as err:
            # Cognito answers NotAuthorized both for a dead token and for a wrong old password; if the
            # token still reads the user, it was the password.
            self.me(access_token)
            raise errors.IncorrectPassword() from err.__cause__

    def logout(self, access_token: str, refresh_token: str | None = None) -> None:
        """GlobalSignOut (every session of the user), then RevokeToken for the given refresh token.

        In this order: RevokeToken also revokes the access tokens issued with that refresh token, so
        GlobalSignOut after it would be refused the very token it needs."""
        with translated("GlobalSignOut", BEARER_CALL):
            self.client.global_sign_out(AccessToken=access_token)
        if refresh_token:
            secret = {"ClientSecret": self.client_secret} if self.client_secret else {}
            try:
                with translated("RevokeToken", keep_message=False):
                    self.client.revoke_token(Token=refresh_token, ClientId=self.client_id, **secret)
            except errors.ApiError as err:
                # Revocation disabled on the app client, a foreign token, an outage: the user is signed out
                # already (GlobalSignOut invalidated every refresh token of the user).
                log.warning("RevokeToken refused (%s); GlobalSignOut has signed the user out", err.error)

    def me(self, access_token: str) -> dict[str, Any]:
        """GetUser: the signed-in user's username and attributes."""
        with translated("GetUser", BEARER_CALL):
            result = self.client.get_user(AccessToken=access_token)
        attributes = {item["Name"]: item["Value"] for item in result.get("UserAttributes", [])}
        return {"username": result["Username"], "attributes": attributes}

    def totp_setup(self, access_token: str, label: str, issuer: str) -> dict[str, str]:
        """AssociateSoftwareToken: the secret for an authenticator app, also as an otpauth:// URI."""
        with translated("AssociateSoftwareToken", BEARER_CALL):
            secret = self.client.associate_software_token(AccessToken=access_token)["SecretCode"]
        return totp_secret(secret, label, issuer)

    def totp_verify(self, access_token: str, code: str) -> None:
        """VerifySoftwareToken with a code from the app, then make TOTP the user's preferred MFA."""
        with translated("VerifySoftwareToken", BEARER_CALL):
            result = self.client.verify_software_token(AccessToken=access_token, UserCode=code)
        if result.get("Status") != "SUCCESS":
            raise errors.CodeMismatch()
        with translated("SetUserMFAPreference", BEARER_CALL):
            self.client.set_user_mfa_preference(
                AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
            )
