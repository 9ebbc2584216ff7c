"""The oracle corpus's building blocks: the pool, clients and clock both verifiers are given, and how
tokens are minted, signed and re-encoded (tests/token_corpus.py builds the cases from them)."""

from __future__ import annotations

import base64
import functools
import json
import math
import random
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.helpers import DROP, EMULATOR_PRIVATE_JWK, Minter, Segment, b64url

POOL_ID = "us-east-1_Oracle1"
ISSUERS = {
    "original": f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}",
    "updated": f"https://issuer-cognito-idp.us-east-1.amazonaws.com/{POOL_ID}",
}
CLIENT_IDS = ("3n4b5urk1ft4fl3mg5e62d9ado", "7q1vt0bp0ebjs1t2tk1rfv5sbs")
OTHER_CLIENT = "6ff0a6e1hbplhl1hm7hhjdpqq5"
LEEWAY = 5
NOW = 1_800_000_000  # both verifiers read this clock, so boundary cases are exact
SEED = 20250611
KID = EMULATOR_PRIVATE_JWK["kid"]
KINDS = ("id", "access", "machine")


@dataclass(frozen=True)
class Case:
    name: str  # the mutation, e.g. "payload:exp:type:string"; "valid:..." for unmutated tokens
    base: str  # the valid token it was derived from, e.g. "access/updated/client1"
    token: str


class Raw(str):
    """A claim value written into the payload's JSON text verbatim (NaN, 1e400, ...)."""


def _label(kind: str, form: str, index: int) -> str:
    return f"{kind}/{form}/client{index + 1}"


