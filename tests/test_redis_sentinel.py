"""REDIS_SENTINELS: two instances of the app find the primary through a real Sentinel; a sign-out, then
SENTINEL FAILOVER, and the old token is still refused everywhere; during the switch nothing answers 5xx but
the documented 503 of the session store, and that ends by itself. And a sign-out a failover lost is written
back by the instances that heard it."""

from __future__ import annotations

import threading
import time

import jwt
import pytest
import redis

from app import create_app
from services.state.hoststore import HostStore
from services.state.revocations import KEY_PREFIX, Revocations
from tests.support.helpers import PASSWORD, bearer
from tests.support.redis_cluster import HOST, MASTER, SentinelNodes, until
from tests.support.sessions_end import make_user, session_client

pytestmark = [pytest.mark.redis, pytest.mark.subprocess, pytest.mark.slow]
SWITCH_SECONDS = 15.0  # the longest the 503s of a failover may last (Sentinel's own timeouts are seconds)


def sentinel_apps(pool: dict, nodes: SentinelNodes, tmp_path, *names: str):
    settings = {
        "redis_url": "redis://primary/0",  # the scheme and database: Sentinel names the host
        "redis_sentinels": ((HOST, nodes.sentinel),),
        "redis_sentinel_master": MASTER,
        "redis_min_replicas": 1,
        "redis_wait_ms": 500,
    }
    return [create_app({**pool, **settings, "shared_state_dir": str(tmp_path / name)}) for name in names]


def test_a_sign_out_survives_a_failover_and_the_switch_ends_by_itself(emulator, pool, tmp_path):
    nodes = SentinelNodes()
    try:
        a, b = sentinel_apps(pool, nodes, tmp_path, "a", "b")
        make_user(emulator, pool, "alice")
        make_user(emulator, pool, "bob")
        gone = a.test_client().post("/auth/login", json={"username": "alice", "password": PASSWORD}).json
        kept = a.test_client().post("/auth/login", json={"username": "bob", "password": PASSWORD}).json
        session, _ = session_client(b, "bob")
        cookie = session.get_cookie("auth_session").value
        assert a.test_client().post("/auth/logout", headers=bearer(gone["access_token"])).status_code == 204
        sub = jwt.decode(gone["access_token"], options={"verify_signature": False})["sub"]

        seen: list[tuple[str, int]] = []
        stop = threading.Event()

        def traffic() -> None:
            while not stop.is_set():
                for app in (a, b):
                    client = app.test_client()
                    client.set_cookie("auth_session", cookie, domain="localhost")
                    seen.append(
                        ("gone", app.test_client().get("/hello", headers=bearer(gone["access_token"])).status_code)
                    )
                    seen.append(
                        ("kept", app.test_client().get("/hello", headers=bearer(kept["access_token"])).status_code)
                    )
                    seen.append(("session", client.get("/auth/session").status_code))
                time.sleep(0.02)

        worker = threading.Thread(target=traffic)
        worker.start()
        try:
            old = nodes.master_port()
            new = nodes.failover()
            assert new != old
            switched = time.monotonic()

            def sessions_answer() -> bool:
                return all(status == 200 for kind, status in seen[-6:] if kind == "session")

            until(sessions_answer, SWITCH_SECONDS, "the sessions after the failover")
            assert time.monotonic() - switched < SWITCH_SECONDS
        finally:
            stop.set()
            worker.join()
        assert {status for kind, status in seen if kind == "gone"} == {401}
        assert {status for kind, status in seen if kind == "kept"} == {200}
        assert {status for kind, status in seen if kind == "session"} <= {200, 503}
        assert redis.Redis(HOST, new).exists(KEY_PREFIX + f"user:{sub}")  # WAIT had it on the replica promoted
        (late,) = sentinel_apps(pool, nodes, tmp_path, "late")
        for app in (a, b, late):
            assert app.test_client().get("/hello", headers=bearer(gone["access_token"])).status_code == 401
    finally:
        nodes.close()


def test_a_revocation_the_store_lost_is_written_back_by_an_instance_that_holds_it(tmp_path, redis_server):
    """A failover to a replica that never received a sign-out loses it in Redis; the instances that heard it
    write it back when they reconnect (here: Redis restarted empty, nothing saved)."""
    revocations = Revocations(HostStore(str(tmp_path / "a")), redis_server.url)
    revocations.revoke_user("a-sub", 3600)
    revocations.revoked({"sub": "a-sub", "iat": 0})  # starts the follower
    client = redis.Redis.from_url(redis_server.url)
    assert client.exists(KEY_PREFIX + "user:a-sub")
    redis_server.stop()
    redis_server.start()  # empty: nothing is saved
    until(lambda: client.exists(KEY_PREFIX + "user:a-sub"), 5, "the revocation written back")
    assert 3500 < client.ttl(KEY_PREFIX + "user:a-sub") <= 3600
