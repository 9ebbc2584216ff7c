"""Coverage-guided fuzzing of the token verifier with atheris: every input must end in TokenError or claims.

Run: `.venv/bin/python -m tests.support.fuzz_verifier [CORPUS_DIR ...] [-max_total_time=60 ...]` (libFuzzer's options);
tests/test_verifier_fuzz.py runs it for a bounded time. The first byte of an input picks what the rest is:
0 the token itself; 1 the JSON text of a payload, signed; 2 the JSON text of a header, signed; 3 choices that
edit a Cognito-shaped token's claims, signed. Signed tokens carry the emulator key's real signature, so the
claim checks and everything after the RSA check are reached too. Two pools are configured (both served the
same key, as moto serves every pool): a token accepted must be its own issuer's pool's, for that pool's
clients. Any other exception, or accepted claims breaking an invariant, is a crash: libFuzzer saves the
input and the token is printed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tests.support.helpers import EMULATOR_PRIVATE_JWK, b64url

NOW = 1_800_000_000  # the verifier's clock: fixed, so an input means the same thing on every run
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_fuzz"
UPDATED_ISSUER = "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_fuzz"
CLIENT_ID = "fuzzclient1"
OTHER_CLIENT_ID = "fuzzclient2"
SECOND_ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_fuzz2"  # a second pool, its own client
SECOND_CLIENT_ID = "fuzzclient3"
LEEWAY = 5
KID = EMULATOR_PRIVATE_JWK["kid"]
PUBLIC_JWKS = {"keys": [{name: EMULATOR_PRIVATE_JWK[name] for name in ("kty", "kid", "alg", "use", "n", "e")}]}
PRIVATE_KEY = jwt.PyJWK(EMULATOR_PRIVATE_JWK).key
CLAIM_NAMES = [
    *("iss", "sub", "token_use", "aud", "client_id", "username", "cognito:username", "cognito:groups"),
    *("exp", "iat", "nbf", "auth_time", "jti", "origin_jti", "scope", "email", "preferred_username", "x"),
]
STRINGS = [
    "",
    ISSUER,
    UPDATED_ISSUER,
    SECOND_ISSUER,
    CLIENT_ID,
    OTHER_CLIENT_ID,
    SECOND_CLIENT_ID,
    "id",
    "access",
    "refresh",
    "sub-1",
    "admin",
]
USES = [frozenset({"id", "access"}), frozenset({"access"}), frozenset({"id"}), frozenset()]


def claims(kind: str) -> dict[str, Any]:
    """A token's claims as Cognito issues them: an ID token, a user's access token, or a machine's."""
    base = {
        "iss": ISSUER,
        "sub": "sub-1",
        "iat": NOW,
        "auth_time": NOW,
        "exp": NOW + 3600,
        "jti": "j",
        "origin_jti": "o",
    }
    if kind == "id":
        return {**base, "token_use": "id", "aud": CLIENT_ID, "cognito:username": "alice", "email": "a@example.com"}
    if kind == "access":
        return {**base, "token_use": "access", "client_id": CLIENT_ID, "username": "alice", "scope": "openid"}
    return {**base, "token_use": "access", "sub": CLIENT_ID, "client_id": CLIENT_ID, "scope": "orders/read"}


def sign(header: bytes, payload: bytes) -> str:
    """A compact JWS of exactly these header and payload bytes, signed RS256 with the emulator's key."""
    signing_input = f"{b64url(header)}.{b64url(payload)}"
    signature = PRIVATE_KEY.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


HEADER = json.dumps({"alg": "RS256", "kid": KID}).encode()


def seeds() -> list[bytes]:
    """A starting corpus: a valid token of each kind in every input form."""
    found = []
    for kind in ("id", "access", "machine"):
        payload = json.dumps(claims(kind)).encode()
        found += [b"\0" + sign(HEADER, payload).encode(), b"\1" + payload]
    second = {**claims("access"), "iss": SECOND_ISSUER, "client_id": SECOND_CLIENT_ID}
    found.append(b"\0" + sign(HEADER, json.dumps(second).encode()).encode())
    return [*found, b"\2" + HEADER, b"\3" + bytes(range(64))]


def dictionary() -> str:
    """libFuzzer dictionary entries: claim names, values and JSON pieces worth splicing in."""
    words = [f'"{name}"' for name in CLAIM_NAMES] + [f'"{word}"' for word in STRINGS if word]
    words += ["null", "true", "false", "[]", "{}", "NaN", "1e309", "-1e309", "1e400", "9007199254740993", "-1", "0.5"]
    words += ['"alg"', '"kid"', '"RS256"', f'"{KID}"', '"crit"', "\\u0000", "\\ud800"]
    return "".join(f"{json.dumps(word)}\n" for word in words)


