"""AuthService: the Cognito user-pool calls the API makes, with Cognito's errors translated to ours."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

import errors
from config import Settings
from services.cognito_errors import BEARER_CALL, translated, unless_user_unknown

log = logging.getLogger(__name__)

# The challenges /auth/challenge answers, and the ChallengeResponses key that carries the answer.
CHALLENGE_ANSWER = {
    "NEW_PASSWORD_REQUIRED": "NEW_PASSWORD",
    "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
    "SMS_MFA": "SMS_MFA_CODE",
}


def cognito_client(settings: Settings) -> Any:
    """The one boto3 `cognito-idp` client of a process, with bounded timeouts and retries."""
    config = Config(
        connect_timeout=min(settings.cognito_timeout, 2.0),
        read_timeout=settings.cognito_timeout,
        retries={"mode": "standard", "total_max_attempts": 2},
        max_pool_connections=32,
    )
    return boto3.client("cognito-idp", region_name=settings.region, endpoint_url=settings.endpoint_url, config=config)


class AuthService:
    """Sign-up, confirmation and sign-in against one user pool app client."""

    def __init__(
        self,
        client: Any,
        client_id: str,
        client_secret: str | None = None,
        *,
        user_pool_id: str = "",
        registration_mode: str = "self",
        login_flow: str = "USER_PASSWORD_AUTH",
    ) -> None:
        self.client = client
        self.client_id = client_id
        self.client_secret = client_secret
        self.user_pool_id = user_pool_id  # for the admin calls of the admin modes
        self.registration_mode = registration_mode
        self.login_flow = login_flow

    def _secret_hash(self, username: str) -> dict[str, str]:
        """SECRET_HASH for app clients with a secret: base64(HMAC-SHA256(secret, username + client id))."""
        if not self.client_secret:
            return {}
        digest = hmac.new(self.client_secret.encode(), (username + self.client_id).encode(), hashlib.sha256).digest()
        return {"SecretHash": base64.b64encode(digest).decode()}

    def register(self, username: str, email: str, password: str) -> dict[str, Any]:
        """Create the user the configured way; return its sub, confirmation state and where a code was sent.

        self: SignUp, the user confirms with the emailed code. auto_confirm: SignUp, then
        AdminConfirmSignUp. admin: AdminCreateUser (no welcome message, email verified), then
        AdminSetUserPassword (permanent).
        """
        if self.registration_mode == "admin":
            return self._create_as_admin(username, email, password)
        with translated("SignUp"):
            result = self.client.sign_up(
                ClientId=self.client_id,
                Username=username,
                Password=password,
                UserAttributes=[{"Name": "email", "Value": email}],
                **self._secret_hash(username),
            )
        confirmed = result["UserConfirmed"]
        if self.registration_mode == "auto_confirm" and not confirmed:
            with translated("AdminConfirmSignUp"):
                self.client.admin_confirm_sign_up(UserPoolId=self.user_pool_id, Username=username)
            confirmed = True
        return {
            "username": username,
            "user_sub": result["UserSub"],
            "confirmed": confirmed,
            "code_delivery": None if confirmed else _delivery(result.get("CodeDeliveryDetails")),
        }

    def _create_as_admin(self, username: str, email: str, password: str) -> dict[str, Any]:
        attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        with translated("AdminCreateUser"):
            user = self.client.admin_create_user(
                UserPoolId=self.user_pool_id, Username=username, UserAttributes=attributes, MessageAction="SUPPRESS"
            )["User"]
        try:
            with translated("AdminSetUserPassword"):
                self.client.admin_set_user_password(
                    UserPoolId=self.user_pool_id, Username=username, Password=password, Permanent=True
                )
        except errors.ApiError:
            # A user left with no usable password would hold the username forever.
            with contextlib.suppress(ClientError, BotoCoreError):
                self.client.admin_delete_user(UserPoolId=self.user_pool_id, Username=username)
            raise
        sub = next((a["Value"] for a in user.get("Attributes", []) if a["Name"] == "sub"), None)
        return {"username": username, "user_sub": sub, "confirmed": True, "code_delivery": None}

    def confirm(self, username: str, code: str) -> None:
        """ConfirmSignUp with the code the user received."""
        with translated("ConfirmSignUp", {"UserNotFoundException": errors.CodeMismatch}):
            self.client.confirm_sign_up(
                ClientId=self.client_id, Username=username, ConfirmationCode=code, **self._secret_hash(username)
            )

    def login(self, username: str, password: str) -> dict[str, Any]:
        """Sign in with the configured flow; returns tokens, or the challenge Cognito asks for."""
        parameters = {"USERNAME": username, "PASSWORD": password, **_auth_secret(self._secret_hash(username))}
        # An unknown user answers exactly like a wrong password: no user enumeration.
        with translated(self.login_flow, {"UserNotFoundException": errors.NotAuthorized}, keep_message=False):
            if self.login_flow == "ADMIN_USER_PASSWORD_AUTH":
                result = self.client.admin_initiate_auth(
                    UserPoolId=self.user_pool_id,
                    ClientId=self.client_id,
                    AuthFlow=self.login_flow,
                    AuthParameters=parameters,
                )
            else:
                result = self.client.initiate_auth(
                    ClientId=self.client_id, AuthFlow=self.login_flow, AuthParameters=parameters
                )
        if self.login_flow == "ADMIN_USER_PASSWORD_AUTH" and "AuthenticationResult" in result:
            self._refuse_if_unconfirmed(username)
        return _tokens_or_challenge(result)

    def _refuse_if_unconfirmed(self, username: str) -> None:
        """Cognito refuses unconfirmed users; the emulator's admin flow does not, so check (after the
        password, so the answer tells nothing to someone without it)."""
        with translated("AdminGetUser"):
            status = self.client.admin_get_user(UserPoolId=self.user_pool_id, Username=username)["UserStatus"]
        if status == "UNCONFIRMED":
            with contextlib.suppress(ClientError, BotoCoreError):
                self.client.admin_user_global_sign_out(UserPoolId=self.user_pool_id, Username=username)
            raise errors.UserNotConfirmed()

    def answer_challenge(self, username: str, challenge: str, session: str, answer: str) -> dict[str, Any]:
        """RespondToAuthChallenge: a new password, or an MFA code; returns tokens or the next challenge."""
        return self._respond(challenge, session, {"USERNAME": username, CHALLENGE_ANSWER[challenge]: answer}, username)

    def _respond(self, challenge: str, session: str, responses: dict[str, str], username: str) -> dict[str, Any]:
        responses = {**responses, **_auth_secret(self._secret_hash(username))}
        # The emulator reports an unknown session as ResourceNotFoundException; Cognito, as NotAuthorized.
        overrides = {"UserNotFoundException": errors.NotAuthorized, "ResourceNotFoundException": errors.NotAuthorized}
        with translated("RespondToAuthChallenge", overrides, keep_message=challenge == "NEW_PASSWORD_REQUIRED"):
            if self.login_flow == "ADMIN_USER_PASSWORD_AUTH":
                result = self.client.admin_respond_to_auth_challenge(
                    UserPoolId=self.user_pool_id,
                    ClientId=self.client_id,
                    ChallengeName=challenge,
                    Session=session,
                    ChallengeResponses=responses,
                )
            else:
                result = self.client.respond_to_auth_challenge(
                    ClientId=self.client_id, ChallengeName=challenge, Session=session, ChallengeResponses=responses
                )
        return _tokens_or_challenge(result)

    def resend_code(self, username: str) -> None:
        """ResendConfirmationCode. Answers alike whether or not the user exists."""
        with unless_user_unknown("ResendConfirmationCode"):
            self.client.resend_confirmation_code(
                ClientId=self.client_id, Username=username, **self._secret_hash(username)
            )

    def forgot_password(self, username: str) -> None:
        """ForgotPassword. Answers alike whether or not the user exists."""
        with unless_user_unknown("ForgotPassword"):
            self.client.forgot_password(ClientId=self.client_id, Username=username, **self._secret_hash(username))

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
                **self._secret_hash(username),
            )

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

    def refresh(self, refresh_token: str, username: str | None = None) -> dict[str, Any]:
        """REFRESH_TOKEN_AUTH: new access and ID tokens. With a client secret, `username` is the token's
        `cognito:username` (the sub in email-as-username pools), which the secret hash is computed over."""
        parameters = {"REFRESH_TOKEN": refresh_token}
        if self.client_secret:
            if not username:
                raise errors.InvalidRequest("Invalid request: 'username' is required with this app client.")
            parameters.update(_auth_secret(self._secret_hash(username)))
        with translated("InitiateAuth", {"UserNotFoundException": errors.NotAuthorized}, keep_message=False):
            result = self.client.initiate_auth(
                ClientId=self.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=parameters
            )
        tokens = _tokens_or_challenge(result)
        tokens.setdefault("refresh_token", None)
        return tokens

    def logout(self, access_token: str, refresh_token: str | None = None) -> None:
        """RevokeToken for the given refresh token, then GlobalSignOut (every session of the user)."""
        if refresh_token:
            secret = {"ClientSecret": self.client_secret} if self.client_secret else {}
            try:
                with translated("RevokeToken", keep_message=False):
                    self.client.revoke_token(Token=refresh_token, ClientId=self.client_id, **secret)
            except errors.ServiceUnavailable:
                # GlobalSignOut below invalidates every refresh token of the user anyway.
                log.warning("RevokeToken failed; relying on GlobalSignOut to invalidate the refresh token")
        with translated("GlobalSignOut", BEARER_CALL):
            self.client.global_sign_out(AccessToken=access_token)

    def totp_setup(self, access_token: str, username: str, issuer: str) -> dict[str, str]:
        """AssociateSoftwareToken: the secret for an authenticator app, also as an otpauth:// URI."""
        with translated("AssociateSoftwareToken", BEARER_CALL):
            secret = self.client.associate_software_token(AccessToken=access_token)["SecretCode"]
        return _totp_secret(secret, username, issuer)

    def mfa_setup_challenge(self, username: str, session: str, issuer: str) -> dict[str, Any]:
        """First half of MFA_SETUP: a TOTP secret for the sign-in session, and the session to answer with."""
        with translated("AssociateSoftwareToken", keep_message=False):
            result = self.client.associate_software_token(Session=session)
        return {
            "challenge": "MFA_SETUP",
            "session": result.get("Session", session),
            "parameters": _totp_secret(result["SecretCode"], username, issuer),
        }

    def answer_mfa_setup(self, username: str, session: str, code: str) -> dict[str, Any]:
        """Second half of MFA_SETUP: verify the app's code, then complete the sign-in."""
        with translated("VerifySoftwareToken", {"ResourceNotFoundException": errors.NotAuthorized}):
            result = self.client.verify_software_token(Session=session, UserCode=code)
        if result.get("Status") != "SUCCESS":
            raise errors.CodeMismatch()
        return self._respond("MFA_SETUP", result.get("Session", session), {"USERNAME": username}, username)

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

    def me(self, access_token: str) -> dict[str, Any]:
        """GetUser: the signed-in user's username and attributes."""
        with translated("GetUser", BEARER_CALL):
            result = self.client.get_user(AccessToken=access_token)
        attributes = {item["Name"]: item["Value"] for item in result.get("UserAttributes", [])}
        return {"username": result["Username"], "attributes": attributes}


