"""Benchmark 1: µs per verification, new and repeated tokens, beside raw RSA and PyJWT, in the same run."""

from __future__ import annotations

import statistics
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from app import create_app
from tests.support.helpers import Minter

ROUNDS = 7
BATCH = 500  # new tokens per round
REPEATS = 20000  # calls per round for the repeated token


def run(pool: dict[str, Any]) -> dict[str, float]:
    app = create_app({**pool, "token_cache_entries": 100_000, "token_cache_bytes": 512 * 1024 * 1024})
    services = app.extensions["cognito_auth"]
    verifier, settings = services.verifier, services.settings
    minter = Minter(settings.issuer, settings.client_id)
    uses = settings.accepted_token_uses
    tokens = [minter.token() for _ in range(ROUNDS * BATCH)]
    verifier.verify(tokens[0], uses)  # first fetch of the JWKS, outside the timing
    key = verifier.primary.jwks.key("dummy")
    pkcs1v15, sha256 = padding.PKCS1v15(), hashes.SHA256()
    signed = [(jwt.utils.base64url_decode(t.rsplit(".", 1)[1]), t.rsplit(".", 1)[0].encode()) for t in tokens]
    samples: dict[str, list[float]] = {"new": [], "repeat": [], "raw_rsa": [], "pyjwt": []}

    def decode(token: str) -> Any:
        return jwt.decode(
            token, key, algorithms=["RS256"], issuer=settings.issuer, leeway=5, options={"verify_aud": False}
        )

    for round_ in range(ROUNDS):
        batch = tokens[round_ * BATCH : (round_ + 1) * BATCH]
        # Side by side in each round, so drift on a shared machine hits all four alike.
        samples["raw_rsa"].append(
            _per_call(lambda pair: key.verify(*pair, pkcs1v15, sha256), signed[round_ * BATCH :][:BATCH])
        )
        samples["new"].append(_per_call(lambda token: verifier.verify(token, uses), batch))
        samples["repeat"].append(_per_call(lambda token: verifier.verify(token, uses), [batch[0]] * REPEATS))
        samples["pyjwt"].append(_per_call(decode, batch))
    result = {name: statistics.median(values) for name, values in samples.items()}
    result["new_over_raw"] = result["new"] / result["raw_rsa"]
    result["pyjwt_over_raw"] = result["pyjwt"] / result["raw_rsa"]
    return result


def _per_call(action, items: list) -> float:
    """µs per call of `action` over `items`."""
    started = time.perf_counter()
    for item in items:
        action(item)
    return (time.perf_counter() - started) / len(items) * 1e6
