"""Passwordless sign-in through this server's API, against the emulator (what docs/api.md's passwordless
section shows): email and text-message codes, the password through USER_AUTH, passkeys registered and used
(a software authenticator making real attestations and assertions), passwordless sign-up, and the cookie path.
"""

from __future__ import annotations

import json
import types

import pytest

import cognito_emulator.passwordless
from app import create_app
from cognito_emulator import factors
from cognito_emulator.emulator import last_code
from cognito_emulator.pools import PASSWORD_POLICY
from tests.support.authenticator import Authenticator
from tests.support.helpers import PASSWORD, bearer


@pytest.fixture
def app(pool):
    return create_app({**pool, "rate_limit_login_username": "20/minute"})


def login(client, username: str, **more):
    return client.post("/auth/login", json={"username": username, **more})


def answer(client, started: dict, username: str, **more):
    body = {"username": username, "challenge": started["challenge"], "session": started["session"], **more}
    return client.post("/auth/challenge", json=body)


def verified(client, response) -> dict:
    """The answer carries tokens, and /hello takes them."""
    assert response.status_code == 200, response.json
    assert set(response.json) >= {"access_token", "id_token", "refresh_token"}
    assert client.get("/hello", headers=bearer(response.json["access_token"])).status_code == 200
    return response.json


def wrong_code(right: str) -> str:
    return "000000" if right != "000000" else "111111"


def test_email_me_a_code_signs_in_with_the_right_code(client, users, emulator, conforms):
    users.tokens("alice")
    chosen = conforms(login(client, "alice"), "/auth/login", "POST").json
    assert chosen["challenge"] == "SELECT_CHALLENGE"
    assert chosen["available_challenges"] == ["PASSWORD", "EMAIL_OTP"]  # no passkey yet
    sent = conforms(answer(client, chosen, "alice", answer="EMAIL_OTP"), "/auth/challenge", "POST").json
    assert sent["challenge"] == "EMAIL_OTP"
    assert sent["code_delivery"]["medium"] == "EMAIL"
    assert "alice@example.com" not in sent["code_delivery"]["destination"]  # masked
    verified(client, answer(client, sent, "alice", code=emulator.last_code("alice")))


def test_a_wrong_code_is_refused_and_cognitos_third_ends_the_session(client, users, emulator):
    users.tokens("alice")
    sent = login(client, "alice", preferred="EMAIL_OTP").json
    assert sent["challenge"] == "EMAIL_OTP"
    right = emulator.last_code("alice")
    for _ in range(factors.MAX_ATTEMPTS):
        refused = answer(client, sent, "alice", code=wrong_code(right))
        assert (refused.status_code, refused.json["error"]) == (400, "code_mismatch")
    ended = answer(client, sent, "alice", code=right)
    assert (ended.status_code, ended.json["error"]) == (401, "session_expired")
    assert "start signing in again" in ended.json["message"]


def test_wrong_codes_count_against_the_users_guesses(pool, users_of, emulator):
    client = create_app({**pool, "rate_limit_login_username": "2/minute"}).test_client()
    users_of(client).tokens("alice")
    sent = login(client, "alice", preferred="EMAIL_OTP").json
    wrong = wrong_code(emulator.last_code("alice"))
    assert answer(client, sent, "alice", code=wrong).status_code == 400
    assert answer(client, sent, "alice", code=wrong).status_code == 400
    limited = answer(client, sent, "alice", code=emulator.last_code("alice"))
    assert (limited.status_code, limited.json["error"]) == (429, "too_many_requests")
    assert users_of(client).login("alice").status_code == 429  # the same user's bucket as passwords


def test_an_expired_session_is_refused(client, users, emulator, monkeypatch):
    users.tokens("alice")
    sent = login(client, "alice", preferred="EMAIL_OTP").json
    later = factors.time.time() + 60 * factors.DEFAULT_SESSION_MINUTES + 1
    monkeypatch.setattr(cognito_emulator.passwordless, "time", types.SimpleNamespace(time=lambda: later))
    expired = answer(client, sent, "alice", code=emulator.last_code("alice"))
    assert (expired.status_code, expired.json["error"]) == (401, "session_expired")


