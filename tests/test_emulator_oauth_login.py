"""The emulator's browser side of managed login over HTTP: /oauth2/authorize's checks and error answers, the
sign-in page (labelled, CSRF-safe, strict CSP), the managed-login session and /logout, the discovery document,
the gate opening these paths only, refresh grants across a restart, and odd input (never a 5xx).
ExampleIdP federation: tests/test_emulator_oauth_federation.py."""

from __future__ import annotations

import pytest
import requests

from cognito_emulator.emulator import LocalCognito
from tests.support.helpers import PASSWORD
from tests.support.managed_login import (
    PORT,
    REDIRECT,
    claims,
    code_tokens,
    exchange,
    form_of,
    managed_login_pool,
    query_of,
    sign_in,
)


@pytest.fixture
def oauth(emulator, pool):
    """The pool with managed login on and a user alice."""
    return managed_login_pool(emulator, pool)


def authorize(emulator, oauth, **params) -> requests.Response:
    query = {"response_type": "code", "client_id": oauth["client_id"], "redirect_uri": REDIRECT, **params}
    return requests.get(f"{emulator.endpoint_url}/oauth2/authorize", params=query, allow_redirects=False, timeout=5)


@pytest.mark.parametrize(
    "params",
    [
        {"client_id": "unknown12345"},
        {"client_id": ""},
        {"redirect_uri": "http://evil.example/cb"},
        {"redirect_uri": ""},
    ],
    ids=["unknown-client", "no-client", "redirect-not-a-callback-url", "no-redirect"],
)
def test_an_untrusted_client_or_redirect_uri_gets_the_error_page_never_a_redirect(emulator, oauth, params):
    response = authorize(emulator, oauth, state="s", **params)
    assert response.status_code == 400 and "Location" not in response.headers
    assert response.headers["Content-Type"].startswith("text/html") and "error" in response.text


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "openid orders/read"}, "invalid_scope"),
        ({"scope": "phone"}, "invalid_scope"),
        ({"code_challenge": "a" * 43, "code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "short", "code_challenge_method": "S256"}, "invalid_request"),
        ({"identity_provider": "Google"}, "invalid_request"),
    ],
)
def test_other_mistakes_go_back_to_the_app_with_error_and_state(emulator, oauth, params, error):
    response = authorize(emulator, oauth, state="st-9", **params)
    assert response.status_code == 302 and response.headers["Location"].startswith(REDIRECT + "?")
    answer = query_of(response.headers["Location"])
    assert answer["error"] == error and answer["state"] == "st-9" and "code" not in answer


def test_a_client_without_the_code_grant_is_unauthorized(emulator, oauth):
    ids = {"UserPoolId": oauth["user_pool_id"], "ClientId": oauth["client_id"]}
    emulator.client.update_user_pool_client(**ids, AllowedOAuthFlowsUserPoolClient=False, CallbackURLs=[REDIRECT])
    response = authorize(emulator, oauth)
    assert query_of(response.headers["Location"])["error"] == "unauthorized_client"


def test_the_sign_in_page_is_labelled_csrf_protected_and_locked_down(emulator, oauth):
    page = requests.get(emulator.endpoint_url + authorize(emulator, oauth, login_hint="al").headers["Location"])
    assert page.status_code == 200
    for label in ('<label for="username">', '<label for="password">', 'id="username"', 'id="password"'):
        assert label in page.text
    action, fields = form_of(page.text)
    assert fields["username"] == "al" and len(fields["_csrf"]) == 64 and action.startswith("/login?")
    csp = page.headers["Content-Security-Policy"]
    assert (
        "default-src 'none'" in csp
        and "frame-ancestors 'none'" in csp
        and "form-action 'self' http://localhost:5999" in csp
    )
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["Cache-Control"] == "no-store"
    assert not any(asset in page.text for asset in ("<script", "src=", "@import", "<link"))  # no external assets


def login_form(emulator, oauth, browser: requests.Session) -> tuple[str, dict[str, str]]:
    page = browser.get(emulator.endpoint_url + authorize(emulator, oauth).headers["Location"], timeout=5)
    action, fields = form_of(page.text)
    return emulator.endpoint_url + action, fields


