"""Remembered devices (Cognito's device tracking; ../shared/PROTOCOLS-2.md section 2): the device a sign-in was
answered for confirmed, a remembered one signing in by device SRP, and the signed-in user's devices (ListDevices,
UpdateDeviceStatus, ForgetDevice).

A sign-in made inside `device_sign_in(...)` (the controllers of /auth/login, /auth/challenge, /auth/session and the
sign-in form) goes through `DeviceCalls.sign_in_call`, whatever its flow (password, SRP, USER_AUTH, a challenge):
- the request's device is named: DEVICE_KEY in InitiateAuth's AuthParameters and in PASSWORD_VERIFIER's answer;
- "Device does not exist." to InitiateAuth (the device was forgotten): the call once more without it, as Amplify does;
- DEVICE_SRP_AUTH: answered with the device's secret (pycognito's AWSSRP.process_device_challenge), then tokens;
- tokens with NewDeviceMetadata: the device confirmed (ConfirmDevice, its secret and verifier made by pycognito's
  generate_hash_device), kept in the sign-in's `DeviceSignIn` for the controller to hand to the client.
Whether a remembered device skips MFA is the pool's DeviceConfiguration, decided by Cognito.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import errors
from services.cognito.client import CognitoCalls
from services.cognito.error_map import BEARER_CALL, translated

log = logging.getLogger(__name__)

# Cognito's DeviceKeyType: "Region_UUID", at most 55 characters; anything else is no device of anyone's.
DEVICE_KEY = re.compile(r"[\w-]+_[0-9a-f-]+")
MAX_KEY_CHARS = 55
_UNKNOWN_DEVICE = {**BEARER_CALL, "ResourceNotFoundException": errors.DeviceNotFound}
# The device steps come after the password was proven: a refusal there is the device's.
_DEVICE_STEP = {"NotAuthorizedException": errors.DeviceRefused, "ResourceNotFoundException": errors.DeviceRefused}


@dataclass(frozen=True)
class Device:
    """A confirmed device as its client keeps it: the keys Cognito gave and the secret this server made."""

    key: str
    group_key: str
    password: str


@dataclass
class DeviceSignIn:
    """One sign-in's devices: the one the client sent, and what became of it or of a new one."""

    sent: Device | None
    name: str
    confirmed: Device | None = None  # the new device Cognito answered, confirmed
    remembered: bool = False  # whether Cognito remembered it at once (else it waits for the user's choice)
    forgotten: bool = False  # Cognito no longer takes the device sent

    @property
    def bound_key(self) -> str | None:
        """The device the sign-in's tokens are bound to: a refresh of them must name it (Cognito's DEVICE_KEY;
        without it a pool that tracks devices refuses the refresh token)."""
        if self.confirmed is not None:
            return self.confirmed.key
        return self.sent.key if self.sent is not None and not self.forgotten else None


_CURRENT: ContextVar[DeviceSignIn | None] = ContextVar("device_sign_in", default=None)


@contextlib.contextmanager
def device_sign_in(sent: Device | None, name: str) -> Iterator[DeviceSignIn]:
    """Sign-ins made inside name `sent` and confirm a new device under `name`; the outcome is the yielded object."""
    state = DeviceSignIn(sent, name)
    token = _CURRENT.set(state)
    try:
        yield state
    finally:
        _CURRENT.reset(token)


def valid_key(key: str) -> bool:
    """Whether `key` has the shape of a Cognito DeviceKey."""
    return len(key) <= MAX_KEY_CHARS and DEVICE_KEY.fullmatch(key) is not None


