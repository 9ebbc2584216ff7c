"""Cognito's trigger events, and the sign-up, confirmation, sign-in and migration hooks that send them.

Shapes ([DG] "User pool Lambda trigger common parameters" and each trigger's page; ../shared/PROTOCOLS-2.md
section 3): `{version, triggerSource, region, userPoolId, userName, callerContext: {awsSdkVersion, clientId},
request: {userAttributes, ...}, response: {...}}`; userAttributes is a string map with `sub` and
`cognito:user_status` for a user who exists. An operation with no app client (AdminCreateUser,
AdminConfirmSignUp) names `CLIENT_ID_NOT_APPLICABLE`. ValidationData reaches PreSignUp as `validationData`; at
sign-in, InitiateAuth's ClientMetadata is the `validationData` of PreAuthentication and UserMigration (their pages).

- PreSignUp (SignUp: PreSignUp_SignUp; AdminCreateUser: PreSignUp_AdminCreateUser): after moto's checks (the
  username free, the password policy), before the user is made. autoConfirmUser confirms it (no code is sent),
  autoVerifyEmail / autoVerifyPhone mark an attribute the user has verified; AdminCreateUser ignores them.
- PostConfirmation (ConfirmSignUp, AdminConfirmSignUp: _ConfirmSignUp; ConfirmForgotPassword:
  _ConfirmForgotPassword): after the confirmation, which stays done when the function fails (the caller still
  gets the error).
- UserMigration: trigger_migration.py.
- PreAuthentication (PreAuthentication_Authentication): every sign-in but a refresh, before the password is checked.
- PostAuthentication (PostAuthentication_Authentication): when a sign-in's tokens are made (after any challenge).
"""

from __future__ import annotations

from typing import Any

from cognito_emulator import triggers
from cognito_emulator.client_rules import add_rule, client_and_pool, hides_users

NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"
PASSWORD_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
SIGN_IN_FLOWS = (*PASSWORD_FLOWS, "USER_SRP_AUTH", "CUSTOM_AUTH")
SIGN_IN_ACTIONS = (
    "initiate_auth",
    "admin_initiate_auth",
    "respond_to_auth_challenge",
    "admin_respond_to_auth_challenge",
)


def status(user: Any) -> str:
    """The user's status as Cognito names it (CONFIRMED, UNCONFIRMED, ...)."""
    return str(getattr(user.status, "value", user.status))


def user_attributes(user: Any) -> dict[str, str]:
    """The string map Cognito sends as request.userAttributes for a user who exists."""
    attributes = {str(a["Name"]): str(a["Value"]) for a in user.attributes if a.get("Name") != "sub"}
    return {"sub": user.id, **attributes, "cognito:user_status": status(user)}


def metadata() -> dict[str, str]:
    """The request's ClientMetadata (a string map), {} when none was passed."""
    given = triggers.param("ClientMetadata")
    return dict(given) if isinstance(given, dict) else {}


def validation_data() -> dict[str, str] | None:
    """SignUp's and AdminCreateUser's ValidationData as a map, None when none was passed."""
    given = triggers.param("ValidationData")
    if not isinstance(given, list):
        return None
    return {str(item.get("Name")): str(item.get("Value")) for item in given if isinstance(item, dict)}


def event(
    pool: Any,
    source: str,
    username: str,
    request: dict[str, Any],
    response: dict[str, Any],
    *,
    user: Any = None,
    version: str = "1",
) -> dict[str, Any]:
    """A trigger event in Cognito's envelope; request.userAttributes from `user` unless `request` has them."""
    client_id = triggers.param("ClientId") or NO_CLIENT
    attributes = user_attributes(user) if user is not None else {}
    return {
        "version": version,
        "triggerSource": source,
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "request": {"userAttributes": attributes, **request},
        "response": response,
    }


def _pool_of_client(backend: Any, client_id: str) -> Any:
    return next((pool for pool in backend.user_pools.values() if client_id in pool.clients), None)


def _mark_verified(user: Any, attribute: str) -> None:
    if user.attribute_lookup.get(attribute):
        user.update_attributes([{"Name": f"{attribute}_verified", "Value": "true"}])


def _pre_sign_up(pool: Any, source: str, username: str, attributes: Any) -> dict[str, Any]:
    given = {str(a.get("Name")): str(a.get("Value")) for a in attributes or [] if isinstance(a, dict)}
    request = {"userAttributes": given, "validationData": validation_data(), "clientMetadata": metadata()}
    answer = {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}
    return triggers.invoke(pool, "pre_sign_up", event(pool, source, username, request, answer))


def _post_confirmation(pool: Any, user: Any, source: str) -> None:
    if user is not None and triggers.function(pool, "post_confirmation") is not None:
        request = {"clientMetadata": metadata()}
        triggers.invoke(pool, "post_confirmation", event(pool, source, user.username, request, {}, user=user))


