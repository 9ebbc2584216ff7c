"""The verified-token cache: hits are cheap but re-check what can change; bounded; safe under threads."""

from __future__ import annotations

import threading
import time

import pytest

from app import create_app
from errors import TokenError
from services.tokens.cache import VerifiedTokens
from services.tokens.jwks import JwksCache
from services.tokens.verifier import Pool, TokenVerifier, is_machine, username_of
from tests.support.helpers import DROP, Minter

USES = frozenset({"id", "access"})


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def parts(jwks_host):
    """A verifier (leeway 5 s) on a controllable clock, with its cache and a minter for the same pool."""
    clock = Clock()
    issuer, client_id = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_cache", "client-1"
    cache = VerifiedTokens(max_entries=100, clock=clock)
    pool = Pool("cache", frozenset({issuer}), frozenset({client_id}), JwksCache(jwks_host.url))
    verifier = TokenVerifier([pool], leeway=5, cache=cache, clock=clock)
    return verifier, cache, clock, Minter(issuer, client_id)


def count_rsa_checks(verifier, monkeypatch) -> list:
    calls: list = []
    real = verifier._verify_new
    monkeypatch.setattr(verifier, "_verify_new", lambda *a: calls.append(1) or real(*a))
    return calls


def test_a_repeated_token_is_verified_once(parts, monkeypatch):
    verifier, cache, clock, minter = parts
    token = minter.token(iat=int(clock.now), exp=int(clock.now) + 3600)
    full_checks = count_rsa_checks(verifier, monkeypatch)
    first = verifier.verify(token, USES)
    for _ in range(10):
        assert verifier.verify(token, USES) is first
    assert len(full_checks) == 1 and len(cache) == 1


def test_only_the_identical_token_hits(parts):
    verifier, _, clock, minter = parts
    token = minter.token(iat=int(clock.now), exp=int(clock.now) + 3600)
    verifier.verify(token, USES)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BA")
    with pytest.raises(TokenError):
        verifier.verify(tampered, USES)


def test_a_hit_still_checks_expiry_and_the_entry_is_dropped(parts):
    verifier, cache, clock, minter = parts
    token = minter.token(iat=int(clock.now), exp=int(clock.now) + 60)
    verifier.verify(token, USES)
    clock.now += 60 + 5  # at exp + leeway: still fine
    verifier.verify(token, USES)
    clock.now += 1
    with pytest.raises(TokenError, match="expired"):
        verifier.verify(token, USES)
    assert len(cache) == 0


def test_a_hit_still_checks_the_routes_token_types(parts):
    verifier, _, clock, minter = parts
    token = minter.token("id", iat=int(clock.now), exp=int(clock.now) + 3600)
    verifier.verify(token, USES)
    with pytest.raises(TokenError, match="type"):
        verifier.verify(token, {"access"})


def test_a_hit_is_refused_once_its_key_leaves_the_jwks(jwks_host):
    issuer, client_id = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_cache", "client-1"
    jwks = JwksCache(jwks_host.url, max_age=0, retry_interval=0)  # refresh in the background on every use
    cache = VerifiedTokens(max_entries=100)
    verifier = TokenVerifier([Pool("cache", frozenset({issuer}), frozenset({client_id}), jwks)], cache=cache)
    token = Minter(issuer, client_id).token()
    verifier.verify(token, USES)
    jwks_host.document = {"keys": [{**jwks_host.document["keys"][0], "kid": "successor"}]}
    deadline = time.monotonic() + 5
    while True:
        try:
            verifier.verify(token, USES)
        except TokenError as err:
            assert "unknown key" in str(err)
            break
        assert time.monotonic() < deadline, "the cached token was never refused"
        time.sleep(0.01)
    assert cache.get(token) is None


def test_a_machine_token_is_cached_and_rechecked_like_any_other(parts):
    verifier, cache, clock, minter = parts
    token = minter.token(username=DROP, sub=minter.client_id, iat=int(clock.now), exp=int(clock.now) + 60)
    first = verifier.verify(token, USES)
    assert verifier.verify(token, USES) is first and len(cache) == 1
    assert is_machine(first) and username_of(first) is None
    with pytest.raises(TokenError, match="type"):
        verifier.verify(token, {"id"})
    clock.now += 60 + 5 + 1
    with pytest.raises(TokenError, match="expired"):
        verifier.verify(token, USES)


def test_entries_are_bounded_in_number_oldest_out_first():
    cache = VerifiedTokens(max_entries=3)
    for index in range(5):
        cache.put(f"token-{index}", {}, float("inf"), "kid", None)
    assert len(cache) == 3
    assert cache.get("token-0") is None and cache.get("token-1") is None
    assert cache.get("token-4") is not None


def test_entries_are_bounded_in_memory():
    cache = VerifiedTokens(max_entries=1000, max_bytes=20_000)
    for index in range(50):
        cache.put(f"{index:04d}" + "x" * 996, {}, float("inf"), "kid", None)
    assert cache.approximate_bytes <= 20_000
    # Each entry counts 3 x 1,000 + 512 = 3,512 bytes: five fit in 20,000, the newest five.
    assert len(cache) == 5
    assert cache.get("0044" + "x" * 996) is None and cache.get("0045" + "x" * 996) is not None


def test_expired_entries_are_swept_even_if_never_asked_for_again():
    clock = Clock()
    cache = VerifiedTokens(max_entries=100, sweep_every=60, clock=clock)
    cache.put("short", {}, clock.now + 10, "kid", None)
    cache.put("long", {}, clock.now + 3600, "kid", None)
    clock.now += 61
    cache.put("new", {}, clock.now + 3600, "kid", None)  # a write past the sweep interval sweeps
    assert cache.get("short") is None
    assert cache.get("long") is not None


def test_a_zero_size_cache_keeps_nothing():
    cache = VerifiedTokens(max_entries=0)
    cache.put("token", {}, float("inf"), "kid", None)
    assert len(cache) == 0


def test_claims_are_read_only(parts):
    verifier, _, clock, minter = parts
    claims = verifier.verify(minter.token(iat=int(clock.now), exp=int(clock.now) + 3600), USES)
    with pytest.raises(TypeError):
        claims["username"] = "mallory"


def test_concurrent_use_keeps_the_bounds(parts):
    verifier, cache, clock, minter = parts
    cache.max_entries = 50
    tokens = [minter.token(iat=int(clock.now), exp=int(clock.now) + 3600) for _ in range(200)]
    errors: list = []

    def worker(offset: int) -> None:
        try:
            for index in range(400):
                verifier.verify(tokens[(index * 7 + offset) % len(tokens)], USES)
        except Exception as err:
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache) <= 50


def test_the_app_caches_with_its_settings(pool):
    app = create_app({**pool, "token_cache_entries": 7})
    assert app.extensions["cognito_auth"].verifier.cache.max_entries == 7