def _totp_secret(secret: str, username: str, issuer: str) -> dict[str, str]:
    label = quote(f"{issuer}:{username}", safe=":@")  # Key URI format: issuer:account
    return {"secret": secret, "otpauth_uri": f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}"}


def _auth_secret(secret_hash: dict[str, str]) -> dict[str, str]:
    """The secret hash as InitiateAuth's AuthParameters spell it."""
    return {"SECRET_HASH": secret_hash["SecretHash"]} if secret_hash else {}


def _delivery(details: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not details:
        return None
    return {
        "destination": details.get("Destination"),
        "medium": details.get("DeliveryMedium"),
        "attribute": details.get("AttributeName"),
    }


def _tokens_or_challenge(result: Mapping[str, Any]) -> dict[str, Any]:
    if "ChallengeName" in result:
        return {
            "challenge": result["ChallengeName"],
            "session": result.get("Session"),
            "parameters": result.get("ChallengeParameters", {}),
        }
    tokens = result["AuthenticationResult"]
    answer = {
        "access_token": tokens["AccessToken"],
        "id_token": tokens["IdToken"],
        "expires_in": tokens["ExpiresIn"],
        "token_type": "Bearer",
    }
    if "RefreshToken" in tokens:
        answer["refresh_token"] = tokens["RefreshToken"]
    return answer