def _pre_authentication(response: Any) -> None:
    from cognito_emulator.srp import find_user

    if not triggers.configured():
        return
    client, pool = client_and_pool(response)
    flow, parameters = response._get_param("AuthFlow"), response._get_param("AuthParameters")
    if flow not in SIGN_IN_FLOWS or triggers.function(pool, "pre_authentication") is None:
        return
    user = find_user(pool, parameters.get("USERNAME")) if isinstance(parameters, dict) else None
    if user is None:
        return  # the sign-in's own refusal follows
    request: dict[str, Any] = {"validationData": metadata() or None}
    if hides_users(client):
        request["userNotFound"] = False
    source = "PreAuthentication_Authentication"
    triggers.invoke(pool, "pre_authentication", event(pool, source, user.username, request, {}, user=user))


def teach() -> None:
    """Patch the triggers of sign-up, confirmation, sign-in and migration into moto (once)."""
    from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool, UserStatus
    from moto.cognitoidp.responses import CognitoIdpResponse

    if getattr(CognitoIdpBackend.sign_up, "runs_triggers", False):
        return
    sign_up, admin_create_user = CognitoIdpBackend.sign_up, CognitoIdpBackend.admin_create_user
    create_refresh_token = CognitoIdpUserPool.create_refresh_token

    def sign_up_with_trigger(self: Any, client_id: str, username: str, password: str, attributes: Any) -> Any:
        pool = _pool_of_client(self, client_id)
        if pool is None or triggers.function(pool, "pre_sign_up") is None or pool._get_user(username):
            return sign_up(self, client_id, username, password, attributes)
        self._validate_password(pool.id, password)  # moto's order: the policy before anything else
        answer = _pre_sign_up(pool, "PreSignUp_SignUp", username, attributes)
        user, details = sign_up(self, client_id, username, password, attributes)
        for flag, attribute in (("autoVerifyEmail", "email"), ("autoVerifyPhone", "phone_number")):
            if answer.get(flag) is True:
                _mark_verified(user, attribute)
        if answer.get("autoConfirmUser") is True:
            user.status, details = UserStatus.CONFIRMED, None
        return user, details

    def admin_create_user_with_trigger(
        self: Any, user_pool_id: str, username: str, message_action: str, temporary_password: str, attributes: Any
    ) -> Any:
        pool = self.user_pools.get(user_pool_id)
        new = pool is not None and message_action != "RESEND" and not pool._get_user(username)
        if new and triggers.function(pool, "pre_sign_up") is not None:
            _pre_sign_up(pool, "PreSignUp_AdminCreateUser", username, attributes)  # its answer is ignored
        return admin_create_user(self, user_pool_id, username, message_action, temporary_password, attributes)

    def create_refresh_token_with_trigger(self: Any, client_id: str, username: str) -> Any:
        made = create_refresh_token(self, client_id, username)
        if triggers.action() in SIGN_IN_ACTIONS and triggers.function(self, "post_authentication") is not None:
            user = self._get_user(username)
            request = {"newDeviceUsed": False, "clientMetadata": metadata()}
            source = "PostAuthentication_Authentication"
            triggers.invoke(self, "post_authentication", event(self, source, user.username, request, {}, user=user))
        return made

    def confirming(method: Any, source: str, pool_of: Any) -> Any:
        def confirm_with_trigger(self: Any) -> Any:
            answer = method(self)
            if not triggers.configured():
                return answer
            pool = pool_of(self)
            _post_confirmation(pool, pool._get_user(self._get_param("Username")), source)
            return answer

        return confirm_with_trigger

    by_client = lambda self: client_and_pool(self)[1]  # noqa: E731
    by_pool = lambda self: self.backend.describe_user_pool(self._get_param("UserPoolId"))  # noqa: E731
    sign_up_with_trigger.runs_triggers = True  # type: ignore[attr-defined]
    CognitoIdpBackend.sign_up = sign_up_with_trigger
    CognitoIdpBackend.admin_create_user = admin_create_user_with_trigger
    CognitoIdpUserPool.create_refresh_token = create_refresh_token_with_trigger
    CognitoIdpResponse.confirm_sign_up = confirming(
        CognitoIdpResponse.confirm_sign_up, "PostConfirmation_ConfirmSignUp", by_client
    )
    CognitoIdpResponse.admin_confirm_sign_up = confirming(
        CognitoIdpResponse.admin_confirm_sign_up, "PostConfirmation_ConfirmSignUp", by_pool
    )
    CognitoIdpResponse.confirm_forgot_password = confirming(
        CognitoIdpResponse.confirm_forgot_password, "PostConfirmation_ConfirmForgotPassword", by_client
    )
    for action in ("initiate_auth", "admin_initiate_auth"):
        add_rule(action, _pre_authentication)
