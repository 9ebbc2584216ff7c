"""Sign-up confirmation and password reset with real codes (codes.py), taught to moto (whose own take any code).

- SignUp and ResendConfirmationCode send a code where the pool's AutoVerifiedAttributes and the user's attributes
  say (the phone when both are auto-verified and the user has both, as Cognito does; none at all when no attribute
  is auto-verified) and answer CodeDeliveryDetails true to it. ConfirmSignUp takes that code only, within 24 h,
  and marks the attribute it went to verified (`email_verified` / `phone_number_verified`, as Cognito does).
  A confirmed user cannot be confirmed again: NotAuthorizedException "User cannot be confirmed. Current status is
  CONFIRMED".
- ForgotPassword sends a code to the first verified attribute of the pool's AccountRecoverySetting (Cognito's
  ForgotPassword doc: InvalidParameterException when the user has neither a verified email nor phone);
  ConfirmForgotPassword takes that code only (ExpiredCodeException when no ForgotPassword came first), within 1 h,
  and the new password only under the pool's password policy (InvalidPasswordException; the code stays usable).
- For a client with PreventUserExistenceErrors, an unknown user looks like a wrong code (and ForgotPassword
  answers a made-up delivery), as Cognito answers; otherwise UserNotFoundException.
moto is imported inside `teach()` only.
"""

from __future__ import annotations

from typing import Any

from cognito_emulator import codes
from cognito_emulator.passwordless import client_and_pool
from cognito_emulator.webauthn_ops import error

NOT_FOUND = "Username/client id combination not found."


def _status(user: Any) -> str:
    return str(getattr(user.status, "value", user.status))


def _hides_users(client: Any) -> bool:
    return client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"


def _unknown(client: Any) -> Exception:
    if _hides_users(client):
        return error("CodeMismatchException", codes.MISMATCH)
    return error("UserNotFoundException", NOT_FOUND)


def _made_up_delivery(username: Any) -> dict[str, str]:
    """What a client that hides users answers ForgotPassword for a user who does not exist."""
    name = username if isinstance(username, str) else ""
    local, _, domain = name.partition("@")
    destination = f"{local[:1]}***@{(domain or 'e')[:1]}***"
    return {"Destination": destination, "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def teach() -> None:
    """Patch SignUp, ResendConfirmationCode, ConfirmSignUp, ForgotPassword and ConfirmForgotPassword (once)."""
    from moto.cognitoidp.models import UserStatus
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult, EmptyResult

    if getattr(CognitoIdpResponse.confirm_sign_up, "checks_codes", False):
        return
    sign_up, confirm = CognitoIdpResponse.sign_up, CognitoIdpResponse.confirm_sign_up
    resend = CognitoIdpResponse.resend_confirmation_code

    def backend_of(self: Any) -> Any:
        return self._get_region_agnostic_backend()._find_backend_for_clientid(self._get_param("ClientId"))

    def the_user(self: Any) -> tuple[Any, Any, Any]:
        client, pool = client_and_pool(backend_of(self), self._get_param("ClientId"))
        username = self._get_param("Username")
        user = pool._get_user(username) if isinstance(username, str) and username else None
        return client, pool, user

    def send_sign_up_code(pool: Any, user: Any, result: dict[str, Any]) -> None:
        result.pop("CodeDeliveryDetails", None)  # moto's: to +*******9934 for a user with no phone
        attribute = codes.sign_up_attribute(pool, user)
        if attribute is not None:
            result["CodeDeliveryDetails"] = codes.issue(pool, user, codes.SIGN_UP, attribute)

    def sign_up_with_code(self: Any) -> Any:
        answer = sign_up(self)
        _, pool, user = the_user(self)
        if user is not None and _status(user) == "UNCONFIRMED":
            send_sign_up_code(pool, user, answer.result)
        return answer

    def resend_code(self: Any) -> Any:
        answer = resend(self)  # its checks: the secret hash, an unknown user, a confirmed one
        _, pool, user = the_user(self)
        if user is None:
            return answer  # a client that hides users: the made-up delivery
        codes.count_send(pool, user, "ResendConfirmationCode", 5)
        send_sign_up_code(pool, user, answer.result)
        if "CodeDeliveryDetails" not in answer.result:
            raise error("InvalidParameterException", "Auto verification not turned on.")
        return answer

    def confirm_with_code(self: Any) -> Any:
        client, pool, user = the_user(self)
        if user is None:
            raise _unknown(client)
        if _status(user) != "UNCONFIRMED":
            raise error("NotAuthorizedException", f"User cannot be confirmed. Current status is {_status(user)}")
        record = codes.check(pool, user, codes.SIGN_UP, self._get_param("ConfirmationCode"))
        answer = confirm(self)
        codes.spend(pool, user, codes.SIGN_UP)
        codes.mark_verified(user, record["attribute"])
        return answer

    def forgot_password(self: Any) -> ActionResult:
        client, pool, user = the_user(self)
        if user is None:
            if _hides_users(client):
                return ActionResult({"CodeDeliveryDetails": _made_up_delivery(self._get_param("Username"))})
            raise error("UserNotFoundException", NOT_FOUND)
        attribute = codes.recovery_attribute(pool, user)
        return ActionResult({"CodeDeliveryDetails": codes.issue(pool, user, codes.FORGOT, attribute)})

    def confirm_forgot_password(self: Any) -> EmptyResult:
        client, pool, user = the_user(self)
        if user is None:
            raise _unknown(client)
        codes.check(pool, user, codes.FORGOT, self._get_param("ConfirmationCode"))
        password = self._get_param("Password")
        if not isinstance(password, str) or not password:
            raise error("InvalidParameterException", "Missing required parameter Password")
        backend_of(self)._validate_password(pool.id, password)  # InvalidPasswordException; the code stays
        user.password = password
        if user.status == UserStatus.RESET_REQUIRED:
            user.status = UserStatus.CONFIRMED
        codes.spend(pool, user, codes.FORGOT)
        return EmptyResult()

    confirm_with_code.checks_codes = True  # type: ignore[attr-defined]
    CognitoIdpResponse.sign_up = sign_up_with_code
    CognitoIdpResponse.resend_confirmation_code = resend_code
    CognitoIdpResponse.confirm_sign_up = confirm_with_code
    CognitoIdpResponse.forgot_password = forgot_password
    CognitoIdpResponse.confirm_forgot_password = confirm_forgot_password
