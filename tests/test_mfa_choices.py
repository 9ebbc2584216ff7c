"""MFA choices through the API against the emulator: GET and PUT /auth/mfa, TOTP after set-up, email MFA with a
verified email, every refusal, and the sign-in that follows asking for the preferred factor."""

from __future__ import annotations

import pytest

from app import create_app
from tests.support.helpers import bearer, cognito_error, next_totp
from tests.support.mfa import pool_mfa, put_mfa, totp_set_up


def test_the_default_pool_offers_totp_and_the_user_has_none_on(client, users):
    token = users.tokens("alice")["access_token"]
    answer = client.get("/auth/mfa", headers=bearer(token))
    assert answer.status_code == 200, answer.json
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.json == {"preferred": None, "enabled": [], "available": ["TOTP"], "required": False}


def test_totp_is_turned_on_after_set_up_and_preferred_and_sign_in_asks_for_it(client, users):
    token = users.tokens("alice")["access_token"]
    refused = put_mfa(client, token, ["TOTP"], "TOTP")
    assert refused.status_code == 400 and refused.json["error"] == "totp_not_set_up"
    secret = totp_set_up(client, token)  # set-up turns TOTP on, preferred
    off = put_mfa(client, token, [])
    assert off.status_code == 200, off.json
    assert (off.json["enabled"], off.json["preferred"]) == ([], None)
    assert "access_token" in users.login("alice").json  # no factor on: no code asked
    on = put_mfa(client, token, ["TOTP"], "TOTP")
    assert on.status_code == 200, on.json
    assert (on.json["enabled"], on.json["preferred"]) == (["TOTP"], "TOTP")
    login = users.login("alice")
    assert login.json["challenge"] == "SOFTWARE_TOKEN_MFA"
    answer = {"username": "alice", "challenge": "SOFTWARE_TOKEN_MFA", "session": login.json["session"]}
    signed_in = client.post("/auth/challenge", json={**answer, "code": next_totp(secret)})
    assert signed_in.status_code == 200, signed_in.json


def test_email_mfa_with_a_verified_email_is_preferred_and_sign_in_asks_an_emailed_code(emulator, pool, client, users):
    token = users.tokens("alice")["access_token"]
    unavailable = put_mfa(client, token, ["EMAIL"], "EMAIL")
    assert unavailable.status_code == 400 and unavailable.json["error"] == "mfa_factor_unavailable"
    pool_mfa(emulator, pool)
    assert client.get("/auth/mfa", headers=bearer(token)).json["available"] == ["TOTP", "EMAIL"]
    totp_set_up(client, token)
    both = put_mfa(client, token, ["TOTP", "EMAIL"], "EMAIL")
    assert both.status_code == 200, both.json
    assert (sorted(both.json["enabled"]), both.json["preferred"]) == (["EMAIL", "TOTP"], "EMAIL")

    login = users.login("alice")
    assert login.json["challenge"] == "EMAIL_OTP", login.json
    assert login.json["code_delivery"]["medium"] == "EMAIL"
    answer = {"username": "alice", "challenge": "EMAIL_OTP", "session": login.json["session"]}
    code = emulator.last_code("alice")
    wrong = client.post("/auth/challenge", json={**answer, "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and wrong.json["error"] == "code_mismatch"
    signed_in = client.post("/auth/challenge", json={**answer, "code": code})
    assert signed_in.status_code == 200, signed_in.json

    to_totp = put_mfa(client, token, ["TOTP", "EMAIL"], "TOTP")
    assert to_totp.json["preferred"] == "TOTP"
    assert users.login("alice").json["challenge"] == "SOFTWARE_TOKEN_MFA"


def test_a_factor_needs_a_verified_address_and_the_preferred_one_must_be_on(emulator, pool, client, users):
    pool_mfa(emulator, pool, sms=True)
    token = users.tokens("alice")["access_token"]
    no_phone = put_mfa(client, token, ["SMS"])
    assert no_phone.status_code == 400 and no_phone.json["error"] == "mfa_phone_unverified"
    assert client.patch("/auth/me", json={"attributes": {"phone_number": "+15555550100"}}, headers=bearer(token))
    unverified_phone = put_mfa(client, token, ["SMS"])
    assert unverified_phone.status_code == 400 and unverified_phone.json["error"] == "mfa_phone_unverified"
    preferred_off = put_mfa(client, token, ["EMAIL"], "TOTP")
    assert preferred_off.status_code == 400 and preferred_off.json["error"] == "mfa_preferred_not_enabled"
    changed = client.patch("/auth/me", json={"attributes": {"email": "alice.new@example.com"}}, headers=bearer(token))
    assert changed.json["attributes"]["email_verified"] == "false"
    unverified_email = put_mfa(client, token, ["EMAIL"])
    assert unverified_email.status_code == 400 and unverified_email.json["error"] == "mfa_email_unverified"
    assert client.get("/auth/mfa", headers=bearer(token)).json["enabled"] == []  # nothing changed


def test_the_last_factor_stays_on_where_the_pool_requires_mfa(emulator, pool, client, users):
    token = users.tokens("alice")["access_token"]
    totp_set_up(client, token)
    pool_mfa(emulator, pool, "ON")
    refused = put_mfa(client, token, [])
    assert refused.status_code == 400 and refused.json["error"] == "mfa_required"
    answer = client.get("/auth/mfa", headers=bearer(token)).json
    assert (answer["enabled"], answer["required"]) == (["TOTP"], True)
    assert put_mfa(client, token, ["TOTP", "EMAIL"], "TOTP").status_code == 200  # another on beside it: fine
    assert put_mfa(client, token, ["EMAIL"], "EMAIL").json["enabled"] == ["EMAIL"]


@pytest.mark.parametrize(
    "body",
    [{}, {"enabled": ["PUSH"]}, {"enabled": "TOTP"}, {"enabled": [], "preferred": "WEBAUTHN"}, {"preferred": "TOTP"}],
)
def test_mfa_bodies_the_api_refuses(client, users, body):
    token = users.tokens("alice")["access_token"]
    refused = client.put("/auth/mfa", json=body, headers=bearer(token))
    assert refused.status_code == 400 and refused.json["error"] == "invalid_request"


def test_mfa_routes_need_an_access_token(client, users):
    id_token = users.tokens("alice")["id_token"]
    assert client.get("/auth/mfa").status_code == 401
    assert client.get("/auth/mfa", headers=bearer(id_token)).status_code == 401
    assert client.put("/auth/mfa", json={"enabled": []}, headers=bearer(id_token)).status_code == 401


def test_without_permission_for_the_pools_mfa_settings_cognito_alone_checks(pool, proxy, users_of):
    client = create_app({**pool, "endpoint_url": proxy.url}).test_client()
    proxy.answers["GetUserPoolMfaConfig"] = cognito_error("AccessDeniedException", message="not authorized")
    token = users_of(client).tokens("alice")["access_token"]
    answer = client.get("/auth/mfa", headers=bearer(token))
    assert answer.status_code == 200, answer.json
    assert (answer.json["available"], answer.json["required"]) == (["TOTP", "SMS", "EMAIL"], None)
    refused = put_mfa(client, token, ["EMAIL"], "EMAIL")  # the pool does not offer it: Cognito says so
    assert refused.status_code == 400 and refused.json["error"] == "invalid_parameter"
