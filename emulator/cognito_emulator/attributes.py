"""Changing and verifying a user's email and phone number as Cognito does, taught to moto (which changes either at
once, never unverifies it, and lacks GetUserAttributeVerificationCode and VerifyUserAttribute: an HTML 500).

- UpdateUserAttributes / AdminUpdateUserAttributes of `email` or `phone_number`, with the attribute in the pool's
  UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate: the old value stays until the code sent to
  the new one comes back through VerifyUserAttribute ([BOTO] UserAttributeUpdateSettingsType). Without it the value
  changes at once, `<attribute>_verified` becomes false and, for an auto-verified attribute, a code goes to the new
  value. UpdateUserAttributes answers the CodeDeliveryDetailsList of the codes it sent. An administrator who sets
  `<attribute>_verified` true in the same call changes it verified, with no code.
- GetUserAttributeVerificationCode sends a code for `email` or `phone_number` (5 calls an hour per user);
  VerifyUserAttribute takes it (24 h; 15 wrong tries an hour) and marks the attribute verified.
moto is imported inside `teach()` only.
"""

from __future__ import annotations

from typing import Any

from cognito_emulator import codes
from cognito_emulator.webauthn_ops import error, signed_in

CHECKED = ("email", "phone_number")


def _wait_for_verification(pool: Any) -> list[str]:
    settings = pool.extended_config.get("UserAttributeUpdateSettings") or {}
    return list(settings.get("AttributesRequireVerificationBeforeUpdate") or [])


def _attribute_name(name: Any) -> str:
    if name not in CHECKED:
        raise error("InvalidParameterException", f"Invalid attribute name: {name}")
    return name  # type: ignore[no-any-return]


def update(backend: Any, pool: Any, user: Any, attributes: Any, *, admin: bool) -> list[dict[str, str]]:
    """Apply `attributes` as Cognito does (above); return the CodeDeliveryDetails of the codes sent."""
    if not isinstance(attributes, list):
        raise error("InvalidParameterException", "Missing required parameter UserAttributes")
    given = {a.get("Name"): a.get("Value") for a in attributes if isinstance(a, dict)}
    now, changed, sent = [], [], []
    for item in attributes:
        name, value = item.get("Name"), item.get("Value")
        if name not in CHECKED or value == user.attribute_lookup.get(name):
            now.append(item)
            continue
        if admin and str(given.get(f"{name}_verified", "")).lower() == "true":
            now.append(item)  # an administrator's verified value: no code
        elif name in _wait_for_verification(pool):
            if name == "email":
                backend._verify_email_is_not_used(pool.id, value)
            sent.append(codes.issue(pool, user, codes.VERIFY, name, value=value))
        else:
            now += [item, {"Name": f"{name}_verified", "Value": "false"}]
            changed.append(name)
    backend.admin_update_user_attributes(pool.id, user.username, now)
    auto = pool.extended_config.get("AutoVerifiedAttributes") or []
    sent += [codes.issue(pool, user, codes.VERIFY, name) for name in changed if name in auto]
    return sent


def teach() -> None:
    """Patch UpdateUserAttributes, AdminUpdateUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute."""
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult, EmptyResult

    def by_token(self: Any) -> tuple[Any, Any, Any]:
        backend = self._get_region_agnostic_backend()._find_backend_by_access_token(self._get_param("AccessToken"))
        pool, user, _ = signed_in(backend, self._get_param("AccessToken"))
        return backend, pool, user

    def update_user_attributes(self: Any) -> ActionResult:
        backend, pool, user = by_token(self)
        sent = update(backend, pool, user, self._get_param("UserAttributes"), admin=False)
        return ActionResult({"CodeDeliveryDetailsList": sent} if sent else {})

    def admin_update_user_attributes(self: Any) -> EmptyResult:
        pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
        user = self.backend.admin_get_user(pool.id, self._get_param("Username"))
        update(self.backend, pool, user, self._get_param("UserAttributes"), admin=True)
        return EmptyResult()

    def get_user_attribute_verification_code(self: Any) -> ActionResult:
        _, pool, user = by_token(self)
        name = _attribute_name(self._get_param("AttributeName"))
        waiting = codes.pending(pool, user, codes.VERIFY, name) or {}
        if "value" not in waiting and not user.attribute_lookup.get(name):
            raise error("InvalidParameterException", f"User does not have a value for the attribute: {name}")
        codes.count_send(pool, user, "GetUserAttributeVerificationCode", 5)
        extra = {"value": waiting["value"]} if "value" in waiting else {}
        return ActionResult({"CodeDeliveryDetails": codes.issue(pool, user, codes.VERIFY, name, **extra)})

    def verify_user_attribute(self: Any) -> EmptyResult:
        backend, pool, user = by_token(self)
        name = _attribute_name(self._get_param("AttributeName"))
        record = codes.check(pool, user, codes.VERIFY, self._get_param("Code"), name)
        if "value" in record:  # the new value that waited for this code
            if name == "email":
                backend._verify_email_is_not_used(pool.id, record["value"])
            user.update_attributes([{"Name": name, "Value": record["value"]}])
        codes.mark_verified(user, name)
        codes.spend(pool, user, codes.VERIFY, name)
        return EmptyResult()

    CognitoIdpResponse.update_user_attributes = update_user_attributes
    CognitoIdpResponse.admin_update_user_attributes = admin_update_user_attributes
    CognitoIdpResponse.get_user_attribute_verification_code = get_user_attribute_verification_code
    CognitoIdpResponse.verify_user_attribute = verify_user_attribute
