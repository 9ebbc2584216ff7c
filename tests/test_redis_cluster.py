"""REDIS_CLUSTER: two instances of the app on a real Redis Cluster (three primaries, three replicas) share
sign-outs, limits, sessions, the refresh lease and sign-ins under way, also while a slot moves (ASK, then
MOVED); a sign-out's WAIT is made on the node and connection that wrote it (PROTOCOLS-2.md section 6)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest

from app import create_app
from services.flows.managed_login import PendingSignIn
from services.state.hoststore import HostStore
from services.state.pending_sign_ins import PendingSignIns
from services.state.redis_connect import RedisTarget, connect, replicated_set
from services.state.session_record import session_key
from tests.support.helpers import PASSWORD, bearer
from tests.support.redis_cluster import RedisClusterNodes
from tests.support.sessions_end import make_user, session_client

pytestmark = [pytest.mark.redis, pytest.mark.subprocess, pytest.mark.slow]
COOKIE = "auth_session"


@pytest.fixture(scope="module")
def cluster():
    nodes = RedisClusterNodes()
    yield nodes
    nodes.close()


@pytest.fixture
def target(cluster) -> RedisTarget:
    cluster.flush()
    return RedisTarget(cluster.url, cluster=True, wait_ms=500, min_replicas=1)


def two_apps(settings: dict, target: RedisTarget, tmp_path, *names: str):
    """Instances of the app with `settings` on the cluster, each with a host store of its own."""
    cluster = {"redis_url": target.url, "redis_cluster": True, "redis_min_replicas": 1, "redis_wait_ms": 500}
    return [create_app({**settings, **cluster, "shared_state_dir": str(tmp_path / name)}) for name in names]


def refused_within(client, seconds: float, path: str = "/hello", **headers) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if client.get(path, headers=headers).status_code == 401:
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def with_cookie(app, cookie: str):
    client = app.test_client()
    client.set_cookie(COOKIE, cookie, domain="localhost")
    return client


def test_a_wait_elsewhere_says_nothing_and_ours_waits_on_the_key_s_node(cluster, target):
    """The flagged inference: redis-py sends a bare WAIT to its default node, which may count another shard's
    replica; WAIT cannot block in a script. Ours, on the write's own connection, sees the replica stopped."""
    client, key = connect(target), "auth:revoked:user:inference"
    assert replicated_set(client, target, key, "1.0", 60)
    replica = cluster.replica_of(cluster.owner(key))
    cluster.pause(replica, True)
    try:
        default = client.get_default_node()
        if default.port != cluster.owner(key):
            assert client.wait(1, 100) == 1  # a shard whose replica is fine answers for the write: meaningless
        started = time.monotonic()
        assert not replicated_set(client, target, key, "2.0", 60)  # no replica confirmed: said so
        assert 0.45 < time.monotonic() - started < 2  # bounded by REDIS_WAIT_MS
        with pytest.raises(Exception, match="not allowed from script"):
            client.eval("return redis.call('WAIT', 1, 100)", 1, key)
    finally:
        cluster.pause(replica, False)


@pytest.mark.parametrize("moving", [False, True], ids=["steady", "slot-moving"])
def test_sign_out_everywhere_within_a_second(emulator, pool, cluster, target, tmp_path, moving):
    a, b = two_apps(pool, target, tmp_path, "a", "b")
    make_user(emulator, pool)
    tokens = a.test_client().post("/auth/login", json={"username": "alice", "password": PASSWORD}).json
    assert b.test_client().get("/hello", headers=bearer(tokens["access_token"])).status_code == 200
    key = "auth:revoked:user:" + jwt.decode(tokens["access_token"], options={"verify_signature": False})["sub"]
    if moving:  # the key's slot is being migrated: the write is answered ASK and follows it
        slot, source, importing = cluster.begin_migration(key)
    assert a.test_client().post("/auth/logout", headers=bearer(tokens["access_token"])).status_code == 204
    waited = refused_within(b.test_client(), 1.0, Authorization=f"Bearer {tokens['access_token']}")
    assert waited is not None and waited < 1.0
    owner = importing if moving else cluster.owner(key)
    replica = cluster.client(cluster.replica_of(owner))  # WAIT saw it there before the sign-out answered:
    assert replica.execute_command("CLUSTER COUNTKEYSINSLOT", replica.cluster("KEYSLOT", key)) == 1
    if moving:
        cluster.finish_migration(slot, source, importing)  # now MOVED: an instance started later loads it there
    (late,) = two_apps(pool, target, tmp_path, "late")
    assert late.test_client().get("/hello", headers=bearer(tokens["access_token"])).status_code == 401


