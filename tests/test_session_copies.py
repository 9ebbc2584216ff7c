"""A process answers a session from its own copy (no store read), and drops the copy as soon as the session
ends anywhere on the host, or within a second on another instance (Redis)."""

from __future__ import annotations

import pytest

from services.state.hoststore import HostStore
from services.state.session_store import SHARED_COPY_SECONDS, Sessions
from tests.support.refresher import Refresher, answer


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def counting_reads(sessions: Sessions, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    read = sessions.host.session
    monkeypatch.setattr(sessions.host, "session", lambda key: reads.append(key) or read(key))
    return reads


def test_a_fresh_session_is_answered_from_the_processs_copy(tmp_path, monkeypatch):
    sessions = Sessions(HostStore(str(tmp_path)))
    session_id, session = sessions.create(answer())
    reads = counting_reads(sessions, monkeypatch)
    assert all(sessions.fresh(session_id, Refresher()) == session for _ in range(20))
    assert len(reads) == 1  # the first request reads the store; the next 19 do not


def test_a_session_ended_by_another_worker_is_gone_at_once(tmp_path):
    worker_a, worker_b = Sessions(HostStore(str(tmp_path))), Sessions(HostStore(str(tmp_path)))
    session_id, _ = worker_a.create(answer())
    assert worker_a.fresh(session_id, Refresher()) is not None  # now copied in worker A
    assert worker_b.delete(session_id) is not None
    assert worker_a.fresh(session_id, Refresher()) is None


def test_a_copy_near_expiry_goes_back_to_the_store_and_is_refreshed_once(tmp_path):
    sessions = Sessions(HostStore(str(tmp_path)))
    session_id, _ = sessions.create(answer(expires_in=3600))
    sessions.fresh(session_id, Refresher())
    other = Sessions(HostStore(str(tmp_path)))
    near_id, _ = other.create(answer(expires_in=30))  # inside the refresh margin: never answered from a copy
    refresher = Refresher(delay=0)
    assert other.fresh(near_id, refresher) is not None and refresher.calls == 1
    assert other.fresh(near_id, refresher) is not None and refresher.calls == 1


@pytest.mark.redis
@pytest.mark.subprocess
def test_with_redis_another_instances_sign_out_is_seen_within_a_second(tmp_path, redis_server):
    clock = Clock()
    here = Sessions(HostStore(str(tmp_path / "host-a")), redis_server.url, clock=clock)
    there = Sessions(HostStore(str(tmp_path / "host-b")), redis_server.url, clock=clock)
    session_id, _ = here.create(answer())
    assert here.fresh(session_id, Refresher()) is not None
    assert there.delete(session_id) is not None
    clock.now += SHARED_COPY_SECONDS + 0.01
    assert here.fresh(session_id, Refresher()) is None
    # On the same host, another worker's delete is seen at once (the host's change counter).
    worker = Sessions(HostStore(str(tmp_path / "host-a")), redis_server.url, clock=clock)
    session_id, _ = here.create(answer())
    assert here.fresh(session_id, Refresher()) is not None
    assert worker.delete(session_id) is not None
    assert here.fresh(session_id, Refresher()) is None