@pytest.mark.parametrize(
    ("change", "headers"),
    [({"_csrf": "0" * 64}, {}), ({}, {"Origin": "http://evil.example"}), ({}, {"Sec-Fetch-Site": "cross-site"})],
    ids=["wrong-token", "other-origin", "cross-site"],
)
def test_a_forged_sign_in_post_is_refused(emulator, oauth, change, headers):
    browser = requests.Session()
    url, fields = login_form(emulator, oauth, browser)
    form = {**fields, "username": "alice", "password": PASSWORD, **change}
    response = browser.post(url, data=form, headers=headers, allow_redirects=False, timeout=5)
    assert response.status_code == 403 and "Location" not in response.headers


def test_a_wrong_password_shows_the_error_on_the_page(emulator, oauth):
    browser = requests.Session()
    url, fields = login_form(emulator, oauth, browser)
    response = browser.post(url, data={**fields, "username": "alice", "password": "wrong"}, allow_redirects=False)
    assert response.status_code == 401 and 'role="alert"' in response.text
    assert "Incorrect username or password." in response.text and 'aria-describedby="error"' in response.text


def test_the_session_skips_the_form_until_logout_and_prompt_login_asks_again(emulator, oauth):
    browser, first = sign_in(emulator, oauth)
    again = browser.get(authorize(emulator, oauth).url, allow_redirects=False, timeout=5)
    assert again.status_code == 302 and query_of(again.headers["Location"])["code"] != first["code"]
    forced = browser.get(authorize(emulator, oauth, prompt="login").url, allow_redirects=False, timeout=5)
    assert forced.headers["Location"].startswith("/login?")
    out = browser.get(
        f"{emulator.endpoint_url}/logout",
        params={"client_id": oauth["client_id"], "logout_uri": f"http://localhost:{PORT}/"},
        allow_redirects=False,
        timeout=5,
    )
    assert out.status_code == 302 and out.headers["Location"] == f"http://localhost:{PORT}/"
    after = browser.get(authorize(emulator, oauth).url, allow_redirects=False, timeout=5)
    assert after.headers["Location"].startswith("/login?")  # the session is over


def test_logout_refuses_a_logout_uri_that_is_not_a_sign_out_url(emulator, oauth):
    browser, _ = sign_in(emulator, oauth)
    for params in ({"logout_uri": "http://evil.example/"}, {"client_id": "unknown12345"}, {}):
        query = {"client_id": oauth["client_id"], "logout_uri": f"http://localhost:{PORT}/", **params}
        query = {k: v for k, v in query.items() if params or k != "logout_uri"}
        out = browser.get(f"{emulator.endpoint_url}/logout", params=query, allow_redirects=False, timeout=5)
        assert out.status_code == 400 and "Location" not in out.headers
    still = browser.get(authorize(emulator, oauth).url, allow_redirects=False, timeout=5)
    assert "code" in query_of(still.headers["Location"])  # a refused logout ended nothing


def test_the_discovery_document_names_the_endpoints(emulator, oauth):
    url = f"{emulator.endpoint_url}/{oauth['user_pool_id']}/.well-known/openid-configuration"
    document = requests.get(url, timeout=5).json()
    assert document["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{oauth['user_pool_id']}"
    for name, path in [
        ("authorization", "authorize"),
        ("token", "token"),
        ("userinfo", "userInfo"),
        ("revocation", "revoke"),
    ]:
        assert document[f"{name}_endpoint"] == f"{emulator.endpoint_url}/oauth2/{path}"
    assert document["jwks_uri"] == oauth["jwks_url"] and requests.get(document["jwks_uri"], timeout=5).json()["keys"]
    assert requests.get(f"{emulator.endpoint_url}/us-east-1_nope/.well-known/openid-configuration").status_code == 404


def test_browsers_reach_the_oauth_paths_only_and_never_read_an_answer(emulator, oauth):
    origin = {"Origin": "http://127.0.0.1:8080"}
    navigated = requests.get(authorize(emulator, oauth).url, headers=origin, allow_redirects=False, timeout=5)
    token = requests.post(f"{emulator.endpoint_url}/oauth2/token", data={"grant_type": "x"}, headers=origin, timeout=5)
    assert navigated.status_code == 302 and token.status_code == 400
    for response in (navigated, token):
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]
    moto = requests.post(f"{emulator.endpoint_url}/", headers=origin, timeout=5)
    assert moto.status_code == 403  # the rest of the emulator stays closed to browsers
    other_host = requests.get(authorize(emulator, oauth).url, headers={"Host": "evil.example"}, timeout=5)
    assert other_host.status_code == 403


