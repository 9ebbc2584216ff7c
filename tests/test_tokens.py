"""GET /hello and POST /auth/validate: real tokens from the emulator, and minted bad ones."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app import create_app
from tests.support.helpers import DROP, b64url

CHALLENGE = 'Bearer error="invalid_token"'


def hello(client, token: str | None, scheme: str = "Bearer "):
    headers = {} if token is None else {"Authorization": f"{scheme}{token}"}
    return client.get("/hello", headers=headers)


def validate(client, token):
    return client.post("/auth/validate", json={"token": token})


def assert_rejected(client, token: str) -> None:
    """Both protected entry points answer 401 invalid_token."""
    response = hello(client, token)
    assert response.status_code == 401, response.json
    assert response.json["error"] == "invalid_token"
    assert response.headers["WWW-Authenticate"] == CHALLENGE
    response = validate(client, token)
    assert response.status_code == 401, response.json
    assert response.json["valid"] is False
    assert response.json["error"] == "invalid_token"
    assert response.json["message"]


@pytest.mark.parametrize("token_name", ["access_token", "id_token"])
def test_hello_greets_the_user_of_a_valid_token(client, users, token_name):
    token = users.tokens("alice")[token_name]
    response = hello(client, token)
    assert response.status_code == 200
    assert response.json["username"] == "alice"
    if token_name == "id_token":  # only the ID token carries the email, the better name to greet by
        assert response.json["message"] == "Hello, alice@example.com!"
        assert response.json["email"] == "alice@example.com"
    else:
        assert response.json["message"] == "Hello, alice!"
        assert "email" not in response.json


@pytest.mark.parametrize(
    ("claims", "greeted"),
    [
        ({"preferred_username": "Ally"}, "Ally"),
        ({}, "minted@example.com"),
        ({"email": DROP}, "minted"),
        ({"preferred_username": "", "email": DROP}, "minted"),
        ({"preferred_username": 7}, "minted@example.com"),  # only strings name anyone
        ({"preferred_username": ["Ally"], "email": DROP}, "minted"),
    ],
)
def test_hello_greets_by_the_best_human_name_the_token_has(client, minter, claims, greeted):
    response = hello(client, minter.token("id", **claims))
    assert response.status_code == 200
    assert response.json["message"] == f"Hello, {greeted}!"
    assert response.json["username"] == "minted"  # the username claim, whatever the greeting


def test_hello_accepts_a_bare_token_as_the_tutorial_sends_it(client, users):
    token = users.tokens("alice")["access_token"]
    assert hello(client, token, scheme="").status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc.def.ghi", "Bearer a.b.c d.e.f", "garbage"],
)
def test_hello_without_a_usable_token_is_401(client, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/hello", headers=headers)
    assert response.status_code == 401
    assert response.json["error"] == "invalid_token"
    assert response.headers["WWW-Authenticate"] == CHALLENGE


@pytest.mark.parametrize("token_name", ["access_token", "id_token"])
def test_validate_reports_a_valid_token(client, users, token_name, conforms):
    token = users.tokens("alice")[token_name]
    response = validate(client, token)
    assert response.status_code == 200
    body = response.json
    assert body["valid"] is True
    assert body["token_use"] == {"access_token": "access", "id_token": "id"}[token_name]
    assert body["username"] == "alice"
    assert body["sub"] == body["claims"]["sub"]
    assert body["expires_at"] == body["claims"]["exp"] > time.time()
    if token_name == "access_token":  # the client it was issued to, and what it may do
        assert body["client_id"] == body["claims"]["client_id"]
        assert body["scope"] == body["claims"]["scope"]
    else:
        assert "client_id" not in body and "scope" not in body
    conforms(response, "/auth/validate", "POST")


def test_validate_reports_a_machine_token_with_no_username(client, minter, conforms):
    """A client-credentials access token: valid, for its client and scopes, naming no user."""
    token = minter.token(username=DROP, sub=minter.client_id, scope="orders/read orders/write")
    response = validate(client, token)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["valid"] is True and body["token_use"] == "access"
    assert body["username"] is None
    assert body["sub"] == body["client_id"] == minter.client_id
    assert body["scope"] == "orders/read orders/write"
    conforms(response, "/auth/validate", "POST")


def test_validate_reads_the_authorization_header_too(client, users):
    token = users.tokens("alice")["access_token"]
    response = client.post("/auth/validate", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["valid"] is True


@pytest.mark.parametrize("body", [{}, {"token": ""}, {"token": None}])
def test_validate_without_a_token_is_401(client, body):
    response = client.post("/auth/validate", json=body)
    assert response.status_code == 401
    assert response.json["valid"] is False


def test_validate_with_a_non_string_token_is_400(client):
    response = client.post("/auth/validate", json={"token": 12})
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"


def test_minted_token_with_cognitos_claims_passes(client, minter):
    """The minter's baseline is accepted, so each case below fails for the one thing it changes."""
    for token_use in ("access", "id"):
        assert validate(client, minter.token(token_use)).status_code == 200
        assert hello(client, minter.token(token_use)).status_code == 200


