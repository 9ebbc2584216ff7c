"""Managed login against the embedded emulator's OAuth endpoints, over HTTP: its sign-in form, its token
endpoint's refusals (a replayed code, a wrong or missing verifier, another redirect URI), Cognito's logout,
and a machine client's client-credentials token at the routes that let machines in."""

from __future__ import annotations

import base64
import dataclasses
import re
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from app import create_app
from cognito_emulator.emulator import last_code
from tests.support.helpers import PASSWORD, bearer

BASE = "http://localhost:5000"  # the test client's origin: the emulator's client has its callback on port 5000


@pytest.fixture
def managed_pool(emulator, pool):
    """The test pool with managed login: the app client's OAuth settings, a machine client."""
    return {**pool, **emulator.enable_oauth(pool, server_port=5000)}


@pytest.fixture
def oauth_app(managed_pool):
    return create_app(managed_pool)


@pytest.fixture
def browser(oauth_app):
    return oauth_app.test_client()


@pytest.fixture
def bob(browser):
    user = {"username": "bob", "email": "bob@example.com", "password": PASSWORD}
    assert browser.post("/auth/register", json=user, base_url=BASE).status_code == 201
    assert (
        browser.post("/auth/confirm", json={"username": "bob", "code": last_code("bob")}, base_url=BASE).status_code
        == 200
    )
    return user


