"""DELETE /auth/me (issue 28): only after a sign-in within the last 5 minutes (else 401 reauthentication_required);
the user is deleted at Cognito, and every token and session of theirs is refused at once, here and on every
instance sharing the revocation store (a real Redis); with a session cookie, the CSRF rule holds and the cookie
is cleared."""

from __future__ import annotations

import time

import pytest

from app import create_app
from services.flows import admin_calls
from tests.support.helpers import PASSWORD, bearer
from tests.support.sessions_end import make_user, session_client, statuses

COOKIE = "auth_session"  # plain HTTP on loopback: no __Host- prefix


def login(client, username: str = "alice") -> dict[str, str]:
    response = client.post("/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return response.json


def exists(emulator, pool, username: str = "alice") -> bool:
    try:
        emulator.client.admin_get_user(UserPoolId=pool["user_pool_id"], Username=username)
    except emulator.client.exceptions.UserNotFoundException:
        return False
    return True


def later(monkeypatch, seconds: float) -> None:
    """Move the deletion window's clock `seconds` forward (the tokens themselves stay valid: an hour's life)."""
    monkeypatch.setattr(admin_calls, "clock", lambda: time.time() + seconds)


@pytest.fixture
def alice(emulator, pool) -> None:
    make_user(emulator, pool, "alice")
    make_user(emulator, pool, "bob")


def test_an_old_sign_in_is_refused_and_nothing_is_deleted(client, conforms, emulator, pool, alice, monkeypatch):
    tokens = login(client)
    later(monkeypatch, admin_calls.REAUTH_SECONDS + 1)
    response = conforms(client.delete("/auth/me", headers=bearer(tokens["access_token"])), "/auth/me", "DELETE")
    assert response.status_code == 401
    assert response.json["error"] == "reauthentication_required"
    assert "sign in again" in response.json["message"]
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="insufficient_user_authentication"')
    assert exists(emulator, pool)
    assert client.get("/hello", headers=bearer(tokens["access_token"])).status_code == 200  # nothing ended


def test_just_inside_the_window_is_a_fresh_sign_in(client, emulator, pool, alice, monkeypatch):
    tokens = login(client)
    later(monkeypatch, admin_calls.REAUTH_SECONDS - 5)
    assert client.delete("/auth/me", headers=bearer(tokens["access_token"])).status_code == 204
    assert not exists(emulator, pool)


def test_an_old_session_is_refused_too(app, emulator, pool, alice, monkeypatch):
    browser, csrf = session_client(app)
    later(monkeypatch, admin_calls.REAUTH_SECONDS + 1)
    response = browser.delete("/auth/me", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 401 and response.json["error"] == "reauthentication_required"
    assert exists(emulator, pool) and statuses(browser) == [200, 200, 200]


def test_a_fresh_sign_in_deletes_the_user_and_ends_every_token_and_session(app, client, emulator, pool, alice):
    other_session, _ = session_client(app)
    other_tokens = login(client)
    bobs = login(client, "bob")
    deleting = login(client)
    assert statuses(other_session) == [200, 200, 200]
    response = client.delete("/auth/me", headers=bearer(deleting["access_token"]))
    assert response.status_code == 204 and response.data == b""
    assert response.headers["Cache-Control"] == "no-store"
    assert not exists(emulator, pool)
    assert statuses(other_session) == [401, 401, 401]
    for token in (other_tokens["access_token"], other_tokens["id_token"], deleting["access_token"]):
        assert client.get("/hello", headers=bearer(token)).status_code == 401
    assert client.get("/hello", headers=bearer(bobs["access_token"])).status_code == 200  # another user goes on
    again = client.delete("/auth/me", headers=bearer(deleting["access_token"]))
    assert again.status_code == 401  # a deleted user's token deletes nothing more


def test_with_the_session_cookie_the_csrf_rule_holds_and_the_cookie_is_cleared(app, emulator, pool, alice):
    browser, csrf = session_client(app)
    other, _ = session_client(app)
    refused = browser.delete("/auth/me")
    assert refused.status_code == 403 and refused.json["error"] == "csrf_failed"
    assert exists(emulator, pool)
    response = browser.delete("/auth/me", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    assert f"{COOKIE}=;" in response.headers["Set-Cookie"]
    assert not exists(emulator, pool)
    assert statuses(other) == [401, 401, 401]
    stale = app.test_client()
    stale.set_cookie(COOKIE, other.get_cookie(COOKIE).value if other.get_cookie(COOKIE) else "x", domain="localhost")
    assert statuses(stale) == [401, 401, 401]


def test_without_a_token_or_with_an_id_token_it_is_refused(client, emulator, pool, alice):
    assert client.delete("/auth/me").status_code == 401
    tokens = login(client)
    assert client.delete("/auth/me", headers=bearer(tokens["id_token"])).status_code == 401
    assert exists(emulator, pool)


@pytest.mark.redis
@pytest.mark.subprocess
def test_a_deletion_on_one_instance_ends_the_session_on_the_other(emulator, pool, redis_server, tmp_path, alice):
    here, there = (
        create_app({**pool, "redis_url": redis_server.url, "shared_state_dir": str(tmp_path / name)})
        for name in ("host-a", "host-b")
    )
    browser, _ = session_client(here)
    served_there = there.test_client()
    served_there.set_cookie(COOKIE, browser.get_cookie(COOKIE).value, domain="localhost")
    tokens = login(there.test_client())
    assert statuses(served_there) == [200, 200, 200]
    assert there.test_client().get("/hello", headers=bearer(tokens["access_token"])).status_code == 200
    deleting = login(here.test_client())
    assert here.test_client().delete("/auth/me", headers=bearer(deleting["access_token"])).status_code == 204
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline and served_there.get("/auth/session").status_code != 401:
        time.sleep(0.05)
    assert statuses(served_there) == [401, 401, 401]
    assert there.test_client().get("/hello", headers=bearer(tokens["access_token"])).status_code == 401
