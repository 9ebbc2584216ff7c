"""Steps of the device tests (tests/test_emulator_devices*.py): a pool that tracks devices, a user, sign-ins with
and without a device, TOTP, and the device SRP round, all by boto3 against the emulator."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cognito_emulator import mfa
from tests.support.device_client import Device
from tests.support.srp_client import SrpClient

PASSWORD = "Passw0rd!x"
FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
]


def refusal(call: Any, **params: Any) -> tuple[str, str]:
    """The error code and message of a call that must fail."""
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


class Pool:
    """A pool with `config` as its DeviceConfiguration (None: no device tracking), a client, and users."""

    def __init__(self, client: Any, config: dict[str, bool] | None, mfa_configuration: str = "OFF") -> None:
        self.cognito = client
        extra = {"DeviceConfiguration": config} if config is not None else {}
        self.id = client.create_user_pool(PoolName="devices", **extra)["UserPool"]["Id"]
        client.set_user_pool_mfa_config(
            UserPoolId=self.id,
            SoftwareTokenMfaConfiguration={"Enabled": True},
            MfaConfiguration=mfa_configuration,
        )
        made = client.create_user_pool_client(UserPoolId=self.id, ClientName="app", ExplicitAuthFlows=FLOWS)
        self.client_id = made["UserPoolClient"]["ClientId"]
        self.totp_secrets: dict[str, str] = {}
        self._steps_used: set[tuple[str, int]] = set()

    def user(self, name: str = "alice") -> str:
        """A confirmed user with PASSWORD."""
        self.cognito.admin_create_user(UserPoolId=self.id, Username=name, MessageAction="SUPPRESS")
        self.cognito.admin_set_user_password(UserPoolId=self.id, Username=name, Password=PASSWORD, Permanent=True)
        return name

    def password(self, name: str = "alice", device: Device | None = None) -> dict[str, Any]:
        """InitiateAuth USER_PASSWORD_AUTH, with the device's key when given."""
        parameters = {"USERNAME": name, "PASSWORD": PASSWORD, **({"DEVICE_KEY": device.key} if device else {})}
        return self.cognito.initiate_auth(  # type: ignore[no-any-return]
            ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters
        )

    def srp(self, name: str = "alice", device: Device | None = None) -> dict[str, Any]:
        """USER_SRP_AUTH and its PASSWORD_VERIFIER, with the device's key in both when given (as Amplify sends)."""
        client = SrpClient(self.id)
        extra = {"DEVICE_KEY": device.key} if device else {}
        started = self.cognito.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": name, "SRP_A": client.srp_a, **extra},
        )
        responses = {**client.responses(PASSWORD, started["ChallengeParameters"]), **extra}
        return self.respond(started, "PASSWORD_VERIFIER", responses)

    def respond(self, previous: dict[str, Any], name: str, responses: dict[str, Any]) -> dict[str, Any]:
        """RespondToAuthChallenge with the previous answer's Session."""
        return self.cognito.respond_to_auth_challenge(  # type: ignore[no-any-return]
            ClientId=self.client_id, ChallengeName=name, Session=previous["Session"], ChallengeResponses=responses
        )

    def device_round(self, previous: dict[str, Any], device: Device, name: str = "alice") -> dict[str, Any]:
        """DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER: the tokens."""
        assert previous["ChallengeName"] == "DEVICE_SRP_AUTH", previous
        srp, responses = device.start(name)
        challenge = self.respond(previous, "DEVICE_SRP_AUTH", responses)
        assert challenge["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
        return self.respond(challenge, "DEVICE_PASSWORD_VERIFIER", device.proof(srp, challenge["ChallengeParameters"]))

    def new_device(self, name: str = "alice", remember: bool = True) -> tuple[Device, str]:
        """Sign in from a new device, confirm it (and remember it); the device and the access token."""
        result = self.password(name)["AuthenticationResult"]
        device, token = Device(result["NewDeviceMetadata"]), result["AccessToken"]
        self.cognito.confirm_device(
            AccessToken=token,
            DeviceKey=device.key,
            DeviceName="laptop",
            DeviceSecretVerifierConfig=device.verifier_config,
        )
        if remember:
            self.cognito.update_device_status(
                AccessToken=token, DeviceKey=device.key, DeviceRememberedStatus="remembered"
            )
        return device, token

    def enable_totp(self, token: str, name: str = "alice") -> None:
        """Associate and verify a TOTP secret, and make it the user's preferred MFA."""
        secret = self.cognito.associate_software_token(AccessToken=token)["SecretCode"]
        self.totp_secrets[name] = secret
        self.cognito.verify_software_token(AccessToken=token, UserCode=self.totp_code(name))
        settings = {"Enabled": True, "PreferredMfa": True}
        self.cognito.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings=settings)

    def totp_code(self, name: str = "alice") -> str:
        """A TOTP code not taken yet: of this step, or the next (the emulator takes a step either side once)."""
        now = int(time.time() // 30)
        step = next(s for s in (now - 1, now, now + 1) if (name, s) not in self._steps_used)
        self._steps_used.add((name, step))
        return mfa.totp(self.totp_secrets[name], step)