class DeviceCalls(CognitoCalls):
    """The sign-in calls with devices (see the module's docstring), and the signed-in user's devices."""

    def sign_in_call(
        self, method: str, overrides: Mapping[str, type[errors.ApiError]], *, keep_message: bool, **kwargs: Any
    ) -> Mapping[str, Any]:
        """CognitoCalls.sign_in_call, with the sign-in's device named, proven and confirmed (module docstring)."""
        state = _CURRENT.get()
        if state is None:
            return super().sign_in_call(method, overrides, keep_message=keep_message, **kwargs)
        device = None if state.forgotten else state.sent
        named = _with_key(method, kwargs, device)
        try:
            if named is None:
                answer = super().sign_in_call(method, overrides, keep_message=keep_message, **kwargs)
            else:
                refused = {**overrides, "ResourceNotFoundException": errors.DeviceRefused}
                answer = super().sign_in_call(method, refused, keep_message=keep_message, **named)
        except errors.ApiError as err:
            if named is None or not _device_gone(err):
                raise
            state.forgotten = True
            if method != "initiate_auth":  # an SRP proof: the sign-in must start again, without the device
                raise errors.DeviceRefused() from err.__cause__
            log.info("Cognito no longer knows the sign-in's device; signing in without it")
            answer = super().sign_in_call(method, overrides, keep_message=keep_message, **kwargs)
        if answer.get("ChallengeName") == "DEVICE_SRP_AUTH":
            answer = self._device_round(answer, state)
        result = answer.get("AuthenticationResult")
        if isinstance(result, Mapping) and isinstance(result.get("NewDeviceMetadata"), Mapping):
            self._confirm(result, state)
        return answer

    def _device_round(self, answer: Mapping[str, Any], state: DeviceSignIn) -> Mapping[str, Any]:
        """DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER with the sign-in's device: the tokens."""
        device = None if state.forgotten else state.sent
        if device is None:
            raise errors.DeviceRequired()
        from pycognito.aws_srp import AWSSRP, long_to_hex  # on first use, as boto3 (services/cognito/client.py)

        username = str(answer.get("ChallengeParameters", {}).get("USERNAME", ""))
        srp = AWSSRP(
            username, "", self.user_pool_id or "unused_pool", self.client_id, client=self.client,
            client_secret=self.client_secret or None, device_key=device.key, device_group_key=device.group_key,
            device_password=device.password,
        )  # fmt: skip
        responses = {"USERNAME": username, "DEVICE_KEY": device.key, "SRP_A": long_to_hex(srp.large_a_value)}
        responses.update(self.secret_hash(username, "SECRET_HASH"))
        try:
            challenge = self._device_step("DEVICE_SRP_AUTH", answer.get("Session"), responses)
            parameters = challenge.get("ChallengeParameters", {})
            if challenge.get("ChallengeName") != "DEVICE_PASSWORD_VERIFIER" or not {"SRP_B", "SALT"} <= set(parameters):
                raise errors.ApiError("The identity provider answered the device step unexpectedly.")
            proof = srp.process_device_challenge(dict(parameters))
            return self._device_step("DEVICE_PASSWORD_VERIFIER", challenge.get("Session"), proof)
        except errors.DeviceRefused:
            state.forgotten = True
            raise

    def _device_step(self, name: str, session: Any, responses: dict[str, str]) -> Mapping[str, Any]:
        return super().sign_in_call(
            "respond_to_auth_challenge", _DEVICE_STEP, keep_message=False, ChallengeName=name, Session=session,
            ChallengeResponses=responses,
        )  # fmt: skip

    def _confirm(self, result: Mapping[str, Any], state: DeviceSignIn) -> None:
        """ConfirmDevice for the new device of a sign-in's tokens; a failure leaves the sign-in as it is."""
        metadata = result["NewDeviceMetadata"]
        key, group = metadata.get("DeviceKey"), metadata.get("DeviceGroupKey")
        if not isinstance(key, str) or not isinstance(group, str):
            log.warning("Cognito's NewDeviceMetadata lacks its keys; the device is not remembered")
            return
        from pycognito.aws_srp import generate_hash_device  # on first use

        password, verifier = generate_hash_device(group, key)
        try:
            with translated("ConfirmDevice", BEARER_CALL):
                confirmed = self.client.confirm_device(
                    AccessToken=result["AccessToken"],
                    DeviceKey=key,
                    DeviceName=state.name,
                    DeviceSecretVerifierConfig=verifier,
                )
        except errors.ApiError as err:  # the tokens stand; only the device is not remembered
            log.warning("ConfirmDevice failed (%s); signed in without remembering the device", err.error)
            return
        state.confirmed = Device(key, group, password)
        state.remembered = not confirmed.get("UserConfirmationNecessary", False)

    def devices(self, access_token: str) -> list[dict[str, Any]]:
        """The signed-in user's devices (every page of ListDevices), in the API's words."""
        found: list[dict[str, Any]] = []
        page: dict[str, Any] = {}
        while True:
            with translated("ListDevices", BEARER_CALL):
                result = self.client.list_devices(AccessToken=access_token, Limit=60, **page)
            found += [_device(item) for item in result.get("Devices", [])]
            if not result.get("PaginationToken") or len(found) > 1000:
                return found
            page = {"PaginationToken": result["PaginationToken"]}

    def remember_device(self, access_token: str, key: str, remembered: bool) -> None:
        """UpdateDeviceStatus: the device remembered (MFA skipped where the pool says so) or not."""
        if not valid_key(key):
            raise errors.DeviceNotFound()
        status = "remembered" if remembered else "not_remembered"
        with translated("UpdateDeviceStatus", _UNKNOWN_DEVICE):
            self.client.update_device_status(AccessToken=access_token, DeviceKey=key, DeviceRememberedStatus=status)

    def forget_device(self, access_token: str, key: str) -> None:
        """ForgetDevice: its next sign-in is a new device's."""
        if not valid_key(key):
            raise errors.DeviceNotFound()
        with translated("ForgetDevice", _UNKNOWN_DEVICE):
            self.client.forget_device(AccessToken=access_token, DeviceKey=key)


