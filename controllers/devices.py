"""A signed-in user's remembered devices: list, remember or not, forget.

Every call is authorized by the user's access token (a bearer token, or the session cookie's); Cognito keeps the
devices (services/flows/devices.py). Forgetting the device of this browser clears its device cookie too.
"""

from __future__ import annotations

from flask import Response, jsonify

from extensions import services
from middleware.authentication import current_token
from middleware.remembered_device import cookie_device, forget_cookie_of
from schemas.devices import DeviceStatus


def devices() -> Response:
    """The signed-in user's devices, the browser's own (its device cookie) marked `current`."""
    mine = cookie_device()
    found = services().auth.devices(current_token())
    return jsonify(devices=[{**device, "current": mine is not None and device["key"] == mine.key} for device in found])


def update(device_key: str, body: DeviceStatus) -> Response:
    """Remember the device or not (404 device_not_found when the user has none with this key)."""
    services().auth.remember_device(current_token(), device_key, body.remembered)
    return jsonify(key=device_key, remembered=body.remembered)


def forget(device_key: str) -> tuple[str, int]:
    """Forget the device: 204 (404 device_not_found when the user has none with this key)."""
    services().auth.forget_device(current_token(), device_key)
    forget_cookie_of(device_key)
    return "", 204
