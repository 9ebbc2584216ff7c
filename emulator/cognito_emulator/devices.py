"""Remembered devices, taught to moto (which has none): the pool's DeviceConfiguration, the device records,
ConfirmDevice, GetDevice, ListDevices, UpdateDeviceStatus, ForgetDevice and their Admin forms. The sign-in side
(NewDeviceMetadata, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER, MFA skipped) is device_srp.py.

Sources: botocore's cognito-idp model (shapes, DeviceKey's pattern, Limit 0-60, DeviceRememberedStatusType) and
../shared/PROTOCOLS-2.md section 2. moto keeps DeviceConfiguration in the pool's settings already (CreateUserPool,
UpdateUserPool, DescribeUserPool); a pool tracks devices when it has one. The records live in the pool's extras
(factors.py), so snapshot.py keeps them:
  devices: {device_key: {username, group_key, confirmed, status, name, verifier, salt, created, modified, last}}
`status` is "remembered", "not_remembered" or None before ConfirmDevice; `verifier` and `salt` are hex.
Uncertain (documented nowhere): a second ConfirmDevice of a confirmed device is refused here, and devices never
confirmed are not listed.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
import secrets
import time
import uuid
from typing import Any

from cognito_emulator.srp_math import N
from cognito_emulator.webauthn_ops import error

NO_DEVICE = "Device does not exist."  # Amplify retries a sign-in without its device on this exact message
DEVICE_KEY = re.compile(r"[\w-]+_[0-9a-f-]+")
STATUSES = ("remembered", "not_remembered")
MAX_LIMIT = 60
UNCONFIRMED_SECONDS = 86400  # metadata never confirmed is dropped after a day (Cognito documents no number)


def records(pool: Any) -> dict[str, dict[str, Any]]:
    """The pool's devices by DeviceKey (made on first use)."""
    from cognito_emulator import factors

    return factors.extras(pool).setdefault("devices", {})  # type: ignore[no-any-return]


def configuration(pool: Any) -> dict[str, Any] | None:
    """The pool's DeviceConfiguration, or None when it does not track devices."""
    found = pool.extended_config.get("DeviceConfiguration")
    return found if isinstance(found, dict) and found else None


def new_device(pool: Any, username: str) -> dict[str, str]:
    """A new device for a sign-in from an unknown one: NewDeviceMetadata's {DeviceKey, DeviceGroupKey}."""
    now = time.time()
    devices = records(pool)
    for key in [k for k, d in devices.items() if not d["confirmed"] and d["created"] < now - UNCONFIRMED_SECONDS]:
        del devices[key]
    key = f"{pool.region}_{uuid.uuid4()}"  # "Region_UUID", as the device tracking page says
    group = "-" + secrets.token_urlsafe(7).replace("_", "-")  # observed: a short random string led by "-"
    devices[key] = {"username": username, "group_key": group, "confirmed": False, "status": None, "name": None}
    devices[key].update(verifier=None, salt=None, created=now, modified=now, last=now)
    return {"DeviceKey": key, "DeviceGroupKey": group}


def confirmed_device(pool: Any, username: str, key: Any) -> dict[str, Any] | None:
    """The user's confirmed device with this key, else None."""
    device = records(pool).get(key) if isinstance(key, str) else None
    return device if device and device["confirmed"] and device["username"] == username else None


def skips_mfa(pool: Any, device: dict[str, Any]) -> bool:
    """Whether this device signs in without MFA: remembered, in a pool whose ChallengeRequiredOnNewDevice is true
    ("a remembered device can sign in with device authentication instead of SMS and TOTP factors", [BOTO])."""
    config = configuration(pool) or {}
    return bool(config.get("ChallengeRequiredOnNewDevice")) and device["status"] == "remembered"


def _key(given: Any) -> str:
    if not isinstance(given, str) or not given:
        raise error("InvalidParameterException", "1 validation error detected: Value null at 'deviceKey' failed to "
                    "satisfy constraint: Member must not be null")  # fmt: skip
    if len(given) > 55 or not DEVICE_KEY.fullmatch(given):
        raise error(
            "InvalidParameterException",
            f"1 validation error detected: Value '{given}' at 'deviceKey' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+",
        )
    return given


def _device(pool: Any, user: Any, given: Any) -> dict[str, Any]:
    device = confirmed_device(pool, user.username, _key(given))
    if device is None:
        raise error("ResourceNotFoundException", NO_DEVICE)
    return device


def _date(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def shape(key: str, device: dict[str, Any]) -> dict[str, Any]:
    """A DeviceType as Cognito answers it."""
    attributes = [{"Name": "device_status", "Value": "valid"}]
    if device["name"] is not None:
        attributes.append({"Name": "device_name", "Value": device["name"]})
    attributes.append({"Name": "dev:device_remembered_status", "Value": device["status"] or "not_remembered"})
    return {
        "DeviceKey": key,
        "DeviceAttributes": attributes,
        "DeviceCreateDate": _date(device["created"]),
        "DeviceLastModifiedDate": _date(device["modified"]),
        "DeviceLastAuthenticatedDate": _date(device["last"]),
    }


def confirm(pool: Any, user: Any, key: Any, name: Any, verifier_config: Any) -> bool:
    """ConfirmDevice: keep the device's verifier and name; whether the user must still choose to remember it."""
    device = records(pool).get(_key(key))
    if device is None or device["username"] != user.username:
        raise error("ResourceNotFoundException", NO_DEVICE)
    if device["confirmed"]:
        raise error("InvalidParameterException", "Device has already been confirmed.")
    if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= 1024):
        raise error("InvalidParameterException", "DeviceName must be between 1 and 1024 characters.")
    if verifier_config is not None:
        device["verifier"], device["salt"] = _verifier(verifier_config)
    prompt = bool((configuration(pool) or {}).get("DeviceOnlyRememberedOnUserPrompt"))
    device.update(confirmed=True, name=name, status="not_remembered" if prompt else "remembered")
    device["modified"] = time.time()
    return prompt


