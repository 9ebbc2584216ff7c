"""Passkeys of the signed-in user: register, list, delete."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from controllers import passkeys
from middleware.authentication import require_token
from middleware.endpoint import endpoint
from middleware.ratelimit import per_client
from schemas import answers as out
from schemas.webauthn import PasskeyFinish
from views import USER_DATA, bp

# Passkeys of the signed-in user (issue 19): Cognito's WebAuthn operations, by the user's access token.
PASSKEYS: dict[str, Any] = {"cognito": True, "no_store": True}
USER_ADMIN = {"aws.cognito.signin.user.admin"}  # the scope Cognito's own user calls need (as /auth/me)


@bp.post("/auth/passkeys/register/start")
@per_client("rate_limit_confirm")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint("Start registering a passkey: the creation options", {200: out.PasskeyCreationOptions}, **PASSKEYS)
def passkey_register_start() -> ResponseReturnValue:
    return passkeys.register_start()


@bp.post("/auth/passkeys/register/finish")
@per_client("rate_limit_confirm")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint(
    "Finish registering a passkey with the browser's credential", {201: out.Passkeys}, body=PasskeyFinish, **PASSKEYS
)
def passkey_register_finish(body: PasskeyFinish) -> ResponseReturnValue:
    return passkeys.register_finish(body)


@bp.get("/auth/passkeys")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint("The signed-in user's passkeys", {200: out.Passkeys}, **PASSKEYS)
def passkey_list() -> ResponseReturnValue:
    return passkeys.passkeys()


@bp.delete("/auth/passkeys/<credential_id>")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint("Delete one of the signed-in user's passkeys", {204: None}, errors=(404,), **USER_DATA)
def passkey_delete(credential_id: str) -> ResponseReturnValue:
    return passkeys.delete(credential_id)
