"""Refreshing tokens a remembered device holds, in a pool that tracks devices: Cognito refreshes them only with
the device's key (GetTokensFromRefreshToken's DeviceKey, REFRESH_TOKEN_AUTH's DEVICE_KEY), so a sign-in answers
`device_key` and /auth/refresh takes it back; a browser session keeps its device's key and its refresh sends it."""

from __future__ import annotations

import pytest

from tests.support.device_users import ALWAYS, CHROME, Person, track_devices
from tests.support.helpers import PASSWORD, bearer


@pytest.fixture
def alice(emulator, pool, client, users) -> Person:
    person = Person(client, users)
    track_devices(emulator, pool, ALWAYS)
    return person


def test_the_api_refreshes_with_the_sign_ins_device_key(alice, client):
    first = alice.first_sign_in()
    assert first["device_key"] == first["device"]["key"]
    without = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert without.status_code == 401 and without.json["error"] == "invalid_grant", without.json
    body = {"refresh_token": first["refresh_token"], "device_key": first["device_key"]}
    refreshed = client.post("/auth/refresh", json=body)
    assert refreshed.status_code == 200 and "access_token" in refreshed.json, refreshed.json

    again = alice.login(first["device"]).json  # the remembered device: its key again, no new device
    assert again["device_key"] == first["device"]["key"] and "device" not in again
    body = {"refresh_token": again["refresh_token"], "device_key": again["device_key"]}
    assert client.post("/auth/refresh", json=body).status_code == 200
    malformed = client.post("/auth/refresh", json={**body, "device_key": "not a key"})
    assert malformed.status_code == 400 and malformed.json["error"] == "invalid_request"

    forgotten = client.delete(f"/auth/devices/{first['device_key']}", headers=bearer(again["access_token"]))
    assert forgotten.status_code == 204
    assert client.post("/auth/refresh", json=body).status_code == 401  # a forgotten device's tokens: no more


def test_a_session_refreshes_with_its_devices_key(alice, app, client):
    body = {"username": "alice", "password": PASSWORD}
    asked = client.post("/auth/session", json=body, headers=CHROME)
    answer = {"username": "alice", "challenge": "SOFTWARE_TOKEN_MFA", "session": asked.json["session"]}
    started = client.post("/auth/session/challenge", json={**answer, "code": alice.code()}, headers=CHROME)
    assert started.status_code == 200, started.json
    key = started.json["device"]["key"]
    sessions = app.extensions["cognito_auth"].sessions
    sessions.refresh_margin = 10**9  # every request now finds the access token about to expire: a refresh
    refreshed = client.get("/hello")
    assert refreshed.status_code == 200, refreshed.get_data(as_text=True)
    again = client.post("/auth/session", json=body, headers=CHROME)  # by the device cookie: no code asked
    assert again.status_code == 200 and "csrf_token" in again.json, again.json
    assert client.get("/hello").status_code == 200  # that session's refresh names the same device
    assert [d["key"] for d in client.get("/auth/devices").json["devices"]] == [key]
