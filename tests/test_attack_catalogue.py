"""The token attack catalogue: every case goes to GET /hello and POST /auth/validate and is refused.

Each bad token is correctly signed with the pool's key unless the attack is about the signature, so it
fails for exactly the property it breaks. Tokens travel in the Authorization header to both routes,
and in the `token` body field to /auth/validate as well.
"""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app import create_app
from tests.helpers import DROP, EMULATOR_PRIVATE_JWK, Minter, ScriptedServer, Segment, b64url, json_reply, public_jwk

LEEWAY = 5
ATTACKER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SECOND_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def attacker():
    """An attacker's server publishing the attacker's key: it must never be asked for anything."""
    server = ScriptedServer(lambda request: json_reply(200, {"keys": [public_jwk(ATTACKER_KEY, "dummy")]}))
    yield server
    assert server.requests == []
    server.stop()


@pytest.fixture
def catalogue_app(pool, jwks_host):
    """The app, with the pool's JWKS served (and counted) by a server the test controls, plus a second key."""
    jwks_host.document["keys"].append(public_jwk(SECOND_KEY, "second"))
    return create_app({**pool, "jwks_url": jwks_host.url, "token_leeway": LEEWAY})


@pytest.fixture
def m(catalogue_app) -> Minter:
    settings = catalogue_app.extensions["cognito_auth"].settings
    return Minter(settings.issuer, settings.client_id)


def rejected(app, authorization: str | None, body_token=None) -> None:
    client = app.test_client()
    headers = {} if authorization is None else {"Authorization": authorization}
    for response in (client.get("/hello", headers=headers), client.post("/auth/validate", headers=headers)):
        assert response.status_code == 401, (response.status_code, response.json)
        assert response.json["error"] == "invalid_token"
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    if body_token is not None:
        response = client.post("/auth/validate", json={"token": body_token})
        assert response.status_code == 401, (response.status_code, response.json)
        assert response.json == {"valid": False, "error": "invalid_token", "message": response.json["message"]}


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
    "ID token aud a list": lambda m: m.token("id", aud=[m.client_id]),
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
}


@pytest.mark.parametrize("case", list(HEADER_CASES))
def test_header_attacks_are_401(catalogue_app, m, case):
    rejected(catalogue_app, HEADER_CASES[case](m))


@pytest.mark.parametrize("case", list(TOKEN_CASES))
def test_token_attacks_are_401(catalogue_app, m, case):
    token = TOKEN_CASES[case](m)
    rejected(catalogue_app, f"Bearer {token}", body_token=token)


@pytest.mark.parametrize("header", ["jku", "x5u", "x5c", "jwk"])
def test_key_headers_pointing_at_an_attackers_key_are_never_used(catalogue_app, m, attacker, header):
    value = {
        "jku": f"{attacker.url}/jwks.json",
        "x5u": f"{attacker.url}/cert.pem",
        "x5c": [b64url(der(ATTACKER_KEY))],
        "jwk": public_jwk(ATTACKER_KEY, "dummy"),
    }[header]
    token = m.signed(m.header(**{header: value}), m.claims(), key=ATTACKER_KEY)
    rejected(catalogue_app, f"Bearer {token}", body_token=token)
    # ...and the same header on a token the pool really signed changes nothing: the pool's key decides.
    genuine = m.signed(m.header(**{header: value}), m.claims())
    assert catalogue_app.test_client().get("/hello", headers={"Authorization": f"Bearer {genuine}"}).status_code == 200


@pytest.mark.parametrize("token_use", ["id", "access"])
def test_a_token_type_the_route_does_not_accept_is_401(pool, jwks_host, token_use):
    other = {"id": "access", "access": "id"}[token_use]
    app = create_app({**pool, "jwks_url": jwks_host.url, "accepted_token_uses": frozenset({other})})
    settings = app.extensions["cognito_auth"].settings
    token = Minter(settings.issuer, settings.client_id).token(token_use)
    rejected(app, f"Bearer {token}", body_token=token)


@pytest.mark.parametrize(
    "token",
    [
        lambda m: m.token(padding_claim="x" * 9000),
        lambda m: m.signed(m.header(), nested(3000)),
        lambda m: m.signed(m.header(), '{"a":' * 100000 + "1" + "}" * 100000),
    ],
    ids=["over 8 KiB", "deeply nested payload", "nesting far over 8 KiB"],
)
def test_oversized_and_deeply_nested_tokens_are_refused_before_any_key_work(catalogue_app, jwks_host, m, token):
    bad = token(m)
    rejected(catalogue_app, f"Bearer {bad}", body_token=bad if len(bad) < 15000 else None)
    assert jwks_host.fetches == 0  # no key was looked up, so no signature was checked


# Positive cases: the catalogue's app accepts what Cognito really issues.
@pytest.mark.parametrize(
    "token",
    [
        lambda m: m.signed(m.header(), m.claims()),
        lambda m: m.token("id"),
        lambda m: m.token("access"),
        lambda m: m.token(headers={"kid": "second"}, key=SECOND_KEY),
        lambda m: m.token(exp=int(time.time()) - LEEWAY + 2),
        lambda m: m.token(iat=int(time.time()) + 1),
        lambda m: m.token(**{"cognito:groups": ["admin", "staff"]}),
    ],
    ids=[
        "raw-signed baseline",
        "ID token",
        "access token",
        "second key of a multi-key JWKS",
        "exp inside the leeway",
        "iat 1 s ahead",
        "groups",
    ],
)
def test_valid_tokens_pass(catalogue_app, m, token):
    client = catalogue_app.test_client()
    good = token(m)
    assert client.get("/hello", headers={"Authorization": f"Bearer {good}"}).status_code == 200
    assert client.post("/auth/validate", json={"token": good}).json["valid"] is True


def test_a_token_signed_by_a_key_added_in_a_rotation_passes(pool, jwks_host):
    app = create_app({**pool, "jwks_url": jwks_host.url, "jwks_refetch_cooldown": 0.2})
    settings = app.extensions["cognito_auth"].settings
    m = Minter(settings.issuer, settings.client_id)
    client = app.test_client()
    assert client.get("/hello", headers={"Authorization": f"Bearer {m.token()}"}).status_code == 200
    rotated = m.token(headers={"kid": "rotated"}, key=SECOND_KEY)
    jwks_host.document = {"keys": [*jwks_host.document["keys"], public_jwk(SECOND_KEY, "rotated")]}
    time.sleep(0.3)  # past the refetch cooldown
    assert client.get("/hello", headers={"Authorization": f"Bearer {rotated}"}).status_code == 200
    assert jwks_host.fetches == 2
