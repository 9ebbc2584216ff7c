"""Holes found by a security review of the portal, the admin API and the assertion, each held here: the input
or the token that got through before, refused now."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import jwt
import pytest

from app import create_app
from pool_settings import read_pools
from services.flows import admin_calls
from tests.support.helpers import PASSWORD, bearer
from tests.support.portal import form
from tests.support.sessions_end import make_user

GROUP = "admins"


def test_an_admin_group_member_of_another_pool_is_not_an_admin(emulator, pool):
    """COGNITO_ADDITIONAL_POOLS: another pool's `admins` group says nothing about the primary pool's users."""
    make_user(emulator, pool, "alice")
    emulator.client.create_group(UserPoolId=pool["user_pool_id"], GroupName=GROUP)
    second = emulator.create_pool("second")
    emulator.client.create_group(UserPoolId=second["user_pool_id"], GroupName=GROUP)
    other_pool = json.dumps(
        [
            {
                "pool_id": second["user_pool_id"],
                "region": second["region"],
                "client_ids": [second["client_id"]],
                "jwks_url": second["jwks_url"],
            }
        ]
    )
    app = create_app({**pool, "admin_group": GROUP, "additional_pools": read_pools(other_pool)})
    second_pool = second["user_pool_id"]
    make_user(emulator, second, "mallory")
    emulator.client.admin_add_user_to_group(UserPoolId=second_pool, Username="mallory", GroupName=GROUP)
    tokens = emulator.client.initiate_auth(
        ClientId=second["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "mallory", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    client = app.test_client()
    for kind in ("AccessToken", "IdToken"):
        assert client.get("/hello", headers=bearer(tokens[kind])).status_code == 200  # a valid token here
        for method, path in (("GET", "/auth/admin/users"), ("POST", "/auth/admin/users/alice/disable")):
            answer = client.open(path, method=method, headers=bearer(tokens[kind]))
            assert answer.status_code == 403, (kind, path, answer.status_code, answer.json)
    assert emulator.client.admin_get_user(UserPoolId=pool["user_pool_id"], Username="alice")["Enabled"] is True


@pytest.fixture
def portal_app(pool):
    return create_app({**pool, "portal_factors": ("password", "email_code", "passkey")})


def test_a_passkey_answer_nested_too_deep_is_the_step_again_not_a_500(portal_app, users):
    users.tokens("erin")
    client = portal_app.test_client()
    page = client.get("/auth/sign-in").get_data(as_text=True)
    fields = {**form(page, "/auth/session", index=1), "username": "erin", "preferred": "EMAIL_OTP"}
    step = form(client.post("/auth/session", data=fields).get_data(as_text=True), "/auth/sign-in/step")
    step.pop("code")
    # `[` needs no percent-encoding in a form: 15000 of them fit the body limit and nest past Python's recursion.
    body = urlencode(step).encode() + b"&credential=" + b"[" * 15000
    answer = client.post("/auth/sign-in/step", data=body, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400 and "passkey answer could not be read" in answer.get_data(as_text=True)


def test_a_refreshed_token_does_not_make_an_old_sign_in_look_recent(client, emulator, pool, monkeypatch):
    """Held, not a hole found: DELETE /auth/me reads `auth_time`, which a refresh keeps (Cognito's rule), not `iat`."""
    make_user(emulator, pool, "alice")
    tokens = client.post("/auth/login", json={"username": "alice", "password": PASSWORD}).json
    signed_in = jwt.decode(tokens["access_token"], options={"verify_signature": False})["auth_time"]
    time.sleep(2.1)  # the refreshed token's iat is later than the sign-in
    refreshed = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).json["access_token"]
    assert jwt.decode(refreshed, options={"verify_signature": False})["iat"] > signed_in
    # The sign-in itself is just past the window; the refresh (2 s later) would still be inside it.
    monkeypatch.setattr(admin_calls, "clock", lambda: signed_in + admin_calls.REAUTH_SECONDS + 1)
    answer = client.delete("/auth/me", headers=bearer(refreshed))
    assert answer.status_code == 401 and answer.json["error"] == "reauthentication_required"


def test_a_challenge_answered_into_a_session_takes_json_only(client, users):
    """No form of this server posts to /auth/session/challenge: a form there (another site's, in a browser that
    sends no Origin) is refused before Cognito is asked."""
    users.tokens("alice")
    fields = {"username": "alice", "challenge": "SOFTWARE_TOKEN_MFA", "session": "s" * 40, "code": "123456"}
    answer = client.post("/auth/session/challenge", data=fields)
    assert answer.status_code == 415 and answer.json["error"] == "unsupported_media_type"
    assert "auth_session" not in {cookie.key for cookie in client._cookies.values()}


def test_the_forgot_password_form_shows_a_refusal_as_its_page(pool, monkeypatch):
    """A refusal of ForgotPassword other than an unknown user (too many requests) is the form again, not JSON."""
    import errors

    app = create_app(pool)
    client = app.test_client()
    page = client.get("/auth/sign-in/forgot").get_data(as_text=True)

    def refuse(username: str) -> None:
        raise errors.TooManyRequests("Too many reset codes asked for; try again later.")

    monkeypatch.setattr(app.extensions["cognito_auth"].auth, "forgot_password", refuse)
    answer = client.post("/auth/sign-in/forgot/code", data={**form(page, "/auth/sign-in/forgot/code"), "username": "a"})
    assert answer.status_code == 429 and answer.mimetype == "text/html"
    assert "Too many reset codes" in answer.get_data(as_text=True)
