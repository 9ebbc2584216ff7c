"""The JWKS cache: fetched over HTTP from a server the test controls, counted, and faulted."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from app import create_app
from errors import JwksUnavailable
from services.tokens.jwks import JwksCache, UnknownKey, parse_jwks
from tests.support.helpers import b64url, json_reply, public_jwk


@pytest.fixture
def counted_client(pool, jwks_host):
    return create_app({**pool, "jwks_url": jwks_host.url, "jwks_refetch_cooldown": 30}).test_client()


def test_jwks_is_fetched_once_across_many_requests(counted_client, users, jwks_host, minter, users_of):

    tokens = users_of(counted_client).tokens("alice")
    for _ in range(25):
        for name in ("access_token", "id_token"):
            headers = {"Authorization": f"Bearer {tokens[name]}"}
            assert counted_client.get("/hello", headers=headers).status_code == 200
            assert counted_client.post("/auth/validate", headers=headers).status_code == 200
    assert jwks_host.fetches == 1


@pytest.mark.slow  # sleeps or waits out timeouts: seconds
def test_unknown_kids_refetch_at_most_once_per_cooldown(pool, jwks_host, minter):
    client = create_app({**pool, "jwks_url": jwks_host.url, "jwks_refetch_cooldown": 2}).test_client()
    good = {"Authorization": f"Bearer {minter.token()}"}
    unknown = [{"Authorization": f"Bearer {minter.token(headers={'kid': f'rotated-{n}'})}"} for n in range(50)]
    assert client.get("/hello", headers=good).status_code == 200
    assert client.get("/hello", headers=unknown[0]).status_code == 401
    assert jwks_host.fetches == 1  # keys fetched just now: no refetch inside the cooldown
    time.sleep(2.1)
    for headers in unknown:
        assert client.get("/hello", headers=headers).status_code == 401
        assert client.get("/hello", headers=good).status_code == 200
    assert jwks_host.fetches == 2  # one refetch for the whole burst


@pytest.mark.slow  # sleeps or waits out timeouts: seconds
def test_jwks_down_with_no_keys_is_503_then_recovers(counted_client, jwks_host, minter):
    jwks_host.fault = lambda: (500, {}, b"upstream broke")
    headers = {"Authorization": f"Bearer {minter.token()}"}
    response = counted_client.get("/hello", headers=headers)
    assert response.status_code == 503
    assert response.json["error"] == "service_unavailable"
    response = counted_client.post("/auth/validate", json={"token": minter.token()})
    assert response.status_code == 503
    jwks_host.fault = None
    time.sleep(2.1)  # the retry interval for a cache with no keys
    assert counted_client.get("/hello", headers=headers).status_code == 200


def test_jwks_unreachable_is_503(pool, closed_port_url, minter):
    client = create_app({**pool, "jwks_url": f"{closed_port_url}/jwks.json"}).test_client()
    response = client.get("/hello", headers={"Authorization": f"Bearer {minter.token()}"})
    assert response.status_code == 503
    assert response.json["error"] == "service_unavailable"


@pytest.mark.parametrize(
    "fault",
    [
        lambda: (302, {"Location": "https://attacker.example/jwks.json"}, b""),
        lambda: (200, {"Content-Type": "text/html"}, b"<html>not json</html>"),
        lambda: json_reply(200, {"keys": [{"kty": "oct", "kid": "dummy", "k": "c2VjcmV0"}]}),
        lambda: json_reply(200, {"keys": "nope"}),
        lambda: (200, {}, b'{"keys": [' + b" " * (64 * 1024) + b"]}"),
    ],
    ids=["redirect", "not json", "symmetric key only", "malformed", "oversized"],
)
def test_unusable_jwks_answers_are_never_used(jwks_host, fault):
    jwks_host.fault = fault
    cache = JwksCache(jwks_host.url, timeout=2)
    with pytest.raises(JwksUnavailable):
        cache.key("dummy")


def test_a_failed_refresh_keeps_the_held_keys(jwks_host):
    now = [1000.0]
    cache = JwksCache(jwks_host.url, max_age=60, retry_interval=1, clock=lambda: now[0])
    key = cache.key("dummy")
    jwks_host.fault = lambda: (500, {}, b"")
    now[0] += 120  # past max_age: a background refresh starts, the old key serves meanwhile
    assert cache.key("dummy") is key
    _wait_for(lambda: jwks_host.fetches == 2)
    assert cache.key("dummy") is key


def test_a_rotated_jwks_is_picked_up_after_max_age(jwks_host):
    now = [1000.0]
    cache = JwksCache(jwks_host.url, max_age=60, clock=lambda: now[0])
    cache.key("dummy")
    rotated = json.loads(json.dumps(jwks_host.document))
    rotated["keys"][0]["kid"] = "rotated"
    jwks_host.document = rotated
    now[0] += 120
    cache.key("dummy")  # still served while the refresh runs in the background
    _wait_for(lambda: jwks_host.fetches == 2)
    assert cache.key("rotated") is not None
    with pytest.raises(UnknownKey):
        cache.key("dummy")


def test_parse_jwks_keeps_only_rsa_signing_keys(jwks_host):
    rsa_key = jwks_host.document["keys"][0]
    document = {
        "keys": [
            rsa_key,
            {**rsa_key, "kid": "enc", "use": "enc"},
            {**rsa_key, "kid": "rs512", "alg": "RS512"},
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
            {**rsa_key, "kid": ""},
            "not a key",
        ]
    }
    assert list(parse_jwks(document)) == ["dummy"]


def _wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def _concurrently(count: int, action) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        results[index] = action(index)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_one_fetch_for_100_concurrent_requests_on_a_cold_cache(pool, jwks_host, minter):
    jwks_host.delay = 0.2  # every request arrives while the first fetch is still under way
    app = create_app({**pool, "jwks_url": jwks_host.url})
    headers = {"Authorization": f"Bearer {minter.token()}"}
    statuses = _concurrently(100, lambda i: app.test_client().get("/hello", headers=headers).status_code)
    assert statuses == [200] * 100
    assert jwks_host.fetches == 1


@pytest.mark.slow  # sleeps or waits out timeouts: seconds
def test_a_burst_of_1000_unknown_kids_causes_at_most_one_fetch(pool, jwks_host, minter):
    app = create_app({**pool, "jwks_url": jwks_host.url, "jwks_refetch_cooldown": 30})
    good = {"Authorization": f"Bearer {minter.token()}"}
    assert app.test_client().get("/hello", headers=good).status_code == 200
    _, payload, signature = minter.token().split(".")
    headers = [b64url(json.dumps({"alg": "RS256", "kid": uuid.uuid4().hex})) for _ in range(1000)]
    random_kid = [{"Authorization": f"Bearer {header}.{payload}.{signature}"} for header in headers]

    def request(index: int) -> tuple[int, int]:
        client = app.test_client()
        unknown = [client.get("/hello", headers=h).status_code for h in random_kid[index * 10 : index * 10 + 10]]
        return max(unknown), client.get("/hello", headers=good).status_code

    results = _concurrently(100, request)
    assert set(results) == {(401, 200)}  # all 1,000 unknown kids refused, valid tokens kept passing
    assert jwks_host.fetches <= 2  # the first fetch, and at most one for the whole burst


@pytest.mark.slow  # sleeps or waits out timeouts: seconds
def test_a_key_removed_from_the_jwks_is_refused_after_max_age(pool, jwks_host, minter):
    app = create_app({**pool, "jwks_url": jwks_host.url, "jwks_max_age": 0.3})
    headers = {"Authorization": f"Bearer {minter.token()}"}
    client = app.test_client()
    assert client.get("/hello", headers=headers).status_code == 200
    jwks_host.document = {"keys": [public_jwk(rsa.generate_private_key(public_exponent=65537, key_size=2048), "new")]}
    # Past max age (and the 2 s minimum between fetches) a request starts a background refresh; the old
    # key serves until it completes, then the token is refused.
    _wait_for(lambda: client.get("/hello", headers=headers).status_code == 401)
    assert jwks_host.fetches == 2


@pytest.mark.parametrize(
    "fault",
    [
        lambda: json_reply(200, {"keys": [{"kty": "RSA", "kid": "dummy", "use": "enc", "n": "AQAB", "e": "AQAB"}]}),
        lambda: (200, {"Content-Type": "application/json"}, b"[]"),
        lambda: (404, {}, b""),
    ],
    ids=["encryption key only", "JSON but not a JWKS", "not found"],
)
def test_more_unusable_jwks_answers_give_503(pool, jwks_host, minter, fault):
    jwks_host.fault = fault
    client = create_app({**pool, "jwks_url": jwks_host.url}).test_client()
    response = client.get("/hello", headers={"Authorization": f"Bearer {minter.token()}"})
    assert response.status_code == 503


def test_a_jwks_slower_than_the_timeout_gives_503_quickly(pool, jwks_host, minter):
    jwks_host.delay = 3
    client = create_app({**pool, "jwks_url": jwks_host.url, "jwks_timeout": 0.3}).test_client()
    headers = {"Authorization": f"Bearer {minter.token()}"}
    started = time.monotonic()
    assert client.get("/hello", headers=headers).status_code == 503
    assert client.get("/hello", headers=headers).status_code == 503  # within the retry interval: no new wait
    assert time.monotonic() - started < 2


def test_held_keys_stop_serving_after_the_stale_limit(jwks_host):
    now = [1000.0]
    cache = JwksCache(jwks_host.url, max_age=60, stale_limit=600, retry_interval=1, clock=lambda: now[0])
    cache.key("dummy")
    jwks_host.fault = lambda: (500, {}, b"")
    now[0] += 601
    with pytest.raises(JwksUnavailable):
        cache.key("dummy")
    jwks_host.fault = None
    now[0] += 2
    assert cache.key("dummy") is not None  # recovers by itself once the JWKS answers again
