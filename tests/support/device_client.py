"""A remembered device's client half, written from Amplify's generateHashDevice and handleDeviceSRPAuth.ts and
pycognito's generate_hash_device (../shared/PROTOCOLS-2.md section 2): the verifier ConfirmDevice sends, and the
DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER answers. Its SRP arithmetic is tests/support/srp_client.py's (which
shares nothing with the emulator's), with poolName → DeviceGroupKey and USER_ID_FOR_SRP → DeviceKey.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from tests.support.srp_client import _G, _N, SrpClient, _h, _pad, timestamp


class Device:
    """One device: its keys, its random password, and the verifier it registers."""

    def __init__(self, metadata: dict[str, str]) -> None:
        self.key, self.group_key = metadata["DeviceKey"], metadata["DeviceGroupKey"]
        self.password = base64.b64encode(secrets.token_bytes(40)).decode()  # as Amplify and pycognito make it
        salt = _pad(int.from_bytes(secrets.token_bytes(16), "big"))
        inner = hashlib.sha256(f"{self.group_key}{self.key}:{self.password}".encode()).hexdigest()
        verifier = _pad(pow(_G, int(_h(salt + inner), 16), _N))
        self.verifier_config = {
            "PasswordVerifier": base64.b64encode(bytes.fromhex(verifier)).decode(),
            "Salt": base64.b64encode(bytes.fromhex(salt)).decode(),
        }

    def start(self, username: str) -> tuple[SrpClient, dict[str, str]]:
        """A fresh SRP client and the DEVICE_SRP_AUTH ChallengeResponses."""
        srp = SrpClient(f"x_{self.group_key}")
        return srp, {"USERNAME": username, "DEVICE_KEY": self.key, "SRP_A": srp.srp_a}

    def proof(
        self, srp: SrpClient, parameters: dict[str, str], *, password: str | None = None, when: str | None = None
    ) -> dict[str, Any]:
        """DEVICE_PASSWORD_VERIFIER's ChallengeResponses for the DEVICE_PASSWORD_VERIFIER challenge."""
        srp.pool_name = self.group_key  # x and the signature take the group key where the user SRP takes poolName
        key = srp.key(self.key, password or self.password, parameters)
        stamp = when or timestamp()
        message = (
            self.group_key.encode() + self.key.encode() + base64.b64decode(parameters["SECRET_BLOCK"]) + stamp.encode()
        )
        return {
            "USERNAME": parameters["USERNAME"],
            "DEVICE_KEY": self.key,
            "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SECRET_BLOCK": parameters["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode(),
        }
