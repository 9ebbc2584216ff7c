"""Sessions end when the account changes (issue 24): a password change or reset through this server and
/auth/logout end every session of the user (the one that changed the password goes on, with tokens issued
after the change); a user disabled, deleted or signed out at Cognito itself loses the session within
SESSION_RECHECK_SECONDS; a dead refresh token at /auth/refresh is answered invalid_grant."""

from __future__ import annotations

import time
from typing import Any

import pytest

import errors
from app import create_app
from services.flows.session_refresh import user_check
from services.state.session_checks import Rechecks
from services.state.session_record import Session
from tests.support.helpers import PASSWORD, bearer
from tests.support.sessions_end import NEW_PASSWORD, make_user, session_client, statuses


def delivered_code(emulator, pool: dict[str, Any], username: str) -> str:
    """The reset code the emulator delivered for `username` (never a made-up one)."""
    code = emulator.last_code(username)
    if code is None:  # an emulator that keeps ForgotPassword's code on the user only (moto's own)
        from moto.cognitoidp.models import cognitoidp_backends
        from moto.core import DEFAULT_ACCOUNT_ID

        pools = cognitoidp_backends[DEFAULT_ACCOUNT_ID][pool["region"]].user_pools
        user = pools[pool["user_pool_id"]]._get_user(username)
        code = user.confirmation_code
    assert code, f"no code was delivered to {username}"
    return str(code)


@pytest.fixture
def alice(emulator, pool) -> None:
    make_user(emulator, pool, "alice")