def test_a_text_message_code_signs_in(client, emulator, pool):
    pool_id = pool["user_pool_id"]
    emulator.client.update_user_pool(
        UserPoolId=pool_id,
        Policies={"PasswordPolicy": PASSWORD_POLICY, "SignInPolicy": {"AllowedFirstAuthFactors": ["SMS_OTP"]}},
        AutoVerifiedAttributes=["email"],
    )
    phone = [{"Name": "phone_number", "Value": "+15555550123"}, {"Name": "phone_number_verified", "Value": "true"}]
    email = [{"Name": "email", "Value": "sam@example.com"}, {"Name": "email_verified", "Value": "true"}]
    emulator.client.admin_create_user(
        UserPoolId=pool_id, Username="sam", UserAttributes=phone + email, MessageAction="SUPPRESS"
    )
    emulator.client.admin_set_user_password(UserPoolId=pool_id, Username="sam", Password=PASSWORD, Permanent=True)
    sent = login(client, "sam", preferred="SMS_OTP").json
    assert sent["challenge"] == "SMS_OTP", sent
    assert sent["code_delivery"]["medium"] == "SMS"
    assert "+15555550123" not in sent["code_delivery"]["destination"]
    right = emulator.last_code("sam", "SMS")
    refused = answer(client, sent, "sam", code=wrong_code(right))
    assert (refused.status_code, refused.json["error"]) == (400, "code_mismatch")
    verified(client, answer(client, sent, "sam", code=right))


def test_the_password_as_a_chosen_factor(client, users):
    users.tokens("alice")
    chosen = login(client, "alice").json
    verified(client, answer(client, chosen, "alice", answer="PASSWORD", password=PASSWORD))
    asked = answer(client, login(client, "alice").json, "alice", answer="PASSWORD").json
    assert asked["challenge"] == "PASSWORD"
    wrong = answer(client, asked, "alice", password="Wr0ngPassword")
    assert (wrong.status_code, wrong.json["error"]) == (401, "not_authorized")
    verified(client, login(client, "alice", password=PASSWORD, preferred="PASSWORD"))


def test_passwordless_sign_up_confirmation_signs_in(client, emulator):
    registered = client.post("/auth/register", json={"email": "nopass@example.com"})
    assert registered.status_code == 201, registered.json
    assert registered.json["confirmed"] is False
    code = last_code("nopass@example.com")
    body = {"username": "nopass@example.com", "code": code, "session": registered.json["session"]}
    confirmed = client.post("/auth/confirm", json=body)
    tokens = verified(client, confirmed)
    assert confirmed.json["confirmed"] is True
    assert confirmed.headers["Cache-Control"] == "no-store"
    # Later sign-ins: the email code only (there is no password).
    assert login(client, "nopass@example.com").json["available_challenges"] == ["EMAIL_OTP"]
    assert client.get("/auth/me", headers=bearer(tokens["access_token"])).status_code == 200


def test_confirming_without_the_session_only_confirms(client):
    registered = client.post("/auth/register", json={"email": "nopass@example.com"})
    confirmed = client.post(
        "/auth/confirm", json={"username": "nopass@example.com", "code": last_code("nopass@example.com")}
    )
    assert registered.status_code == 201
    assert confirmed.json == {"username": "nopass@example.com", "confirmed": True}


def test_a_forged_sign_up_session_signs_nobody_in(client):
    registered = client.post("/auth/register", json={"email": "nopass@example.com"})
    assert registered.status_code == 201
    body = {"username": "nopass@example.com", "code": last_code("nopass@example.com"), "session": "f" * 40}
    response = client.post("/auth/confirm", json=body)
    assert "access_token" not in response.json  # confirmed at most (the emulator: no Session for a forged one)
    assert response.json.get("error") in (None, "session_expired", "not_authorized")


def register_passkey(client, token: str, authenticator: Authenticator) -> dict:
    started = client.post("/auth/passkeys/register/start", headers=bearer(token))
    assert started.status_code == 200, started.json
    options = started.json["credential_creation_options"]
    assert options["rp"]["id"] == "localhost"
    credential = authenticator.create(options)
    finished = client.post("/auth/passkeys/register/finish", headers=bearer(token), json={"credential": credential})
    assert finished.status_code == 201, finished.json
    return finished.json


