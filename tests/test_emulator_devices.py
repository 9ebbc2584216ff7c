"""Remembered devices in the emulator (devices.py), by boto3: the pool's DeviceConfiguration, NewDeviceMetadata,
ConfirmDevice, GetDevice, ListDevices, UpdateDeviceStatus, ForgetDevice and their Admin forms, with Cognito's shapes
and errors. Sources: botocore's cognito-idp model (shapes, DeviceKey's pattern, Limit 0-60, the status enum) and
../shared/PROTOCOLS-2.md section 2 (NewDeviceMetadata, UserConfirmationNecessary, device attributes)."""

from __future__ import annotations

import re

import pytest

from tests.support.device_client import Device
from tests.support.devices import Pool, refusal

PROMPT = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}
ALWAYS = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
NO_DEVICE = ("ResourceNotFoundException", "Device does not exist.")


def attributes(device: dict) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}


def test_device_configuration_is_kept_and_described(emulator, pool):
    tracked = Pool(emulator.client, PROMPT)
    described = emulator.client.describe_user_pool(UserPoolId=tracked.id)["UserPool"]
    assert described["DeviceConfiguration"] == PROMPT
    emulator.client.update_user_pool(UserPoolId=tracked.id, DeviceConfiguration=ALWAYS)
    assert emulator.client.describe_user_pool(UserPoolId=tracked.id)["UserPool"]["DeviceConfiguration"] == ALWAYS


def test_new_device_metadata_only_where_devices_are_tracked(emulator, pool):
    untracked = Pool(emulator.client, None)
    untracked.user()
    assert "NewDeviceMetadata" not in untracked.password()["AuthenticationResult"]
    tracked = Pool(emulator.client, PROMPT)
    tracked.user()
    first, second = (tracked.password()["AuthenticationResult"]["NewDeviceMetadata"] for _ in range(2))
    assert re.fullmatch(r"us-east-1_[0-9a-f-]{36}", first["DeviceKey"]) and first["DeviceGroupKey"]
    assert first["DeviceKey"] != second["DeviceKey"]  # each sign-in from no known device is a new one
    assert "NewDeviceMetadata" in tracked.srp()["AuthenticationResult"]  # the SRP flow too
    result = tracked.password()["AuthenticationResult"]
    device = Device(result["NewDeviceMetadata"])
    confirm = {"DeviceKey": device.key, "DeviceSecretVerifierConfig": device.verifier_config}
    emulator.client.confirm_device(AccessToken=result["AccessToken"], **confirm)
    refreshed = emulator.client.initiate_auth(
        ClientId=tracked.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"], "DEVICE_KEY": device.key},
    )["AuthenticationResult"]
    assert "NewDeviceMetadata" not in refreshed  # a refresh is no sign-in from a device


def test_a_devices_refresh_token_refreshes_with_its_confirmed_key_only(emulator, pool):
    """Cognito: "You must provide the confirmed device key in this request if device remembering is enabled"
    (GetTokensFromRefreshToken's DeviceKey); without it, or before ConfirmDevice, or after ForgetDevice: "Invalid
    Refresh Token"."""
    tracked = Pool(emulator.client, ALWAYS)
    tracked.user()
    result = tracked.password()["AuthenticationResult"]
    device, refresh_token = Device(result["NewDeviceMetadata"]), result["RefreshToken"]
    cognito, client_id = emulator.client, tracked.client_id

    def refresh(**extra: str) -> dict:
        return cognito.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=refresh_token, **extra)

    def refused(**extra: str) -> None:
        assert refusal(refresh, **extra) == ("NotAuthorizedException", "Invalid Refresh Token")

    refused(DeviceKey=device.key)  # not confirmed yet
    cognito.confirm_device(
        AccessToken=result["AccessToken"], DeviceKey=device.key, DeviceSecretVerifierConfig=device.verifier_config
    )
    refused()
    refused(DeviceKey="us-east-1_00000000-0000-0000-0000-000000000000")
    assert "AccessToken" in refresh(DeviceKey=device.key)["AuthenticationResult"]
    auth = {"REFRESH_TOKEN": refresh_token, "DEVICE_KEY": device.key}
    assert cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=auth)
    cognito.forget_device(AccessToken=result["AccessToken"], DeviceKey=device.key)
    refused(DeviceKey=device.key)


@pytest.mark.parametrize(
    ("config", "necessary", "status"), [(PROMPT, True, "not_remembered"), (ALWAYS, False, "remembered")]
)
def test_confirm_device_answers_whether_the_user_must_choose(emulator, pool, config, necessary, status):
    tracked = Pool(emulator.client, config)
    tracked.user()
    result = tracked.password()["AuthenticationResult"]
    device, token = Device(result["NewDeviceMetadata"]), result["AccessToken"]
    assert emulator.client.list_devices(AccessToken=token)["Devices"] == []  # not confirmed: not a device yet
    confirmed = emulator.client.confirm_device(
        AccessToken=token, DeviceKey=device.key, DeviceName="laptop", DeviceSecretVerifierConfig=device.verifier_config
    )
    assert confirmed["UserConfirmationNecessary"] is necessary
    got = emulator.client.get_device(AccessToken=token, DeviceKey=device.key)["Device"]
    assert got["DeviceKey"] == device.key
    assert attributes(got)["device_name"] == "laptop" and attributes(got)["dev:device_remembered_status"] == status
    assert {"DeviceCreateDate", "DeviceLastModifiedDate", "DeviceLastAuthenticatedDate"} <= got.keys()
    again = refusal(
        emulator.client.confirm_device,
        AccessToken=token,
        DeviceKey=device.key,
        DeviceSecretVerifierConfig=device.verifier_config,
    )
    assert again[0] == "InvalidParameterException"


