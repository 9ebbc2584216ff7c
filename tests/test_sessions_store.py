"""services/state/session_store.py: browser sessions stored by the sha256 of their id, and their tokens refreshed by one
caller only, on the host's store and on a real Redis. A service test: the tokens are minted, `refresh` is a
counting fake, no Cognito is called."""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis

import errors
from services.state.hoststore import HostStore
from services.state.session_record import Session
from services.state.session_store import Sessions
from tests.support.redis_server import RedisServer
from tests.support.refresher import Refresher, answer

SUB = "0f3c1d2e-0000-4000-8000-000000000001"  # the Minter's
NEAR = 30  # seconds left on a token about to be refreshed (under the 60 s margin)


def together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call at once, each on its own thread (released together by a barrier); their results."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def folder(tmp_path) -> str:
    return str(tmp_path / "state")


@pytest.fixture
def sessions(folder) -> Sessions:
    return Sessions(HostStore(folder))


# On the host's store.


def test_create_get_delete(sessions):
    tokens = answer(**{"cognito:groups": ["admins", "staff"]})
    session_id, session = sessions.create(tokens)
    assert session.key == hashlib.sha256(session_id.encode()).hexdigest()
    assert (session.username, session.sub, session.email) == ("minted", SUB, "minted@example.com")
    assert session.groups == ("admins", "staff")
    assert (session.access_token, session.id_token, session.refresh_token) == (
        tokens["access_token"],
        tokens["id_token"],
        "refresh-1",
    )
    assert abs(session.expires_at - (time.time() + 3600)) < 5
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", session.csrf_token)
    assert sessions.get(session_id) == session
    assert sessions.delete(session_id) == session
    assert sessions.get(session_id) is None
    assert sessions.delete(session_id) is None
    assert sessions.get("no-such-id") is None


def test_ids_are_long_random_and_new_at_every_sign_in(sessions):
    (first, one), (second, two) = sessions.create(answer()), sessions.create(answer())
    for session_id in (first, second):
        assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", session_id)
    assert first != second and one.key != two.key and one.csrf_token != two.csrf_token


def test_the_store_never_holds_the_id(folder, sessions):
    ids = [sessions.create(answer())[0] for _ in range(3)]
    sessions.fresh(ids[0], Refresher(delay=0))  # and after a write of each kind
    sessions.delete(ids[1])
    stored = b"".join(open(os.path.join(folder, name), "rb").read() for name in os.listdir(folder))
    assert hashlib.sha256(ids[2].encode()).hexdigest().encode() in stored  # what is stored: the key
    for session_id in ids:
        assert session_id.encode() not in stored


def test_a_session_ends_after_its_lifetime(folder):
    now = [time.time()]
    clock = lambda: now[0]  # noqa: E731
    sessions = Sessions(HostStore(folder, clock=clock), lifetime=100, clock=clock)
    session_id, session = sessions.create(answer())
    now[0] += 99
    assert sessions.get(session_id) == session
    now[0] += 2
    refresh = Refresher()
    assert sessions.get(session_id) is None
    assert sessions.fresh(session_id, refresh) is None
    assert sessions.delete(session_id) is None
    assert refresh.calls == 0


def test_fresh_leaves_a_token_far_from_its_end_alone(sessions):
    session_id, session = sessions.create(answer(expires_in=120))  # 120 s left: over the 60 s margin
    refresh = Refresher()
    assert sessions.fresh(session_id, refresh) == session
    assert refresh.calls == 0


def test_fifty_threads_refresh_once(sessions):
    session_id, old = sessions.create(answer(expires_in=NEAR))
    refresh = Refresher()
    results = together([lambda: sessions.fresh(session_id, refresh)] * 50)
    assert refresh.calls == 1
    assert refresh.seen[0] == old
    assert {result.access_token for result in results} == {refresh.tokens["access_token"]}
    assert {result.id_token for result in results} == {refresh.tokens["id_token"]}
    assert sessions.get(session_id) == results[0]
    assert results[0].csrf_token == old.csrf_token and results[0].created_at == old.created_at
    assert results[0].refresh_token == "refresh-1"  # not rotated: the old one stays


def test_two_workers_of_one_host_refresh_once(folder):
    one, two = Sessions(HostStore(folder)), Sessions(HostStore(folder))  # two connections, two locks
    session_id, _ = one.create(answer(expires_in=NEAR))
    refresh = Refresher()
    results = together([lambda: one.fresh(session_id, refresh)] * 25 + [lambda: two.fresh(session_id, refresh)] * 25)
    assert refresh.calls == 1
    assert {result.access_token for result in results} == {refresh.tokens["access_token"]}


def test_a_refresh_done_between_the_read_and_the_lease_is_not_repeated(folder):
    one, two = Sessions(HostStore(folder)), Sessions(HostStore(folder))
    session_id, _ = one.create(answer(expires_in=NEAR))
    refresh = Refresher(delay=0)
    take_lease = one._acquire

    def late(key: str) -> Any:
        two.fresh(session_id, refresh)  # another worker refreshes after `one` read the old tokens
        return take_lease(key)

    one._acquire = late
    assert one.fresh(session_id, refresh).access_token == refresh.tokens["access_token"]
    assert refresh.calls == 1


