"""A deterministic corpus of Cognito-shaped tokens and systematic mutations of them, for comparing verifiers."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from collections.abc import Iterator
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.support.corpus_base import (
    CLAIMS,
    CLIENT_IDS,
    ISSUERS,
    KID,
    KINDS,
    LEEWAY,
    NOW,
    SEED,
    Case,
    _b64_int,
    _claim_values,
    _claims,
    _fit,
    _grown,
    _header,
    _json,
    _label,
    _minter,
    _non_canonical,
    _seeded_rsa_key,
    _sign,
    _unb64,
)
from tests.support.helpers import DROP, Segment, b64url


def build() -> list[Case]:
    """Every case, in a fixed order, the same from run to run (PSS's random salt aside)."""
    rng = random.Random(SEED)
    other_key = _seeded_rsa_key(rng)
    bases = [(kind, form, index) for kind in KINDS for form in ISSUERS for index in range(len(CLIENT_IDS))]
    cases = [case for base in bases for case in _valid(rng, *base)]
    for kind in KINDS:
        for form in ISSUERS:
            base = (kind, form, rng.randrange(len(CLIENT_IDS)))
            cases += _claim_mutations(rng, *base)
        base = (kind, rng.choice(list(ISSUERS)), rng.randrange(len(CLIENT_IDS)))
        cases += _header_mutations(rng, other_key, *base)
        cases += _encoding_mutations(rng, *base)
        cases += _signature_mutations(rng, other_key, *base)
    return cases


def _valid(rng: random.Random, kind: str, form: str, index: int) -> Iterator[Case]:
    groups = {} if kind == "machine" else {"cognito:groups": ["ünïcode", "b"]}  # machines are in no group
    variants = {
        "fresh": {"iat": NOW, "auth_time": NOW, "exp": NOW + 3600},
        "nearly-expired": {"iat": NOW - 3590, "auth_time": NOW - 3590, "exp": NOW + 10},
        "expiry-at-leeway-edge": {"exp": NOW - LEEWAY},
        "iat-ahead-within-leeway": {"iat": NOW + LEEWAY},  # Cognito's clock can be a second ahead
        "nbf-past": {"nbf": NOW - 60},
        "float-times": {"iat": NOW - 0.5, "exp": NOW + 3599.25},
        "minimal": dict.fromkeys(("auth_time", "jti", "origin_jti", "scope", "email", "cognito:groups"), DROP),
        "unicode": {"email": "zoë@exämple.com", "scope": "openid profile", **groups},
    }
    for name, overrides in variants.items():
        token = _sign(_header(), _claims(rng, kind, form, index, **overrides))
        yield Case(f"valid:{name}", _label(kind, form, index), token)


def _claim_mutations(rng: random.Random, kind: str, form: str, index: int) -> Iterator[Case]:
    label = _label(kind, form, index)
    for claim in CLAIMS:
        claims = _claims(rng, kind, form, index)
        for variant, value in _claim_values(claim, claims.get(claim, DROP), kind, form, CLIENT_IDS[index]).items():
            mutated = _claims(rng, kind, form, index, **{claim: value})
            yield Case(f"payload:{claim}:{variant}", label, _sign(_header(), mutated))


def _header_mutations(rng: random.Random, other_key: Any, kind: str, form: str, index: int) -> Iterator[Case]:
    label = _label(kind, form, index)
    other_jwk = {"kty": "RSA", "n": _b64_int(other_key.public_key().public_numbers().n), "e": "AQAB", "kid": KID}
    headers: dict[str, Any] = {
        "alg:drop": _header(alg=DROP), "alg:null": _header(alg=None), "alg:number": _header(alg=256),
        "alg:list": _header(alg=["RS256"]), "alg:lower": _header(alg="rs256"), "alg:none": _header(alg="none"),
        "alg:trailing-space": _header(alg="RS256 "), "alg:ES256": _header(alg="ES256"),
        "alg:empty": _header(alg=""), "kid:drop": _header(kid=DROP), "kid:null": _header(kid=None),
        "kid:number": _header(kid=1), "kid:list": _header(kid=[KID]), "kid:object": _header(kid={"kid": KID}),
        "kid:true": _header(kid=True), "kid:empty": _header(kid=""), "kid:unknown": _header(kid="other"),
        "kid:upper": _header(kid=KID.upper()), "kid:trailing-space": _header(kid=KID + " "),
        "kid:long": _header(kid="k" * 300), "crit:exp": _header(crit=["exp"]), "crit:empty": _header(crit=[]),
        "crit:string": _header(crit="exp"), "crit:b64": _header(crit=["b64"], b64=True),
        "jku": _header(jku="https://attacker.example/jwks.json"), "x5u": _header(x5u="https://attacker.example/c.pem"),
        "jwk:other-key": _header(jwk=other_jwk), "x5c": _header(x5c=["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]),
        "x5t": _header(x5t="dGh1bWJwcmludA"), "typ:JWT": _header(typ="JWT"), "typ:at+jwt": _header(typ="at+jwt"),
        "typ:number": _header(typ=5), "typ:null": _header(typ=None), "cty:JWT": _header(cty="JWT"),
        "extra": _header(foo="bar"), "empty-object": {}, "list": [_header()], "string": "RS256", "null": None,
        "number": 256,
    }  # fmt: skip
    for name, header in headers.items():
        yield Case(f"header:{name}", label, _sign(header, _claims(rng, kind, form, index)))
    claims = _claims(rng, kind, form, index)
    yield Case("header:alg:RS384", label, _sign(_header(alg="RS384"), claims, alg="RS384"))
    yield Case("header:alg:RS512", label, _sign(_header(alg="RS512"), claims, alg="RS512"))
    # PSS signs with a random salt: the one case whose bytes (never its verdicts) differ from run to run.
    yield Case("header:alg:PS256", label, _sign(_header(alg="PS256"), claims, alg="PS256"))
    yield Case("header:jwk:other-key-signed", label, _sign(_header(jwk=other_jwk), claims, key=other_key))
    yield Case("header:jku:other-key-signed", label, _sign(_header(jku="https://a.example/j"), claims, key=other_key))
    # The classic confusion: the public key's bytes used as an HMAC secret.
    signing_input = f"{b64url(_json(_header(alg='HS256')))}.{b64url(_json(claims))}"
    pem = _minter().key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    yield Case("header:alg:HS256", label, f"{signing_input}.{b64url(mac)}")
    compact = _json(_header())
    raw_headers = {
        "duplicate:alg-last-valid": '{"alg":"HS256",' + compact[1:],
        "duplicate:alg-last-invalid": compact[:-1] + ',"alg":"HS256"}',
        "duplicate:kid-last-valid": '{"kid":"other",' + compact[1:],
        "json:leading-space": " " + compact, "json:trailing-space": compact + " ", "json:bom": "\ufeff" + compact,
        "json:trailing-data": compact + "x", "json:invalid": compact[:-1],
        "json:escaped-key": compact.replace('"kid"', '"\\u006bid"'),
    }  # fmt: skip
    for name, text in raw_headers.items():
        yield Case(f"header:{name}", label, _sign(Segment(b64url(text)), _claims(rng, kind, form, index)))


def _encoding_mutations(rng: random.Random, kind: str, form: str, index: int) -> Iterator[Case]:
    """Spellings of the same header and payload that a lenient base64url or JSON reader also takes."""
    label = _label(kind, form, index)
    for part in ("header", "payload"):
        for name, remainder, spell in (
            ("padded", 2, lambda s: s + "=="),
            ("padded-one", 3, lambda s: s + "="),
            ("non-canonical-bits", 2, _non_canonical),
            ("extra-char", 0, lambda s: s + "A"),
            ("standard-alphabet", None, lambda s: s.replace("-", "+").replace("_", "/")),
            ("inner-space", None, lambda s: s[:8] + " " + s[8:]),
        ):
            # A run of "~" (0x7e) spells "fn5-" in base64url, so the alphabet mutation has a "-" to change.
            header, claims = _header(note="~" * 9), _claims(rng, kind, form, index, note="~" * 9)
            segments = _fit(header, claims, part, remainder)
            spelled = spell(segments[part == "payload"])
            assert spelled != segments[part == "payload"], name
            segments[part == "payload"] = Segment(spelled)
            yield Case(f"{part}:base64:{name}", label, _sign(*segments))
    claims = _claims(rng, kind, form, index)
    compact = _json(claims)
    raw_payloads = {
        "duplicate:exp-last-valid": '{"exp":1,' + compact[1:],
        "duplicate:exp-last-expired": compact[:-1] + ',"exp":1}',
        "duplicate:iss-last-valid": '{"iss":"https://attacker.example",' + compact[1:],
        "duplicate:token_use-last-valid": '{"token_use":"refresh",' + compact[1:],
        "json:leading-space": " " + compact, "json:trailing-newline": compact + "\n", "json:bom": "\ufeff" + compact,
        "json:trailing-data": compact + "x", "json:invalid": compact[:-1],
        "json:escaped-key": compact.replace('"sub"', '"\\u0073ub"'),
        "json:invalid-utf8": compact[:-1].encode() + b',"note":"\xff"}',
        "json:lone-surrogate": compact[:-1] + ',"note":"\\ud800"}',
        "json:deep-nesting": compact[:-1] + ',"note":' + "[" * 2000 + "]" * 2000 + "}",
        "json:proto": compact[:-1] + ',"__proto__":{"token_use":"refresh"}}',
        "json:constructor": compact[:-1] + ',"constructor":7}',
        "non-object:list": f"[{compact}]", "non-object:string": json.dumps(compact), "non-object:null": "null",
        "non-object:number": "7",
        "size:at-8KiB": _grown(compact, 8192), "size:over-8KiB": _grown(compact, 8192)[:-2] + 'pp"}',
    }  # fmt: skip
    for name, text in raw_payloads.items():
        yield Case(f"payload:{name}", label, _sign(_header(), Segment(b64url(text))))
    token = _sign(_header(), claims)
    header, payload, signature = token.split(".")
    whole = {
        "extra-segment": f"{token}.{signature}", "two-segments": f"{header}.{payload}",
        "five-segments": f"{token}.AA.AA", "trailing-dot": token + ".", "leading-space": " " + token,
        "trailing-newline": token + "\n", "bearer-prefix": "Bearer " + token, "empty": "", "dots-only": "..",
        "empty-header": f".{payload}.{signature}", "empty-payload": f"{header}..{signature}",
    }  # fmt: skip
    for name, text in whole.items():
        yield Case(f"token:{name}", label, text)


def _signature_mutations(rng: random.Random, other_key: Any, kind: str, form: str, index: int) -> Iterator[Case]:
    label = _label(kind, form, index)
    claims = _claims(rng, kind, form, index)
    token = _sign(_header(), claims)
    signing_input, encoded = token.rsplit(".", 1)
    raw = _unb64(encoded)
    other_token = _sign(_header(), _claims(rng, kind, form, index))
    signatures = {
        "padded": encoded + "=" * (-len(encoded) % 4), "non-canonical-bits": _non_canonical(encoded),
        "standard-alphabet": encoded.replace("-", "+").replace("_", "/"),
        "flip-first-byte": b64url(bytes([raw[0] ^ 1]) + raw[1:]),
        "flip-last-byte": b64url(raw[:-1] + bytes([raw[-1] ^ 1])), "truncated-char": encoded[:-1],
        "truncated-byte": b64url(raw[:-1]), "appended-byte": b64url(raw + b"\x00"),
        "prepended-zero-byte": b64url(b"\x00" + raw), "doubled": b64url(raw + raw), "zeros": b64url(bytes(len(raw))),
        "short": "AAAA", "of-other-token": other_token.rsplit(".", 1)[1],
        "other-key": _sign(_header(), claims, key=other_key).rsplit(".", 1)[1],
    }  # fmt: skip
    for name, signature in signatures.items():
        yield Case(f"signature:{name}", label, f"{signing_input}.{signature}")
