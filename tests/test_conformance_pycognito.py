"""Conformance by a real client: pycognito 2024.5 (pinned in requirements-dev.txt) against the embedded emulator.
pycognito computes SRP itself (pycognito/aws_srp.py) and verifies every token it is given (signature against the
pool's JWKS, `iss`, `aud` for ID tokens, `token_use`), so each test holds a Cognito behaviour a real client relies on;
each names it and where it is documented.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.support.helpers import PASSWORD, bearer
from tests.support.srp_steps import srp_app_client

# The emulator serves in a thread of this process: an error it logs (an HTML 500) fails the test.
pytestmark = pytest.mark.usefixtures("no_emulator_errors")

pycognito = pytest.importorskip("pycognito")
NEW_PASSWORD = "N3wPassword!"


@pytest.fixture(name="jwks")
def jwks_fixture(emulator: Any, pool: dict[str, Any]) -> dict[str, Any]:
    """The pool's JWKS as the emulator serves it (pycognito would fetch it from AWS's host)."""
    return requests.get(f"{emulator.endpoint_url}/{pool['user_pool_id']}/.well-known/jwks.json", timeout=10).json()  # type: ignore[no-any-return]


def user(emulator: Any, pool: dict[str, Any], jwks: dict[str, Any], name: str = "alice", **options: Any) -> Any:
    """A pycognito Cognito object for `name`, on the emulator's boto3 client; tokens it verifies with `jwks`."""
    cognito = pycognito.Cognito(
        pool["user_pool_id"], options.pop("client_id", pool["client_id"]), username=name, **options
    )
    cognito.client = emulator.client  # the emulator's endpoint; `iss` stays AWS's, as the emulator's tokens carry
    cognito.pool_jwk = jwks
    return cognito


def refused(call: Any, *args: Any) -> tuple[str, str]:
    """The Cognito error code and message a pycognito call fails with."""
    with pytest.raises(ClientError) as raised:
        call(*args)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_srp_with_the_right_password_signs_in_and_the_tokens_verify(emulator, pool, jwks, srp_alice, client):
    """USER_SRP_AUTH → PASSWORD_VERIFIER → tokens (PROTOCOLS-2.md section 1; Cognito Developer Guide, "User pool
    authentication flow"). pycognito's _set_tokens verifies both JWTs: signature, `iss`, `aud`, `token_use`."""
    alice_ = user(emulator, pool, jwks)
    alice_.authenticate(password=PASSWORD)
    assert alice_.id_claims["cognito:username"] == "alice" and alice_.access_claims["token_use"] == "access"
    assert alice_.refresh_token
    assert client.get("/hello", headers=bearer(alice_.id_token)).status_code == 200  # the server takes them too


def test_srp_with_a_wrong_password_is_refused(emulator, pool, jwks, srp_alice):
    """A wrong password: NotAuthorizedException "Incorrect username or password." at RespondToAuthChallenge
    (measured on Cognito, PROTOCOLS-2.md section 1). Before srp.py, the emulator accepted any password."""
    alice_ = user(emulator, pool, jwks)
    assert refused(alice_.authenticate, "Wr0ngPassword!") == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    assert alice_.id_token is None


def test_srp_with_a_client_secret(emulator, pool, jwks, srp_alice):
    """An app client with a secret: SECRET_HASH in InitiateAuth and in the PASSWORD_VERIFIER answer
    (ChallengeResponseType API reference: "You must provide a SECRET_HASH parameter in all challenge responses")."""
    app_client = srp_app_client(emulator, pool["user_pool_id"], "s", GenerateSecret=True)
    options = {"client_id": app_client["ClientId"], "client_secret": app_client["ClientSecret"]}
    alice_ = user(emulator, pool, jwks, **options)
    alice_.authenticate(password=PASSWORD)
    assert alice_.id_claims["aud"] == app_client["ClientId"]
    wrong_secret = user(emulator, pool, jwks, client_id=app_client["ClientId"], client_secret="not-the-secret")
    code, _ = refused(wrong_secret.authenticate, PASSWORD)
    assert code == "NotAuthorizedException"


def test_renew_gives_fresh_tokens(emulator, pool, jwks, srp_alice):
    """REFRESH_TOKEN_AUTH with the refresh token of an SRP sign-in: new access and ID tokens, no new refresh token
    (InitiateAuth API reference, REFRESH_TOKEN_AUTH); pycognito verifies them."""
    alice_ = user(emulator, pool, jwks)
    alice_.authenticate(password=PASSWORD)
    first, refresh = alice_.access_token, alice_.refresh_token
    alice_.renew_access_token()
    assert alice_.access_token != first and alice_.refresh_token == refresh
    assert alice_.access_claims["username"] == "alice"


def test_change_password(emulator, pool, jwks, srp_alice):
    """ChangePassword with the access token: the new password signs in by SRP, the old one no longer does
    (ChangePassword API reference)."""
    alice_ = user(emulator, pool, jwks)
    alice_.authenticate(password=PASSWORD)
    alice_.change_password(PASSWORD, NEW_PASSWORD)
    again = user(emulator, pool, jwks)
    assert refused(again.authenticate, PASSWORD)[0] == "NotAuthorizedException"
    again.authenticate(password=NEW_PASSWORD)
    assert again.id_claims["cognito:username"] == "alice"


def test_forgot_password_and_confirm_with_the_delivered_code(emulator, pool, jwks, srp_alice):
    """ForgotPassword delivers a code; ConfirmForgotPassword with it sets the new password, which then signs in by
    SRP (ForgotPassword / ConfirmForgotPassword API reference). The code is the one the emulator delivered."""
    alice_ = user(emulator, pool, jwks)
    alice_.initiate_forgot_password()
    code = emulator.last_code("alice", "EMAIL")
    assert code is not None
    alice_.confirm_forgot_password(code, NEW_PASSWORD)
    again = user(emulator, pool, jwks)
    again.authenticate(password=NEW_PASSWORD)
    assert again.id_claims["cognito:username"] == "alice"
    assert refused(user(emulator, pool, jwks).authenticate, PASSWORD)[0] == "NotAuthorizedException"