def _with_key(method: str, kwargs: dict[str, Any], device: Device | None) -> dict[str, Any] | None:
    """The call's arguments with DEVICE_KEY where Cognito takes it, or None where it is not added."""
    if device is None:
        return None
    if method == "initiate_auth" and not str(kwargs.get("AuthFlow", "")).startswith("REFRESH"):
        return {**kwargs, "AuthParameters": {**kwargs.get("AuthParameters", {}), "DEVICE_KEY": device.key}}
    if method == "respond_to_auth_challenge" and kwargs.get("ChallengeName") == "PASSWORD_VERIFIER":
        return {**kwargs, "ChallengeResponses": {**kwargs.get("ChallengeResponses", {}), "DEVICE_KEY": device.key}}
    return None


def _device_gone(err: errors.ApiError) -> bool:
    """Whether Cognito refused the call because it does not know the device ("Device does not exist.")."""
    response = getattr(err.__cause__, "response", None)
    said = response.get("Error", {}) if isinstance(response, dict) else {}
    return said.get("Code") == "ResourceNotFoundException" and "device" in str(said.get("Message", "")).lower()


def _device(item: Mapping[str, Any]) -> dict[str, Any]:
    attributes = {a.get("Name"): a.get("Value") for a in item.get("DeviceAttributes", []) if isinstance(a, Mapping)}
    return {
        "key": item.get("DeviceKey"),
        "name": attributes.get("device_name"),
        "remembered": attributes.get("dev:device_remembered_status") == "remembered",
        "created_at": _seconds(item.get("DeviceCreateDate")),
        "last_modified_at": _seconds(item.get("DeviceLastModifiedDate")),
        "last_seen_at": _seconds(item.get("DeviceLastAuthenticatedDate")),
    }


def _seconds(value: Any) -> float | None:
    """Epoch seconds (botocore parses Cognito's timestamps into datetimes)."""
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    return value if isinstance(value, int | float) else None
