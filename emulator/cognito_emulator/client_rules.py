"""The app client's rules, checked before any handler runs (moto's, or another local module's): ExplicitAuthFlows,
SECRET_HASH, and PreventUserExistenceErrors, with Cognito's exception names and messages.

One hook (`teach`) wraps moto's `call_action`: for an operation with rules here (`RULES`, by moto's method name),
each rule runs first and may raise Cognito's error or answer in the handler's place. So the rules hold whatever
handler another module teaches moto for the same operation, and in whichever order the modules are taught.

Sources: botocore's model (ExplicitAuthFlowsListType: a client given no flows allows ALLOW_REFRESH_TOKEN_AUTH,
ALLOW_USER_SRP_AUTH and ALLOW_CUSTOM_AUTH; PreventUserExistenceErrors defaults to LEGACY; SECRET_HASH
documentation), ../shared/COGNITO.md (SECRET_HASH's formula), AWS's "Managing user existence error responses".
Messages are the ones Cognito answers: "<FLOW> flow not enabled for this client", "Client <id> is configured with
secret but SECRET_HASH was not received", "Unable to verify secret hash for client <id>", "Incorrect username or
password.", "Username/client id combination not found.", "Invalid verification code provided, please try again.".
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from cognito_emulator.additions import _secret_hash
from cognito_emulator.webauthn_ops import error

Rule = Callable[[Any], Any]  # (moto's response object) -> None, or an ActionResult answered in the handler's place
RULES: dict[str, list[Rule]] = {}

DEFAULT_FLOWS = ("ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH")
# Each flow and the ExplicitAuthFlows values that allow it: the ALLOW_ value, else the legacy one (never mixed).
FLOW_SETTINGS = {
    "USER_PASSWORD_AUTH": ("ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"),
    "ADMIN_USER_PASSWORD_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"),
    "ADMIN_NO_SRP_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"),
    "USER_SRP_AUTH": ("ALLOW_USER_SRP_AUTH", None),
    "REFRESH_TOKEN_AUTH": ("ALLOW_REFRESH_TOKEN_AUTH", None),
    "REFRESH_TOKEN": ("ALLOW_REFRESH_TOKEN_AUTH", None),
    "CUSTOM_AUTH": ("ALLOW_CUSTOM_AUTH", None),
    "USER_AUTH": ("ALLOW_USER_AUTH", None),
}
LEGACY = {"USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY"}
WRONG_PASSWORD = "Incorrect username or password."  # noqa: S105 (a message)
NOT_FOUND = "Username/client id combination not found."
WRONG_CODE = "Invalid verification code provided, please try again."


def add_rule(action: str, rule: Rule) -> None:
    """Run `rule` before the handler of `action` (moto's snake_case method name), after the rules added before it."""
    if rule not in RULES.setdefault(action, []):
        RULES[action].append(rule)


def flow_allowed(client: Any, flow: str) -> bool:
    """Whether the app client's ExplicitAuthFlows allow `flow` (an InitiateAuth or AdminInitiateAuth AuthFlow)."""
    flows = set(client.extended_config.get("ExplicitAuthFlows") or DEFAULT_FLOWS)
    allow, legacy = FLOW_SETTINGS.get(flow, (None, None))
    if allow is None:
        return True  # an unknown flow name: moto's own check refuses it with Cognito's validation message
    if flows & LEGACY and not any(value.startswith("ALLOW_") for value in flows):
        # A legacy client: SRP, refresh and custom flows were always on, the password flows only when listed.
        return (
            legacy in flows
            if legacy
            else flow != "USER_AUTH" and not ("CUSTOM_AUTH_FLOW_ONLY" in flows and flow == "USER_SRP_AUTH")
        )
    return allow in flows


def check_flow(client: Any, flow: Any) -> None:
    """InvalidParameterException unless the client allows the flow."""
    if isinstance(flow, str) and not flow_allowed(client, flow):
        raise error("InvalidParameterException", f"{flow} flow not enabled for this client")


def hides_users(client: Any) -> bool:
    """Whether the client's PreventUserExistenceErrors is ENABLED (Cognito's API default is LEGACY)."""
    return client is not None and client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"


def unknown_user_at_sign_in(client: Any) -> Exception:
    """Sign-in's answer for a user who does not exist: the wrong-password error when the client hides users."""
    if hides_users(client):
        return error("NotAuthorizedException", WRONG_PASSWORD)
    return error("UserNotFoundException", "User does not exist.")


def names_of(pool: Any, user: Any, given: Any) -> set[str]:
    """Every name SECRET_HASH may be computed over for this user: the one given, the username, the sub, aliases."""
    names = {given} if isinstance(given, str) else set()
    if user is not None:
        names |= {user.username, user.id}
        aliases = (pool.extended_config.get("UsernameAttributes") or []) + (
            pool.extended_config.get("AliasAttributes") or []
        )
        names |= {str(user.attribute_lookup[a]) for a in aliases if a in user.attribute_lookup}
    return names


def check_secret_hash(client: Any, given: Any, names: set[str]) -> None:
    """For a client with a secret: SECRET_HASH present, and right for one of the user's names."""
    if not client.generate_secret:
        return
    if not given:
        message = f"Client {client.id} is configured with secret but SECRET_HASH was not received"
        raise error("NotAuthorizedException", message)
    if not isinstance(given, str) or not any(
        hmac.compare_digest(given, _secret_hash(client.secret, name, client.id)) for name in names
    ):
        raise error("NotAuthorizedException", f"Unable to verify secret hash for client {client.id}")


def fake_delivery(pool: Any, username: Any, medium: str = "EMAIL") -> dict[str, str]:
    """A made-up CodeDeliveryDetails for a user who does not exist, the same each time for the same name."""
    seed = hashlib.sha256(f"{pool.id}/{username}".encode()).hexdigest()
    if medium == "SMS":
        number = f"+*******{int(seed[:8], 16) % 10000:04d}"
        return {"Destination": number, "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    name = str(username)
    local, _, domain = name.partition("@") if "@" in name else (name, "", chr(ord("a") + int(seed[:2], 16) % 26))
    return {"Destination": f"{local[:1]}***@{domain[:1]}***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def recovery_medium(pool: Any) -> str:
    """The medium ForgotPassword uses: the pool's first recovery mechanism (Cognito's default: email)."""
    mechanisms = (pool.extended_config.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms") or []
    first = min(mechanisms, key=lambda m: m.get("Priority", 0))["Name"] if mechanisms else "verified_email"
    return "SMS" if first == "verified_phone_number" else "EMAIL"


def client_and_pool(response: Any) -> tuple[Any, Any]:
    """The request's app client and its pool, else ResourceNotFoundException."""
    from cognito_emulator.passwordless import client_and_pool as find

    client_id = response._get_param("ClientId")
    backend = response._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
    return find(backend, client_id)


def teach() -> None:
    """Wrap moto's call_action so RULES run before the operations they are for (once per process)."""
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.utils import camelcase_to_underscores

    if getattr(CognitoIdpResponse.call_action, "runs_rules", False):
        return
    from cognito_emulator import client_checks

    client_checks.register()
    call_action = CognitoIdpResponse.call_action

    def call_action_with_rules(self: Any) -> Any:
        action = camelcase_to_underscores(self._get_action())
        rules = RULES.get(action)
        if rules and action not in vars(self):
            handler = getattr(self, action)

            def guarded() -> Any:
                for rule in rules:
                    answer = rule(self)
                    if answer is not None:
                        return answer
                return handler()

            setattr(self, action, guarded)  # this request's handler: moto's call_action turns errors into answers
        return call_action(self)

    call_action_with_rules.runs_rules = True  # type: ignore[attr-defined]
    CognitoIdpResponse.call_action = call_action_with_rules
