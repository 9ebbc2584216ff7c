"""The attack catalogue's cases: name -> (minter -> token, or Authorization header value).

Each bad token is correctly signed with the pool's key unless the attack is about the signature, so it
fails for exactly the property it breaks (tests/test_attack_catalogue.py sends each one).
"""

from __future__ import annotations

import json
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.support.helpers import DROP, EMULATOR_PRIVATE_JWK, Minter, Segment, b64url

LEEWAY = 5  # the catalogue's app runs with this leeway
ATTACKER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SECOND_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def pem(key) -> bytes:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def der(key) -> bytes:
    return key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def hs256(m: Minter, secret: bytes) -> str:
    return m.signed(m.header(alg="HS256"), m.claims(), key=secret, alg="HS256")


def segments(token: str) -> list[str]:
    return token.split(".")


def replace_signature(token: str, signature: str) -> str:
    header, payload, _ = segments(token)
    return f"{header}.{payload}.{signature}"


def non_canonical(segment: str) -> Segment:
    """The same bytes, spelled with non-zero unused trailing bits (only possible when len % 4 is 2 or 3)."""
    assert len(segment) % 4 in (2, 3)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(segment[-1])
    return Segment(segment[:-1] + alphabet[last | 1])


def padded_header(m: Minter) -> Segment:
    header = b64url(json.dumps(m.header()))
    if len(header) % 4 == 0:  # make sure there is padding to add
        header = b64url(json.dumps(m.header(typ="JWT")))
    return Segment(header + "=" * (-len(header) % 4))


def flip_bit_in_username(token: str) -> str:
    """Flip one bit of the payload so it stays valid JSON (minted -> linted), keeping the signature."""
    header, payload, signature = segments(token)
    claims = jwt.utils.base64url_decode(payload).replace(b'"minted"', b'"linted"')  # m ^ 0x01 == l
    return f"{header}.{b64url(claims)}.{signature}"


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def issuer_variant(m: Minter, variant: str) -> str:
    return {
        "trailing slash": m.issuer + "/",
        "http": m.issuer.replace("https://", "http://"),
        "other region": m.issuer.replace("us-east-1.amazonaws", "eu-west-1.amazonaws"),
        "upper case": m.issuer.upper(),
        "other pool": m.issuer.rsplit("/", 1)[0] + "/us-east-1_0therPool",
    }[variant]


NOW = int(time.time())  # refreshed per case below through the lambdas' use of time.time()

# name -> (minter -> Authorization header value)
HEADER_CASES = {
    "no header": lambda m: None,
    "empty header": lambda m: "",
    "empty Bearer value": lambda m: "Bearer ",
    "Bearer only": lambda m: "Bearer",
    "Basic scheme": lambda m: "Basic dXNlcjpwYXNzd29yZA==",
    "Token scheme": lambda m: f"Token {m.token()}",
    "two tokens in one header": lambda m: f"Bearer {m.token()} {m.token()}",
    "two tokens comma-separated": lambda m: f"Bearer {m.token()}, Bearer {m.token()}",
}