def _other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["username"] = "mallory"
    return f"{header}.{b64url(json.dumps(claims))}.{signature}"


def _alg_none(token: str, signature: str = "") -> str:
    _, payload, _ = token.split(".")
    return f"{b64url(json.dumps({'alg': 'none', 'kid': 'dummy'}))}.{payload}.{signature}"


def _hs256_with_public_key(minter) -> str:
    """Key confusion: an HMAC keyed with the pool's public key, which anyone can download."""
    pem = minter.key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    signing_input = f"{b64url(json.dumps({'alg': 'HS256', 'kid': 'dummy'}))}.{b64url(json.dumps(minter.claims()))}"
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


BAD_TOKENS = {
    "expired": lambda m: m.token(exp=int(time.time()) - 60),
    "no exp": lambda m: m.token(exp=DROP),
    "issued in the future": lambda m: m.token(iat=int(time.time()) + 600),
    "not yet valid": lambda m: m.token(nbf=int(time.time()) + 600),
    "wrong issuer": lambda m: m.token(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"),
    "issuer with trailing slash": lambda m: m.token(iss=m.issuer + "/"),
    "id token for another client": lambda m: m.token("id", aud="another-client"),
    "access token for another client": lambda m: m.token(client_id="another-client"),
    "access token with no client_id": lambda m: m.token(client_id=DROP),
    "unknown token_use": lambda m: m.token(token_use="refresh"),
    "no token_use": lambda m: m.token(token_use=DROP),
    "no sub": lambda m: m.token(sub=DROP),
    "alg none": lambda m: _alg_none(m.token()),
    "alg none with signature": lambda m: _alg_none(m.token(), m.token().split(".")[2]),
    "tampered payload": lambda m: _tampered(m.token()),
    "signed by another key": lambda m: m.token(key=_other_key()),
    "unknown kid": lambda m: m.token(headers={"kid": "not-in-the-jwks"}),
    "HS256 keyed with the public key PEM": lambda m: _hs256_with_public_key(m),
    "two segments": lambda m: ".".join(m.token().split(".")[:2]),
    "garbage": lambda m: "not a token at all",
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_bad_tokens_are_401_on_hello_and_validate(client, minter, case):
    assert_rejected(client, BAD_TOKENS[case](minter))


@pytest.mark.parametrize(("accepted", "rejected"), [("access", "id_token"), ("id", "access_token")])
def test_accepted_token_types_are_a_setting(pool, accepted, rejected, users_of):
    client = create_app({**pool, "accepted_token_uses": frozenset({accepted})}).test_client()

    tokens = users_of(client).tokens("alice")
    assert_rejected(client, tokens[rejected])
    kept = {"access": "access_token", "id": "id_token"}[accepted]
    assert hello(client, tokens[kept]).status_code == 200


def test_expiry_leeway_is_a_setting(pool, minter):
    token = minter.token(exp=int(time.time()) - 30)
    strict = create_app({**pool, "token_leeway": 0}).test_client()
    lenient = create_app({**pool, "token_leeway": 60}).test_client()
    assert hello(strict, token).status_code == 401
    assert hello(lenient, token).status_code == 200
