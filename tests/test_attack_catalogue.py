"""The token attack catalogue: every case goes to GET /hello and POST /auth/validate and is refused.

Each bad token is correctly signed with the pool's key unless the attack is about the signature, so it
fails for exactly the property it breaks. Tokens travel in the Authorization header to both routes,
and in the `token` body field to /auth/validate as well.
"""

from __future__ import annotations

import json
import os
import time

import jwt
import pytest

from app import create_app
from services.tokens.claims import CLAIM_TYPES
from tests.support.attack_cases import ATTACKER_KEY, HEADER_CASES, LEEWAY, NOW, SECOND_KEY, TOKEN_CASES, der, nested
from tests.support.helpers import (
    EMULATOR_PRIVATE_JWK,
    JwksHost,
    Minter,
    ScriptedServer,
    b64url,
    json_reply,
    public_jwk,
)


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


# 18. claim types: every registered claim, present with a value of another JSON type, on the token type that
# carries it. RAW values are spliced into the JSON text as they are (json.dumps cannot write them).
STRING_CLAIMS = ("iss", "sub", "token_use", "client_id", "username", "cognito:username", "jti", "origin_jti")
ID_CLAIMS = {"aud", "cognito:username", "email"}
WRONG_TYPES = {
    "string": [["x"], {"x": "y"}, 42, 1.5, True, False, None],
    "numeric date": ["1800000000", [NOW], {}, True, False, None, -1, 2**53 + 1, 10**30, 1e300, "RAW:NaN", "RAW:1e309"],
    "audience": [42, True, None, {}, [1], [None], [["x"]], "RAW:1e309"],
    "strings": ["admin", {}, 42, True, None, [1], [None], [["admin"]], [{}]],
}
CLAIM_KINDS = {
    **dict.fromkeys((*STRING_CLAIMS, "scope", "email"), "string"),
    **dict.fromkeys(("exp", "iat", "nbf", "auth_time"), "numeric date"),
    "aud": "audience",
    "cognito:groups": "strings",
}


def with_claim(m: Minter, name: str, value) -> str:
    """A token of the type that carries `name`, with `name` set to `value` (spliced raw when a RAW: string)."""
    kind = "id" if name in ID_CLAIMS else "access"
    if isinstance(value, str) and value.startswith("RAW:"):
        text = json.dumps(m.claims(kind, **{name: "placeholder"})).replace('"placeholder"', value[4:])
        return m.signed(m.header(), text)
    return m.signed(m.header(), m.claims(kind, **{name: value}))


TYPE_CASES = [(name, value) for name, kind in CLAIM_KINDS.items() for value in WRONG_TYPES[kind]]


@pytest.mark.parametrize("case", list(HEADER_CASES))
def test_header_attacks_are_401(catalogue_app, m, case):
    rejected(catalogue_app, HEADER_CASES[case](m))


@pytest.mark.slow  # one of the catalogue's two big tables: over a minute for all its cases
@pytest.mark.parametrize("case", list(TOKEN_CASES))
def test_token_attacks_are_401(catalogue_app, m, case):
    token = TOKEN_CASES[case](m)
    rejected(catalogue_app, f"Bearer {token}", body_token=token)


@pytest.fixture(scope="module")
def types_app():
    """One app for the whole type table (nothing in it reaches Cognito; a fresh pool per case costs a second)."""
    host = JwksHost({"keys": [public_jwk(jwt.PyJWK(EMULATOR_PRIVATE_JWK).key, EMULATOR_PRIVATE_JWK["kid"])]})
    with pytest.MonkeyPatch.context() as patch:  # settings from this fixture only, as conftest does per test
        for name in [name for name in os.environ if name.startswith(("COGNITO_", "AWS_ENDPOINT_URL"))]:
            patch.delenv(name)
        overrides = {"user_pool_id": "us-east-1_TypeTable", "client_id": "typetable1", "jwks_url": host.url}
        app = create_app({**overrides, "token_leeway": LEEWAY, "rate_limit_validate": "100000/minute"})
    yield app
    host.server.stop()


@pytest.mark.slow  # one of the catalogue's two big tables: over a minute for all its cases
@pytest.mark.parametrize(("name", "value"), TYPE_CASES, ids=[f"{name}={value!r}" for name, value in TYPE_CASES])
def test_every_claim_of_the_wrong_type_is_401_not_500(types_app, name, value):
    settings = types_app.extensions["cognito_auth"].settings
    token = with_claim(Minter(settings.issuer, settings.client_id), name, value)
    rejected(types_app, f"Bearer {token}", body_token=token)


def test_the_type_tables_app_accepts_good_tokens(types_app):
    """So each case above fails for its one wrong type, not for the app's settings."""
    settings = types_app.extensions["cognito_auth"].settings
    m = Minter(settings.issuer, settings.client_id)
    for good in (with_claim(m, "jti", "any"), with_claim(m, "aud", m.client_id)):  # access, then ID
        assert types_app.test_client().get("/hello", headers={"Authorization": f"Bearer {good}"}).status_code == 200


def test_the_type_table_covers_every_claim_the_verifier_reads():
    assert set(CLAIM_KINDS) == set(CLAIM_TYPES)


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
        lambda m: m.token(exp=time.time() + 60.5, iat=time.time() - 0.5, nbf=time.time() - 10),
        lambda m: m.token(**{"custom:anything": [1, {"x": None}], "cognito:groups": []}),
    ],
    ids=[
        "raw-signed baseline",
        "ID token",
        "access token",
        "second key of a multi-key JWKS",
        "exp inside the leeway",
        "iat 1 s ahead",
        "groups",
        "fractional times and nbf",
        "unregistered claim of any type, empty groups",
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