def test_a_rotated_refresh_token_replaces_the_old(sessions):
    session_id, _ = sessions.create(answer(expires_in=NEAR))
    refresh = Refresher(delay=0, rotated="refresh-2")
    assert sessions.fresh(session_id, refresh).refresh_token == "refresh-2"
    assert refresh.seen[0].refresh_token == "refresh-1"
    assert sessions.get(session_id).refresh_token == "refresh-2"


@pytest.mark.parametrize("dead", [errors.NotAuthorized, errors.InvalidToken])
def test_a_dead_refresh_token_ends_the_session(sessions, dead):
    session_id, _ = sessions.create(answer(expires_in=NEAR))
    refresh = Refresher(error=dead())
    results = together([lambda: sessions.fresh(session_id, refresh)] * 10)
    assert results == [None] * 10 and refresh.calls == 1
    assert sessions.get(session_id) is None


def test_another_error_propagates_and_frees_the_lease(sessions):
    session_id, _ = sessions.create(answer(expires_in=NEAR))
    with pytest.raises(errors.ServiceUnavailable):
        sessions.fresh(session_id, Refresher(delay=0, error=errors.ServiceUnavailable()))
    assert sessions.get(session_id) is not None  # kept: Cognito was down, the refresh token is not dead
    refresh = Refresher(delay=0)
    assert sessions.fresh(session_id, refresh).access_token == refresh.tokens["access_token"]
    assert refresh.calls == 1


def test_a_sign_out_during_a_refresh_is_not_undone(sessions):
    session_id, _ = sessions.create(answer(expires_in=NEAR))

    def refresh_while_signed_out(session: Session) -> dict[str, Any]:
        assert sessions.delete(session_id) is not None
        return answer()

    assert sessions.fresh(session_id, refresh_while_signed_out) is None
    assert sessions.get(session_id) is None


def test_available_without_redis(sessions):
    assert sessions.available()


# On a real Redis.


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.close()


@pytest.fixture
def redis_url(redis_server) -> str:
    redis.Redis.from_url(redis_server.url).flushdb()
    return redis_server.url


@pytest.mark.redis
@pytest.mark.subprocess
class TestRedis:
    def test_create_get_delete_and_nothing_on_the_host(self, folder, redis_url):
        sessions = Sessions(HostStore(folder), redis_url)
        session_id, session = sessions.create(answer())
        assert Sessions(HostStore(folder + "-other"), redis_url).get(session_id) == session  # any instance
        assert sessions.host.session(session.key) is None
        assert sessions.delete(session_id) == session
        assert sessions.get(session_id) is None and sessions.delete(session_id) is None
        assert sessions.available()

    def test_redis_never_holds_the_id_and_ends_the_session(self, folder, redis_url):
        sessions = Sessions(HostStore(folder), redis_url, lifetime=600)
        ids = [sessions.create(answer(expires_in=NEAR))[0] for _ in range(3)]
        sessions.fresh(ids[0], Refresher(delay=0))
        client = redis.Redis.from_url(redis_url)
        keys = client.keys("*")
        assert sorted(keys) == sorted(f"auth:session:{hashlib.sha256(i.encode()).hexdigest()}".encode() for i in ids)
        stored = b"".join(keys) + b"".join(client.get(key) for key in keys)
        for session_id in ids:
            assert session_id.encode() not in stored
        assert all(590 < client.ttl(key) <= 600 for key in keys)  # kept after the refresh's write too

    def test_two_instances_refresh_once(self, folder, redis_url):
        one, two = Sessions(HostStore(folder), redis_url), Sessions(HostStore(folder + "-other"), redis_url)
        session_id, _ = one.create(answer(expires_in=NEAR))
        refresh = Refresher()
        calls = [lambda: one.fresh(session_id, refresh)] * 25 + [lambda: two.fresh(session_id, refresh)] * 25
        results = together(calls)
        assert refresh.calls == 1
        assert {result.access_token for result in results} == {refresh.tokens["access_token"]}
        assert redis.Redis.from_url(redis_url).keys("auth:session-lease:*") == []  # released

    def test_rotation_and_a_dead_refresh_token(self, folder, redis_url):
        sessions = Sessions(HostStore(folder), redis_url)
        session_id, _ = sessions.create(answer(expires_in=NEAR))
        assert sessions.fresh(session_id, Refresher(delay=0, rotated="refresh-2")).refresh_token == "refresh-2"
        assert sessions.get(session_id).refresh_token == "refresh-2"
        other_id, _ = sessions.create(answer(expires_in=NEAR))
        assert sessions.fresh(other_id, Refresher(delay=0, error=errors.NotAuthorized())) is None
        assert sessions.get(other_id) is None

    def test_redis_down_is_a_503(self, folder):
        server = RedisServer()
        try:
            sessions = Sessions(HostStore(folder), server.url)
            session_id, session = sessions.create(answer())
            server.stop()
            assert not sessions.available()
            for call in (
                lambda: sessions.get(session_id),
                lambda: sessions.create(answer()),
                lambda: sessions.fresh(session_id, Refresher()),
                lambda: sessions.delete(session_id),
            ):
                with pytest.raises(errors.ServiceUnavailable) as caught:
                    call()
                assert caught.value.status_code == 503
            assert sessions.host.session(session.key) is None  # no silent fallback to the host
        finally:
            server.close()
