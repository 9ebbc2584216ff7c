"""ExampleIdP federation on the emulator end to end over HTTP: oidc-provider's development sign-in, the pool
user Cognito makes (`ExampleIdP_<sub>`, `identities`, the automatic group), idp_identifier and login_hint, the
IdP's refusal, answers not started in this browser, and `make run` starting and stopping the IdP."""

from __future__ import annotations

import json
import re

import pytest
import requests

from tests.support.managed_login import (
    PORT,
    REDIRECT,
    authorize_url,
    claims,
    exchange,
    follow,
    managed_login_pool,
    query_of,
)

pytestmark = [pytest.mark.node, pytest.mark.subprocess]


@pytest.fixture
def oauth(emulator, pool):
    """The pool with managed login on and a user alice."""
    return managed_login_pool(emulator, pool)


def login_page(emulator, oauth) -> str:
    url = authorize_url(emulator.endpoint_url, oauth["client_id"], REDIRECT)
    return requests.get(url, timeout=5).text


def test_signing_in_with_example_idp_makes_the_pool_user_cognito_would(emulator, oauth, example_idp):
    emulator.enable_oauth(oauth, PORT, example_idp=example_idp)
    browser = requests.Session()
    assert "Sign in with ExampleIdP" in login_page(emulator, oauth)
    url = authorize_url(
        emulator.endpoint_url, oauth["client_id"], REDIRECT, identity_provider="ExampleIdP", nonce="n-7"
    )
    done = follow(browser, url, REDIRECT, {"login": "bob", "password": "any"})
    answer = query_of(done)
    tokens = exchange(
        emulator.endpoint_url,
        grant_type="authorization_code",
        client_id=oauth["client_id"],
        code=answer["code"],
        redirect_uri=REDIRECT,
    ).json()
    id_token = claims(tokens["id_token"])
    group = f"{oauth['user_pool_id']}_ExampleIdP"
    assert id_token["cognito:username"] == "ExampleIdP_bob" and id_token["nonce"] == "n-7"
    assert id_token["identities"][0]["userId"] == "bob" and id_token["identities"][0]["providerName"] == "ExampleIdP"
    assert id_token["cognito:groups"] == [group] and id_token["email"] == "bob@example.com"
    user = emulator.client.admin_get_user(UserPoolId=oauth["user_pool_id"], Username="ExampleIdP_bob")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    groups = emulator.client.admin_list_groups_for_user(UserPoolId=oauth["user_pool_id"], Username="ExampleIdP_bob")
    assert [g["GroupName"] for g in groups["Groups"]] == [group]
    again = browser.get(authorize_url(emulator.endpoint_url, oauth["client_id"], REDIRECT), allow_redirects=False)
    assert "code" in query_of(again.headers["Location"])  # a managed-login session, as after a password sign-in


def test_an_idp_answer_not_started_in_this_browser_is_refused(emulator, oauth, example_idp):
    emulator.enable_oauth(oauth, PORT, example_idp=example_idp)
    response = requests.get(f"{emulator.endpoint_url}/oauth2/idpresponse", params={"code": "x", "state": "forged"})
    assert response.status_code == 400 and "not started in this browser" in response.text


def test_make_run_offers_example_idp_on_the_servers_port_and_stops_it_with_the_server(tmp_path, serve):
    state = tmp_path / "state.json"
    server = serve({"LOCAL_COGNITO_STATE": str(state), "LOCAL_EXAMPLE_IDP": "on"})
    try:
        config = requests.get(f"{server.url}/auth/config", timeout=5).json()
        endpoint = re.search(r"emulator at (http://127\.0\.0\.1:\d+)", server.output()).group(1)
        callback = f"http://127.0.0.1:{server.port}/auth/oauth/callback"
        login = requests.get(authorize_url(endpoint, config["client_id"], callback), timeout=5)
        assert login.status_code == 200 and "Sign in with ExampleIdP" in login.text
    finally:
        server.stop()
    saved = json.loads(state.read_text())["pools"][0]
    issuer = saved["identity_providers"][0]["settings"]["ProviderDetails"]["oidc_issuer"]
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{issuer}/health", timeout=2)  # the IdP ended with the server


def test_idp_identifier_and_login_hint_reach_the_idp_and_its_refusal_reaches_the_app(emulator, oauth, example_idp):
    emulator.enable_oauth(oauth, PORT, example_idp=example_idp)
    browser = requests.Session()
    url = authorize_url(emulator.endpoint_url, oauth["client_id"], REDIRECT, idp_identifier="example.com", state="s-3")
    sent = browser.get(url + "&login_hint=bob", allow_redirects=False, timeout=5)
    assert sent.status_code == 302 and sent.headers["Location"].startswith(f"{example_idp.issuer}/auth?")
    to_idp = query_of(sent.headers["Location"])
    assert to_idp["login_hint"] == "bob" and to_idp["code_challenge_method"] == "S256" and to_idp["nonce"]
    refused = browser.get(
        f"{emulator.endpoint_url}/oauth2/idpresponse",
        params={"error": "access_denied", "state": to_idp["state"]},
        allow_redirects=False,
        timeout=5,
    )
    answer = query_of(refused.headers["Location"])
    assert refused.headers["Location"].startswith(REDIRECT) and answer["error"] == "access_denied"
    assert answer["state"] == "s-3" and "code" not in answer
