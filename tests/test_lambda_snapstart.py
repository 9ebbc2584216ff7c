"""Lambda SnapStart: the hooks lambda_function registers with snapshot-restore-py, run here as the runtime runs
them (before the snapshot, then after a restore), and what a restored environment must not keep from the one
that took the snapshot: connections, random state, credentials, keys of unknown age."""

from __future__ import annotations

import random
import sys
import time
from dataclasses import fields

import pytest
import redis
import snapshot_restore_py

import lambda_function
from cognito_emulator.emulator import last_code
from config import Settings
from services.state.hoststore import HostStore
from services.state.revocations import Revocations
from tests.support.helpers import PASSWORD, Minter, bearer, cognito_error
from tests.support.lambda_events import ALICE, event, read

ENV = {spec.name: spec.metadata["env"] for spec in fields(Settings)}


@pytest.fixture
def function(monkeypatch, pool, jwks_host, tmp_path):
    """The function's environment (keys from a JWKS host that counts fetches), the app not built yet."""
    for name, value in pool.items():
        monkeypatch.setenv(ENV[name], value)
    monkeypatch.setenv("COGNITO_JWKS_URL", jwks_host.url)
    monkeypatch.setenv("SHARED_STATE_DIR", str(tmp_path))
    lambda_function.function.cache_clear()
    yield lambda_function.function
    lambda_function.function.cache_clear()


def run(hooks: list) -> None:
    """Run registered hooks as the Lambda runtime does: each with the arguments it was registered with."""
    for hook, args, kwargs in hooks:
        hook(*args, **kwargs)


def invoke(request: dict):
    return read(lambda_function.lambda_handler(request, None))


def test_the_hooks_are_registered_with_the_runtimes_registry():
    assert lambda_function.before_snapshot in [hook for hook, _, _ in snapshot_restore_py.get_before_snapshot()]
    assert lambda_function.after_restore in [hook for hook, _, _ in snapshot_restore_py.get_after_restore()]


def test_before_the_snapshot_everything_slow_is_done(function, jwks_host):
    run(snapshot_restore_py.get_before_snapshot())
    ready = function().services
    assert ready.auth._client is not None and "boto3" in sys.modules  # the Cognito client made
    assert "requests" in sys.modules and "jwt" in sys.modules and jwks_host.fetches == 1  # the keys fetched


def test_after_a_restore_connections_random_state_and_keys_are_new_and_requests_work(function, jwks_host, pool):
    run(snapshot_restore_py.get_before_snapshot())
    ready = function().services
    assert invoke(event("http-api-v2", "POST", "/auth/register", body=ALICE)).status == 201  # SQLite opened too
    before = {
        "cognito": ready.auth._client,
        "jwks_session": ready.verifier.primary.jwks._session,
        "host_db": ready.revocations.host._db,
        "boto3_session": sys.modules["boto3"].DEFAULT_SESSION,
        "random": random.getstate(),
    }
    assert all(value is not None for value in before.values())
    fetches = jwks_host.fetches

    run(snapshot_restore_py.get_after_restore())

    assert jwks_host.fetches == fetches + 1  # the keys fetched anew, in the hook, before any request
    assert random.getstate() != before["random"]
    assert ready.auth._client is None and ready.revocations.host._db is None  # made again on first use
    assert sys.modules["boto3"].DEFAULT_SESSION is not before["boto3_session"]
    assert ready.verifier.primary.jwks._session is not before["jwks_session"]
    # and the restored function serves: a Cognito call (a new client), a token check, the host store
    confirm = event("http-api-v2", "POST", "/auth/confirm", body={"username": "alice", "code": last_code("alice")})
    assert invoke(confirm).status == 200
    login = invoke(event("http-api-v2", "POST", "/auth/login", body={"username": "alice", "password": PASSWORD}))
    assert login.status == 200
    assert ready.auth._client is not None and ready.auth._client is not before["cognito"]
    assert ready.revocations.host._db is not None and ready.revocations.host._db is not before["host_db"]
    hello = invoke(event("http-api-v2", path="/hello", headers=bearer(login.json["access_token"])))
    assert hello.status == 200 and hello.json["message"] == "Hello, alice!"


def test_keys_of_unknown_age_are_not_trusted_after_a_restore_until_fetched_again(function, jwks_host, pool):
    run(snapshot_restore_py.get_before_snapshot())
    token = Minter(Settings.load({}, overrides=pool).issuer, pool["client_id"]).token()
    hello = event("http-api-v2", path="/hello", headers=bearer(token))
    assert invoke(hello).status == 200  # verified, and cached
    jwks_host.fault = lambda: cognito_error("InternalErrorException", status=500)

    run(snapshot_restore_py.get_after_restore())  # the fetch fails: the snapshot's keys are not served on

    refused = invoke(hello)
    assert refused.status == 503 and "signing keys" in refused.json["message"]
    jwks_host.fault = None
    function().services.verifier.primary.jwks._attempted_at = float("-inf")  # past the retry interval
    assert invoke(hello).status == 200  # fetched again: the same key, the cached token still good


@pytest.mark.redis
def test_after_a_restore_redis_is_reached_on_new_connections_and_sign_outs_still_heard(
    function, monkeypatch, redis_server, pool, tmp_path
):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    run(snapshot_restore_py.get_before_snapshot())
    ready = function().services
    minter = Minter(Settings.load({}, overrides=pool).issuer, pool["client_id"])
    hello = event("http-api-v2", path="/hello", headers=bearer(minter.token(sub="bob")))
    assert invoke(hello).status == 200  # the revocations follower subscribed
    watcher = redis.Redis.from_url(redis_server.url)
    subscribers = wait_for(lambda: {c["id"] for c in watcher.client_list(_type="pubsub")})
    before = {"revocations": ready.revocations._redis, "attempts": ready.attempts._client()}
    before["sessions"] = ready.sessions._client()

    run(snapshot_restore_py.get_after_restore())

    assert ready.revocations._redis is not before["revocations"] and ready.attempts._redis is None
    assert ready.sessions._redis is None
    # The follower leaves the snapshot's subscription (in Lambda, a dead and silent socket) for a new one.
    moved = wait_for(lambda: ({c["id"] for c in watcher.client_list(_type="pubsub")} - subscribers) or None)
    assert moved and not {c["id"] for c in watcher.client_list(_type="pubsub")} & subscribers
    # A sign-out published by another instance is heard on the new subscription.
    Revocations(HostStore(str(tmp_path / "other")), redis_server.url).revoke_user("bob", 3600)
    assert wait_for(lambda: invoke(hello).status == 401 or None)
    assert ready.attempts._client() is not before["attempts"] and ready.sessions._client() is not before["sessions"]


def wait_for(probe, seconds: float = 5.0):
    """`probe()`'s first truthy answer within `seconds` (None past it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = probe()
        if answer:
            return answer
        time.sleep(0.05)
    return None