def test_a_password_change_ends_the_other_sessions_and_the_changing_one_goes_on(app, alice):
    changing, csrf = session_client(app)
    other, _ = session_client(app)
    assert statuses(changing) == statuses(other) == [200, 200, 200]
    before = changing.get("/auth/session").json["claims"]
    started = int(time.time())
    response = changing.post(
        "/auth/change-password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200, response.json
    assert statuses(other) == [401, 401, 401]
    assert statuses(changing) == [200, 200, 200]
    after = changing.get("/auth/session").json["claims"]
    assert after["iat"] >= started and after != before  # tokens issued after the change
    assert statuses(other) == [401, 401, 401]  # and it stays ended (not brought back by a refresh)
    again, _ = session_client(app, password=NEW_PASSWORD)  # a new sign-in works as ever
    assert statuses(again) == [200, 200, 200]


def test_the_changing_session_moves_to_a_new_id_so_a_copy_of_its_cookie_is_worthless(app, alice):
    """A password is often changed because a session cookie leaked: the session that made the change goes on under
    a new id and CSRF token (in the answer's cookie and body), and the old cookie, wherever it was copied, is 401
    (found in review: the old id went on with fresh tokens)."""
    changing, csrf = session_client(app)
    stolen = app.test_client()
    stolen.set_cookie("auth_session", changing.get_cookie("auth_session").value, domain="localhost")
    assert statuses(stolen) == [200, 200, 200]
    response = changing.post(
        "/auth/change-password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200, response.json
    new_csrf = response.json["csrf_token"]
    assert new_csrf != csrf and "auth_session=" in response.headers["Set-Cookie"]
    assert statuses(stolen) == [401, 401, 401]
    assert statuses(changing) == [200, 200, 200]
    assert changing.delete("/auth/session", headers={"X-CSRF-Token": csrf}).status_code == 403  # the old token
    assert changing.delete("/auth/session", headers={"X-CSRF-Token": new_csrf}).status_code in (200, 204)


def test_a_password_change_with_a_bearer_token_ends_every_session(app, alice):
    sessions = [session_client(app)[0] for _ in range(2)]
    tokens = app.test_client().post("/auth/login", json={"username": "alice", "password": PASSWORD}).json
    response = app.test_client().post(
        "/auth/change-password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(tokens["access_token"]),
    )
    assert response.status_code == 200, response.json
    assert [statuses(client) for client in sessions] == [[401, 401, 401]] * 2


def test_a_wrong_old_password_ends_nothing(app, alice):
    changing, csrf = session_client(app)
    other, _ = session_client(app)
    response = changing.post(
        "/auth/change-password",
        json={"old_password": "Wr0ng-password!", "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 403
    assert statuses(other) == statuses(changing) == [200, 200, 200]


def test_another_users_change_ends_none_of_alices_sessions(emulator, pool, app, alice):
    make_user(emulator, pool, "bob")
    alices, _ = session_client(app)
    bobs, csrf = session_client(app, "bob")
    response = bobs.post(
        "/auth/change-password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    assert statuses(alices) == [200, 200, 200]


def test_a_password_reset_ends_every_session(emulator, app, pool, alice):
    sessions = [session_client(app)[0] for _ in range(2)]
    client = app.test_client()
    assert client.post("/auth/forgot-password", json={"username": "alice"}).status_code == 202
    code = delivered_code(emulator, pool, "alice")
    body = {"username": "alice", "code": code, "new_password": NEW_PASSWORD}
    assert client.post("/auth/reset-password", json=body).status_code == 200
    assert [statuses(session) for session in sessions] == [[401, 401, 401]] * 2
    assert statuses(session_client(app, password=NEW_PASSWORD)[0]) == [200, 200, 200]


def test_another_users_reset_ends_none_of_alices_sessions(emulator, app, pool, alice):
    """In a pool where email is no alias, another user may have alice's email as their username. Their reset ends
    their sessions, never alice's, though alice's verified email was seen as hers at her sign-in (found in review:
    the names seen at sign-in stood for the reset user)."""
    session, _ = session_client(app)
    make_user(emulator, pool, "alice@example.com")  # mallory's username is alice's email
    client = app.test_client()
    assert client.post("/auth/forgot-password", json={"username": "alice@example.com"}).status_code == 202
    code = delivered_code(emulator, pool, "alice@example.com")
    body = {"username": "alice@example.com", "code": code, "new_password": NEW_PASSWORD}
    assert client.post("/auth/reset-password", json=body).status_code == 200
    assert statuses(session) == [200, 200, 200]


def test_a_reset_by_a_name_never_seen_at_sign_in_ends_the_users_sessions(emulator, monkeypatch):
    """An email-as-username pool (the stored username is a uuid): the reset names the user by email, which this
    server never learnt (a managed-login session, or one older than the names kept). The sessions to end are the
    user's as Cognito names them (AdminGetUser), not only the name given (found in review: they survived)."""
    emulator.reset()
    client = emulator.client
    pool_id = client.create_user_pool(
        PoolName="by-email", UsernameAttributes=["email"], AutoVerifiedAttributes=["email"]
    )["UserPool"]["Id"]
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client_id = client.create_user_pool_client(UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=flows)[
        "UserPoolClient"
    ]["ClientId"]
    email = [{"Name": "email", "Value": "carol@example.com"}, {"Name": "email_verified", "Value": "true"}]
    client.admin_create_user(
        UserPoolId=pool_id, Username="carol@example.com", UserAttributes=email, MessageAction="SUPPRESS"
    )
    client.admin_set_user_password(UserPoolId=pool_id, Username="carol@example.com", Password=PASSWORD, Permanent=True)
    app = create_app(emulator._settings({"user_pool_id": pool_id, "client_id": client_id}))
    session, _ = session_client(app, username="carol@example.com")
    monkeypatch.setattr(app.extensions["cognito_auth"].attempts, "user_of", lambda name: name)  # nothing learnt
    browser = app.test_client()
    assert browser.post("/auth/forgot-password", json={"username": "carol@example.com"}).status_code == 202
    code = emulator.last_code("carol@example.com")
    body = {"username": "carol@example.com", "code": code, "new_password": NEW_PASSWORD}
    reset = browser.post("/auth/reset-password", json=body)
    assert reset.status_code == 200, reset.json
    assert statuses(session) == [401, 401, 401]


def test_a_refused_reset_ends_nothing(app, alice):
    session, _ = session_client(app)
    body = {"username": "alice", "code": "moto-confirmation-code:000000", "new_password": NEW_PASSWORD}
    assert app.test_client().post("/auth/forgot-password", json={"username": "alice"}).status_code == 202
    assert app.test_client().post("/auth/reset-password", json=body).status_code == 400
    assert statuses(session) == [200, 200, 200]


def test_a_logout_with_a_bearer_token_ends_every_session(app, alice):
    sessions = [session_client(app)[0] for _ in range(2)]
    tokens = app.test_client().post("/auth/login", json={"username": "alice", "password": PASSWORD}).json
    assert app.test_client().post("/auth/logout", headers=bearer(tokens["access_token"])).status_code == 204
    assert [statuses(client) for client in sessions] == [[401, 401, 401]] * 2
    assert statuses(session_client(app)[0]) == [200, 200, 200]  # signing in again works


def refused_within(client, seconds: float) -> float | None:
    """How long until the session is refused (None if it still serves after `seconds`)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if client.get("/auth/session").status_code == 401:
            return time.monotonic() - started
        time.sleep(0.05)
    return None


@pytest.mark.parametrize("change", ["AdminDisableUser", "AdminUserGlobalSignOut", "AdminDeleteUser"])
def test_a_change_made_at_cognito_ends_the_session_within_the_recheck(emulator, pool, alice, change):
    app = create_app({**pool, "session_recheck": 1.0})
    idle, _ = session_client(app)
    busy, _ = session_client(app)
    time.sleep(1.2)  # past the first interval: the sessions would be asked now
    assert statuses(busy) == [200, 200, 200]  # a healthy user's session is not ended by its check
    time.sleep(0.3)
    operation = {
        "AdminDisableUser": emulator.client.admin_disable_user,
        "AdminUserGlobalSignOut": emulator.client.admin_user_global_sign_out,
        "AdminDeleteUser": emulator.client.admin_delete_user,
    }[change]
    operation(UserPoolId=pool["user_pool_id"], Username="alice")
    took = refused_within(busy, 3.0)
    assert took is not None and took <= 1.0 + 0.5, took  # an interval, plus one GetUser and a poll
    assert statuses(busy) == [401, 401, 401]
    time.sleep(1.0)
    assert statuses(idle) == [401, 401, 401]  # idle past an interval: asked before its next answer


def test_the_recheck_asks_cognito_at_most_once_an_interval(emulator, pool, alice):
    app = create_app({**pool, "session_recheck": 1.0})
    auth = app.extensions["cognito_auth"].auth
    calls: list[float] = []
    me = auth.me

    def counted(token: str) -> dict[str, Any]:
        calls.append(time.monotonic())
        return me(token)

    auth.me = counted
    client, _ = session_client(app)
    started = time.monotonic()
    while time.monotonic() - started < 2.6:
        assert client.get("/hello").status_code == 200
        time.sleep(0.02)
    assert 1 <= len(calls) <= 3, calls  # 2.6 s of requests, a check a second at most


def test_a_recheck_of_zero_never_asks(emulator, pool, alice):
    app = create_app({**pool, "session_recheck": 0})
    client, _ = session_client(app)
    time.sleep(0.1)
    emulator.client.admin_disable_user(UserPoolId=pool["user_pool_id"], Username="alice")
    assert client.get("/auth/session").status_code == 200  # until its refresh, as before the setting


def test_a_dead_refresh_token_is_answered_invalid_grant(client, alice):
    tokens = client.post("/auth/login", json={"username": "alice", "password": PASSWORD}).json
    body = {"refresh_token": tokens["refresh_token"]}
    assert client.post("/auth/logout", json=body, headers=bearer(tokens["access_token"])).status_code == 204
    refused = client.post("/auth/refresh", json=body)
    assert refused.status_code == 401
    assert refused.json == {"error": "invalid_grant", "message": "The refresh token is no longer valid."}


def record(access_token: str, created_at: float) -> Session:
    """A stored session holding `access_token`, begun at `created_at`."""
    return Session("k" * 64, "alice", "sub", None, False, (), access_token, "id", None, 0.0, "csrf", created_at)


def test_the_check_asks_getuser_only_of_a_token_with_the_user_admin_scope(minter):
    """GetUser needs aws.cognito.signin.user.admin: asked with a managed login's token (openid email profile),
    Cognito would refuse the scope, and the session would end for nothing."""

    class Auth:
        asked: list[str] = []

        def me(self, token: str) -> None:
            self.asked.append(token)
            raise errors.RevokedToken()

    check = user_check(Auth())
    check(record(minter.token(scope="openid email profile"), 0.0))  # not asked: nothing to say of the user
    assert Auth.asked == []
    with_scope = minter.token(scope="openid aws.cognito.signin.user.admin")
    with pytest.raises(errors.RevokedToken):
        check(record(with_scope, 0.0))
    assert Auth.asked == [with_scope]


def test_an_idle_session_is_asked_before_it_answers_and_an_outage_ends_nothing():
    now = [1000.0]
    ended: list[str] = []
    rechecks = Rechecks(10.0, lambda key: True, ended.append, clock=lambda: now[0])
    session = record("token", created_at=900.0)  # begun 100 s ago, never asked here: asked now, in line

    def unavailable(_: Session) -> None:
        raise errors.ServiceUnavailable()

    assert rechecks.passes(session, unavailable) and ended == []  # Cognito down: the session is kept
    now[0] += 30  # idle for longer than an interval

    def refused(_: Session) -> None:
        raise errors.RevokedToken()

    assert not rechecks.passes(session, refused) and ended == [session.key]
