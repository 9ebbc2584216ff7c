"""The JWKS cache: fetched over HTTP from a server the test controls, counted, and faulted."""

from __future__ import annotations

import json
import time

import pytest
import requests

from app import create_app
from services.jwks import JwksCache, JwksUnavailable, UnknownKey, parse_jwks
from tests.helpers import ScriptedServer, json_reply


class JwksHost:
    """Serves the emulator's JWKS (or a scripted fault) and counts the fetches."""

    def __init__(self, upstream_url: str) -> None:
        self.document = requests.get(upstream_url, timeout=5).json()
        self.fault = None
        self.server = ScriptedServer(self._reply)
        self.url = f"{self.server.url}/jwks.json"

    def _reply(self, method, path, body):
        return self.fault() if self.fault else json_reply(200, self.document)

    @property
    def fetches(self) -> int:
        return len(self.server.requests)


@pytest.fixture
def jwks_host(pool):
    host = JwksHost(pool["jwks_url"])
    yield host
    host.server.stop()


@pytest.fixture
def counted_client(pool, jwks_host):
    return create_app({**pool, "jwks_url": jwks_host.url, "jwks_refetch_cooldown": 30}).test_client()


def test_jwks_is_fetched_once_across_many_requests(counted_client, users, jwks_host, minter):
    from tests.conftest import Users

    tokens = Users(counted_client).tokens("alice")
    for _ in range(25):
        for name in ("access_token", "id_token"):
            headers = {"Authorization": f"Bearer {tokens[name]}"}
            assert counted_client.get("/hello", headers=headers).status_code == 200
            assert counted_client.post("/auth/validate", headers=headers).status_code == 200
    assert jwks_host.fetches == 1


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
