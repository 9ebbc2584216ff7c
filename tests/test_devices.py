"""Remembered devices through the HTTP API against the emulator, in a pool that requires MFA (TOTP): the first
sign-in asks the code and answers the device, confirmed; a later sign-in from it asks no code (DEVICE_SRP_AUTH
answered by the server), from no device or another one it does; the user-prompt pool's device once remembered;
the browser's device in its own cookie through /auth/session; list, remember, forget, and every refusal (4xx)."""

from __future__ import annotations

import base64
import json
import logging
import re
import time

import pytest

from tests.support.device_users import ALWAYS, CHROME, PROMPT, Person, track_devices
from tests.support.helpers import PASSWORD, bearer


@pytest.fixture
def alice(emulator, pool, client, users) -> Person:
    person = Person(client, users)  # TOTP set up before the pool requires it
    track_devices(emulator, pool, ALWAYS)
    return person


def test_a_remembered_device_signs_in_without_a_code_and_others_are_asked(alice, client, users):
    first = alice.first_sign_in()
    device = first["device"]
    assert set(device) == {"key", "group_key", "password", "remembered"} and device["remembered"] is True
    again = alice.login(device)
    assert again.status_code == 200 and "access_token" in again.json, again.json  # no code asked
    assert "device" not in again.json  # a known device
    assert client.get("/auth/me", headers=bearer(again.json["access_token"])).json["username"] == "alice"
    assert alice.login().json["challenge"] == "SOFTWARE_TOKEN_MFA"  # no device
    unknown = {**device, "key": "eu-west-1_00000000-0000-0000-0000-000000000000"}
    assert alice.login(unknown).json["challenge"] == "SOFTWARE_TOKEN_MFA"  # a device Cognito does not know
    bob = Person(client, users, "bob")
    bobs = bob.first_sign_in()["device"]
    assert alice.login(bobs).json["challenge"] == "SOFTWARE_TOKEN_MFA"  # someone else's device
    wrong = alice.login({**device, "password": "not-the-device-secret"})
    assert (wrong.status_code, wrong.json["error"]) == (401, "device_refused")


def test_the_device_list_and_forgetting_one(alice, client):
    device = alice.first_sign_in()["device"]
    access = alice.login(device).json["access_token"]
    listed = client.get("/auth/devices", headers=bearer(access))
    assert listed.status_code == 200 and listed.headers["Cache-Control"] == "no-store"
    (only,) = listed.json["devices"]
    assert only["key"] == device["key"] and only["name"] == "Chrome on Linux" and only["remembered"] is True
    assert only["created_at"] <= only["last_seen_at"] <= time.time() + 1 and only["current"] is False
    forgotten = client.delete(f"/auth/devices/{device['key']}", headers=bearer(access))
    assert forgotten.status_code == 204
    assert client.get("/auth/devices", headers=bearer(access)).json["devices"] == []
    asked = alice.login(device)  # a forgotten device: MFA again, and a new device after the code
    assert asked.json["challenge"] == "SOFTWARE_TOKEN_MFA"
    answered = alice.answer_totp(asked.json)
    assert answered.status_code == 200 and answered.json["device"]["key"] != device["key"]


def test_every_refusal_of_the_device_routes_is_a_clear_4xx(alice, client, users):
    device = alice.first_sign_in()["device"]
    access = alice.login(device).json["access_token"]
    bob = Person(client, users, "bob")
    bobs = bob.first_sign_in()["device"]
    key = device["key"]
    cases = [
        ("get", "/auth/devices", {}, None, 401, "invalid_token"),
        ("put", f"/auth/devices/{key}", {}, {"remembered": False}, 401, "invalid_token"),
        ("delete", f"/auth/devices/{key}", {}, None, 401, "invalid_token"),
        ("put", f"/auth/devices/{bobs['key']}", bearer(access), {"remembered": False}, 404, "device_not_found"),
        ("delete", f"/auth/devices/{bobs['key']}", bearer(access), None, 404, "device_not_found"),
        ("put", "/auth/devices/eu-west-1_0000", bearer(access), {"remembered": True}, 404, "device_not_found"),
        ("delete", "/auth/devices/not%20a%20key", bearer(access), None, 404, "device_not_found"),
        ("put", f"/auth/devices/{key}", bearer(access), {"remembered": "yes"}, 400, None),
        ("put", f"/auth/devices/{key}", bearer(access), {}, 400, None),
        ("put", f"/auth/devices/{key}", bearer(access), [True], 400, None),
    ]
    for method, path, headers, body, status, error in cases:
        answer = getattr(client, method)(path, headers=headers, **({"json": body} if body is not None else {}))
        assert answer.status_code == status, (method, path, body, answer.json)
        assert answer.is_json and (error is None or answer.json["error"] == error), (method, path, answer.json)
    # Bob's device is still his, and Alice's still remembered.
    assert client.get("/auth/devices", headers=bearer(bob.login(bobs).json["access_token"])).json["devices"]
    assert alice.login(device).json.get("access_token")


