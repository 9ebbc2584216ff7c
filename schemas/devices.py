"""Remembered devices: the `device` a client sends back at sign-in, the body that remembers or not, the answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool

from schemas.answers import Answer
from schemas.fields import Body, text

# Cognito's DeviceKeyType ("Region_UUID", at most 55 characters).
DeviceKey = Annotated[str, Field(min_length=3, max_length=55, pattern=r"^[\w-]+_[0-9a-f-]+$")]


class DeviceCredentials(Body):
    """A remembered device as sign-in's `device` gave it: send it back as it is on later sign-ins."""

    key: DeviceKey
    group_key: text(256)
    password: text(256) = Field(description="the device's secret: keep it like a password")


class DeviceStatus(Body):
    remembered: StrictBool = Field(description="true: the device skips MFA where the pool says so")


class Device(Answer):
    key: str
    name: str | None = Field(description="the device's name (from the User-Agent of its first sign-in)")
    remembered: bool
    created_at: float | None = Field(description="epoch seconds")
    last_modified_at: float | None = Field(description="epoch seconds")
    last_seen_at: float | None = Field(description="epoch seconds: its last sign-in")
    current: bool = Field(description="the device of this browser (its device cookie)")


class Devices(Answer):
    devices: list[Device]


class DeviceRemembered(Answer):
    key: str
    remembered: bool
