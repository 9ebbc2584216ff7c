"""The emulator's managed-login OAuth endpoints over HTTP, as real Cognito answers them (PROTOCOLS.md C):
authorize, the sign-in form, the token endpoint's three grants and its errors, userInfo, revoke, logout,
discovery; ExampleIdP federation end to end; and the server's own verifier accepting what it issues."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from app import create_app
from services.tokens.jwks import JwksCache
from services.tokens.verifier import Pool, TokenVerifier, is_machine
from tests.support.helpers import PASSWORD, bearer
from tests.support.managed_login import REDIRECT, claims, code_tokens, exchange, managed_login_pool, pkce, sign_in


@pytest.fixture
def oauth(emulator, pool):
    """The pool with managed login on and a user alice."""
    return managed_login_pool(emulator, pool)


def test_the_code_flow_with_pkce_answers_tokens_with_cognitos_claims(emulator, oauth):
    tokens = code_tokens(emulator, oauth, scope="openid email", state="s-1", nonce="n-1")
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600 and tokens["refresh_token"]
    access, id_token = claims(tokens["access_token"]), claims(tokens["id_token"])
    assert access["scope"] == "openid email" and access["token_use"] == "access" and access["username"] == "alice"
    assert access["client_id"] == oauth["client_id"] and access["auth_time"] <= access["iat"]
    assert (
        id_token["nonce"] == "n-1" and id_token["cognito:username"] == "alice" and id_token["aud"] == oauth["client_id"]
    )
    assert id_token["email"] == "alice@example.com" and id_token["auth_time"] == access["auth_time"]
    assert id_token["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{oauth['user_pool_id']}"


def test_the_callback_gets_the_code_and_the_state(emulator, oauth):
    _, answer = sign_in(emulator, oauth, state="xyz")
    assert answer["state"] == "xyz" and len(answer["code"]) > 30 and "error" not in answer


def test_without_openid_there_is_no_id_token(emulator, oauth):
    tokens = code_tokens(emulator, oauth, scope="aws.cognito.signin.user.admin")
    assert "id_token" not in tokens and claims(tokens["access_token"])["scope"] == "aws.cognito.signin.user.admin"


def test_the_servers_verifier_accepts_the_tokens_and_its_routes_serve_them(emulator, oauth):
    tokens = code_tokens(emulator, oauth, scope="openid email profile aws.cognito.signin.user.admin")
    app = create_app(oauth_settings(oauth))
    client = app.test_client()
    assert client.get("/hello", headers=bearer(tokens["access_token"])).status_code == 200
    me = client.get("/auth/me", headers=bearer(tokens["access_token"]))  # GetUser with the OAuth access token
    assert me.status_code == 200 and me.json["username"] == "alice"
    assert server_verifier(oauth).verify(tokens["id_token"], {"id"})["cognito:username"] == "alice"


def oauth_settings(oauth: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in oauth.items() if k not in ("extra", "machine_client_id", "machine_client_secret")} | oauth[
        "extra"
    ]


def server_verifier(oauth: dict[str, Any]) -> TokenVerifier:
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{oauth['user_pool_id']}"
    clients = {oauth["client_id"], oauth["machine_client_id"]}
    pool = Pool(oauth["user_pool_id"], frozenset({issuer}), frozenset(clients), JwksCache(oauth["jwks_url"]))
    return TokenVerifier([pool])


@pytest.mark.parametrize("verifier", ["wrong", None], ids=["wrong-verifier", "missing-verifier"])
def test_pkce_is_enforced_when_a_challenge_was_sent(emulator, oauth, verifier):
    _, challenge = pkce()
    _, answer = sign_in(emulator, oauth, code_challenge=challenge, code_challenge_method="S256")
    form = {"grant_type": "authorization_code", "client_id": oauth["client_id"], "code": answer["code"]}
    form.update(redirect_uri=REDIRECT, **({"code_verifier": verifier} if verifier else {}))
    response = exchange(emulator.endpoint_url, **form)
    assert response.status_code == 400 and response.json() == {"error": "invalid_grant"}


def test_a_code_is_single_use_even_after_a_failed_attempt(emulator, oauth):
    verifier, challenge = pkce()
    _, answer = sign_in(emulator, oauth, code_challenge=challenge, code_challenge_method="S256")
    form = {"grant_type": "authorization_code", "client_id": oauth["client_id"], "code": answer["code"]}
    assert exchange(emulator.endpoint_url, **form, redirect_uri=REDIRECT, code_verifier="bad").status_code == 400
    replay = exchange(emulator.endpoint_url, **form, redirect_uri=REDIRECT, code_verifier=verifier)
    assert replay.status_code == 400 and replay.json() == {"error": "invalid_grant"}


def test_a_replayed_code_is_refused(emulator, oauth):
    _, answer = sign_in(emulator, oauth)
    form = {"grant_type": "authorization_code", "client_id": oauth["client_id"], "code": answer["code"]}
    assert exchange(emulator.endpoint_url, **form, redirect_uri=REDIRECT).status_code == 200
    replay = exchange(emulator.endpoint_url, **form, redirect_uri=REDIRECT)
    assert replay.status_code == 400 and replay.json() == {"error": "invalid_grant"}


def test_a_redirect_uri_that_differs_from_the_authorize_requests_is_refused(emulator, oauth):
    _, answer = sign_in(emulator, oauth)
    other = REDIRECT.replace("localhost", "127.0.0.1")  # also a callback URL of the client, but not this code's
    form = {"grant_type": "authorization_code", "client_id": oauth["client_id"], "code": answer["code"]}
    response = exchange(emulator.endpoint_url, **form, redirect_uri=other)
    assert response.status_code == 400 and response.json() == {"error": "invalid_grant"}


def test_token_endpoint_errors(emulator, oauth):
    url, client = emulator.endpoint_url, oauth["client_id"]
    cases = [
        ({"grant_type": "authorization_code", "client_id": "nope12345", "code": "x"}, "invalid_client"),
        ({"grant_type": "authorization_code", "code": "x"}, "invalid_request"),
        ({"client_id": client, "code": "x"}, "invalid_request"),
        ({"grant_type": "password", "client_id": client}, "unsupported_grant_type"),
        ({"grant_type": "authorization_code", "client_id": client}, "invalid_request"),
        ({"grant_type": "authorization_code", "client_id": client, "code": "made-up"}, "invalid_grant"),
        ({"grant_type": "client_credentials", "client_id": client}, "unauthorized_client"),
        ({"grant_type": "refresh_token", "client_id": client, "refresh_token": "made-up"}, "invalid_grant"),
    ]
    for form, error in cases:
        response = exchange(url, **form)
        assert (response.status_code, response.json()) == (400, {"error": error}), form
        assert response.headers["Cache-Control"] == "no-store"
    as_json = requests.post(f"{url}/oauth2/token", json={"grant_type": "refresh_token", "client_id": client}, timeout=5)
    assert as_json.status_code == 400 and as_json.json() == {"error": "invalid_request"}


def test_client_authentication_by_basic_and_by_body(emulator, oauth):
    url, machine, secret = emulator.endpoint_url, oauth["machine_client_id"], oauth["machine_client_secret"]
    basic = requests.post(f"{url}/oauth2/token", data={"grant_type": "client_credentials"}, auth=(machine, secret))
    body = exchange(url, grant_type="client_credentials", client_id=machine, client_secret=secret)
    assert basic.status_code == 200 and body.status_code == 200
    wrong = requests.post(f"{url}/oauth2/token", data={"grant_type": "client_credentials"}, auth=(machine, "x"))
    no_secret = exchange(url, grant_type="client_credentials", client_id=machine)
    assert [wrong.json(), no_secret.json()] == [{"error": "invalid_client"}] * 2


def test_client_credentials_give_a_machine_token_with_the_resource_servers_scope(emulator, oauth):
    url, machine, secret = emulator.endpoint_url, oauth["machine_client_id"], oauth["machine_client_secret"]
    answer = exchange(
        url, grant_type="client_credentials", client_id=machine, client_secret=secret, scope="orders/read"
    )
    assert answer.status_code == 200 and set(answer.json()) == {"access_token", "expires_in", "token_type"}
    token = answer.json()["access_token"]
    verified = server_verifier(oauth).verify(token, {"access"})
    assert verified["token_use"] == "access" and verified["sub"] == machine == verified["client_id"]
    assert verified["scope"] == "orders/read" and is_machine(verified)
    # The server's routes meet it as a machine: verified, then refused by a route that needs a user.
    client = create_app(oauth_settings(oauth)).test_client()
    assert client.get("/hello", headers=bearer(token)).status_code == 403
    for scope in ("orders/write", "openid"):
        refused = exchange(url, grant_type="client_credentials", client_id=machine, client_secret=secret, scope=scope)
        assert refused.status_code == 400 and refused.json() == {"error": "invalid_scope"}


def test_the_refresh_token_grant_keeps_the_scopes_and_issues_no_new_refresh_token(emulator, oauth):
    tokens = code_tokens(emulator, oauth, scope="openid profile", nonce="n")
    refreshed = exchange(
        emulator.endpoint_url,
        grant_type="refresh_token",
        client_id=oauth["client_id"],
        refresh_token=tokens["refresh_token"],
    )
    assert refreshed.status_code == 200 and "refresh_token" not in refreshed.json()
    assert claims(refreshed.json()["access_token"])["scope"] == "openid profile"
    new_id = claims(refreshed.json()["id_token"])
    assert "nonce" not in new_id and new_id["auth_time"] == claims(tokens["id_token"])["auth_time"]


def test_user_info_needs_the_openid_scope(emulator, oauth):
    url = f"{emulator.endpoint_url}/oauth2/userInfo"
    tokens = code_tokens(emulator, oauth, scope="openid email")
    answer = requests.get(url, headers=bearer(tokens["access_token"]), timeout=5)
    assert answer.status_code == 200 and answer.json()["username"] == "alice"
    assert answer.json()["email"] == "alice@example.com" and answer.json()["sub"] == claims(tokens["id_token"])["sub"]
    without = code_tokens(emulator, oauth, scope="aws.cognito.signin.user.admin")["access_token"]
    # Without openid, InitiateAuth's (Cognito's API scope only), garbage, an ID token: all refused.
    for token in (without, initiate_auth_token(emulator, oauth), "not-a-token", tokens["id_token"]):
        refused = requests.get(url, headers=bearer(token), timeout=5)
        assert refused.status_code == 401 and refused.json() == {"error": "invalid_token"}
    assert requests.get(url, timeout=5).json() == {"error": "invalid_request"}


def initiate_auth_token(emulator, oauth) -> str:
    result = emulator.client.initiate_auth(
        ClientId=oauth["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    return result["AuthenticationResult"]["AccessToken"]


def test_revoke_ends_the_refresh_token_and_the_tokens_issued_from_it(emulator, oauth):
    url, client = emulator.endpoint_url, oauth["client_id"]
    tokens = code_tokens(emulator, oauth, scope="openid")
    assert requests.post(f"{url}/oauth2/revoke", data={"token": "a.b.c", "client_id": client}).json() == {
        "error": "unsupported_token_type"
    }
    other = (oauth["machine_client_id"], oauth["machine_client_secret"])
    assert requests.post(f"{url}/oauth2/revoke", data={"token": tokens["refresh_token"]}, auth=other).status_code == 200
    still = exchange(url, grant_type="refresh_token", client_id=client, refresh_token=tokens["refresh_token"])
    assert still.status_code == 200  # another client cannot revoke this client's token
    revoked = requests.post(f"{url}/oauth2/revoke", data={"token": tokens["refresh_token"], "client_id": client})
    assert revoked.status_code == 200 and revoked.text == ""
    again = exchange(url, grant_type="refresh_token", client_id=client, refresh_token=tokens["refresh_token"])
    assert again.json() == {"error": "invalid_grant"}
    info = requests.get(f"{url}/oauth2/userInfo", headers=bearer(tokens["access_token"]), timeout=5)
    assert info.status_code == 401
    unknown = requests.post(f"{url}/oauth2/revoke", data={"token": "unknown", "client_id": client})
    assert unknown.status_code == 200  # RFC 7009: nothing to say about a token that is not one


def test_a_code_lives_five_minutes(emulator, oauth, monkeypatch):
    import cognito_emulator.oauth.records as records

    codes = [sign_in(emulator, oauth)[1]["code"] for _ in range(2)]
    now = records.clock()
    form = {"grant_type": "authorization_code", "client_id": oauth["client_id"], "redirect_uri": REDIRECT}
    monkeypatch.setattr(records, "clock", lambda: now + records.CODE_LIFETIME - 5)
    assert exchange(emulator.endpoint_url, **form, code=codes[0]).status_code == 200
    monkeypatch.setattr(records, "clock", lambda: now + records.CODE_LIFETIME + 1)
    late = exchange(emulator.endpoint_url, **form, code=codes[1])
    assert late.status_code == 400 and late.json() == {"error": "invalid_grant"}