# name -> (minter -> token)
TOKEN_CASES = {
    # 2. shape
    "two segments": lambda m: ".".join(segments(m.token())[:2]),
    "four segments": lambda m: m.token() + ".AAAA",
    "five segments": lambda m: m.token() + ".AAAA.AAAA",
    "JWE-shaped": lambda m: ".".join(
        [b64url(json.dumps({"alg": "RSA-OAEP", "enc": "A256GCM", "kid": "dummy"})), "AAAA", "AAAA", "AAAA", "AAAA"]
    ),
    "JSON-serialized JWS": lambda m: json.dumps(
        {"payload": segments(m.token())[1], "protected": segments(m.token())[0], "signature": segments(m.token())[2]},
        separators=(",", ":"),
    ),
    # 3. encoding
    "padded header": lambda m: m.signed(padded_header(m), m.claims()),
    "whitespace in payload": lambda m: m.signed(m.header(), Segment(" " + b64url(json.dumps(m.claims())))),
    "standard base64 alphabet": lambda m: m.signed(m.header(), Segment(b64url(json.dumps(m.claims())) + "+/")),
    "non-canonical header base64": lambda m: m.signed(non_canonical(b64url(json.dumps(m.header(x="ab")))), m.claims()),
    "non-canonical signature base64": lambda m: replace_signature(m.token(), non_canonical(segments(m.token())[2])),
    # 4. JSON
    "header not JSON": lambda m: m.signed(b"not json", m.claims()),
    "payload not JSON": lambda m: m.signed(m.header(), b"not json"),
    "header a JSON array": lambda m: m.signed(["RS256"], m.claims()),
    "payload a JSON string": lambda m: m.signed(m.header(), b'"claims"'),
    "payload invalid UTF-8": lambda m: m.signed(m.header(), b'{"sub": "\xff\xfe"}'),
    "duplicate alg in header": lambda m: m.signed(b'{"alg":"none","alg":"RS256","kid":"dummy"}', m.claims()),
    "duplicate sub in payload": lambda m: m.signed(
        m.header(), json.dumps(m.claims())[:-1].encode() + b', "sub": "someone-else"}'
    ),
    # 5. alg none
    **{
        f"alg {alg} {'with' if signed else 'without'} signature": (
            lambda m, alg=alg, signed=signed: (
                f"{b64url(json.dumps(m.header(alg=alg)))}.{segments(m.token())[1]}."
                + (segments(m.token())[2] if signed else "")
            )
        )
        for alg in ("none", "None", "nOnE")
        for signed in (True, False)
    },
    # 6. key confusion: HS256 keyed with the public key in every form it is published in
    "HS256 with public key PEM": lambda m: hs256(m, pem(m.key)),
    "HS256 with public key DER": lambda m: hs256(m, der(m.key)),
    "HS256 with public JWK JSON": lambda m: hs256(
        m, json.dumps({k: EMULATOR_PRIVATE_JWK[k] for k in ("alg", "e", "kid", "kty", "n", "use")}).encode()
    ),
    "HS256 with modulus n": lambda m: hs256(m, EMULATOR_PRIVATE_JWK["n"].encode()),
    "HS256 with n and e": lambda m: hs256(m, (EMULATOR_PRIVATE_JWK["n"] + EMULATOR_PRIVATE_JWK["e"]).encode()),
    # 7. other algorithms
    "RS384 with the pool key": lambda m: m.signed(m.header(alg="RS384"), m.claims(), alg="RS384"),
    "RS512 with the pool key": lambda m: m.signed(m.header(alg="RS512"), m.claims(), alg="RS512"),
    "PS256 with the pool key": lambda m: m.signed(m.header(alg="PS256"), m.claims(), alg="PS256"),
    "ES256": lambda m: m.signed(m.header(alg="ES256"), m.claims(), key=EC_KEY, alg="ES256"),
    "header RS256 over an RS512 signature": lambda m: replace_signature(
        m.signed(m.header(), m.claims()), segments(m.signed(m.header(), m.claims(), alg="RS512"))[2]
    ),
    # 8. kid
    "kid missing": lambda m: m.signed({"alg": "RS256"}, m.claims()),
    "kid a number": lambda m: m.signed(m.header(kid=1), m.claims()),
    "kid a list": lambda m: m.signed(m.header(kid=["dummy"]), m.claims()),
    "kid null": lambda m: m.signed(m.header(kid=None), m.claims()),
    "kid empty": lambda m: m.signed(m.header(kid=""), m.claims()),
    "kid huge": lambda m: m.signed(m.header(kid="k" * 4000), m.claims()),
    "kid path-shaped": lambda m: m.signed(m.header(kid="../../../../etc/passwd"), m.claims()),
    "kid SQL-shaped": lambda m: m.signed(m.header(kid="x' OR '1'='1"), m.claims()),
    "kid unknown": lambda m: m.signed(m.header(kid="rotated-away"), m.claims()),
    # 10. crit
    "crit naming an unknown extension": lambda m: m.signed(m.header(crit=["exp-ext"], **{"exp-ext": 1}), m.claims()),
    "crit empty": lambda m: m.signed(m.header(crit=[]), m.claims()),
    # 11. signature
    "flipped payload bit": lambda m: flip_bit_in_username(m.token()),
    "truncated signature": lambda m: m.token()[:-10],
    "empty signature": lambda m: replace_signature(m.token(), ""),
    "foreign signature": lambda m: replace_signature(m.token(), segments(m.token("id"))[2]),
    "signed by another key": lambda m: m.token(key=ATTACKER_KEY),
    "second key's kid, first key's signature": lambda m: m.token(headers={"kid": "second"}),
    # 12. issuer
    **{
        f"issuer: {v}": (lambda m, v=v: m.token(iss=issuer_variant(m, v)))
        for v in ("trailing slash", "http", "other region", "upper case", "other pool")
    },
    # 13. token_use
    "token_use missing": lambda m: m.token(token_use=DROP),
    "token_use unknown": lambda m: m.token(token_use="refresh"),
    "token_use id with access token claims": lambda m: m.token(token_use="id"),
    "token_use access with ID token claims": lambda m: m.token("id", token_use="access"),
    # 14. audience
    "ID token for another client": lambda m: m.token("id", aud="another-client"),
    "ID token aud a list of other clients": lambda m: m.token("id", aud=["another-client", "third-client"]),
    # Cognito's `aud` is one string; aws-jwt-verify refuses arrays too, even holding the client.
    "ID token aud a list holding the client": lambda m: m.token("id", aud=[m.client_id]),
    "ID token aud a list holding another client first": lambda m: m.token("id", aud=["another-client", m.client_id]),
    "ID token aud an empty list": lambda m: m.token("id", aud=[]),
    "ID token aud a list holding a number": lambda m: m.token("id", aud=[m.client_id, 1]),
    "ID token aud a nested list": lambda m: m.token("id", aud=[[m.client_id]]),
    "ID token aud an object": lambda m: m.token("id", aud={m.client_id: True}),
    "ID token aud with a prefix of the client id": lambda m: m.token("id", aud=m.client_id[:-1]),
    "access token for another client": lambda m: m.token(client_id="another-client"),
    "access token client_id missing": lambda m: m.token(client_id=DROP),
    # 15. time
    "exp missing": lambda m: m.token(exp=DROP),
    "exp past beyond leeway": lambda m: m.token(exp=int(time.time()) - 3600),
    "exp at leeway boundary + 1 s": lambda m: m.token(exp=int(time.time()) - LEEWAY - 1),
    "nbf beyond leeway": lambda m: m.token(nbf=int(time.time()) + LEEWAY + 2),
    "iat beyond leeway": lambda m: m.token(iat=int(time.time()) + LEEWAY + 2),
    "iat missing": lambda m: m.token(iat=DROP),
    "exp a string": lambda m: m.token(exp=str(int(time.time()) + 3600)),
    "exp a boolean": lambda m: m.token(exp=True),
    "exp null": lambda m: m.token(exp=None),
    "iat a boolean": lambda m: m.token(iat=False),
    "nbf a string": lambda m: m.token(nbf="0"),
    "exp NaN": lambda m: m.signed(m.header(), json.dumps(m.claims(exp=0)).replace('"exp": 0', '"exp": NaN')),
    "exp 1e309": lambda m: m.signed(m.header(), json.dumps(m.claims(exp=0)).replace('"exp": 0', '"exp": 1e309')),
    "iat -1e309": lambda m: m.signed(m.header(), json.dumps(m.claims(iat=0)).replace('"iat": 0', '"iat": -1e309')),
    # 16. claim types
    "iss a list": lambda m: m.signed(m.header(), m.claims(iss=[m.issuer])),
    "sub a number": lambda m: m.token(sub=42),
    "sub empty": lambda m: m.token(sub=""),
    "client_id a list": lambda m: m.token(client_id=[m.client_id]),
    "scope a list": lambda m: m.token(scope=["aws.cognito.signin.user.admin"]),
    "cognito:groups a string": lambda m: m.token(**{"cognito:groups": "admin"}),
    "cognito:groups with a number": lambda m: m.token(**{"cognito:groups": ["admin", 1]}),
    "username a number": lambda m: m.token(username=7),
    "cognito:username missing": lambda m: m.token("id", **{"cognito:username": DROP}),
    # 17. access tokens naming no user: only the machine shape (sub == client_id, no groups) may
    "no username, sub not the client": lambda m: m.token(username=DROP),
    "no username, sub the client, with groups": lambda m: m.token(
        username=DROP, sub=m.client_id, **{"cognito:groups": ["admin"]}
    ),
    "username empty, sub the client": lambda m: m.token(username="", sub=m.client_id),
    "username null, sub the client": lambda m: m.token(username=None, sub=m.client_id),
    "ID token without cognito:username, sub the client": lambda m: m.token(
        "id", sub=m.client_id, **{"cognito:username": DROP}
    ),
}
