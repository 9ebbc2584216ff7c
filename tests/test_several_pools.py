"""Several pools (COGNITO_ADDITIONAL_POOLS): two pools on the emulator and one with an issuer of its own, each
matched by its exact `iss`, each with its own clients and its own JWKS cache, through the app."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from app import create_app
from config import ConfigError, Settings
from errors import TokenError
from pool_settings import read_pools
from services.tokens.cache import VerifiedTokens
from services.tokens.jwks import JwksCache
from services.tokens.verifier import Pool, TokenVerifier
from tests.support.alb import ARN, AlbMinter, KeyEndpoint, alb_header
from tests.support.helpers import PASSWORD, JwksHost, Minter, bearer, public_jwk

OWN_ISSUER_POOL = "local_OwnIssuer1"
OWN_CLIENT = "ownissuerclient1"
USES = frozenset({"id", "access"})


@pytest.fixture(scope="module")
def own_key() -> Any:
    """The signing key of the pool with an issuer of its own (not the emulator's key)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def own_jwks(own_key):
    """The JWKS of the pool with an issuer of its own, served by a host the test controls."""
    host = JwksHost({"keys": [public_jwk(own_key, "own-kid-1")]})
    yield host
    host.server.stop()


@pytest.fixture
def second(emulator, pool) -> dict[str, Any]:
    """A second pool on the same emulator (after `pool`, which empties it first)."""
    return emulator.create_pool("second")


def pools_setting(second: dict[str, Any], own_jwks: JwksHost, second_jwks: str | None = None) -> str:
    """COGNITO_ADDITIONAL_POOLS as an operator writes it: the emulator's second pool, and the own-issuer one."""
    return json.dumps(
        [
            {
                "pool_id": second["user_pool_id"],
                "region": second["region"],
                "client_ids": [second["client_id"]],
                "jwks_url": second_jwks or second["jwks_url"],
            },
            {
                "pool_id": OWN_ISSUER_POOL,
                "client_ids": [OWN_CLIENT],
                "region": "local",
                "issuer": own_issuer(own_jwks),
                "jwks_url": own_jwks.url,
            },
        ]
    )


def own_issuer(own_jwks: JwksHost) -> str:
    return f"{own_jwks.server.url}/{OWN_ISSUER_POOL}"


def own_minter(own_jwks: JwksHost, own_key: Any, client_id: str = OWN_CLIENT) -> Minter:
    minter = Minter(own_issuer(own_jwks), client_id)
    minter.key = own_key
    return minter


def own_token(minter: Minter, kind: str = "access") -> str:
    return minter.token(kind, headers={"kid": "own-kid-1"})


def app_with_pools(pool, second, own_jwks, **overrides):
    settings = {**pool, "additional_pools": read_pools(pools_setting(second, own_jwks)), **overrides}
    return create_app(settings)


def sign_in(emulator, settings: dict[str, Any], username: str) -> dict[str, str]:
    """Tokens of a user of `settings`' pool, from the emulator (the server signs in to its primary pool only)."""
    client, pool_id = emulator.client, settings["user_pool_id"]
    attributes = [{"Name": "email", "Value": f"{username}@example.com"}]
    client.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=attributes)
    client.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    answer = client.initiate_auth(
        ClientId=settings["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    return answer["AuthenticationResult"]


def test_tokens_of_each_pool_are_accepted_and_the_route_is_told_which(emulator, pool, second, own_jwks, own_key):
    client = app_with_pools(pool, second, own_jwks).test_client()
    first_tokens, second_tokens = sign_in(emulator, pool, "ann"), sign_in(emulator, second, "ben")
    presented = [
        (first_tokens["AccessToken"], pool["user_pool_id"], "ann"),
        (first_tokens["IdToken"], pool["user_pool_id"], "ann"),
        (second_tokens["AccessToken"], second["user_pool_id"], "ben"),
        (second_tokens["IdToken"], second["user_pool_id"], "ben"),
        (own_token(own_minter(own_jwks, own_key)), OWN_ISSUER_POOL, "minted"),
        (own_token(own_minter(own_jwks, own_key), "id"), OWN_ISSUER_POOL, "minted"),
    ]
    for token, pool_id, username in presented:
        hello = client.get("/hello", headers=bearer(token))
        assert hello.status_code == 200, hello.json
        assert hello.json["pool"] == pool_id and hello.json["username"] == username
        check = client.get("/auth/check", headers=bearer(token))
        assert check.status_code == 200 and check.headers["X-Auth-Request-User"] == username
        validated = client.post("/auth/validate", json={"token": token})
        assert validated.status_code == 200 and validated.json["claims"]["iss"].endswith(pool_id)


def test_without_the_setting_another_pools_tokens_are_refused(emulator, pool, second):
    client = create_app(pool).test_client()
    answer = client.get("/hello", headers=bearer(sign_in(emulator, second, "ben")["AccessToken"]))
    assert answer.status_code == 401 and "issuer is not accepted" in answer.json["message"]


def test_a_token_of_one_pool_for_another_pools_client_is_refused(pool, second, own_jwks, own_key):
    client = app_with_pools(pool, second, own_jwks).test_client()
    # Properly signed by each issuer's own key, but naming a client that only another pool accepts.
    crossed = [
        Minter(f"https://cognito-idp.us-east-1.amazonaws.com/{pool['user_pool_id']}", second["client_id"]).token(),
        Minter(f"https://cognito-idp.us-east-1.amazonaws.com/{second['user_pool_id']}", pool["client_id"]).token(),
        Minter(f"https://cognito-idp.us-east-1.amazonaws.com/{second['user_pool_id']}", OWN_CLIENT).token("id"),
        own_token(own_minter(own_jwks, own_key, client_id=pool["client_id"])),
        own_token(own_minter(own_jwks, own_key, client_id=second["client_id"]), "id"),
    ]
    for token in crossed:
        answer = client.get("/hello", headers=bearer(token))
        assert answer.status_code == 401 and "issued to another client" in answer.json["message"], answer.json
        assert client.get("/auth/check", headers=bearer(token)).status_code == 401


def test_the_issuer_is_matched_exactly(pool, second, own_jwks, own_key):
    client = app_with_pools(pool, second, own_jwks).test_client()
    minter = own_minter(own_jwks, own_key)
    assert client.get("/hello", headers=bearer(own_token(minter))).status_code == 200
    issuer = own_issuer(own_jwks)
    for other in (issuer + "/", issuer[:-1], issuer.upper(), issuer + "x", issuer.replace("http://", "https://")):
        token = minter.token(headers={"kid": "own-kid-1"}, iss=other)
        answer = client.get("/hello", headers=bearer(token))
        assert answer.status_code == 401 and "issuer is not accepted" in answer.json["message"], other


def test_a_pools_signature_is_checked_with_that_pools_own_keys(pool, second, own_jwks):
    """A token with the own-issuer pool's `iss` but signed with the emulator's key (which signs the other two
    pools' tokens): that pool's JWKS does not hold the kid, so it is refused, whatever the other pools hold."""
    client = app_with_pools(pool, second, own_jwks).test_client()
    borrowed = Minter(own_issuer(own_jwks), OWN_CLIENT).token()  # the emulator's key and kid
    answer = client.get("/hello", headers=bearer(borrowed))
    assert answer.status_code == 401 and "unknown key" in answer.json["message"], answer.json
    assert client.get("/auth/check", headers=bearer(borrowed)).status_code == 401


def test_alb_tokens_are_matched_to_the_pool_their_iss_names(pool, second, own_jwks):
    keys = KeyEndpoint()
    try:
        client = app_with_pools(pool, second, own_jwks, alb_arns=(ARN,), alb_key_url=keys.url).test_client()
        second_issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{second['user_pool_id']}"
        accepted = AlbMinter(second_issuer, second["client_id"], keys.key).token()
        hello = client.get("/hello", headers=alb_header(accepted))
        assert hello.status_code == 200 and hello.json["pool"] == second["user_pool_id"], hello.json
        crossed = AlbMinter(second_issuer, pool["client_id"], keys.key).token()  # pool B's iss, pool A's client
        answer = client.get("/hello", headers=alb_header(crossed))
        assert answer.status_code == 401 and "issued to another client" in answer.json["message"], answer.json
        assert client.get("/auth/check", headers=alb_header(crossed)).status_code == 401
    finally:
        keys.server.stop()


def test_one_pools_jwks_down_does_not_affect_the_others(emulator, pool, second, own_jwks, own_key):
    client = app_with_pools(pool, second, own_jwks).test_client()
    first, other = sign_in(emulator, pool, "ann")["AccessToken"], sign_in(emulator, second, "ben")["AccessToken"]
    own_jwks.fault = lambda: (500, {}, b"down")
    assert client.get("/hello", headers=bearer(own_token(own_minter(own_jwks, own_key)))).status_code == 503
    assert client.get("/hello", headers=bearer(first)).status_code == 200
    assert client.get("/hello", headers=bearer(other)).status_code == 200
    ready = client.get("/ready")
    assert ready.status_code == 200  # the primary pool's keys are held: the server serves the others
    assert ready.json["pools"] == {
        pool["user_pool_id"]: "ok",
        second["user_pool_id"]: "ok",
        OWN_ISSUER_POOL: "unavailable",
    }
    assert own_jwks.fetches == 1  # the other pools' checks never touched this pool's JWKS


def test_an_emulator_pools_jwks_down_leaves_the_primary_and_the_own_issuer_pool(
    emulator, pool, second, own_jwks, own_key, closed_port_url
):
    settings = read_pools(pools_setting(second, own_jwks, second_jwks=f"{closed_port_url}/jwks.json"))
    client = create_app({**pool, "additional_pools": settings}).test_client()
    first, other = sign_in(emulator, pool, "ann")["IdToken"], sign_in(emulator, second, "ben")["IdToken"]
    down = client.get("/hello", headers=bearer(other))
    assert down.status_code == 503 and down.headers["Retry-After"]
    assert client.get("/hello", headers=bearer(first)).status_code == 200
    assert client.get("/hello", headers=bearer(own_token(own_minter(own_jwks, own_key)))).status_code == 200
    assert client.get("/ready").json["pools"][second["user_pool_id"]] == "unavailable"


def test_routes_calling_cognito_serve_the_primary_pools_tokens_only(emulator, pool, second, own_jwks):
    client = app_with_pools(pool, second, own_jwks).test_client()
    first, other = sign_in(emulator, pool, "ann")["AccessToken"], sign_in(emulator, second, "ben")["AccessToken"]
    refused = client.get("/auth/me", headers=bearer(other))
    assert (
        refused.status_code == 403
        and refused.json["message"] == "This route serves the primary user pool's tokens only."
    )
    assert client.post("/auth/logout", headers=bearer(other), json={}).status_code == 403
    assert client.get("/hello", headers=bearer(other)).status_code == 200  # the refused sign-out revoked nothing
    assert client.get("/auth/me", headers=bearer(first)).status_code == 200


def test_a_primary_pool_sign_out_leaves_another_pools_users_signed_in(emulator, pool, second, own_jwks):
    client = app_with_pools(pool, second, own_jwks).test_client()
    first, other = sign_in(emulator, pool, "ann")["AccessToken"], sign_in(emulator, second, "ben")["AccessToken"]
    assert client.post("/auth/logout", headers=bearer(first), json={}).status_code == 204
    assert client.get("/hello", headers=bearer(first)).status_code == 401
    assert client.get("/hello", headers=bearer(other)).status_code == 200


def test_after_a_cached_token_of_one_pool_a_token_of_another_naming_its_client_is_refused_and_not_cached(jwks_host):
    """Two pools served the same key (as moto serves every pool): a token verified for one pool is cached; a
    different token, of the other pool naming the first pool's client, is refused by its own pool's clients
    and never enters the cache. (A cache entry is keyed by the token itself, so no other token can hit it.)"""
    first_issuer, second_issuer = (f"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_{n}" for n in ("A1", "B2"))
    pools = [
        Pool("us-east-1_A1", frozenset({first_issuer}), frozenset({"clienta"}), JwksCache(jwks_host.url)),
        Pool("us-east-1_B2", frozenset({second_issuer}), frozenset({"clientb"}), JwksCache(jwks_host.url)),
    ]
    cache = VerifiedTokens(max_entries=100)
    verifier = TokenVerifier(pools, cache=cache)
    first = Minter(first_issuer, "clienta").token()
    assert verifier.pool_of(verifier.verify(first, USES)).pool_id == "us-east-1_A1"
    assert verifier.pool_of(verifier.verify(first, USES)).pool_id == "us-east-1_A1"  # the cache's hit
    crossed = Minter(second_issuer, "clienta").token()
    with pytest.raises(TokenError, match="issued to another client"):
        verifier.verify(crossed, USES)
    assert len(cache) == 1
    assert verifier.pool_of(verifier.verify(Minter(second_issuer, "clientb").token(), USES)).pool_id == "us-east-1_B2"
    # Each pool's key object is its own JWKS cache's: a hit is rechecked against its own pool's keys.
    assert pools[0].jwks.current_key(emulator_kid()) is not pools[1].jwks.current_key(emulator_kid())


def emulator_kid() -> str:
    return Minter("x", "y").header()["kid"]


def test_two_pools_may_not_accept_the_same_issuer(jwks_host):
    issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_A1"
    pools = [Pool(name, frozenset({issuer}), frozenset({"c"}), JwksCache(jwks_host.url)) for name in ("a", "b")]
    with pytest.raises(ValueError, match="two pools accept the issuer"):
        TokenVerifier(pools)


PRIMARY = {"COGNITO_USER_POOL_ID": "eu-west-2_AbC123", "COGNITO_CLIENT_ID": "client123"}


def test_the_setting_reads_pools_with_their_defaults():
    text = json.dumps([{"pool_id": "eu-west-1_Staff1", "client_ids": ["staff1", "staff2"]}])
    settings = Settings.load({**PRIMARY, "COGNITO_ADDITIONAL_POOLS": text})
    primary, staff = settings.pools
    assert primary.pool_id == "eu-west-2_AbC123" and primary.client_ids == {"client123"}
    assert staff.region == "eu-west-1" and staff.client_ids == {"staff1", "staff2"}
    assert staff.issuers == {
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Staff1",
        "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Staff1",
    }
    assert staff.keys_url == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Staff1/.well-known/jwks.json"
    assert Settings.load(PRIMARY).pools[1:] == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not json", "must be a JSON array of pools"),
        ("[]", "non-empty JSON array"),
        ('{"pool_id": "eu-west-1_A"}', "non-empty JSON array"),
        ("[1]", "pool 0 must be an object"),
        ('[{"pool_id": "eu-west-1_A", "client_ids": ["c"], "clients": 1}]', "unknown field 'clients'"),
        ('[{"client_ids": ["c"]}]', "needs a 'pool_id'"),
        ('[{"pool_id": "nounderscore", "client_ids": ["c"]}]', "needs a 'pool_id'"),
        ('[{"pool_id": "local_A1", "client_ids": ["c"]}]', "needs a 'region'"),
        ('[{"pool_id": "eu-west-1_A", "region": "us-east-1", "client_ids": ["c"]}]', "does not match"),
        ('[{"pool_id": "eu-west-1_A"}]', "needs 'client_ids'"),
        ('[{"pool_id": "eu-west-1_A", "client_ids": []}]', "needs 'client_ids'"),
        ('[{"pool_id": "eu-west-1_A", "client_ids": ["no spaces"]}]', "must list app client ids"),
        ('[{"pool_id": "eu-west-1_A", "client_ids": ["c"], "issuer": "not a url"}]', "'issuer' must be"),
        ('[{"pool_id": "eu-west-1_A", "client_ids": ["c"], "jwks_url": "http://example.com/j"}]', "'jwks_url' must"),
        ('[{"pool_id": "eu-west-1_A", "client_ids": ["c"], "jwks_url": 5}]', "'jwks_url' must"),
        ('[{"pool_id": "eu-west-1_A", "client_ids": ["c"]}, {"pool_id": "eu-west-1_A", "client_ids": ["d"]}]', "twice"),
        (
            '[{"pool_id": "eu-west-2_Other1", "client_ids": ["c"],'
            ' "issuer": "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbC123"}]',
            "share an issuer",
        ),
    ],
)
def test_a_malformed_setting_stops_start_up_naming_the_problem(value, message):
    with pytest.raises(ConfigError, match="COGNITO_ADDITIONAL_POOLS") as raised:
        Settings.load({**PRIMARY, "COGNITO_ADDITIONAL_POOLS": value})
    assert message in str(raised.value)


def test_the_primary_pools_id_repeated_is_refused_even_when_its_issuer_differs():
    primary = {**PRIMARY, "COGNITO_ISSUER": "http://localhost:9229/eu-west-2_AbC123"}
    text = json.dumps([{"pool_id": "eu-west-2_AbC123", "client_ids": ["other1"]}])
    with pytest.raises(ConfigError, match="COGNITO_ADDITIONAL_POOLS: the pool 'eu-west-2_AbC123' is the primary"):
        Settings.load({**primary, "COGNITO_ADDITIONAL_POOLS": text})
