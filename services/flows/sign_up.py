"""Sign-up: creating users the configured way, confirming them, and resending their codes."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

import errors
from services.cognito.client import CognitoCalls
from services.cognito.error_map import translated, unless_user_unknown

log = logging.getLogger(__name__)


class SignUp(CognitoCalls):
    """SignUp, the admin modes' creation, ConfirmSignUp and ResendConfirmationCode."""

    def register(
        self, username: str | None, email: str, password: str | None, attributes: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """Create the user the configured way; return its sub, confirmation state and where a code was sent.

        `username` defaults to the email (email-as-username pools take nothing else). `attributes` are extra
        standard or `custom:` attributes. self: SignUp, the user confirms with the emailed code.
        auto_confirm: SignUp, then AdminConfirmSignUp. admin: AdminCreateUser (no welcome message, email
        verified), then AdminSetUserPassword (permanent).

        With no `password`, a passwordless sign-up (pools whose AllowedFirstAuthFactors offer a code or a
        passkey); the answer's `session` is then what /auth/confirm signs in with (ConfirmSignUp's Session).
        """
        username = username or email
        user_attributes = [{"Name": "email", "Value": email}]
        user_attributes += [{"Name": name, "Value": value} for name, value in (attributes or {}).items()]
        if self.registration_mode == "admin":
            if password is None:
                raise errors.InvalidRequest("Invalid request: 'password' is required with REGISTRATION_MODE=admin.")
            return self._create_as_admin(username, user_attributes, password)
        with translated("SignUp"):
            result = self.client.sign_up(
                ClientId=self.client_id,
                Username=username,
                UserAttributes=user_attributes,
                **({"Password": password} if password is not None else {}),
                **self.secret_hash(username),
            )
        confirmed = result["UserConfirmed"]
        if self.registration_mode == "auto_confirm" and not confirmed:
            with self._undone_on_failure(username):
                with translated("AdminConfirmSignUp"):
                    self.client.admin_confirm_sign_up(UserPoolId=self.user_pool_id, Username=username)
            confirmed = True
        answer = {
            "username": username,
            "user_sub": result["UserSub"],
            "confirmed": confirmed,
            "code_delivery": None if confirmed else _delivery(result.get("CodeDeliveryDetails")),
        }
        if result.get("Session") and not confirmed:
            answer["session"] = result["Session"]
        return answer

    def _create_as_admin(self, username: str, attributes: list[dict[str, str]], password: str) -> dict[str, Any]:
        attributes = [*attributes, {"Name": "email_verified", "Value": "true"}]
        with translated("AdminCreateUser"):
            user = self.client.admin_create_user(
                UserPoolId=self.user_pool_id, Username=username, UserAttributes=attributes, MessageAction="SUPPRESS"
            )["User"]
        with self._undone_on_failure(username), translated("AdminSetUserPassword"):
            self.client.admin_set_user_password(
                UserPoolId=self.user_pool_id, Username=username, Password=password, Permanent=True
            )
        sub = next((a["Value"] for a in user.get("Attributes", []) if a["Name"] == "sub"), None)
        return {"username": username, "user_sub": sub, "confirmed": True, "code_delivery": None}

    @contextlib.contextmanager
    def _undone_on_failure(self, username: str) -> Iterator[None]:
        """Delete the just-created user if the next step fails: a user left half-made would hold the
        username forever (a retry would get 409)."""
        from botocore.exceptions import BotoCoreError, ClientError  # on first use: see services/cognito/client.py

        try:
            yield
        except errors.ApiError:
            try:
                self.client.admin_delete_user(UserPoolId=self.user_pool_id, Username=username)
            except (ClientError, BotoCoreError) as err:
                log.error("could not delete the half-made user after a failed sign-up: %s", type(err).__name__)
            raise

    def confirm(self, username: str, code: str, session: str | None = None) -> str | None:
        """ConfirmSignUp with the code the user received (and the sign-up's `session`); returns the Session
        Cognito answers, with which USER_AUTH signs the user in (services/flows/passwordless.py), if any."""
        with translated("ConfirmSignUp", {"UserNotFoundException": errors.CodeMismatch}):
            result = self.client.confirm_sign_up(
                ClientId=self.client_id,
                Username=username,
                ConfirmationCode=code,
                **({"Session": session} if session else {}),
                **self.secret_hash(username),
            )
        answered = result.get("Session")
        return answered if isinstance(answered, str) and answered else None

    def resend_code(self, username: str) -> None:
        """ResendConfirmationCode. Answers alike whether or not the user exists."""
        with unless_user_unknown("ResendConfirmationCode"):
            self.client.resend_confirmation_code(
                ClientId=self.client_id, Username=username, **self.secret_hash(username)
            )


def _delivery(details: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not details:
        return None
    return {
        "destination": details.get("Destination"),
        "medium": details.get("DeliveryMedium"),
        "attribute": details.get("AttributeName"),
    }
