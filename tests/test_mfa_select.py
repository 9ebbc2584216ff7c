"""Choosing the second factor, against the emulator: a user with TOTP and email MFA on and none preferred is
asked Cognito's SELECT_MFA_TYPE, through the API and the portal, then the chosen factor; a pool that requires
MFA asks an emailed code of a user whose one factor is a verified email; and for a policy's `mfa: true`, an
emailed code counts only where it came after the password (a passwordless email sign-in is one factor)."""

from __future__ import annotations

import pytest

from app import create_app
from tests.support.helpers import PASSWORD, next_totp
from tests.support.mfa import pool_mfa, put_mfa, totp_set_up
from tests.support.policy_cases import write_policy
from tests.support.portal import forms, post

VAULT = "default: signed_in\nrules:\n  - prefix: /vault\n    all:\n      mfa: true\n"
TO_VAULT = {"X-Original-Method": "GET", "X-Original-URI": "/vault/1"}


@pytest.fixture
def app(pool, tmp_path):
    factors = ("password", "email_code")
    return create_app({**pool, "policy_file": write_policy(tmp_path, VAULT), "portal_factors": factors})


def both_factors_on(client, emulator, pool, users, name: str = "alice") -> str:
    """`name` has TOTP and email MFA on, neither preferred; the TOTP secret."""
    pool_mfa(emulator, pool)
    token = users.tokens(name)["access_token"]
    secret = totp_set_up(client, token)  # set-up makes TOTP the preferred factor
    both = put_mfa(client, token, ["TOTP", "EMAIL"])
    assert both.status_code == 200, both.json
    assert (sorted(both.json["enabled"]), both.json["preferred"]) == (["EMAIL", "TOTP"], None)
    return secret


def test_the_api_asks_which_factor_then_asks_that_one(client, emulator, pool, users):
    secret = both_factors_on(client, emulator, pool, users)
    login = users.login("alice")
    assert login.status_code == 200 and login.json["challenge"] == "SELECT_MFA_TYPE", login.json
    assert login.json["available_mfa_types"] == ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]
    assert "access_token" not in login.json
    choice = {"username": "alice", "challenge": "SELECT_MFA_TYPE", "session": login.json["session"]}

    not_a_type = client.post("/auth/challenge", json={**choice, "answer": "PASSWORD"})
    assert not_a_type.status_code == 400 and not_a_type.json["error"] == "invalid_request"
    not_offered = client.post("/auth/challenge", json={**choice, "answer": "SMS_MFA"})
    assert not_offered.status_code == 400, not_offered.json
    emailed = client.post("/auth/challenge", json={**choice, "answer": "EMAIL_OTP"})
    assert emailed.status_code == 200 and emailed.json["challenge"] == "EMAIL_OTP", emailed.json
    code = {"username": "alice", "challenge": "EMAIL_OTP", "session": emailed.json["session"]}
    done = client.post("/auth/challenge", json={**code, "code": emulator.last_code("alice")})
    assert done.status_code == 200 and "access_token" in done.json, done.json

    again = users.login("alice")
    chose = client.post(
        "/auth/challenge", json={**choice, "session": again.json["session"], "answer": "SOFTWARE_TOKEN_MFA"}
    )
    assert chose.status_code == 200 and chose.json["challenge"] == "SOFTWARE_TOKEN_MFA", chose.json
    totp_answer = {"username": "alice", "challenge": "SOFTWARE_TOKEN_MFA", "session": chose.json["session"]}
    done = client.post("/auth/challenge", json={**totp_answer, "code": next_totp(secret)})
    assert done.status_code == 200 and "access_token" in done.json, done.json


def test_where_mfa_is_required_a_verified_email_is_the_second_factor(client, emulator, pool, users):
    assert users.register("alice").status_code == 201
    assert users.confirm("alice").status_code == 200  # the email is verified by its code
    pool_mfa(emulator, pool, "ON")
    login = users.login("alice")
    assert login.status_code == 200 and login.json["challenge"] == "EMAIL_OTP", login.json
    assert login.json["code_delivery"]["medium"] == "EMAIL"
    answer = {"username": "alice", "challenge": "EMAIL_OTP", "session": login.json["session"]}
    done = client.post("/auth/challenge", json={**answer, "code": emulator.last_code("alice")})
    assert done.status_code == 200 and "access_token" in done.json, done.json


def _step_buttons(html: str) -> list[str]:
    steps = [f for f in forms(html) if f["action"] == "/auth/sign-in/step"]
    return [value for _, value in steps[0]["buttons"]] if steps else []


def test_the_portal_offers_the_choice_and_the_emailed_code_meets_an_mfa_rule(client, emulator, pool, users):
    both_factors_on(client, emulator, pool, users)
    first = client.get("/auth/sign-in", query_string={"rd": "/vault/1"}).get_data(as_text=True)
    choice = post(client, first, "/auth/session", username="alice", password=PASSWORD)
    html = choice.get_data(as_text=True)
    assert choice.status_code == 200 and "Choose your second step" in html
    assert _step_buttons(html) == ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]
    emailed = post(client, html, "/auth/sign-in/step", answer="EMAIL_OTP")
    assert emailed.status_code == 200 and "Enter the code we emailed you" in emailed.get_data(as_text=True)
    done = post(client, emailed.get_data(as_text=True), "/auth/sign-in/step", code=emulator.last_code("alice"))
    assert done.status_code == 303 and done.headers["Location"] == "/vault/1", done.get_data(as_text=True)[:800]
    assert client.get("/auth/check", headers=TO_VAULT).status_code == 200


def test_a_passwordless_emailed_code_is_one_factor_for_an_mfa_rule(client, emulator, users):
    users.tokens("erin")
    first = client.get("/auth/sign-in", query_string={"rd": "/vault/1"}).get_data(as_text=True)
    step = post(client, first, "/auth/session", index=1, username="erin", preferred="EMAIL_OTP")
    assert step.status_code == 200 and "Enter the code we emailed you" in step.get_data(as_text=True)
    done = post(client, step.get_data(as_text=True), "/auth/sign-in/step", code=emulator.last_code("erin"))
    assert done.status_code == 303 and done.headers["Location"] == "/vault/1"
    assert client.get("/auth/check", headers=TO_VAULT).status_code == 403
    assert client.get("/auth/check", headers={**TO_VAULT, "X-Original-URI": "/app"}).status_code == 200
