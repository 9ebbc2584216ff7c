"""aws-jwt-verify (tests/amplify, pinned by its lock file) on every way the emulator issues tokens: each token is
verified by CognitoJwtVerifier for its pool and client, with the JWKS fetched over HTTP from the emulator.

What it holds (aws-jwt-verify `src/cognito-verifier.ts`; Developer Guide "Verifying a JSON Web Token"): an RS256
signature by a key of the pool's JWKS, `iss` the pool's issuer, `token_use` right for the token (`id` / `access`),
`aud` (ID) or `client_id` (access) one of the app clients, `exp` in the future. Every path must pass, and a token
offered as the other type must be refused (the check can fail)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.support.conformance import Tokens, confirmed_user, ok, public_pool, run_amplify, verify
from tests.support.helpers import PASSWORD
from tests.support.managed_login import code_tokens, exchange, managed_login_pool

pytestmark = [pytest.mark.node, pytest.mark.subprocess]


def both(answer: dict[str, Any]) -> Tokens:
    """The ID and access tokens of an AuthenticationResult (or a token endpoint's answer)."""
    id_token = answer.get("IdToken") or answer.get("id_token") or answer.get("idToken")
    access = answer.get("AccessToken") or answer.get("access_token") or answer.get("accessToken")
    assert id_token and access, f"no ID and access token in {sorted(answer)}"
    return [(id_token, "id"), (access, "access")]


def signed_in(emulator, web: dict[str, str]) -> dict[str, Any]:
    answer = emulator.client.initiate_auth(
        ClientId=web["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    return answer["AuthenticationResult"]  # type: ignore[no-any-return]


def user_password(emulator, web) -> Tokens:
    return both(signed_in(emulator, web))


def srp(emulator, web) -> Tokens:
    return both(ok(run_amplify(emulator, web, "srp", username="alice")["tokens"]))


def user_auth_password(emulator, web) -> Tokens:
    answer = emulator.client.initiate_auth(
        ClientId=web["client_id"],
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD},
    )
    return both(answer["AuthenticationResult"])


def user_auth_email_otp(emulator, web) -> Tokens:
    started = emulator.client.initiate_auth(
        ClientId=web["client_id"],
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"},
    )
    assert started["ChallengeName"] == "EMAIL_OTP"
    answer = emulator.client.respond_to_auth_challenge(
        ClientId=web["client_id"],
        ChallengeName="EMAIL_OTP",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": "alice", "EMAIL_OTP_CODE": emulator.last_code("alice", "EMAIL")},
    )
    return both(answer["AuthenticationResult"])


def refresh_token_auth(emulator, web) -> Tokens:
    answer = emulator.client.initiate_auth(
        ClientId=web["client_id"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": signed_in(emulator, web)["RefreshToken"]},
    )
    return both(answer["AuthenticationResult"])


def get_tokens_from_refresh_token(emulator, web) -> Tokens:
    refresh = signed_in(emulator, web)["RefreshToken"]
    answer = emulator.client.get_tokens_from_refresh_token(ClientId=web["client_id"], RefreshToken=refresh)
    return both(answer["AuthenticationResult"])


def amplify_refresh(emulator, web) -> Tokens:
    return both(ok(run_amplify(emulator, web, "refresh", username="alice")["fetchAuthSession forceRefresh"]))


USER_PATHS: dict[str, Callable[[Any, dict[str, str]], Tokens]] = {
    "USER_PASSWORD_AUTH": user_password,
    "USER_SRP_AUTH (Amplify)": srp,
    "USER_AUTH PASSWORD": user_auth_password,
    "USER_AUTH EMAIL_OTP": user_auth_email_otp,
    "REFRESH_TOKEN_AUTH": refresh_token_auth,
    "GetTokensFromRefreshToken": get_tokens_from_refresh_token,
    "refresh (Amplify forceRefresh)": amplify_refresh,
}


def assert_verified(emulator, pool_id: str, client_ids: list[str], tokens: Tokens) -> list[dict[str, Any]]:
    """Every token passes for its own type and fails as the other; the JWKS came from the pool's URI."""
    swapped: Tokens = [(token, "access" if use == "id" else "id") for token, use in tokens]
    result = verify(emulator, pool_id, client_ids, tokens + swapped)
    verdicts = result["verdicts"]
    right, wrong = verdicts[: len(tokens)], verdicts[len(tokens) :]
    assert [v["error"] for v in right] == [None] * len(tokens)
    assert not any(v["accepted"] for v in wrong), "a token passed as the other type"
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    assert set(result["fetched"]) == {f"{issuer}/.well-known/jwks.json"}
    return [v["payload"] for v in right]


@pytest.mark.parametrize("path", list(USER_PATHS))
def test_aws_jwt_verify_accepts_the_tokens_of_every_sign_in_path(emulator, path):
    """Tokens from every user sign-in path (password, SRP, choice-based with a password or an email code, both
    refresh operations, Amplify's refresh) are Cognito JWTs aws-jwt-verify accepts for the pool and client.
    Sources: Developer Guide "Verifying a JSON Web Token", "Understanding user pool JSON web tokens"."""
    emulator.reset()
    web = public_pool(emulator.client)
    confirmed_user(emulator.client, web["user_pool_id"], "alice")
    payloads = assert_verified(emulator, web["user_pool_id"], [web["client_id"]], USER_PATHS[path](emulator, web))
    assert {p["token_use"] for p in payloads} == {"id", "access"}
    assert all(p.get("cognito:username", p.get("username")) == "alice" for p in payloads)


@pytest.fixture
def oauth(emulator, pool):
    """The conftest pool with managed login, a user alice and the machine client."""
    return managed_login_pool(emulator, pool)


def test_aws_jwt_verify_accepts_the_oauth_code_flows_tokens(emulator, oauth):
    """The authorization code grant (with PKCE) at /oauth2/token answers ID and access tokens aws-jwt-verify
    accepts. Source: Developer Guide "Token endpoint"."""
    tokens = code_tokens(emulator, oauth, scope="openid email profile")
    payloads = assert_verified(emulator, oauth["user_pool_id"], [oauth["client_id"]], both(tokens))
    assert payloads[1]["scope"].split() == ["openid", "email", "profile"]


def test_aws_jwt_verify_accepts_a_client_credentials_token(emulator, oauth):
    """The client_credentials grant answers an access token (no ID token) for the machine client, with the
    resource server's scope, that aws-jwt-verify accepts for that client. Source: Developer Guide "Token endpoint",
    "Scopes, M2M, and APIs with resource servers"."""
    machine, secret = oauth["machine_client_id"], oauth["machine_client_secret"]
    url = emulator.endpoint_url
    form = {"grant_type": "client_credentials", "client_id": machine, "client_secret": secret, "scope": "orders/read"}
    answer = exchange(url, **form)
    assert answer.status_code == 200, answer.text
    assert "id_token" not in answer.json()
    token = answer.json()["access_token"]
    (payload,) = assert_verified(emulator, oauth["user_pool_id"], [machine], [(token, "access")])
    assert payload["client_id"] == payload["sub"] == machine and payload["scope"] == "orders/read"


def test_the_jwks_is_served_over_http_where_the_verifier_fetches_it(emulator, pool):
    """The pool's JWKS (RSA keys, RS256, `kid`s) at `/{pool}/.well-known/jwks.json`: what CognitoJwtVerifier's
    fetcher is given. Source: Developer Guide "Verifying a JSON Web Token" (step: download the JWKS)."""
    keys = requests.get(f"{emulator.endpoint_url}/{pool['user_pool_id']}/.well-known/jwks.json", timeout=5).json()
    assert keys["keys"] and all(k["kty"] == "RSA" and k["alg"] == "RS256" and k["kid"] for k in keys["keys"])
