"""Which attributes a signed-in user may change or delete, as Cognito checks it, taught to moto (which writes any
name, even `sub` or one the pool does not have, and lacks DeleteUserAttributes: an HTML 500).

- Every standard attribute exists in every pool (moto keeps only the ones a pool's Schema named); a `custom:`
  one exists when the pool has it. Another name: InvalidParameterException "Invalid user attributes:
  user.<name>: Attribute does not exist in the schema." (moto's own wording for AdminDeleteUserAttributes).
- An immutable attribute (`sub`, or one created with Mutable false) is refused: InvalidParameterException.
- The app client's WriteAttributes, when set, are the only ones its users may write or delete; another is
  NotAuthorizedException "A client attempted to write unauthorized attribute" (Cognito's message, [BOTO]
  UpdateUserPoolClient WriteAttributes). The `*_verified` flags are never a client's to write: only an
  administrator sets them (AdminUpdateUserAttributes).
- DeleteUserAttributes (by access token) refuses a required attribute (InvalidParameterException); deleting
  `email` or `phone_number` deletes its `_verified` flag too.
The wording of the immutable and required refusals is the emulator's; the error codes are Cognito's.
moto is imported inside `teach()` only.
"""

from __future__ import annotations

from typing import Any

from cognito_emulator import client_rules
from cognito_emulator.webauthn_ops import error, signed_in

UNAUTHORIZED = "A client attempted to write unauthorized attribute"


def _schema(pool: Any, name: str) -> dict[str, bool] | None:
    """{mutable, required} of the pool's attribute `name`, or None when the pool has no such attribute."""
    from moto.cognitoidp.models import CognitoIdpUserPoolAttribute

    attribute = pool.schema_attributes.get(name)
    if attribute is not None:
        return {"mutable": bool(attribute.mutable), "required": bool(attribute.required)}
    standard = CognitoIdpUserPoolAttribute.STANDARD_SCHEMA.get(name)
    if standard is None:
        return None
    return {"mutable": bool(standard["Mutable"]), "required": bool(standard["Required"])}


def _client_may_write(pool: Any, client_id: str, name: str) -> bool:
    client = pool.clients.get(client_id)
    if name.endswith("_verified"):
        return False
    writable = client.extended_config.get("WriteAttributes") if client is not None else None
    return not writable or name in writable


def check_write(pool: Any, client_id: str, names: list[Any], *, deleting: bool = False) -> None:
    """Refuse, as Cognito does, a name the pool lacks, an immutable or (deleting) required one, or one the app
    client may not write."""
    for name in names:
        if not isinstance(name, str) or (_schema(pool, name) is None and not name.endswith("_verified")):
            raise error(
                "InvalidParameterException",
                f"Invalid user attributes: user.{name}: Attribute does not exist in the schema.",
            )
    for name in names:
        if not _client_may_write(pool, client_id, name):
            raise error("NotAuthorizedException", UNAUTHORIZED)
    for name in names:
        schema = _schema(pool, name) or {"mutable": True, "required": False}
        if not schema["mutable"]:
            raise error(
                "InvalidParameterException", f"Invalid user attributes: user.{name}: Attribute cannot be updated."
            )
        if deleting and schema["required"]:
            raise error(
                "InvalidParameterException",
                f"Invalid user attributes: user.{name}: Required attribute cannot be deleted.",
            )


def _update_rule(response: Any) -> None:
    token = response._get_param("AccessToken")
    backend = response._get_region_agnostic_backend()._find_backend_by_access_token(token)
    pool, _, client_id = signed_in(backend, token)
    attributes = response._get_param("UserAttributes")
    if isinstance(attributes, list):
        check_write(pool, client_id, [item.get("Name") if isinstance(item, dict) else None for item in attributes])


def teach() -> None:
    """Check UpdateUserAttributes' names, and teach moto DeleteUserAttributes."""
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import EmptyResult

    def delete_user_attributes(self: Any) -> EmptyResult:
        token = self._get_param("AccessToken")
        backend = self._get_region_agnostic_backend()._find_backend_by_access_token(token)
        pool, user, client_id = signed_in(backend, token)
        names = self._get_param("UserAttributeNames")
        if not isinstance(names, list):
            raise error("InvalidParameterException", "Missing required parameter UserAttributeNames")
        check_write(pool, client_id, names, deleting=True)
        present = [name for name in names if name in user.attribute_lookup]
        flags = [f"{name}_verified" for name in present if f"{name}_verified" in user.attribute_lookup]
        if present:
            user.delete_attributes(present + flags)
        return EmptyResult()

    client_rules.add_rule("update_user_attributes", _update_rule)
    CognitoIdpResponse.delete_user_attributes = delete_user_attributes