def _claims(rng: random.Random, kind: str, form: str, index: int, **overrides: Any) -> dict[str, Any]:
    """Claims as Cognito issues them, around NOW; `overrides` replace them (DROP removes one)."""
    client_id, minter = CLIENT_IDS[index], _minter(form, index)
    shape: dict[str, Any] = {"iat": NOW - 60, "auth_time": NOW - 60, "exp": NOW + 3540, "jti": _uuid(rng)}
    if kind == "machine":  # client-credentials: sub is the client, custom scopes, no user claims
        shape.update(sub=client_id, username=DROP, origin_jti=DROP, scope="orders/read orders/write", version=2)
        return minter.claims("access", **{**shape, **overrides})
    shape.update({"sub": _uuid(rng), "origin_jti": _uuid(rng), "cognito:groups": ["admin", "staff"]})
    return minter.claims(kind, **{**shape, **overrides})


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _json(value: Any) -> str:
    """Compact JSON, with Raw values spliced in as they are."""
    raws: list[str] = []

    def mark(item: Any) -> Any:
        if isinstance(item, Raw):
            raws.append(item)
            return f"\x00raw{len(raws) - 1}\x00"
        if isinstance(item, dict):
            return {key: mark(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [mark(inner) for inner in item]
        return item

    text = json.dumps(mark(value), separators=(",", ":"))
    for position, raw in enumerate(raws):
        text = text.replace(f'"\\u0000raw{position}\\u0000"', raw)
    return text


def _header(**overrides: Any) -> dict[str, Any]:
    header = {"alg": "RS256", "kid": KID, **overrides}
    return {name: value for name, value in header.items() if value is not DROP}


@functools.cache
def _minter(form: str = "original", index: int = 0) -> Minter:
    """One Minter per pool form and client: building one parses the private JWK (an RSA factor recovery, 0.1 s)."""
    return Minter(ISSUERS[form], CLIENT_IDS[index])


def _sign(header: Any, payload: Any, key: Any = None, alg: str = "RS256") -> str:
    """Sign JSON-able values or exact segments (Segment) with the emulator's key unless told otherwise."""
    parts = [part if isinstance(part, Segment) else Segment(b64url(_json(part))) for part in (header, payload)]
    return _minter().signed(parts[0], parts[1], key=key, alg=alg)


def _grown(compact: str, size: int) -> str:
    """The payload with a filler claim making the token as long as possible without exceeding `size` characters."""
    room = size - len(b64url(_json(_header()))) - 2 - 342  # two dots and a 2048-bit signature
    length = room * 3 // 4
    while (4 * length + 2) // 3 > room:  # unpadded base64url of n bytes is ceil(4n / 3) characters
        length -= 1
    shell = compact[:-1] + ',"pad":""}'
    return shell[:-2] + "p" * (length - len(shell.encode())) + '"}'


def _fit(header: dict[str, Any], claims: dict[str, Any], part: str, remainder: int | None) -> list[Segment]:
    """Both segments, the chosen one grown by a filler claim until its length mod 4 is `remainder`."""
    for extra in range(8):
        target = claims if part == "payload" else header
        grown = {**target, "pad": "p" * extra} if extra else target
        pair = (grown, claims) if part == "header" else (header, grown)
        segments = [Segment(b64url(_json(value))) for value in pair]
        if remainder is None or len(segments[part == "payload"]) % 4 == remainder:
            return segments
    raise AssertionError("unreachable: some filler length fits")


def _non_canonical(segment: str) -> str:
    """The same bytes spelled with non-zero unused bits in the last character (lenient decoders accept it)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return segment[:-1] + alphabet[alphabet.index(segment[-1]) | 1]


def _unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64_int(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


SMALL_PRIMES = (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)  # a cheap sieve before Miller-Rabin


def _seeded_rsa_key(rng: random.Random) -> rsa.RSAPrivateKey:
    """A 2048-bit RSA key from the seeded generator, so even the wrong-key signatures are reproducible."""

    def prime() -> int:
        while True:
            candidate = rng.getrandbits(1024) | (3 << 1022) | 1
            if all(candidate % p for p in SMALL_PRIMES) and _probably_prime(candidate, rng):
                return candidate

    p, q = prime(), prime()
    while p == q or math.gcd(65537, (p - 1) * (q - 1)) != 1:
        p, q = prime(), prime()
    d = pow(65537, -1, (p - 1) * (q - 1))
    public = rsa.RSAPublicNumbers(65537, p * q)
    return rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), rsa.rsa_crt_iqmp(p, q), public).private_key()


def _probably_prime(n: int, rng: random.Random, rounds: int = 32) -> bool:
    """Miller-Rabin."""
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _claim_values(name: str, value: Any, kind: str, form: str, client_id: str) -> dict[str, Any]:
    """Each mutation of one claim: every JSON type, then the boundary and near-miss values that claim invites."""
    sample = "x" if value is DROP else value
    types = {
        "null": None, "true": True, "false": False, "list": [sample], "list-empty": [], "object": {"value": sample},
        "integer": 7, "float": 7.5, "string": str(sample) if isinstance(sample, int | float) else "7",
        "string-empty": "", "nan": Raw("NaN"), "infinity": Raw("Infinity"), "huge-int": Raw("1" + "0" * 400),
        "1e400": Raw("1e400"),
    }  # fmt: skip
    issuer, other_form = ISSUERS[form], "updated" if form == "original" else "original"
    before_1970 = {"before-1970": -1}
    specific: dict[str, dict[str, Any]] = {
        "iss": {
            "other-form": ISSUERS[other_form], "other-pool": issuer.replace(POOL_ID, "us-east-1_Other222"),
            "other-region": issuer.replace(".us-east-1.", ".eu-west-1."),
            "cognito-local": f"http://localhost:9229/{POOL_ID}", "trailing-slash": issuer + "/",
            "http": issuer.replace("https:", "http:"), "upper-host": issuer.upper(),
            "lower-pool": issuer.replace(POOL_ID, POOL_ID.lower()), "trailing-space": issuer + " ",
            "jwks-url": issuer + "/.well-known/jwks.json", "no-pool": issuer.rsplit("/", 1)[0],
            "both-forms": list(ISSUERS.values()), "escaped-slashes": Raw(json.dumps(issuer).replace("/", "\\/")),
        },
        "sub": {"other-uuid": "11111111-2222-4333-8444-555555555555", "client-id": client_id, "space": " ",
                "unicode": "ü" * 8, "long": "s" * 1000},
        "token_use": {"upper": kind.upper(), "refresh": "refresh", "trailing-space": "access ",
                      "swapped": "id" if kind != "id" else "access", "both": ["id", "access"]},
        "aud": {"other-accepted": CLIENT_IDS[1], "other-client": OTHER_CLIENT, "list-accepted": [client_id],
                "list-mixed": [OTHER_CLIENT, client_id], "upper": client_id.upper(),
                "trailing-space": client_id + " "},
        "username": {"space": " ", "unicode": "ünïcödé", "short": "s", "long": "u" * 1000},
        "exp": {"past-beyond-leeway": NOW - LEEWAY - 1, "past-at-leeway": NOW - LEEWAY, "past-within-leeway": NOW - 1,
                "past-float-beyond-leeway": NOW - LEEWAY - 0.5, "past-float-within-leeway": NOW - LEEWAY + 0.5,
                "future-far": NOW + 10**9, "past-year-3000:2^53": 2**53, "past-year-3000:2^64": 2**64,
                "past-year-3000:1e300": 1e300, "exponent-form": Raw("1.8000036e9"),
                "trailing-zeros": Raw(f"{NOW + 3600}.000"), "negative-zero": Raw("-0"), **before_1970},
        "iat": {"future-at-leeway": NOW + LEEWAY, "future-beyond-leeway": NOW + LEEWAY + 1,
                "future-float-beyond-leeway": NOW + LEEWAY + 0.5, "future-far": NOW + 10**6,
                "future-after-exp": NOW + 7200, "exponent-form": Raw("1.79999994e9"), **before_1970},
        "nbf": {"future-at-leeway": NOW + LEEWAY, "future-beyond-leeway": NOW + LEEWAY + 1,
                "future-float-beyond-leeway": NOW + LEEWAY + 0.5, "future-far": NOW + 10**6, "past": NOW - 60,
                **before_1970},
        "auth_time": {"future-far": NOW + 10**6, "future-after-exp": NOW + 7200, **before_1970},
        "jti": {"unicode": "ü" * 8, "long": "j" * 1000, "upper-uuid": "ABCDEF00-0000-4000-8000-000000000000"},
        "scope": {"openid": "openid", "custom": "orders/read", "padded": " openid ",
                  "many": " ".join(f"s{i}" for i in range(50))},
        "cognito:groups": {"one": ["admin"], "with-number": ["admin", 5], "with-null": [None],
                           "nested": [["admin"]], "empty-name": [""], "many": [f"g{i}" for i in range(100)],
                           "comma-string": "admin,staff"},
        "email": {"unicode": "zoë@exämple.com", "long": "e" * 1000 + "@example.com"},
    }  # fmt: skip
    specific["client_id"] = specific["aud"]
    specific["cognito:username"] = specific["username"]
    specific["origin_jti"] = specific["jti"]
    return {"drop": DROP, **{f"type:{name}": value for name, value in types.items()}, **specific.get(name, {})}


CLAIMS = (
    *("iss", "sub", "token_use", "aud", "client_id", "username", "cognito:username"),
    *("exp", "iat", "nbf", "auth_time", "jti", "origin_jti", "scope", "cognito:groups", "email"),
)
