"""Managed login against a scripted Cognito domain (tests/support/hosted_ui.py): the authorize redirect, the
callback's checks (state, nonce, audience, `error=`, rd), the token endpoint's error bodies, a custom domain,
the client secret by HTTP Basic, logout. Each refusal is a clear error and starts no session."""

from __future__ import annotations

import base64
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from app import create_app
from tests.support.helpers import Minter, json_reply
from tests.support.hosted_ui import HostedUI
from tests.support.redirect_cases import OAUTH2_PROXY_PAYLOADS

REDIRECT_URI = "http://localhost/auth/oauth/callback"
LOGOUT_URI = "http://localhost/"


@pytest.fixture
def hosted(pool):
    ui = HostedUI(
        Minter(f"https://cognito-idp.{pool['region']}.amazonaws.com/{pool['user_pool_id']}", pool["client_id"])
    )
    yield ui
    ui.stop()


def managed(pool, domain: str, **settings):
    return {
        **pool,
        "cognito_domain": domain,
        "oauth_redirect_uri": REDIRECT_URI,
        "oauth_logout_uri": LOGOUT_URI,
        "oauth_identity_providers": ("ExampleIdP", "Google"),
        **settings,
    }


@pytest.fixture
def oauth_app(pool, hosted):
    return create_app(managed(pool, hosted.url))


@pytest.fixture
def browser(oauth_app):
    return oauth_app.test_client()