def sign_in_at_the_emulator(location: str, username: str = "bob", password: str = PASSWORD) -> str:
    """Fill in the emulator's sign-in form (as a browser would) and return where it sends the browser."""
    emulator_browser = requests.Session()
    form_page = emulator_browser.get(location, timeout=5)
    assert form_page.status_code == 200, form_page.text
    csrf = re.search(r'name="_csrf" value="([^"]+)"', form_page.text)[1]
    action = re.search(r'<form method="post" action="([^"]+)"', form_page.text)[1].replace("&amp;", "&")
    fields = {"_csrf": csrf, "username": username, "password": password}
    answer = emulator_browser.post(urljoin(form_page.url, action), data=fields, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def callback_of(browser, query: str = "") -> str:
    """Authorize, sign in at the emulator: the callback path and query the browser is sent back to."""
    location = browser.get(f"/auth/oauth/authorize{query}", base_url=BASE).headers["Location"]
    back = urlsplit(sign_in_at_the_emulator(location))
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{BASE}/auth/oauth/callback"
    return f"{back.path}?{back.query}"


def no_session(browser) -> bool:
    return browser.get("/auth/session", base_url=BASE).status_code == 401


def test_managed_login_signs_in_to_a_session_with_the_emulator_s_tokens(browser, bob):
    answer = browser.get(callback_of(browser, "?rd=/hello"), base_url=BASE)
    assert answer.status_code == 303 and answer.headers["Location"] == "/hello"
    session = browser.get("/auth/session", base_url=BASE).json
    assert session["username"] == "bob" and session["email"] == "bob@example.com"
    assert browser.get("/hello", base_url=BASE).json["username"] == "bob"
    assert "token" not in answer.get_data(as_text=True)  # the tokens stay on the server


def test_a_replayed_code_is_refused(browser, bob):
    callback = callback_of(browser)
    assert browser.get(callback, base_url=BASE).status_code == 303
    browser.delete_cookie("auth_session", domain="localhost")
    code = dict(part.split("=", 1) for part in urlsplit(callback).query.split("&"))["code"]
    state = re.search(r"state=([^&]+)", browser.get("/auth/oauth/authorize", base_url=BASE).headers["Location"])[1]
    answer = browser.get(f"/auth/oauth/callback?code={code}&state={state}", base_url=BASE)
    assert answer.status_code == 400 and answer.json["error"] == "invalid_grant"
    assert no_session(browser)


def _tampered(browser, oauth_app, **changes) -> None:
    """Change what the server remembers of the browser's sign-in under way (what it will send the token endpoint)."""
    pending = oauth_app.extensions["cognito_auth"].pending_sign_ins
    binding = browser.get_cookie("auth_oauth", domain="localhost").value
    pending.put(binding, dataclasses.replace(pending.take(binding), **changes))


@pytest.mark.parametrize(
    "changes",
    [
        {"code_verifier": "W" * 64},
        {"code_verifier": ""},
        {"redirect_uri": "http://127.0.0.1:5000/auth/oauth/callback"},  # also registered, but not the one asked
    ],
    ids=["wrong-verifier", "missing-verifier", "other-redirect-uri"],
)
def test_the_token_endpoint_refuses_what_does_not_match_the_authorize_step(browser, bob, oauth_app, changes):
    callback = callback_of(browser)
    _tampered(browser, oauth_app, **changes)
    answer = browser.get(callback, base_url=BASE)
    assert answer.status_code == 400 and answer.json["error"] == "invalid_grant", answer.json
    assert no_session(browser)


def test_a_wrong_password_at_the_emulator_is_shown_there_and_starts_nothing(browser, bob):
    location = browser.get("/auth/oauth/authorize", base_url=BASE).headers["Location"]
    form_page = requests.get(location, timeout=5)
    csrf = re.search(r'name="_csrf" value="([^"]+)"', form_page.text)[1]
    action = re.search(r'<form method="post" action="([^"]+)"', form_page.text)[1].replace("&amp;", "&")
    cookies = form_page.cookies
    fields = {"_csrf": csrf, "username": "bob", "password": "wrong-Passw0rd"}
    again = requests.post(
        urljoin(form_page.url, action), data=fields, cookies=cookies, allow_redirects=False, timeout=5
    )
    assert "Incorrect username or password." in again.text and "Location" not in again.headers
    assert no_session(browser)


def test_logout_signs_out_and_lands_on_the_logout_uri(browser, bob):
    assert browser.get(callback_of(browser), base_url=BASE).status_code == 303
    token_check = browser.get("/hello", base_url=BASE)
    assert token_check.status_code == 200
    page = browser.get("/auth/oauth/logout", base_url=BASE)  # a confirmation page: nothing signed out yet
    assert page.status_code == 200 and browser.get("/hello", base_url=BASE).status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    answer = browser.post("/auth/oauth/logout", base_url=BASE, data={"csrf_token": csrf})  # its form
    assert answer.status_code == 303
    landed = requests.get(answer.headers["Location"], allow_redirects=False, timeout=5)
    assert landed.status_code == 302 and landed.headers["Location"] == f"{BASE}/"
    assert no_session(browser)
    assert browser.get("/hello", base_url=BASE).status_code == 401


def test_a_machine_client_s_token_passes_machine_routes_only(browser, emulator, managed_pool):
    machine = emulator.machine_clients[managed_pool["user_pool_id"]]
    basic = base64.b64encode(f"{machine['machine_client_id']}:{machine['machine_client_secret']}".encode()).decode()
    token = requests.post(
        f"{managed_pool['cognito_domain']}/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "orders/read"},
        headers={"Authorization": f"Basic {basic}"},
        timeout=5,
    ).json()["access_token"]
    allowed = browser.get("/auth/check?machine=true&scopes=orders/read", headers=bearer(token), base_url=BASE)
    assert allowed.status_code == 200 and allowed.headers["X-Auth-Request-Client-Id"] == machine["machine_client_id"]
    assert browser.post("/auth/validate", json={"token": token}, base_url=BASE).json["valid"] is True
    for refused in (
        browser.get("/hello", headers=bearer(token), base_url=BASE),
        browser.get("/auth/check", headers=bearer(token), base_url=BASE),
    ):
        assert refused.status_code == 403 and refused.json["error"] == "forbidden"


def test_a_managed_login_session_refreshes_with_the_code_exchange_s_refresh_token(browser, bob, oauth_app):
    assert browser.get(callback_of(browser), base_url=BASE).status_code == 303
    app_services = oauth_app.extensions["cognito_auth"]
    with oauth_app.app_context():
        session = app_services.sessions.get(browser.get_cookie("auth_session", domain="localhost").value)
        answer = app_services.auth.refresh(session.refresh_token, session.username)  # as the session's refresh does
    assert answer["access_token"] != session.access_token and answer["username"] == "bob"
