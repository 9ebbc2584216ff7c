"""Logs: one line per request, and never a password, a code or a token."""

from __future__ import annotations

import logging

import pytest

from tests.support.helpers import PASSWORD


def test_the_whole_lifecycle_logs_no_secret(client, users, minter, caplog, emulator):
    caplog.set_level(logging.INFO)  # the level the server runs at, for every library
    for own in ("request", "services", "middleware", "controllers"):
        caplog.set_level(logging.DEBUG, logger=own)

    users.register("alice")
    code = emulator.last_code("alice")  # the real codes: the emulator checks them
    users.confirm("alice", code=code)
    tokens = users.login("alice").json
    bad_token = minter.token(exp=1) + "SECRETTAIL"
    for token in (tokens["access_token"], tokens["id_token"], bad_token):
        client.get("/hello", headers={"Authorization": f"Bearer {token}"})
        client.post("/auth/validate", json={"token": token})
    users.login("alice", "Wr0ngButSecret1")
    refreshed = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).json
    access = {"Authorization": f"Bearer {tokens['access_token']}"}
    totp_secret = client.post("/auth/mfa/totp/setup", headers=access).json["secret"]
    client.post("/auth/mfa/totp/verify", json={"code": "918274"}, headers=access)
    change = {"old_password": PASSWORD, "new_password": "Ch4ngedSecret!"}
    client.post("/auth/change-password", json=change, headers=access)
    client.post("/auth/forgot-password", json={"username": "alice"})
    reset_code = emulator.last_code("alice")
    client.post("/auth/reset-password", json={"username": "alice", "code": reset_code, "new_password": "R3setSecret!"})
    challenge = {"username": "alice", "challenge": "NEW_PASSWORD_REQUIRED", "session": "S" * 30 + "SESSIONTAIL"}
    client.post("/auth/challenge", json={**challenge, "new_password": "Ch4llengeSecret!"})
    client.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=access)
    client.post("/auth/login", data=f'{{"username": "alice", "password": "{PASSWORD}"', content_type="application/json")
    client.get(f"/hello?token={tokens['access_token']}")

    # The emulator's own server logs under "werkzeug" (its crash on the RevokeToken it lacks); the test client
    # runs no server of ours, so every other record is this app's or its libraries'.
    ours = [record for record in caplog.records if record.name != "werkzeug"]
    text = "\n".join(caplog.handler.format(record) for record in ours)
    assert not [record for record in ours if record.levelno >= logging.ERROR]
    assert text.count("POST /auth/") >= 6 and "GET /hello" in text  # the requests were logged...
    secrets = [PASSWORD, "Wr0ngButSecret1", code, "SECRETTAIL"]
    secrets += [tokens["access_token"], tokens["id_token"], tokens["refresh_token"], refreshed["access_token"]]
    secrets += ["Ch4ngedSecret!", reset_code, "R3setSecret!", "SESSIONTAIL", "Ch4llengeSecret!", "918274", totp_secret]
    secrets += [token.split(".")[2] for token in (tokens["access_token"], tokens["id_token"])]
    for secret in secrets:  # ...and nothing secret with them
        assert secret not in text


@pytest.mark.subprocess
def test_json_logs_have_one_parseable_line_per_request(serve):
    import json

    import requests

    server = serve({"LOG_FORMAT": "json"})
    try:
        requests.get(f"{server.url}/health", timeout=5, headers={"X-Request-ID": "trace-1"})
        requests.post(f"{server.url}/auth/login", json={"username": "u", "password": PASSWORD}, timeout=5)
    finally:
        output = server.stop()
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    requests_logged = [line for line in lines if line["logger"] == "request"][-2:]  # after the start-up polls
    assert [(r["method"], r["path"], r["status"]) for r in requests_logged] == [
        ("GET", "/health", 200),
        ("POST", "/auth/login", 401),
    ]
    assert requests_logged[0]["request_id"] == "trace-1"
    assert all(r["duration_ms"] >= 0 for r in requests_logged)
    assert PASSWORD not in output