def test_enable_oauth_sets_the_client_as_managed_login_needs(emulator, pool):
    ids = {"UserPoolId": pool["user_pool_id"], "ClientId": pool["client_id"]}
    flows = emulator.client.describe_user_pool_client(**ids)["UserPoolClient"]["ExplicitAuthFlows"]
    emulator.enable_oauth(pool, 5123)
    client = emulator.client.describe_user_pool_client(**ids)["UserPoolClient"]
    assert client["CallbackURLs"] == [
        "http://localhost:5123/auth/oauth/callback",
        "http://127.0.0.1:5123/auth/oauth/callback",
    ]
    assert client["LogoutURLs"] == ["http://localhost:5123/", "http://127.0.0.1:5123/"]
    assert client["AllowedOAuthFlows"] == ["code"] and client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["ExplicitAuthFlows"] == flows and "ALLOW_USER_PASSWORD_AUTH" in flows  # kept as it was
    assert (
        emulator.enable_oauth(pool, 5123)
        and len(
            emulator.client.list_user_pool_clients(UserPoolId=pool["user_pool_id"], MaxResults=10)["UserPoolClients"]
        )
        == 2
    )  # idempotent: one machine client


def test_a_refresh_tokens_scopes_survive_a_restart(tmp_path):
    state = str(tmp_path / "state.json")
    first = LocalCognito(state_file=state)
    try:
        settings = first.local_pool()
        oauth = managed_login_pool(first, settings)
        refresh = code_tokens(first, oauth, scope="openid email")["refresh_token"]
    finally:
        first.stop()
        first.reset()  # moto's state is this process's: only the file can bring the grant back
    second = LocalCognito(state_file=state)
    try:
        answer = exchange(
            second.endpoint_url, grant_type="refresh_token", client_id=oauth["client_id"], refresh_token=refresh
        )
        assert answer.status_code == 200 and claims(answer.json()["access_token"])["scope"] == "openid email"
    finally:
        second.stop()


ODD = [
    ("GET", "/oauth2/authorize", {"params": {"client_id": ["a", "b"], "redirect_uri": "\x00"}}),
    ("GET", "/oauth2/token", {}),
    ("POST", "/oauth2/token", {"headers": {"Authorization": "Basic !!!"}, "data": {"grant_type": "refresh_token"}}),
    ("POST", "/oauth2/token", {"headers": {"Authorization": "Basic " + "a" * 9000}}),
    ("POST", "/oauth2/token", {"data": b"\xff\xfe", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}),
    ("GET", "/oauth2/userInfo", {"headers": {"Authorization": "Bearer e30.e30.e30"}}),
    ("GET", "/oauth2/userInfo", {"headers": {"Authorization": "Bearer eyJ.eyJpc3MiOjF9.x"}}),
    ("POST", "/oauth2/revoke", {"data": {"token": "x"}}),
    ("GET", "/oauth2/idpresponse", {}),
    ("POST", "/login", {"data": {"username": "alice"}}),
    ("GET", "/logout", {"params": {"client_id": "x" * 5000}}),
    ("GET", "/%00/.well-known/openid-configuration", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), ODD)
def test_odd_input_never_makes_a_server_error(emulator, oauth, method, path, kwargs):
    response = requests.request(method, emulator.endpoint_url + path, allow_redirects=False, timeout=5, **kwargs)
    assert 400 <= response.status_code < 500, response.text[:300]


def test_without_a_running_idp_the_page_offers_none(emulator, oauth):
    page = requests.get(emulator.endpoint_url + authorize(emulator, oauth).headers["Location"], timeout=5)
    assert page.status_code == 200 and "Sign in with" not in page.text.replace("<h1>Sign in</h1>", "")