def test_limits_are_shared(pool, target, tmp_path):
    a, b = two_apps({**pool, "rate_limit_validate": "5/minute"}, target, tmp_path, "a", "b")
    statuses = [app.test_client().post("/auth/validate", json={"token": "x"}).status_code for app in (a, b) * 3]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429


def test_a_session_lives_and_ends_on_both_through_a_moved_slot(emulator, pool, cluster, target, tmp_path):
    a, b = two_apps(pool, target, tmp_path, "a", "b")
    make_user(emulator, pool)
    client, csrf = session_client(a)
    cookie = client.get_cookie(COOKIE).value
    assert with_cookie(b, cookie).get("/auth/session").status_code == 200
    cluster.migrate(f"auth:session:{session_key(cookie)}")  # the record moves whole: the next read is MOVED
    time.sleep(1.1)  # past the instances' copies
    assert with_cookie(b, cookie).get("/auth/session").status_code == 200
    assert client.delete("/auth/session", headers={"X-CSRF-Token": csrf}).status_code in (200, 204)
    assert refused_within(with_cookie(b, cookie), 1.0, "/auth/session") is not None


@pytest.mark.parametrize("moving", [False, True], ids=["steady", "slot-moving"])
def test_fifty_requests_at_expiry_refresh_once(pool, rotating_cognito, cluster, target, tmp_path, moving):
    settings = {**pool, "endpoint_url": rotating_cognito.url}
    a, b = two_apps(settings, target, tmp_path, "a", "b")
    client = a.test_client()
    signed_in = client.post("/auth/session", json={"username": "minted", "password": "Passw0rd!"})
    assert signed_in.status_code == 200, signed_in.json
    cookie = client.get_cookie(COOKIE).value
    migrations = []
    if moving:  # the record's and the lease's slots half moved: reads answered there, new keys ASK
        migrations = [cluster.begin_migration(f"auth:session-lease:{session_key(cookie)}")]

    def hello(index: int) -> int:
        return with_cookie((a, b)[index % 2], cookie).get("/hello").status_code

    with ThreadPoolExecutor(50) as workers:
        statuses = list(workers.map(hello, range(50)))
    assert statuses == [200] * 50
    assert rotating_cognito.refreshes == 1 and rotating_cognito.refreshed_with == ["refresh-0"]
    for migration in migrations:
        cluster.finish_migration(*migration)
    for app in (a, b):
        assert with_cookie(app, cookie).get("/auth/session").status_code == 200
    assert rotating_cognito.refreshes == 1


def test_a_sign_in_under_way_is_taken_once(cluster, target, tmp_path):
    stores = [PendingSignIns(HostStore(str(tmp_path / name)), target) for name in ("a", "b")]
    pending = PendingSignIn("s", "n", "v" * 43, "/", "https://app.example/callback")
    stores[0].put("binding", pending)
    with ThreadPoolExecutor(10) as workers:
        taken = list(workers.map(lambda i: stores[i % 2].take("binding"), range(10)))
    assert taken.count(pending) == 1 and taken.count(None) == 9
    stores[0].put("moving", pending)
    slot, source, importing = cluster.begin_migration("auth:oauth:" + session_key("moving"))
    assert stores[1].take("moving") == pending  # still on the source while it migrates
    cluster.finish_migration(slot, source, importing)
    stores[1].put("moved", pending)
    assert stores[0].take("moved") == pending and stores[1].take("moved") is None