def build(fdp_class: Any = None) -> Callable[[bytes], None]:
    """The fuzz target over a verifier whose JWKS is served from memory (imported here, once instrumented)."""
    from errors import JwksUnavailable, TokenError
    from services.tokens.cache import VerifiedTokens
    from services.tokens.jwks import JwksCache
    from services.tokens.verifier import Pool, TokenVerifier, username_of

    class LocalJwks(JwksCache):
        def _download(self) -> Any:  # the network edge, replaced: the emulator's public key, from memory
            return PUBLIC_JWKS

    pool = Pool(
        "fuzz",
        frozenset({ISSUER, UPDATED_ISSUER}),
        frozenset({CLIENT_ID, OTHER_CLIENT_ID}),
        LocalJwks("http://127.0.0.1/jwks.json"),
    )
    second = Pool("fuzz2", frozenset({SECOND_ISSUER}), frozenset({SECOND_CLIENT_ID}), LocalJwks("http://127.0.0.1/2"))
    verifier = TokenVerifier(
        [pool, second],
        leeway=LEEWAY,
        cache=VerifiedTokens(max_entries=16, clock=lambda: NOW),  # small: hits, misses and evictions all happen
        clock=lambda: NOW,
    )
    expected = (TokenError, JwksUnavailable)

    def check_accepted(found: Any, uses: frozenset[str]) -> None:
        """What every accepted token must satisfy, whatever the input."""
        own = verifier.pool_of(found)  # a KeyError, so a crash, for an issuer of no pool
        assert found["iss"] in own.issuers and found["token_use"] in uses
        assert found["exp"] + LEEWAY >= NOW and type(found["sub"]) is str and found["sub"]
        audience = found["aud"] if found["token_use"] == "id" else found["client_id"]
        assert type(audience) is str and audience in own.client_ids  # never another pool's client
        username = username_of(found)
        assert (type(username) is str and username) or (username is None and found["sub"] == found["client_id"])

    def verify(token: Any, uses: frozenset[str], again: frozenset[str]) -> None:
        try:
            try:
                check_accepted(verifier.verify(token, uses), uses)
            except expected:
                pass
            try:  # a second time: the cache's hit path when the first was accepted
                check_accepted(verifier.verify(token, again), again)
            except expected:
                pass
        except BaseException:
            print(f"\ncrashing token: {token!r}", file=sys.stderr)
            raise

    def one_input(data: bytes) -> None:
        if not data:
            return
        mode, rest = data[0] % 4, data[1:]
        if mode == 0:
            verify(rest.decode("latin-1"), USES[0], USES[1])
        elif mode == 1:
            verify(sign(HEADER, rest), USES[0], USES[2])
        elif mode == 2:
            verify(sign(rest, json.dumps(claims("access")).encode()), USES[0], USES[1])
        else:
            fdp = fdp_class(rest)
            verify(edited_token(fdp), fdp.PickValueInList(USES), fdp.PickValueInList(USES))

    return one_input


def edited_token(fdp: Any) -> str:
    """A signed token from a valid one whose claims the input sets (to any JSON value) or removes."""
    edited = claims(fdp.PickValueInList(["id", "access", "machine"]))
    for _ in range(fdp.ConsumeIntInRange(0, 4)):
        name = fdp.PickValueInList(CLAIM_NAMES)
        if fdp.ConsumeIntInRange(0, 5) == 0:
            edited.pop(name, None)
        else:
            edited[name] = json_value(fdp, 2)
    return sign(HEADER, json.dumps(edited).encode())


def json_value(fdp: Any, depth: int) -> Any:
    """Any JSON value the input picks: nulls, booleans, numbers at the edges, strings, arrays, objects."""
    choice = fdp.ConsumeIntInRange(0, 9 if depth else 7)
    if choice == 0:
        return None
    if choice == 1:
        return fdp.ConsumeBool()
    if choice == 2:
        return fdp.ConsumeInt(fdp.ConsumeIntInRange(1, 16))
    if choice == 3:
        return fdp.ConsumeRegularFloat()  # finite: json.dumps would spell NaN and Infinity, which raw text covers
    if choice == 4:
        return NOW + fdp.ConsumeIntInRange(-10, 10)
    if choice in (5, 6):
        return fdp.PickValueInList(STRINGS)
    if choice == 7:
        return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 12))
    if choice == 8:
        return [json_value(fdp, depth - 1) for _ in range(fdp.ConsumeIntInRange(0, 3))]
    return {fdp.PickValueInList(CLAIM_NAMES): json_value(fdp, depth - 1) for _ in range(fdp.ConsumeIntInRange(0, 2))}


def main() -> None:
    import atheris

    with atheris.instrument_imports(include=["services"]):
        one_input = build(atheris.FuzzedDataProvider)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