def _verifier(config: Any) -> tuple[str, str]:
    """DeviceSecretVerifierConfig's PasswordVerifier and Salt (base64 of padHex bytes), as hex."""
    values = []
    for field in ("PasswordVerifier", "Salt"):
        given = config.get(field) if isinstance(config, dict) else None
        try:
            raw = base64.b64decode(given, validate=True) if isinstance(given, str) and given else b""
        except (binascii.Error, ValueError):
            raw = b""
        if not raw:
            raise error("InvalidParameterException", f"DeviceSecretVerifierConfig.{field} is not valid base64.")
        values.append(raw.hex())
    if int(values[0], 16) % N == 0:
        raise error("InvalidParameterException", "DeviceSecretVerifierConfig.PasswordVerifier is not valid.")
    return values[0], values[1]


def listed(pool: Any, user: Any, limit: Any, token: Any) -> dict[str, Any]:
    """ListDevices' answer: the user's confirmed devices, oldest first, `limit` a page."""
    if limit is not None and (not isinstance(limit, int) or not 0 <= limit <= MAX_LIMIT):
        raise error(
            "InvalidParameterException",
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: "
            f"Member must have value less than or equal to {MAX_LIMIT}",
        )
    mine = sorted(
        ((k, d) for k, d in records(pool).items() if d["confirmed"] and d["username"] == user.username),
        key=lambda item: (item[1]["created"], item[0]),
    )
    start = 0
    if token is not None:
        keys = [k for k, _ in mine]
        try:
            start = keys.index(base64.urlsafe_b64decode(str(token)).decode()) if token else -1
        except (ValueError, binascii.Error, UnicodeDecodeError):
            start = -1
        if start < 0:
            raise error("InvalidParameterException", "Invalid pagination token.")
    size = MAX_LIMIT if limit is None or limit == 0 else limit
    page = mine[start : start + size]
    answer: dict[str, Any] = {"Devices": [shape(k, d) for k, d in page]}
    if start + size < len(mine):
        answer["PaginationToken"] = base64.urlsafe_b64encode(mine[start + size][0].encode()).decode()
    return answer


def set_status(pool: Any, user: Any, key: Any, status: Any) -> None:
    """UpdateDeviceStatus: remembered or not_remembered."""
    device = _device(pool, user, key)
    if status not in STATUSES:
        raise error(
            "InvalidParameterException",
            f"1 validation error detected: Value '{status}' at 'deviceRememberedStatus' failed to satisfy "
            "constraint: Member must satisfy enum value set: [remembered, not_remembered]",
        )
    device.update(status=status, modified=time.time())


def forget(pool: Any, user: Any, key: Any) -> None:
    """ForgetDevice: the device is gone; its key signs in as an unknown one."""
    _device(pool, user, key)
    del records(pool)[key]


def teach() -> None:
    """Patch the device operations into moto's Cognito responses, and device sign-in (once per process)."""
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult, EmptyResult

    from cognito_emulator import device_srp
    from cognito_emulator.operations import _signed_in

    if getattr(CognitoIdpResponse, "get_device", None) is not None:
        return

    def admin(self: Any) -> tuple[Any, Any]:
        pool_id = self._get_param("UserPoolId")
        user = self.backend.admin_get_user(pool_id, self._get_param("Username"))  # pool and user or their errors
        return self.backend.user_pools[pool_id], user

    def device_of(self: Any, signed_in: Any) -> ActionResult:
        pool, user = signed_in(self)
        key = _key(self._get_param("DeviceKey"))
        return ActionResult({"Device": shape(key, _device(pool, user, key))})

    def listing(self: Any, signed_in: Any) -> ActionResult:
        pool, user = signed_in(self)
        return ActionResult(listed(pool, user, self._get_param("Limit"), self._get_param("PaginationToken")))

    def status(self: Any, signed_in: Any) -> ActionResult:
        pool, user = signed_in(self)
        set_status(pool, user, self._get_param("DeviceKey"), self._get_param("DeviceRememberedStatus"))
        return ActionResult({})

    def forgetting(self: Any, signed_in: Any) -> EmptyResult:
        pool, user = signed_in(self)
        forget(pool, user, self._get_param("DeviceKey"))
        return EmptyResult()

    def confirm_device(self: Any) -> ActionResult:
        pool, user = _signed_in(self)
        arguments = (self._get_param(name) for name in ("DeviceKey", "DeviceName", "DeviceSecretVerifierConfig"))
        return ActionResult({"UserConfirmationNecessary": confirm(pool, user, *arguments)})

    operations = {"get_device": device_of, "list_devices": listing, "update_device_status": status}
    operations["forget_device"] = forgetting
    for operation, handler in operations.items():  # each with the access token's user, and as Admin with the named
        setattr(CognitoIdpResponse, operation, lambda self, h=handler: h(self, _signed_in))
        setattr(CognitoIdpResponse, f"admin_{operation}", lambda self, h=handler: h(self, admin))
    CognitoIdpResponse.confirm_device = confirm_device
    device_srp.teach()
