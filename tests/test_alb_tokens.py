"""ALB tokens (ALB_ARNS): `x-amzn-oidc-data` minted with an ES256 key that a local key endpoint serves as PEM by
kid, as the region's public-key endpoint does, read on /hello and /auth/check through the app."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from app import create_app
from config import ConfigError, Settings
from tests.support.alb import ARN, KID, AlbMinter, KeyEndpoint, alb_header, segment
from tests.support.helpers import Request, bearer, emulator_private_key

OTHER_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other/60dc6c495c0c9189"


@pytest.fixture
def keys():
    endpoint = KeyEndpoint()
    yield endpoint
    endpoint.server.stop()


@pytest.fixture
def alb_app(pool, keys):
    return create_app({**pool, "alb_arns": (ARN, OTHER_ARN), "alb_key_url": keys.url})


@pytest.fixture
def alb_client(alb_app):
    return alb_app.test_client()


@pytest.fixture
def alb(alb_app, keys) -> AlbMinter:
    settings = alb_app.extensions["cognito_auth"].settings
    return AlbMinter(settings.issuer, settings.client_id, keys.key)


def refused(client, token: str, reason: str) -> None:
    """Refused 401 with `reason` on the protected route and on /auth/check."""
    answer = client.get("/hello", headers=alb_header(token))
    assert answer.status_code == 401 and reason in answer.json["message"], answer.json
    assert client.get("/auth/check", headers=alb_header(token)).status_code == 401


def test_a_valid_token_is_accepted_on_the_route_and_at_check(alb_client, alb, pool, keys):
    token = alb.token()
    assert "=" in token  # ALB pads its segments; they are read as it sends them
    hello = alb_client.get("/hello", headers=alb_header(token))
    assert hello.status_code == 200, hello.json
    assert hello.json["username"] == "albuser" and hello.json["pool"] == pool["user_pool_id"]
    check = alb_client.get("/auth/check", headers=alb_header(token))
    assert check.status_code == 200
    assert check.headers["X-Auth-Request-User"] == "albuser" and check.headers["X-Auth-Request-Sub"] == "5f7c-alb-user"
    assert check.headers["X-Auth-Request-Email"] == "alb@example.com"
    assert "X-Amzn-Oidc-Data" in check.headers["Vary"]
    assert alb_client.get("/hello", headers=alb_header(alb.token(padded=False))).status_code == 200
    assert keys.fetches == 1  # the key is cached per kid


def test_the_second_load_balancer_is_accepted_and_others_are_not(alb_client, alb):
    assert alb_client.get("/hello", headers=alb_header(alb.token(alb.header(signer=OTHER_ARN)))).status_code == 200
    for signer in (ARN.replace("front", "evil"), ARN + "x", "", None, [ARN], {"arn": ARN}):
        refused(alb_client, alb.token(alb.header(signer=signer)), "not signed by an accepted load balancer")
    header = alb.header()
    del header["signer"]
    refused(alb_client, alb.token(header), "not signed by an accepted load balancer")


def test_another_client_is_refused(alb_client, alb):
    for client_id in ("otherclient1", "", None, [alb.client_id], 5):
        refused(alb_client, alb.token(alb.header(client=client_id)), "issued to another client")


def test_another_issuer_is_refused(alb_client, alb):
    for issuer in (alb.issuer + "/", alb.issuer.replace("us-east-1_", "us-east-2_"), "https://evil.example.com"):
        token = alb.token(alb.header(iss=issuer), alb.claims(iss=issuer))
        refused(alb_client, token, "issuer is not accepted")
    refused(alb_client, alb.token(alb.header(iss="https://evil.example.com")), "differs from its payload's")


def test_expiry_is_checked_with_the_leeway(alb_client, alb):
    now = int(time.time())
    stale = alb.token(alb.header(exp=now - 30), alb.claims(exp=now - 30))
    refused(alb_client, stale, "expired")
    within = alb.token(alb.header(exp=now - 2), alb.claims(exp=now - 2))
    assert alb_client.get("/hello", headers=alb_header(within)).status_code == 200
    claims = alb.claims()
    del claims["exp"]
    header = alb.header()
    del header["exp"]
    refused(alb_client, alb.token(header, claims), "'exp' is required")


def test_another_key_and_a_tampered_signature_are_refused(alb_client, alb):
    refused(alb_client, alb.token(key=ec.generate_private_key(ec.SECP256R1())), "signature is invalid")
    token = alb.token(padded=False)
    body, signature = token.rsplit(".", 1)
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    refused(alb_client, f"{body}.{flipped}", "signature")
    refused(alb_client, f"{body}.{signature[:-4]}", "signature")
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    forged = segment({**payload, "username": "admin"}, False)
    refused(alb_client, f"{token.split('.')[0]}.{forged}.{signature}", "signature is invalid")


def test_every_algorithm_but_es256_is_refused(alb_client, alb, keys):
    rsa_token = alb.token(alb.header(alg="RS256"), key=emulator_private_key(), alg="RS256")
    refused(alb_client, rsa_token, "algorithm must be ES256")
    hmac_token = alb.token(alb.header(alg="HS256"), key=keys.pems[KID], alg="HS256")  # the PEM as an HMAC secret
    refused(alb_client, hmac_token, "algorithm must be ES256")
    refused(alb_client, alb.token(alb.header(alg="none"), alg="none"), "algorithm must be ES256")
    refused(alb_client, alb.token(alb.header(alg="es256")), "algorithm must be ES256")
    # An ES256 header over a signature of another algorithm's length is still refused.
    body = alb.token().rsplit(".", 1)[0]
    refused(alb_client, f"{body}.{base64.urlsafe_b64encode(b'x' * 256).decode()}", "signature is invalid")


def test_a_kid_that_is_not_a_uuid_is_refused_without_a_fetch(alb_client, alb, keys):
    for kid in ("../../etc/passwd", "not-a-uuid", KID + "0", KID.replace("-", ""), f"{KID}/x", "%2e%2e"):
        refused(alb_client, alb.token(alb.header(kid=kid)), "key id is not a load balancer's")
    refused(alb_client, alb.token(alb.header(kid=None)), "key id is missing")
    assert keys.fetches == 0


def test_padding_must_be_exactly_what_the_length_needs(alb_client, alb):
    segments = alb.token(padded=False).split(".")
    for index, part in enumerate(segments):
        needed = -len(part) % 4
        for pad in {1, 2, 3} - {needed}:
            wrong = [*segments[:index], part + "=" * pad, *segments[index + 1 :]]
            refused(alb_client, ".".join(wrong), "not base64url")
    # The signature's padding is not signed: added alone, exactly as needed, it is read.
    padded = ".".join([*segments[:2], segments[2] + "=" * (-len(segments[2]) % 4)])
    assert alb_client.get("/hello", headers=alb_header(padded)).status_code == 200


def test_an_unknown_kid_is_refused_and_the_key_endpoint_down_is_a_503(alb_client, alb, keys):
    refused(alb_client, alb.token(alb.header(kid=str(uuid.uuid4()))), "unknown load balancer key id")
    assert keys.fetches == 1  # the unknown kid is not asked again at once either
    keys.status = 500
    down = alb_client.get("/hello", headers=alb_header(alb.token()))
    assert down.status_code == 503 and down.headers["Retry-After"] and down.json["error"] == "service_unavailable"
    assert alb_client.get("/auth/check", headers=alb_header(alb.token())).status_code == 503
    assert keys.fetches == 2  # the failed kid is not asked again at once: one fetch per retry interval


def test_a_key_endpoint_that_does_not_answer_is_a_503(pool, alb, closed_port_url):
    client = create_app({**pool, "alb_arns": (ARN,), "alb_key_url": f"{closed_port_url}/{{kid}}"}).test_client()
    answer = client.get("/hello", headers=alb_header(alb.token()))
    assert answer.status_code == 503


def test_a_key_that_is_not_a_p256_pem_is_a_503(alb_client, alb, keys):
    keys.pems[KID] = b"-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n"
    assert alb_client.get("/hello", headers=alb_header(alb.token())).status_code == 503


def test_without_alb_arns_the_header_is_never_read(client, pool, keys):
    minter = AlbMinter(
        f"https://cognito-idp.us-east-1.amazonaws.com/{pool['user_pool_id']}", pool["client_id"], keys.key
    )
    answer = client.get("/hello", headers=alb_header(minter.token()))
    assert answer.status_code == 401 and answer.json["message"] != ""
    assert client.get("/auth/check", headers=alb_header(minter.token())).status_code == 401
    assert keys.fetches == 0


def test_a_bearer_token_is_checked_first_and_routes_calling_cognito_ignore_the_header(alb_client, alb, users):
    users.register("alice")
    users.confirm("alice")
    access = users.login("alice").json["access_token"]
    both = {**bearer(access), **alb_header(alb.token())}
    assert alb_client.get("/hello", headers=both).json["username"] == "alice"
    bad_bearer = {**bearer("not.a.token"), **alb_header(alb.token())}
    assert alb_client.get("/hello", headers=bad_bearer).status_code == 401  # never falls back to the header
    assert alb_client.get("/auth/me", headers=alb_header(alb.token())).status_code == 401  # no alb=True there


def test_a_payload_with_cognito_token_claims_or_no_user_is_refused(alb_client, alb):
    refused(alb_client, alb.token(claims=alb.claims(token_use="access")), "token type is not accepted")
    for name in ("sub", "username"):
        claims = alb.claims()
        del claims[name]
        refused(alb_client, alb.token(claims=claims), f"'{name}' is missing")
    refused(alb_client, alb.token(claims=alb.claims(exp="soon")), "'exp' is malformed")


def test_the_check_policy_applies_to_alb_users(alb_client, alb):
    token = alb.token()
    assert alb_client.get("/auth/check?groups=admin", headers=alb_header(token)).status_code == 403
    assert alb_client.get("/auth/check?token_use=access", headers=alb_header(token)).status_code == 403


PRIMARY = {"COGNITO_USER_POOL_ID": "eu-west-2_AbC123", "COGNITO_CLIENT_ID": "client123"}


def test_the_settings_fill_in_the_region_and_check_the_arns():
    settings = Settings.load({**PRIMARY, "ALB_ARNS": f"{ARN}, {OTHER_ARN}"})
    assert settings.alb_arns == (ARN, OTHER_ARN)
    assert settings.alb_keys_url == "https://public-keys.auth.elb.us-east-1.amazonaws.com/{kid}"
    cases = [
        ({"ALB_ARNS": "arn:aws:s3:::bucket"}, "is not a load balancer's ARN"),
        ({"ALB_ARNS": f"{ARN},{ARN.replace('us-east-1', 'eu-west-1')}"}, "all be in one region"),
        ({"ALB_ARNS": ARN, "ALB_KEY_URL": "https://keys.example.com/"}, "ALB_KEY_URL must"),
        ({"ALB_ARNS": ARN, "ALB_KEY_URL": "http://keys.example.com/{kid}"}, "ALB_KEY_URL must"),
    ]
    for environ, message in cases:
        with pytest.raises(ConfigError, match=message):
            Settings.load({**PRIMARY, **environ})
    local = Settings.load({**PRIMARY, "ALB_ARNS": ARN, "ALB_KEY_URL": "http://127.0.0.1:9/{region}/{kid}"})
    assert local.alb_keys_url == "http://127.0.0.1:9/us-east-1/{kid}"


def test_alb_true_with_token_types_naming_no_id_is_refused_when_the_route_is_declared():
    from middleware.authentication import require_token

    with pytest.raises(ValueError, match="token_uses must include 'id'"):
        require_token({"access"}, alb=True)
    require_token({"id", "access"}, alb=True)  # naming "id": the load balancer's user is let in
    require_token({"access"})  # without alb nothing is said about load balancers


def test_a_key_url_with_other_braces_fills_only_the_kid(pool, keys):
    """`?v={x}` passes the start-up check (it has `{kid}`) and is sent as written, the kid filled in."""
    url = keys.server.url + "/{kid}?v={x}"
    app = create_app({**pool, "alb_arns": (ARN,), "alb_key_url": url})
    keys.pems = {f"{KID}?v=%7Bx%7D": keys.pems[KID]}  # the endpoint answers the path as requests sent it
    settings = app.extensions["cognito_auth"].settings
    token = AlbMinter(settings.issuer, settings.client_id, keys.key).token()
    answer = app.test_client().get("/hello", headers=alb_header(token))
    assert answer.status_code == 200, answer.json
    assert keys.server.requests == [("GET", f"/{KID}?v=%7Bx%7D")]


def test_a_slow_fetch_of_one_kid_does_not_hold_up_another_kids_fetch(keys):
    from services.tokens.alb import AlbKeys

    slow_kid, release = str(uuid.uuid4()), threading.Event()
    keys.pems[slow_kid] = keys.pems[KID]
    answer = keys.server.reply

    def reply(request: Request):
        if slow_kid in request.path:
            release.wait(10)  # this kid's fetch is in progress until the test lets it end
        return answer(request)

    keys.server.reply = reply
    cache = AlbKeys(keys.url, timeout=15)
    slow = threading.Thread(target=cache.key, args=(slow_kid,))
    slow.start()
    try:
        while not any(slow_kid in path for _, path in keys.server.requests):
            time.sleep(0.01)
        started = time.monotonic()
        assert cache.key(KID).public_numbers() == keys.key.public_key().public_numbers()
        assert time.monotonic() - started < 5  # not after the slow fetch: it is still waiting for `release`
        assert not release.is_set() and slow.is_alive()
    finally:
        release.set()
        slow.join()
    assert cache.key(slow_kid) is not None and keys.fetches == 2
