"""The user migration trigger: a user the pool does not have, made from the old system's answer at sign-in with a
password or at ForgotPassword ([DG] "Migrate user Lambda trigger"; PROTOCOLS-2.md section 3).

- UserMigration_Authentication (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH): request {password,
  validationData (InitiateAuth's ClientMetadata), clientMetadata}; UserMigration_ForgotPassword: no password.
- The answer's userAttributes (required) make the user: CONFIRMED with the password given when finalUserStatus is
  CONFIRMED, else RESET_REQUIRED (ForgotPassword: always, no password is known). The pool's password policy is not
  applied. Then the operation goes on as for any user (the sign-in checks the password, ForgotPassword sends the
  code). SRP sends no password, so it never migrates.
- A RESET_REQUIRED user's sign-in is PasswordResetRequiredException "Password reset required for the user"
  (moto signs them in), whether migrated so or reset by an administrator.
These run as client_rules.py rules: migration before the others (whose user check would refuse the
unknown user), the reset check after them.
Not done: messageAction / desiredDeliveryMediums (no welcome message is sent), forceAliasCreation, enableSMSMFA.
"""

from __future__ import annotations

from typing import Any

from cognito_emulator import triggers
from cognito_emulator.client_rules import RULES, add_rule, check_flow, check_secret_hash, client_and_pool, names_of
from cognito_emulator.trigger_events import PASSWORD_FLOWS, SIGN_IN_FLOWS, event, metadata, status
from cognito_emulator.webauthn_ops import error

MIGRATION_ANSWER = ("userAttributes", "finalUserStatus", "messageAction", "desiredDeliveryMediums")


def _migrate(response: Any, source: str) -> None:
    """A rule before the others: the user a sign-in or ForgotPassword names, made by UserMigration if missing."""
    from cognito_emulator.srp import find_user

    if not triggers.configured():
        return
    client, pool = client_and_pool(response)
    if triggers.function(pool, "user_migration") is None:
        return
    if source == "UserMigration_Authentication":
        flow, parameters = response._get_param("AuthFlow"), response._get_param("AuthParameters")
        if flow not in PASSWORD_FLOWS or not isinstance(parameters, dict):
            return
        check_flow(client, flow)
        username, password, given_hash = (
            parameters.get("USERNAME"),
            parameters.get("PASSWORD"),
            parameters.get("SECRET_HASH"),
        )
        request: dict[str, Any] = {"password": password}
    else:
        username, password, given_hash = response._get_param("Username"), None, response._get_param("SecretHash")
        request = {}
    if not isinstance(username, str) or not username or find_user(pool, username) is not None:
        return
    if source == "UserMigration_Authentication" and (not isinstance(password, str) or not password):
        return  # moto's own answer for a sign-in without a password
    check_secret_hash(client, given_hash, names_of(pool, None, username))
    request.update(validationData=metadata() or None, clientMetadata=metadata())
    answer = triggers.invoke(
        pool, "user_migration", event(pool, source, username, request, dict.fromkeys(MIGRATION_ANSWER))
    )
    _make_migrated_user(pool, username, password, answer)


def _make_migrated_user(pool: Any, username: str, password: str | None, answer: dict[str, Any]) -> None:
    from moto.cognitoidp.models import CognitoIdpUser, UserStatus

    attributes = answer.get("userAttributes")
    if not isinstance(attributes, dict):
        raise error("InvalidLambdaResponseException", triggers.UNRECOGNIZABLE)
    made = [{"Name": str(k), "Value": str(v)} for k, v in attributes.items() if k not in ("sub", "cognito:user_status")]
    confirmed = password is not None and answer.get("finalUserStatus") == "CONFIRMED"
    state = UserStatus.CONFIRMED if confirmed else UserStatus.RESET_REQUIRED
    # An email- or phone-as-username pool names the user by a new UUID, as its sign-up does.
    name = None if pool.extended_config.get("UsernameAttributes") else username
    user = CognitoIdpUser(pool.id, name, password, state, made)
    pool.users[user.username] = user


def _reset_required(response: Any) -> None:
    """A user who must reset their password (migrated so, or reset by an administrator) cannot sign in with one:
    PasswordResetRequiredException, as Cognito answers (moto signs them in)."""
    from cognito_emulator.srp import find_user

    _, pool = client_and_pool(response)
    flow, parameters = response._get_param("AuthFlow"), response._get_param("AuthParameters")
    if flow not in SIGN_IN_FLOWS or not isinstance(parameters, dict):
        return
    user = find_user(pool, parameters.get("USERNAME"))
    if user is not None and status(user) == "RESET_REQUIRED":
        raise error("PasswordResetRequiredException", "Password reset required for the user")


def _first(action: str, rule: Any) -> None:
    if rule not in RULES.setdefault(action, []):
        RULES[action].insert(0, rule)


def teach() -> None:
    """Add the migration and reset rules to client_rules.py's RULES (once)."""
    if getattr(RULES.get("forgot_password", [None])[0], "migrates", False):
        return
    by_sign_in = lambda response: _migrate(response, "UserMigration_Authentication")  # noqa: E731
    at_reset = lambda response: _migrate(response, "UserMigration_ForgotPassword")  # noqa: E731
    at_reset.migrates = True  # type: ignore[attr-defined]
    for action in ("initiate_auth", "admin_initiate_auth"):
        _first(action, by_sign_in)
        add_rule(action, _reset_required)
    _first("forgot_password", at_reset)