def passkey_sign_in(client, username: str, authenticator: Authenticator):
    started = login(client, username, preferred="WEB_AUTHN").json
    assert started["challenge"] == "WEB_AUTHN", started
    options = started["credential_request_options"]
    assert options["rpId"] == "localhost"
    credential = json.loads(authenticator.get(options))
    return answer(client, started, username, credential=credential)


def test_a_passkey_registered_lists_signs_in_and_once_deleted_is_refused(client, users, conforms):
    token = users.tokens("alice")["access_token"]
    authenticator = Authenticator()
    finished = register_passkey(client, token, authenticator)
    listed = conforms(client.get("/auth/passkeys", headers=bearer(token)), "/auth/passkeys", "GET").json["passkeys"]
    assert listed == finished["passkeys"]
    assert [p["credential_id"] for p in listed] == [authenticator.passkeys[0].id]
    assert listed[0]["relying_party_id"] == "localhost"

    assert "WEB_AUTHN" in login(client, "alice").json["available_challenges"]
    verified(client, passkey_sign_in(client, "alice", authenticator))

    deleted = client.delete(f"/auth/passkeys/{listed[0]['credential_id']}", headers=bearer(token))
    assert deleted.status_code == 204
    assert client.get("/auth/passkeys", headers=bearer(token)).json == {"passkeys": []}
    again = client.delete(f"/auth/passkeys/{listed[0]['credential_id']}", headers=bearer(token))
    assert (again.status_code, again.json["error"]) == (404, "passkey_not_found")
    assert "WEB_AUTHN" not in login(client, "alice").json["available_challenges"]


def test_a_passkey_of_another_origin_or_relying_party_is_refused_at_registration(client, users):
    token = users.tokens("alice")["access_token"]
    for change, error in (
        ({"origin": "http://evil.example"}, "webauthn_origin_not_allowed"),
        ({"rp_id": "example.com"}, "webauthn_relying_party_mismatch"),
    ):
        options = client.post("/auth/passkeys/register/start", headers=bearer(token)).json
        credential = Authenticator().create(options["credential_creation_options"], **change)
        refused = client.post("/auth/passkeys/register/finish", headers=bearer(token), json={"credential": credential})
        assert (refused.status_code, refused.json["error"]) == (400, error)


def test_a_credential_the_user_does_not_have_is_refused_at_sign_in(client, users):
    alice = users.tokens("alice")["access_token"]
    register_passkey(client, alice, Authenticator())
    stranger = Authenticator()
    register_passkey(client, users.tokens("bob")["access_token"], stranger)  # bob's passkey, offered for alice
    refused = passkey_sign_in(client, "alice", stranger)
    assert (refused.status_code, refused.json["error"]) == (401, "not_authorized")


def test_the_cookie_path_signs_in_by_email_code(client, users, emulator):
    users.tokens("alice")
    sent = client.post("/auth/session", json={"username": "alice", "preferred": "EMAIL_OTP"}).json
    assert sent["challenge"] == "EMAIL_OTP"
    body = {
        "username": "alice",
        "challenge": "EMAIL_OTP",
        "session": sent["session"],
        "code": emulator.last_code("alice"),
    }
    started = client.post("/auth/session/challenge", json=body)
    assert started.status_code == 200, started.json
    assert client.get("/auth/session").json["username"] == "alice"
    # A passkey for the cookie's user: the session's access token, and its CSRF token on each change.
    csrf = {"X-CSRF-Token": started.json["csrf_token"]}
    assert client.post("/auth/passkeys/register/start").status_code == 403  # no CSRF token
    options = client.post("/auth/passkeys/register/start", headers=csrf).json["credential_creation_options"]
    credential = Authenticator().create(options)
    finished = client.post("/auth/passkeys/register/finish", headers=csrf, json={"credential": credential})
    assert finished.status_code == 201, finished.json
    assert len(client.get("/auth/passkeys").json["passkeys"]) == 1


def test_the_admin_registration_mode_still_needs_a_password(pool):
    client = create_app({**pool, "registration_mode": "admin"}).test_client()
    response = client.post("/auth/register", json={"email": "nopass@example.com"})
    assert (response.status_code, response.json["error"]) == (400, "invalid_request")
    assert "'password' is required with REGISTRATION_MODE=admin" in response.json["message"]
