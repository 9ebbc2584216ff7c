"""Remembered devices of the signed-in user: list, remember or not, forget."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from controllers import devices
from middleware.authentication import require_token
from middleware.endpoint import endpoint
from middleware.ratelimit import per_client
from schemas import devices as schema
from views import USER_DATA, bp

USER_ADMIN = {"aws.cognito.signin.user.admin"}  # the scope Cognito's own user calls need (as /auth/me)


@bp.get("/auth/devices")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint("The signed-in user's remembered devices", {200: schema.Devices}, **USER_DATA)
def device_list() -> ResponseReturnValue:
    return devices.devices()


@bp.put("/auth/devices/<device_key>")
@per_client("rate_limit_confirm")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint(
    "Remember one of the signed-in user's devices or not (MFA skipped where the pool says so)",
    {200: schema.DeviceRemembered},
    body=schema.DeviceStatus,
    errors=(404,),
    **USER_DATA,
)
def device_update(device_key: str, body: schema.DeviceStatus) -> ResponseReturnValue:
    return devices.update(device_key, body)


@bp.delete("/auth/devices/<device_key>")
@per_client("rate_limit_confirm")
@require_token({"access"}, scopes=USER_ADMIN)
@endpoint("Forget one of the signed-in user's devices", {204: None}, errors=(404,), **USER_DATA)
def device_forget(device_key: str) -> ResponseReturnValue:
    return devices.forget(device_key)
