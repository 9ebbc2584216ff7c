"""Which issuers and app clients are accepted: both AWS issuer forms or exactly COGNITO_ISSUER, and extra clients."""

from __future__ import annotations

import pytest

from app import create_app
from tests.support.helpers import Minter

EXTRA_CLIENT = "extraclient1"
LOCAL_ISSUER = "http://localhost:9229/local_AbC123"  # a cognito-local pool, as COGNITO_ISSUER names it


def accepted(app, token: str) -> bool:
    """True when /hello and /auth/validate both accept the token, False when both refuse it with 401."""
    client = app.test_client()
    statuses = {
        client.get("/hello", headers={"Authorization": f"Bearer {token}"}).status_code,
        client.post("/auth/validate", json={"token": token}).status_code,
    }
    assert statuses in ({200}, {401}), statuses
    return statuses == {200}


def issuers(pool) -> tuple[str, str]:
    """The pool's ORIGINAL and UPDATED issuer forms."""
    region, pool_id = pool["region"], pool["user_pool_id"]
    return (
        f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
        f"https://issuer-cognito-idp.{region}.amazonaws.com/{pool_id}",
    )


def variants(issuer: str) -> list[str]:
    """Near misses of an issuer: none may pass, as matching is exact."""
    scheme, rest = issuer.split("://")
    near = [
        issuer + "/",
        issuer + "x",
        issuer[:-1],
        issuer + "/.well-known/jwks.json",
        issuer.upper(),
        issuer.swapcase(),
        f"{'https' if scheme == 'http' else 'http'}://{rest}",
        issuer.rsplit("/", 1)[0] + "/us-east-1_0therPool",
        issuer.replace("us-east-1", "eu-west-1"),
        f" {issuer}",
        f"{issuer}\n",
        issuer.replace("://", "://evil.example/"),
        "",
    ]
    return [variant for variant in near if variant != issuer]  # some edits do not apply to every issuer


@pytest.mark.parametrize("form", ["original", "updated"])
@pytest.mark.parametrize("kind", ["id", "access"])
def test_both_aws_issuer_forms_are_accepted(pool, kind, form):
    app = create_app(pool)
    issuer = issuers(pool)[form == "updated"]
    assert accepted(app, Minter(issuer, pool["client_id"]).token(kind))


@pytest.mark.slow  # sleeps or waits out timeouts: seconds
@pytest.mark.parametrize("form", ["original", "updated"])
def test_near_misses_of_either_aws_issuer_are_refused(pool, form):
    app = create_app(pool)
    issuer = issuers(pool)[form == "updated"]
    for variant in variants(issuer):
        assert not accepted(app, Minter(variant, pool["client_id"]).token()), variant


@pytest.mark.slow  # sleeps or waits out timeouts: seconds
def test_with_cognito_issuer_set_only_that_exact_issuer_is_accepted(pool):
    app = create_app({**pool, "issuer_override": LOCAL_ISSUER})
    for kind in ("id", "access"):
        assert accepted(app, Minter(LOCAL_ISSUER, pool["client_id"]).token(kind))
    for other in (*issuers(pool), *variants(LOCAL_ISSUER)):
        assert not accepted(app, Minter(other, pool["client_id"]).token()), other


@pytest.mark.parametrize("kind", ["id", "access"])
def test_tokens_of_an_accepted_extra_client_pass_and_of_any_other_are_refused(pool, kind):
    app = create_app({**pool, "accepted_client_ids": frozenset({EXTRA_CLIENT})})
    issuer = issuers(pool)[0]
    for client_id in (pool["client_id"], EXTRA_CLIENT):
        assert accepted(app, Minter(issuer, client_id).token(kind)), client_id
    for client_id in ("otherclient1", EXTRA_CLIENT.upper(), EXTRA_CLIENT + "x", EXTRA_CLIENT[:-1], ""):
        assert not accepted(app, Minter(issuer, client_id).token(kind)), client_id


def test_an_extra_client_is_refused_unless_configured(pool):
    app = create_app(pool)
    minter = Minter(issuers(pool)[0], EXTRA_CLIENT)
    assert not accepted(app, minter.token("id"))
    assert not accepted(app, minter.token("access"))


def test_an_id_tokens_aud_must_be_one_string_as_cognito_issues_it(pool):
    """An array is a valid JWT `aud`, but Cognito never issues one and aws-jwt-verify refuses it: so do we."""
    app = create_app({**pool, "accepted_client_ids": frozenset({EXTRA_CLIENT})})
    minter = Minter(issuers(pool)[0], pool["client_id"])
    assert accepted(app, minter.token("id", aud=EXTRA_CLIENT))
    assert not accepted(app, minter.token("id", aud=["otherclient1", EXTRA_CLIENT]))
    assert not accepted(app, minter.token("id", aud=[pool["client_id"]]))
    assert not accepted(app, minter.token("id", aud=["otherclient1", "otherclient2"]))
    assert not accepted(app, minter.token("id", aud=[]))
