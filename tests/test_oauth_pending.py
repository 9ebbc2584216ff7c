"""Managed-login sign-ins under way (services/state/pending_sign_ins.py): taken once, by the browser holding the
binding only, gone after their lifetime; in Redis with REDIS_URL (a real redis-server), 503 while it is down."""

from __future__ import annotations

import threading

import pytest

import errors
from services.flows.managed_login import PendingSignIn
from services.state.hoststore import HostStore
from services.state.pending_sign_ins import PendingSignIns

SIGN_IN = PendingSignIn(
    state="s" * 32, nonce="n" * 32, code_verifier="v" * 64, rd="/x", redirect_uri="http://localhost/cb"
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_sign_in_is_taken_once_and_only_with_its_binding(tmp_path):
    pending = PendingSignIns(HostStore(str(tmp_path)))
    pending.put("binding-1", SIGN_IN)
    assert pending.take("binding-2") is None
    assert pending.take("binding-1") == SIGN_IN
    assert pending.take("binding-1") is None


def test_a_sign_in_ends_with_its_lifetime(tmp_path):
    clock = Clock()
    host = HostStore(str(tmp_path), clock=clock)
    pending = PendingSignIns(host, lifetime=600, clock=clock)
    pending.put("b", SIGN_IN)
    clock.now += 601
    assert pending.take("b") is None


def test_concurrent_callbacks_take_a_sign_in_once(tmp_path):
    pending = PendingSignIns(HostStore(str(tmp_path)))
    pending.put("b", SIGN_IN)
    taken, start = [], threading.Barrier(16)

    def callback() -> None:
        start.wait()
        taken.append(pending.take("b"))

    threads = [threading.Thread(target=callback) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [t for t in taken if t is not None] == [SIGN_IN]


def test_the_stored_form_holds_no_binding(tmp_path):
    host = HostStore(str(tmp_path))
    PendingSignIns(host).put("the-browser-s-secret-binding", SIGN_IN)
    with host._lock:
        rows = host._connection().execute("SELECT key, data FROM sessions").fetchall()
    assert len(rows) == 1 and "the-browser-s-secret-binding" not in repr(rows) and rows[0][0].startswith("oauth:")


@pytest.mark.redis
def test_with_redis_a_sign_in_is_taken_once_across_instances_and_503_while_it_is_down(tmp_path, redis_server):
    first = PendingSignIns(HostStore(str(tmp_path / "a")), redis_server.url)
    second = PendingSignIns(HostStore(str(tmp_path / "b")), redis_server.url)
    first.put("b", SIGN_IN)
    assert second.take("b") == SIGN_IN  # another instance's callback finds it
    assert first.take("b") is None
    redis_server.stop()
    with pytest.raises(errors.ServiceUnavailable):
        first.put("c", SIGN_IN)
