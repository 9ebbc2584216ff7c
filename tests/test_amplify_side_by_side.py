"""Amplify JS v6 (tests/amplify) and this server side by side on one user of one pool: what one writes, the other
reads. Profile: the server's `PATCH /auth/me` seen by Amplify's fetchUserAttributes, Amplify's
updateUserAttributes seen by the server's `GET /auth/me`. Devices: a device the server remembered listed by
Amplify's fetchDevices, and one Amplify remembered listed by the server's `GET /auth/devices`."""

from __future__ import annotations

import pytest

from app import create_app
from tests.support.conformance import confirmed_user, ok, public_pool, run_amplify
from tests.support.helpers import PASSWORD, bearer

pytestmark = [pytest.mark.node, pytest.mark.subprocess]
DEVICES = {"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": True}


def side_by_side(emulator, **pool_settings):
    """A pool as the console makes one for a web app (its client may also read and write `given_name`), a
    confirmed alice, and this server's test client on the same pool and client."""
    emulator.reset()
    pool = public_pool(emulator.client, **pool_settings)
    emulator.client.update_user_pool_client(
        UserPoolId=pool["user_pool_id"],
        ClientId=pool["client_id"],
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        ReadAttributes=["email", "email_verified", "given_name"],
        WriteAttributes=["email", "given_name"],
    )
    confirmed_user(emulator.client, pool["user_pool_id"], "alice")
    client = create_app(emulator.server_settings(pool)).test_client()
    return pool, client


def server_login(client) -> dict:
    answer = client.post("/auth/login", json={"username": "alice", "password": PASSWORD})
    assert answer.status_code == 200, answer.json
    return answer.json


def test_what_the_server_writes_amplify_reads_and_back(emulator):
    pool, client = side_by_side(emulator)
    access = server_login(client)["access_token"]
    patched = client.patch("/auth/me", json={"attributes": {"given_name": "Alice"}}, headers=bearer(access))
    assert patched.status_code == 200, patched.json

    read = run_amplify(emulator, pool, "side-read", username="alice")
    assert ok(read["fetchUserAttributes"])["given_name"] == "Alice"

    wrote = run_amplify(emulator, pool, "side-write", username="alice", attributes={"given_name": "Alicia"})
    ok(wrote["updateUserAttributes"])
    me = client.get("/auth/me", headers=bearer(access))
    assert me.status_code == 200 and me.json["attributes"]["given_name"] == "Alicia"


def test_a_device_remembered_by_one_is_listed_by_the_other(emulator):
    pool, client = side_by_side(emulator, DeviceConfiguration=DEVICES)
    signed_in = server_login(client)
    key, access = signed_in["device"]["key"], signed_in["access_token"]  # the server confirmed its device
    remembered = client.put(f"/auth/devices/{key}", json={"remembered": True}, headers=bearer(access))
    assert remembered.status_code == 200, remembered.json

    read = run_amplify(emulator, pool, "side-read", username="alice")
    listed = {d["id"]: d["attributes"]["dev:device_remembered_status"] for d in ok(read["fetchDevices"])}
    assert listed[key] == "remembered"  # beside Amplify's own new device, not remembered
    assert sorted(listed.values()) == ["not_remembered", "remembered"]

    wrote = run_amplify(emulator, pool, "side-write", username="alice")
    ok(wrote["rememberDevice"])
    amplify_keys = {d["id"] for d in ok(wrote["fetchDevices"])} - set(listed)
    assert len(amplify_keys) == 1  # the device this run's Amplify confirmed, and remembered
    devices = client.get("/auth/devices", headers=bearer(access))
    assert devices.status_code == 200, devices.json
    by_key = {d["key"]: d["remembered"] for d in devices.json["devices"]}
    assert by_key[amplify_keys.pop()] is True and by_key[key] is True
