"""The emulator's sign-in page in headless Chromium: its CSP lets the form's redirect reach the app's callback
(browsers apply form-action to it), nothing breaks the policy, and the page works from the keyboard alone."""

from __future__ import annotations

import pytest

from tests.support.browser import chromium_page, screenshot, watched_page
from tests.support.helpers import PASSWORD, ScriptedServer
from tests.support.managed_login import authorize_url, managed_login_pool, query_of

pytestmark = [pytest.mark.browser]
LOOPBACK = "http://127.0.0.1:"  # the emulator, the app's callback and the IdP: every request stays on loopback


@pytest.fixture
def app_callback():
    """The app's side: a server that answers its callback URL (a browser follows the redirect for real)."""
    server = ScriptedServer(lambda request: (200, {"Content-Type": "text/plain"}, b"callback"))
    yield server
    server.stop()


@pytest.fixture
def oauth(emulator, pool, app_callback):
    """The pool with managed login on for the callback server's port, and a user alice."""
    settings = managed_login_pool(emulator, pool)
    emulator.enable_oauth(settings, int(app_callback.url.rsplit(":", 1)[1]))
    return {**settings, "redirect_uri": f"{app_callback.url}/auth/oauth/callback"}


def test_signing_in_on_the_page_reaches_the_callback_with_a_code(emulator, oauth, app_callback):
    with watched_page(LOOPBACK) as page:
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(authorize_url(emulator.endpoint_url, oauth["client_id"], oauth["redirect_uri"], state="b-1"))
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Sign in").click()
        assert page.get_by_role("alert").inner_text() == "Incorrect username or password."
        screenshot(page, "emulator-sign-in-error")
        page.get_by_label("Password").fill(PASSWORD)
        page.keyboard.press("Enter")  # the keyboard alone submits it
        page.wait_for_url(f"{oauth['redirect_uri']}**")
        answer = query_of(page.url)
    assert answer["state"] == "b-1" and answer["code"] and not violations
    assert [path for _, path in app_callback.requests if path.startswith("/auth/oauth/callback?")]


@pytest.mark.node
@pytest.mark.subprocess
def test_sign_in_with_example_idp_in_the_browser(emulator, oauth, app_callback, example_idp):
    emulator.enable_oauth(oauth, int(app_callback.url.rsplit(":", 1)[1]), example_idp=example_idp)
    with chromium_page() as page:  # not watched: oidc-provider's own page asks Google for a font
        page.goto(authorize_url(emulator.endpoint_url, oauth["client_id"], oauth["redirect_uri"], state="b-2"))
        page.get_by_role("link", name="Sign in with ExampleIdP").click()
        page.locator("input[name=login]").fill("carol")
        page.locator("input[name=password]").fill("any")
        page.locator("button[type=submit]").click()
        page.wait_for_url(f"{oauth['redirect_uri']}**")
        assert query_of(page.url)["state"] == "b-2" and query_of(page.url)["code"]
    user = emulator.client.admin_get_user(UserPoolId=oauth["user_pool_id"], Username="ExampleIdP_carol")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
