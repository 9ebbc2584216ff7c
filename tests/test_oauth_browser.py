"""Managed login in Chromium, as docs/api.md's "Managed login" section runs it: `python server.py` (make run)
with the emulator and ExampleIdP, the page at http://localhost:PORT. The page → the emulator's sign-in →
back signed in with the claims shown; through ExampleIdP → back as a federated pool user (`identities`);
logout → the logout URI, the session gone (a protected route answers 401)."""

from __future__ import annotations

import json

import pytest
import requests

from tests.support.browser import chromium_page, screenshot
from tests.support.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.subprocess, pytest.mark.node]


@pytest.fixture(scope="module")
def served(serve_module):
    """`python server.py` as `make run` starts it (its own saved state, a free port)."""
    server = serve_module({"LOCAL_EXAMPLE_IDP": "on"})  # one test signs in through ExampleIdP
    server.base = f"http://localhost:{server.port}"
    yield server
    server.stop()


def register(server, username: str) -> None:
    user = {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
    assert requests.post(f"{server.base}/auth/register", json=user, timeout=10).status_code == 201
    confirm = {"username": username, "code": server.code(username)}
    assert requests.post(f"{server.base}/auth/confirm", json=confirm, timeout=10).ok


def claims_shown(page) -> dict:
    page.locator("#session-claims").wait_for(state="visible", timeout=15000)
    return json.loads(page.locator("#session-claims").text_content())


def test_the_page_signs_in_with_managed_login_and_logs_out_cognito_s_way(served):
    register(served, "carol")
    with chromium_page() as page:
        page.goto(f"{served.base}/")
        page.get_by_role("link", name="Sign in with managed login").click()
        page.wait_for_url("**/login?**")  # the emulator's sign-in page, on the pool's domain
        page.get_by_label("Username").fill("carol")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{served.base}/")
        claims = claims_shown(page)
        assert claims["cognito:username"] == "carol" and claims["email"] == "carol@example.com"
        assert page.locator("#session-user").text_content() == "carol"
        cookie = next(c for c in page.context.cookies() if c["name"] == "auth_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert page.evaluate("() => document.cookie").find("auth_session") == -1
        screenshot(page, "managed-login-signed-in")
        assert page.evaluate("async () => (await fetch('/hello')).status") == 200

        page.get_by_role("link", name="Sign out, of managed login too").click()
        page.wait_for_url(f"{served.base}/auth/oauth/logout")  # the link alone signs nothing out: a confirmation
        assert page.request.get(f"{served.base}/hello").status == 200  # (the page's own CSP allows no fetch)
        page.get_by_role("button", name="Sign out").click()  # its form posts the session's CSRF token
        page.wait_for_url(f"{served.base}/")  # OAUTH_LOGOUT_URI, after the emulator's /logout
        assert page.evaluate("async () => (await fetch('/hello')).status") == 401
        assert page.evaluate("async () => (await fetch('/auth/session')).status") == 401
        assert not any(c["name"] == "auth_session" for c in page.context.cookies())
        # Cognito's own session ended too: managed login asks for the password again.
        page.get_by_role("link", name="Sign in with managed login").click()
        page.wait_for_url("**/login?**")
        screenshot(page, "managed-login-after-logout")


def test_the_page_signs_in_through_example_idp_as_a_federated_pool_user(served):
    with chromium_page() as page:
        page.goto(f"{served.base}/")
        page.get_by_role("link", name="Sign in with ExampleIdP").click()
        # oidc-provider's development sign-in accepts any login
        page.locator("input[name=login]").wait_for(timeout=15000)
        page.fill("input[name=login]", "dave")
        page.fill("input[name=password]", "anything")
        page.locator("button[type=submit]").first.click()
        page.wait_for_url(f"{served.base}/", timeout=20000)
        claims = claims_shown(page)
        assert claims["cognito:username"] == "ExampleIdP_dave"
        identity = claims["identities"][0]
        assert identity["providerName"] == "ExampleIdP" and identity["userId"] == "dave"
        assert any(group.endswith("_ExampleIdP") for group in claims["cognito:groups"])
        screenshot(page, "managed-login-example-idp")
        assert page.evaluate("async () => (await fetch('/hello')).status") == 200