def authorize(browser, query: str = "") -> dict[str, str]:
    """The authorize step: the parameters of the URL it sends the browser to."""
    response = browser.get(f"/auth/oauth/authorize{query}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def back_from(hosted: HostedUI, browser) -> str:
    """The browser's trip to the scripted domain and back: the callback path and query it is sent to."""
    response = browser.get("/auth/oauth/authorize")
    back = requests.get(response.headers["Location"], allow_redirects=False, timeout=5).headers["Location"]
    parts = urlsplit(back)
    return f"{parts.path}?{parts.query}"


def logout(browser, **headers: str):
    """Sign out as the confirmation page's form does: a POST with the session's CSRF token."""
    csrf = browser.get("/auth/session").json["csrf_token"]
    return browser.post("/auth/oauth/logout", data={"csrf_token": csrf}, headers=headers)


def assert_no_session(response, browser) -> None:
    assert not any(
        h.startswith("auth_session=") and "Max-Age=0" not in h for h in response.headers.getlist("Set-Cookie")
    )
    assert browser.get("/auth/session").status_code == 401


def test_authorize_sends_the_browser_to_the_domain_with_pkce_state_and_nonce(browser, hosted, pool):
    response = browser.get("/auth/oauth/authorize?identity_provider=ExampleIdP&login_hint=alice@example.com")
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{hosted.url}/oauth2/authorize"
    params = parse_qs(location.query)
    assert {k: v[0] for k, v in params.items() if k not in ("state", "nonce", "code_challenge")} == {
        "response_type": "code",
        "client_id": pool["client_id"],
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile",
        "code_challenge_method": "S256",
        "identity_provider": "ExampleIdP",
        "login_hint": "alice@example.com",
    }
    assert len(params["state"][0]) >= 32 and len(params["nonce"][0]) >= 32
    assert len(base64.urlsafe_b64decode(params["code_challenge"][0] + "=")) == 32  # a sha256
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("auth_oauth="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=600" in cookie
    assert response.headers["Cache-Control"] == "no-store"
    again = authorize(browser, "?idp_identifier=example.com")
    assert again["idp_identifier"] == "example.com" and again["state"] != params["state"][0]  # fresh each time


def test_the_callback_starts_a_session_and_goes_to_rd(browser, hosted):
    response = browser.get("/auth/oauth/authorize?rd=/hello")
    back = requests.get(response.headers["Location"], allow_redirects=False, timeout=5).headers["Location"]
    parts = urlsplit(back)
    answer = browser.get(f"{parts.path}?{parts.query}")
    assert answer.status_code == 303 and answer.headers["Location"] == "/hello"
    session = browser.get("/auth/session")
    assert session.status_code == 200 and session.json["username"] == "alice"
    assert session.json["email"] == "alice@example.com"
    assert browser.get("/hello").json["username"] == "alice"
    form, authorization = hosted.token_requests[0]
    assert authorization is None and form["client_id"] and len(form["code_verifier"]) >= 43  # a public client
    assert form["redirect_uri"] == REDIRECT_URI and form["grant_type"] == "authorization_code"
    assert any(h.startswith("auth_oauth=;") for h in answer.headers.getlist("Set-Cookie"))  # the sign-in is over


def test_without_rd_the_callback_goes_to_the_root(browser, hosted):
    answer = browser.get(back_from(hosted, browser))
    assert answer.status_code == 303 and answer.headers["Location"] == "/"


def test_a_state_that_does_not_match_is_refused(browser, hosted):
    callback = back_from(hosted, browser)
    forged = callback.replace("state=", "state=x")
    answer = browser.get(forged)
    assert answer.status_code == 400 and answer.json["error"] == "invalid_state"
    assert_no_session(answer, browser)
    assert hosted.token_requests == []  # the code was never exchanged
    assert browser.get(callback).json["error"] == "invalid_state"  # and that sign-in is spent


def test_a_state_already_used_is_refused(browser, hosted, oauth_app):
    callback = back_from(hosted, browser)
    cookie = browser.get_cookie("auth_oauth").value
    assert browser.get(callback).status_code == 303
    browser.delete_cookie("auth_session")
    browser.set_cookie("auth_oauth", cookie)  # the same cookie and state again, within its lifetime
    answer = browser.get(callback)
    assert answer.status_code == 400 and answer.json["error"] == "invalid_state"
    assert_no_session(answer, browser)
    assert len(hosted.token_requests) == 1


def test_a_callback_in_another_browser_is_refused(browser, hosted, oauth_app):
    callback = back_from(hosted, browser)  # the attacker's own sign-in, sent to a victim (login CSRF)
    victim = oauth_app.test_client()
    answer = victim.get(callback)
    assert answer.status_code == 400 and answer.json["error"] == "invalid_state"
    assert_no_session(answer, victim)


@pytest.mark.parametrize(
    "claims, reason",
    [
        (lambda asked: {"nonce": "another-sign-in-s-nonce-0123456789"}, "nonce"),
        (lambda asked: {"nonce": None}, "nonce"),
        (lambda asked: {"aud": "another-client-id"}, "another client"),
        (lambda asked: {"exp": int(time.time()) - 60}, "expired"),
        (lambda asked: {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"}, "issuer"),
    ],
    ids=["nonce-differs", "nonce-missing", "other-client", "expired", "other-issuer"],
)
def test_an_id_token_that_is_not_this_sign_ins_is_refused(browser, hosted, claims, reason):
    hosted.id_claims = claims
    answer = browser.get(back_from(hosted, browser))
    assert answer.status_code == 401 and answer.json["error"] == "invalid_id_token"
    assert reason in answer.json["message"]
    assert_no_session(answer, browser)


@pytest.mark.parametrize(
    "error, expected",
    [("access_denied", "access_denied"), ("server_error", "server_error"), ("<script>", "other")],
)
def test_an_error_from_the_authorize_step_is_shown_in_the_api_s_words(browser, hosted, error, expected):
    state = authorize(browser)["state"]
    answer = browser.get(
        "/auth/oauth/callback", query_string={"error": error, "state": state, "error_description": "pwned"}
    )
    assert answer.status_code == 400 and answer.json["error"] == "authorization_denied"
    assert answer.json["oauth_error"] == expected and "pwned" not in answer.get_data(as_text=True)
    assert_no_session(answer, browser)
    code = back_from(hosted, browser)  # a later sign-in in the same browser works
    assert browser.get(code).status_code == 303


def test_an_id_token_of_another_accepted_client_is_refused(pool, hosted):
    # COGNITO_ACCEPTED_CLIENT_IDS lets its bearer tokens in, but a sign-in here is this client's own.
    browser = create_app(managed(pool, hosted.url, accepted_client_ids=frozenset({"another"}))).test_client()
    hosted.id_claims = lambda asked: {"aud": "another"}
    answer = browser.get(back_from(hosted, browser))
    assert answer.status_code == 401 and answer.json["message"] == "The ID token was issued to another app client."
    assert_no_session(answer, browser)


def test_a_browser_sees_the_refusal_as_a_page(browser, hosted):
    answer = browser.get("/auth/oauth/callback?error=access_denied", headers={"Accept": "text/html,*/*;q=0.8"})
    assert answer.status_code == 400 and answer.mimetype == "text/html"
    assert "The sign-in was cancelled or refused." in answer.get_data(as_text=True)
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]


@pytest.mark.parametrize("payload", [*OAUTH2_PROXY_PAYLOADS[:30], "https://evil.example/", "//evil.example"])
def test_rd_open_redirects_are_refused_at_the_authorize_step(browser, payload):
    answer = browser.get("/auth/oauth/authorize", query_string={"rd": payload})
    assert answer.status_code == 400 and answer.json["error"] == "invalid_redirect"
    assert "auth_oauth" not in answer.headers.get("Set-Cookie", "")


def test_rd_on_an_allowed_host_is_kept(pool, hosted):
    browser = create_app(managed(pool, hosted.url, session_redirect_hosts=(".example.com",))).test_client()
    response = browser.get("/auth/oauth/authorize?rd=https://app.example.com/x?y=1")
    back = urlsplit(requests.get(response.headers["Location"], allow_redirects=False, timeout=5).headers["Location"])
    assert browser.get(f"{back.path}?{back.query}").headers["Location"] == "https://app.example.com/x?y=1"


@pytest.mark.parametrize(
    "reply, status, error",
    [
        (json_reply(400, {"error": "invalid_grant"}), 400, "invalid_grant"),
        (json_reply(400, {"error": "invalid_client"}), 400, "token_exchange_failed"),
        (json_reply(400, {"error": "unauthorized_client"}), 400, "token_exchange_failed"),
        (json_reply(400, {"error": "invalid_request"}), 400, "token_exchange_failed"),
        (json_reply(400, {"error": "unsupported_grant_type"}), 400, "token_exchange_failed"),
        (json_reply(400, {"error": "something_new"}), 400, "token_exchange_failed"),
        (json_reply(200, {"access_token": "a.b.c", "token_type": "Bearer"}), 400, "token_exchange_failed"),
        ((400, {"Content-Type": "text/html"}, b"<html>proxy</html>"), 400, "token_exchange_failed"),
        (json_reply(429, {"error": "slow_down"}), 429, "too_many_requests"),
        (json_reply(500, {"error": "server_error"}), 503, "service_unavailable"),
        ((502, {}, b"bad gateway"), 503, "service_unavailable"),
        (json_reply(200, ["not", "an", "object"]), 400, "token_exchange_failed"),
    ],
    ids=[
        "invalid_grant",
        "invalid_client",
        "unauthorized_client",
        "invalid_request",
        "unsupported",
        "unknown",
        "no-id-token",
        "html",
        "429",
        "500",
        "502",
        "array",
    ],
)
def test_the_token_endpoint_s_refusals_are_clear_errors(browser, hosted, reply, status, error):
    hosted.script = lambda form: reply
    answer = browser.get(back_from(hosted, browser))
    assert answer.status_code == status and answer.json["error"] == error, answer.json
    assert_no_session(answer, browser)


def test_an_unreachable_domain_is_503(pool, closed_port_url):
    browser = create_app(managed(pool, closed_port_url)).test_client()
    state = authorize(browser)["state"]
    answer = browser.get("/auth/oauth/callback", query_string={"code": "c", "state": state})
    assert answer.status_code == 503 and answer.json["error"] == "service_unavailable"


@pytest.mark.slow
def test_a_token_endpoint_slower_than_the_timeout_is_503(pool, hosted):
    browser = create_app(managed(pool, hosted.url, cognito_timeout=0.3)).test_client()
    hosted.script = lambda form: (time.sleep(1.0), json_reply(200, {}))[1]
    started = time.monotonic()
    answer = browser.get(back_from(hosted, browser))
    assert answer.status_code == 503 and time.monotonic() - started < 1.0


def test_with_a_client_secret_the_exchange_authenticates_by_http_basic(pool, hosted):
    browser = create_app(managed(pool, hosted.url, client_secret="s3cret")).test_client()
    assert browser.get(back_from(hosted, browser)).status_code == 303
    form, authorization = hosted.token_requests[0]
    expected = base64.b64encode(f"{pool['client_id']}:s3cret".encode()).decode()
    assert authorization == f"Basic {expected}" and "client_secret" not in form


def test_a_custom_domain_is_used_as_given(pool, hosted):
    custom = hosted.url.replace("127.0.0.1", "localhost")  # another name than the one Cognito would give
    browser = create_app(managed(pool, custom)).test_client()
    location = browser.get("/auth/oauth/authorize").headers["Location"]
    assert location.startswith(f"{custom}/oauth2/authorize?")
    assert browser.get(back_from(hosted, browser)).status_code == 303
    assert logout(browser).headers["Location"].startswith(f"{custom}/logout?")


def test_public_config_answers_amplify_s_oauth_settings(browser, hosted, conforms_to):
    answer = browser.get("/auth/config")
    assert answer.json["oauth"] == {
        "domain": hosted.url.split("://")[1],
        "scopes": ["openid", "email", "profile"],
        "redirectSignIn": [REDIRECT_URI],
        "redirectSignOut": [LOGOUT_URI],
        "responseType": "code",
        "providers": [{"custom": "ExampleIdP"}, "Google"],
    }
    conforms_to(answer, "/auth/config", "GET")


@pytest.fixture
def conforms_to(oauth_app):
    import schemathesis

    from middleware.openapi import document

    schema = schemathesis.openapi.from_dict(document(oauth_app))
    return lambda response, path, method: schema[path][method].validate_response(response)


def test_logout_ends_the_session_then_sends_the_browser_to_cognito_s_logout(browser, hosted, pool):
    assert browser.get(back_from(hosted, browser)).status_code == 303
    access = browser.get("/auth/session")
    assert access.status_code == 200
    answer = logout(browser, **{"Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 303
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{hosted.url}/logout"
    assert parse_qs(location.query) == {"client_id": [pool["client_id"]], "logout_uri": [LOGOUT_URI]}
    assert browser.get("/auth/session").status_code == 401
    assert browser.get("/hello").status_code == 401


@pytest.mark.parametrize(
    "headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}], ids=["cross-site", "origin"]
)
def test_logout_from_another_site_is_refused_and_keeps_the_session(browser, hosted, headers):
    assert browser.get(back_from(hosted, browser)).status_code == 303
    answer = logout(browser, **headers)  # even with the session's token
    assert answer.status_code == 403 and answer.json["error"] == "csrf_failed"
    assert browser.get("/auth/session").status_code == 200


def test_without_a_domain_managed_login_is_off(pool):
    client = create_app({k: v for k, v in pool.items() if k != "cognito_domain"}).test_client()
    for path in ("/auth/oauth/authorize", "/auth/oauth/callback?code=x&state=y", "/auth/oauth/logout"):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.json["error"] == "managed_login_off", path
    assert "oauth" not in client.get("/auth/config").json


@pytest.mark.parametrize(
    "query",
    ["identity_provider=" + "x" * 33, "login_hint=a%0Ab", "idp_identifier=" + "d" * 41],
    ids=["long-provider", "control-character", "long-identifier"],
)
def test_odd_pass_through_parameters_are_refused(browser, query):
    answer = browser.get(f"/auth/oauth/authorize?{query}")
    assert answer.status_code == 400 and answer.json["error"] == "invalid_request"


@pytest.mark.parametrize("query", ["", "code=x", "state=y", "code=" + "c" * 3000 + "&state=y", "error="], ids=str)
def test_a_callback_without_a_sign_in_under_way_is_refused(browser, query):
    answer = browser.get(f"/auth/oauth/callback?{query}")
    assert answer.status_code == 400 and answer.json["error"] == "invalid_state"
    assert_no_session(answer, browser)


def test_over_https_the_sign_in_cookie_is_secure_and_host_only(pool, hosted):
    callback = "https://auth.example.com/auth/oauth/callback"
    browser = create_app(managed(pool, hosted.url, oauth_redirect_uri=callback)).test_client()
    response = browser.get("/auth/oauth/authorize", base_url="https://auth.example.com")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("__Host-auth_oauth="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie and "Domain" not in cookie
    location = parse_qs(urlsplit(response.headers["Location"]).query)
    assert location["redirect_uri"] == [callback]  # the setting


def test_unset_the_redirect_and_logout_uris_are_this_server_s_own(pool, hosted):
    browser = create_app(managed(pool, hosted.url, oauth_redirect_uri=None, oauth_logout_uri=None)).test_client()
    asked = authorize(browser)
    assert asked["redirect_uri"] == "http://localhost/auth/oauth/callback"
    assert browser.get(back_from(hosted, browser)).status_code == 303
    assert hosted.token_requests[0][0]["redirect_uri"] == "http://localhost/auth/oauth/callback"  # the same
    asked = parse_qs(urlsplit(logout(browser).headers["Location"]).query)
    assert asked["logout_uri"] == ["http://localhost/"]


@pytest.mark.parametrize(
    "setting, value, message",
    [
        ("COGNITO_DOMAIN", "http://myapp.auth.eu-west-1.amazoncognito.com", "COGNITO_DOMAIN must be https://"),
        ("COGNITO_DOMAIN", "https://auth.example.com/path", "COGNITO_DOMAIN must be https://"),
        ("COGNITO_DOMAIN", "auth.example.com", "COGNITO_DOMAIN must be https://"),
        ("OAUTH_REDIRECT_URI", "http://app.example.com/auth/oauth/callback", "OAUTH_REDIRECT_URI must be"),
        ("OAUTH_LOGOUT_URI", "https://user:pw@app.example.com/", "OAUTH_LOGOUT_URI must be"),
        ("OAUTH_SCOPES", "email profile", "OAUTH_SCOPES must list scopes"),
        ("OAUTH_IDENTITY_PROVIDERS", "x" * 33, "OAUTH_IDENTITY_PROVIDERS must list"),
    ],
)
def test_managed_login_settings_are_checked_at_start_up(setting, value, message):
    from config import ConfigError, Settings

    environ = {"COGNITO_USER_POOL_ID": "eu-west-1_AbC123", "COGNITO_CLIENT_ID": "client123", setting: value}
    with pytest.raises(ConfigError, match=re.escape(message)):
        Settings.load(environ)


@pytest.mark.parametrize(
    "value, domain",
    [
        ("https://myapp.auth.eu-west-1.amazoncognito.com/", "https://myapp.auth.eu-west-1.amazoncognito.com"),
        ("https://auth.example.com", "https://auth.example.com"),  # a custom domain
        ("http://127.0.0.1:9229", "http://127.0.0.1:9229"),  # plain http on loopback only (an emulator)
    ],
)
def test_a_pool_domain_or_a_custom_one_is_accepted(value, domain):
    from config import Settings

    environ = {"COGNITO_USER_POOL_ID": "eu-west-1_AbC123", "COGNITO_CLIENT_ID": "client123", "COGNITO_DOMAIN": value}
    assert Settings.load(environ).cognito_domain == domain
