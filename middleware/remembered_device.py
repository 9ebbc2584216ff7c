"""The request's side of remembered devices (services/flows/devices.py does the Cognito side): the device a sign-in
names (the body's `device`, or a browser's device cookie), the name a new device is confirmed under (from the
User-Agent), and what the client is given back.

An API client gets a new device in the answer (`device`: key, group_key, password, remembered) and sends it back as
`device` on later sign-ins. A browser signing in to a session gets it in a cookie of its own, `auth_device`
(`__Host-auth_device` where cookies are Secure): HttpOnly, SameSite=Lax, for a year, its secret never in the JSON;
the cookie is cleared when Cognito no longer takes the device.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from flask import after_this_request, request
from werkzeug.wrappers import Response

from middleware.session_cookie import clear_cookie, cookie_name, set_cookie
from schemas.devices import DeviceCredentials
from services.flows.devices import Device, DeviceSignIn, device_sign_in, valid_key

DEVICE_COOKIE = "auth_device"
DEVICE_COOKIE_SECONDS = 365 * 86400  # long-lived: Cognito keeps a device until it is forgotten
_MAX_COOKIE_CHARS = 1024
_MAX_NAME_CHARS = 64
# (pattern in the User-Agent, name), first match wins: Edge and Opera say Chrome too, Chrome says Safari.
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
    ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"),
)  # fmt: skip
_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def device_name() -> str:
    """A short name for the request's device: "Chrome on Linux", else the User-Agent's start, else "Unknown device"."""
    agent = request.headers.get("User-Agent", "")
    browser = next((name for mark, name in _BROWSERS if mark in agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in agent), None)
    if browser and system:
        return f"{browser} on {system}"
    short = _PRINTABLE.sub("", agent).strip()[:_MAX_NAME_CHARS].strip()
    return short or "Unknown device"


def sent_device(given: DeviceCredentials | None) -> Device | None:
    """The device of a sign-in's body."""
    return Device(given.key, given.group_key, given.password) if given is not None else None


def cookie_device() -> Device | None:
    """The browser's device, from its device cookie (None when absent or unreadable)."""
    value = request.cookies.get(cookie_name(DEVICE_COOKIE), "")
    if not value or len(value) > _MAX_COOKIE_CHARS:
        return None
    try:
        fields = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(fields, dict):
        return None
    key, group, password = (fields.get(name) for name in ("key", "group_key", "password"))
    if not all(isinstance(part, str) and part for part in (key, group, password)) or not valid_key(str(key)):
        return None
    return Device(str(key), str(group), str(password))


@contextlib.contextmanager
def signing_in(sent: Device | None, *, cookie: bool = False) -> Iterator[DeviceSignIn]:
    """The sign-ins made inside name `sent` and confirm a new device (under device_name()); with `cookie`, the
    response (whatever it is, an error too) sets the device cookie for a new device, or clears a refused one."""
    with device_sign_in(sent, device_name()) as state:
        try:
            yield state
        finally:
            if cookie:
                after_this_request(lambda response: _keep_cookie(response, state))


def _keep_cookie(response: Response, state: DeviceSignIn) -> Response:
    if state.confirmed is not None:
        device = state.confirmed
        fields = {"key": device.key, "group_key": device.group_key, "password": device.password}
        value = base64.urlsafe_b64encode(json.dumps(fields, separators=(",", ":")).encode()).decode().rstrip("=")
        set_cookie(response, DEVICE_COOKIE, value, DEVICE_COOKIE_SECONDS)
    elif state.forgotten:
        clear_cookie(response, DEVICE_COOKIE)
    return response


def forget_cookie_of(key: str) -> None:
    """Clear the device cookie from the response when it holds the device `key` (just forgotten)."""
    device = cookie_device()
    if device is not None and device.key == key:
        after_this_request(lambda response: _cleared(response))


def _cleared(response: Response) -> Response:
    clear_cookie(response, DEVICE_COOKIE)
    return response


def bound_device(answer: Mapping[str, Any], state: DeviceSignIn) -> dict[str, Any]:
    """A sign-in's tokens with `device_key`, the device they are bound to (a refresh sends it back), if any."""
    key = state.bound_key if "access_token" in answer else None
    return {**answer, "device_key": key} if key is not None else dict(answer)


def with_new_device(answer: Mapping[str, Any], state: DeviceSignIn, *, secret: bool = True) -> dict[str, Any]:
    """The sign-in's answer with `device` when a new one was confirmed: with its secret for an API client,
    without (`secret` False: the cookie has it) for a browser session."""
    out = bound_device(answer, state)
    device = state.confirmed
    if device is not None:  # confirmed only for a sign-in's tokens
        shown: dict[str, Any] = {"key": device.key, "remembered": state.remembered}
        if secret:
            shown.update(group_key=device.group_key, password=device.password)
        out["device"] = shown
    return out