@pytest.mark.slow  # a TOTP code per 30-second step: it may wait for the next one
def test_the_user_prompt_pool_remembers_on_the_users_choice(emulator, pool, client, users):
    alice = Person(client, users)
    track_devices(emulator, pool, PROMPT)
    device = alice.first_sign_in()["device"]
    assert device["remembered"] is False
    asked = alice.login(device)  # known but not remembered: the code, then the device proves itself
    assert asked.json["challenge"] == "SOFTWARE_TOKEN_MFA"
    without = alice.answer_totp(asked.json)
    assert (without.status_code, without.json["error"]) == (400, "device_required")
    asked = alice.login(device)
    answered = alice.answer_totp(asked.json, device)
    assert answered.status_code == 200 and "device" not in answered.json, answered.json
    access = answered.json["access_token"]
    put = client.put(f"/auth/devices/{device['key']}", json={"remembered": True}, headers=bearer(access))
    assert put.status_code == 200 and put.json == {"key": device["key"], "remembered": True}
    assert client.get("/auth/devices", headers=bearer(access)).json["devices"][0]["remembered"] is True
    assert "access_token" in alice.login(device).json  # remembered now: no code
    put = client.put(f"/auth/devices/{device['key']}", json={"remembered": False}, headers=bearer(access))
    assert put.status_code == 200 and alice.login(device).json["challenge"] == "SOFTWARE_TOKEN_MFA"


def _cookie(client, name: str = "auth_device"):
    return client.get_cookie(name)


def test_a_browser_keeps_its_device_in_its_own_cookie(alice, client):
    body = {"username": "alice", "password": PASSWORD}
    asked = client.post("/auth/session", json=body, headers=CHROME)
    assert asked.json["challenge"] == "SOFTWARE_TOKEN_MFA"
    answer = {"username": "alice", "challenge": "SOFTWARE_TOKEN_MFA", "session": asked.json["session"]}
    started = client.post("/auth/session/challenge", json={**answer, "code": alice.code()}, headers=CHROME)
    assert started.status_code == 200 and set(started.json["device"]) == {"key", "remembered"}, started.json
    cookie = _cookie(client)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax" and cookie.path == "/"
    assert cookie.expires is not None and cookie.expires.timestamp() > time.time() + 300 * 86400
    assert cookie.value not in started.get_data(as_text=True)
    key = started.json["device"]["key"]
    again = client.post("/auth/session", json=body, headers=CHROME)  # the cookie's device: no code
    assert again.status_code == 200 and "csrf_token" in again.json and "device" not in again.json, again.json
    listed = client.get("/auth/devices").json["devices"]
    assert [d["current"] for d in listed if d["key"] == key] == [True]
    csrf = again.json["csrf_token"]
    forgot = client.delete(f"/auth/devices/{key}", headers={"X-CSRF-Token": csrf})
    assert forgot.status_code == 204 and _cookie(client) is None
    assert client.post("/auth/session", json=body).json["challenge"] == "SOFTWARE_TOKEN_MFA"


def test_a_stale_device_cookie_is_cleared(alice, app, client):
    body = {"username": "alice", "password": PASSWORD}
    asked = client.post("/auth/session", json=body).json
    answer = {"username": "alice", "challenge": "SOFTWARE_TOKEN_MFA", "session": asked["session"], "code": alice.code()}
    browser = client.post("/auth/session/challenge", json=answer).json["device"]["key"]
    kept = _cookie(client).value
    alice.client = app.test_client()  # another client (no cookies) forgets the browser's device
    access = alice.answer_totp(alice.login().json).json["access_token"]
    assert alice.client.delete(f"/auth/devices/{browser}", headers=bearer(access)).status_code == 204
    assert _cookie(client).value == kept  # the browser still has it
    asked = client.post("/auth/session", json=body)  # Cognito no longer knows it: signed in without it
    assert asked.json["challenge"] == "SOFTWARE_TOKEN_MFA" and _cookie(client) is None


def test_the_sign_in_form_signs_in_by_the_browsers_device(alice, client):
    body = {"username": "alice", "password": PASSWORD}
    asked = client.post("/auth/session", json=body).json
    answer = {"username": "alice", "challenge": "SOFTWARE_TOKEN_MFA", "session": asked["session"], "code": alice.code()}
    assert client.post("/auth/session/challenge", json=answer).status_code == 200
    client.delete("/auth/session", headers={"X-CSRF-Token": client.get("/auth/session").json["csrf_token"]})
    assert client.get_cookie("auth_device") is not None  # signing out keeps the device

    def form() -> dict:
        html = client.get("/auth/sign-in").get_data(as_text=True)
        return {**body, "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html)[1]}

    signed_in = client.post("/auth/session", data=form())  # the device cookie: no code, which a form cannot ask
    assert signed_in.status_code == 303 and client.get("/auth/session").json["username"] == "alice"
    client.delete("/auth/session", headers={"X-CSRF-Token": client.get("/auth/session").json["csrf_token"]})
    client.delete_cookie("auth_device")
    asked = client.post("/auth/session", data=form())  # no device: the portal's next step asks for the code
    assert asked.status_code == 200 and "Code from your authenticator app" in asked.get_data(as_text=True)


def test_a_device_cookie_with_a_wrong_secret_is_refused_and_cleared(alice, client, caplog):
    caplog.set_level(logging.DEBUG)  # every record, the request log's too
    body = {"username": "alice", "password": PASSWORD}
    asked = client.post("/auth/session", json=body).json
    answer = {"username": "alice", "challenge": "SOFTWARE_TOKEN_MFA", "session": asked["session"], "code": alice.code()}
    assert client.post("/auth/session/challenge", json=answer).status_code == 200
    value = client.get_cookie("auth_device").value
    fields = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    forged = json.dumps({**fields, "password": "not-the-device-secret"}).encode()
    client.set_cookie("auth_device", base64.urlsafe_b64encode(forged).decode().rstrip("="))
    refused = client.post("/auth/session", json=body)
    assert (refused.status_code, refused.json["error"]) == (401, "device_refused")
    assert client.get_cookie("auth_device") is None  # cleared: the next sign-in is a new device's
    assert client.post("/auth/session", json=body).json["challenge"] == "SOFTWARE_TOKEN_MFA"
    assert fields["password"] not in caplog.text and value not in caplog.text  # no device secret logged