def test_status_list_get_and_forget_with_the_access_token_and_as_admin(emulator, pool):
    tracked = Pool(emulator.client, PROMPT)
    tracked.user()
    tracked.user("bob")
    first, token = tracked.new_device(remember=False)
    second, _ = tracked.new_device()
    bobs, bob_token = tracked.new_device("bob")
    client, ids = emulator.client, {"UserPoolId": tracked.id, "Username": "alice"}
    listed = client.list_devices(AccessToken=token)["Devices"]
    assert [d["DeviceKey"] for d in listed] == [first.key, second.key]  # alice's only, oldest first
    assert [d["DeviceKey"] for d in client.admin_list_devices(**ids)["Devices"]] == [first.key, second.key]
    client.admin_update_device_status(**ids, DeviceKey=first.key, DeviceRememberedStatus="remembered")
    remembered = attributes(client.admin_get_device(**ids, DeviceKey=first.key)["Device"])
    assert remembered["dev:device_remembered_status"] == "remembered"
    page = client.list_devices(AccessToken=token, Limit=1)
    assert [d["DeviceKey"] for d in page["Devices"]] == [first.key]
    rest = client.list_devices(AccessToken=token, Limit=1, PaginationToken=page["PaginationToken"])
    assert [d["DeviceKey"] for d in rest["Devices"]] == [second.key] and "PaginationToken" not in rest
    # Another user's device does not exist for alice, by either door.
    assert refusal(client.get_device, AccessToken=token, DeviceKey=bobs.key) == NO_DEVICE
    assert refusal(client.admin_forget_device, **ids, DeviceKey=bobs.key) == NO_DEVICE
    assert refusal(client.forget_device, AccessToken=bob_token, DeviceKey=first.key) == NO_DEVICE
    client.forget_device(AccessToken=token, DeviceKey=first.key)
    client.admin_forget_device(**ids, DeviceKey=second.key)
    assert client.list_devices(AccessToken=token)["Devices"] == []
    assert refusal(client.get_device, AccessToken=token, DeviceKey=first.key) == NO_DEVICE
    assert refusal(client.admin_get_device, **ids, DeviceKey=second.key) == NO_DEVICE
    assert [d["DeviceKey"] for d in client.list_devices(AccessToken=bob_token)["Devices"]] == [bobs.key]


def test_inputs_are_refused_as_cognito_refuses_them(emulator, pool):
    tracked = Pool(emulator.client, PROMPT)
    tracked.user()
    device, token = tracked.new_device()
    client, ids = emulator.client, {"UserPoolId": tracked.id, "Username": "alice"}
    code, message = refusal(client.get_device, AccessToken=token, DeviceKey="no key at all")
    assert code == "InvalidParameterException" and "[\\w-]+_[0-9a-f-]+" in message
    assert refusal(client.get_device, AccessToken=token, DeviceKey="us-east-1_0000")[0:2] == NO_DEVICE
    status = refusal(client.update_device_status, AccessToken=token, DeviceKey=device.key, DeviceRememberedStatus="x")
    assert status[0] == "InvalidParameterException"
    assert refusal(client.list_devices, AccessToken=token, Limit=61)[0] == "InvalidParameterException"
    bad_page = refusal(client.list_devices, AccessToken=token, PaginationToken="bm9wZQ")
    assert bad_page[0] == "InvalidParameterException"
    nobody = refusal(client.admin_list_devices, UserPoolId=tracked.id, Username="nobody")
    assert nobody[0] == "UserNotFoundException"
    assert refusal(client.admin_get_device, **ids, DeviceKey=device.key.replace("-", "0", 1)) == NO_DEVICE
    result = tracked.password()["AuthenticationResult"]
    wrong = {"PasswordVerifier": "not base64!", "Salt": "AA=="}
    fresh = result["NewDeviceMetadata"]["DeviceKey"]
    bad = refusal(
        client.confirm_device, AccessToken=result["AccessToken"], DeviceKey=fresh, DeviceSecretVerifierConfig=wrong
    )
    assert bad[0] == "InvalidParameterException"


def test_revoked_and_expired_tokens_are_refused(emulator, pool):
    tracked = Pool(emulator.client, PROMPT)
    tracked.user()
    device, _ = tracked.new_device()
    result = tracked.password()["AuthenticationResult"]
    emulator.client.revoke_token(Token=result["RefreshToken"], ClientId=tracked.client_id)
    revoked = ("NotAuthorizedException", "Access Token has been revoked")
    token = result["AccessToken"]
    calls = {
        emulator.client.list_devices: {},
        emulator.client.get_device: {"DeviceKey": device.key},
        emulator.client.forget_device: {"DeviceKey": device.key},
        emulator.client.update_device_status: {"DeviceKey": device.key, "DeviceRememberedStatus": "remembered"},
        emulator.client.confirm_device: {"DeviceKey": result["NewDeviceMetadata"]["DeviceKey"]},
    }
    for call, params in calls.items():
        assert refusal(call, AccessToken=token, **params) == revoked
    assert refusal(emulator.client.list_devices, AccessToken="not-a-token")[0] == "NotAuthorizedException"
