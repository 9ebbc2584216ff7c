"""Sessions end when the account changes on every instance and every worker (issue 24): two app instances on
one real Redis, each with a host store of its own; two gunicorn workers of one host."""

from __future__ import annotations

import time

import pytest
import requests

from app import create_app
from tests.support.helpers import PASSWORD
from tests.support.servers import pool_env
from tests.support.sessions_end import NEW_PASSWORD, PROTECTED, make_user, session_client, statuses

COOKIE = "auth_session"  # plain HTTP on loopback: no __Host- prefix


def same_cookie(source, app):
    """A client of `app` holding `source`'s session cookie: the same browser, served by another instance."""
    client = app.test_client()
    client.set_cookie(COOKIE, source.get_cookie(COOKIE).value, domain="localhost")
    return client


def refused_within(client, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if client.get("/auth/session").status_code == 401:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.redis
@pytest.mark.subprocess
def test_a_password_change_on_one_instance_ends_the_sessions_on_the_other(emulator, pool, redis_server, tmp_path):
    make_user(emulator, pool)
    here, there = (
        create_app({**pool, "redis_url": redis_server.url, "shared_state_dir": str(tmp_path / name)})
        for name in ("host-a", "host-b")
    )
    changing, csrf = session_client(here)
    other, _ = session_client(here)
    changing_there, other_there = same_cookie(changing, there), same_cookie(other, there)
    assert statuses(other_there) == statuses(changing_there) == [200, 200, 200]  # copies held on both
    response = changing.post(
        "/auth/change-password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200, response.json
    assert refused_within(other_there, 2.0)  # heard through Redis: the mark is published
    assert statuses(other_there) == statuses(other) == [401, 401, 401]
    # The changing session went on under a new id (the browser holds its new cookie); the old id is gone on both.
    assert statuses(changing_there) == [401, 401, 401]
    assert statuses(same_cookie(changing, there)) == statuses(changing) == [200, 200, 200]
    fresh_there = create_app({**pool, "redis_url": redis_server.url, "shared_state_dir": str(tmp_path / "host-c")})
    assert statuses(same_cookie(other, fresh_there)) == [401, 401, 401]  # an instance started later loads it


@pytest.mark.subprocess
@pytest.mark.slow
def test_a_password_change_in_one_worker_ends_the_sessions_in_every_worker(emulator, pool, serve_gunicorn):
    make_user(emulator, pool)
    server = serve_gunicorn(pool_env(pool), workers=2)
    try:
        base = server.url

        def signed_in() -> tuple[dict[str, str], str]:
            response = requests.post(
                f"{base}/auth/session", json={"username": "alice", "password": PASSWORD}, timeout=5
            )
            assert response.status_code == 200, response.text
            return {COOKIE: response.cookies[COOKIE]}, response.json()["csrf_token"]

        def answers(cookies: dict[str, str], rounds: int = 8) -> set[int]:
            # A new connection each time: the kernel spreads them over both workers, so each holds copies.
            return {
                requests.get(f"{base}{path}", cookies=cookies, timeout=5).status_code
                for _ in range(rounds)
                for path in PROTECTED
            }

        changing, csrf = signed_in()
        other, _ = signed_in()
        assert answers(changing) == answers(other) == {200}
        response = requests.post(
            f"{base}/auth/change-password",
            json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers={"X-CSRF-Token": csrf},
            cookies=changing,
            timeout=10,
        )
        assert response.status_code == 200, response.text
        assert answers(other) == {401}
        assert answers(changing) == {401}  # the old id: the session moved to a new one with the change
        assert answers({COOKIE: response.cookies[COOKIE]}) == {200}  # the cookie the answer set
    finally:
        output = server.stop()
    assert "Traceback" not in output, output[-3000:]
