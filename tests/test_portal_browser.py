"""The portal in Chromium through the shipped nginx example, by labels: each way in ends back on the protected
app, which names the user; axe-core finds no serious or critical violation on any portal page met.
tests/test_portal.py covers the same steps' refusals without a browser."""

from __future__ import annotations

import pytest
import requests

from tests.support.browser import chromium_page, screenshot, virtual_authenticator
from tests.support.helpers import PASSWORD, bearer, next_totp, totp
from tests.support.portal_stack import accessible, hand_over_passkey, portal_stack, stop

pytestmark = [pytest.mark.browser, pytest.mark.nginx, pytest.mark.subprocess, pytest.mark.slow]
APP = "/reports/7?tab=2"


@pytest.fixture
def portal(emulator, pool, tmp_path):
    stack = portal_stack(emulator, pool, tmp_path)
    yield stack
    stop(stack)


def on_the_app(page, stack, username: str) -> None:
    """The browser is back on the protected page, which the upstream answered for `username`."""
    assert page.url == f"{stack.url}{APP}", page.url
    assert page.locator("#user").text_content() == username


def to_the_portal(page, stack) -> None:
    page.goto(f"{stack.url}{APP}")
    assert page.url.startswith(f"{stack.url}/auth/sign-in?rd=")
    accessible(page)


def password_first(page, username: str, password: str = PASSWORD) -> None:
    form = page.locator("form", has=page.get_by_role("button", name="Sign in", exact=True))
    form.get_by_label("Username or email").fill(username)
    form.get_by_label("Password").fill(password)
    with page.expect_navigation():
        form.get_by_role("button", name="Sign in", exact=True).click()


def test_a_password_user_then_signed_in_as_and_sign_out(portal):
    portal.tokens("alice")
    with chromium_page() as page:
        to_the_portal(page, portal)
        password_first(page, "alice")
        on_the_app(page, portal, "alice")
        page.goto(f"{portal.url}/auth/sign-in")
        assert page.get_by_text("Signed in as").is_visible()
        assert page.locator("#signed-in-name").text_content() == "alice"
        accessible(page)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign out").click()
        page.goto(f"{portal.url}{APP}")
        assert page.url.startswith(f"{portal.url}/auth/sign-in?rd=")


def test_a_totp_user_a_wrong_code_refused_then_the_right_one(portal):
    access = portal.tokens("tina")["access_token"]
    secret = requests.post(f"{portal.url}/auth/mfa/totp/setup", headers=bearer(access), timeout=10).json()["secret"]
    verified = requests.post(
        f"{portal.url}/auth/mfa/totp/verify", json={"code": totp(secret)}, headers=bearer(access), timeout=10
    )
    assert verified.status_code == 200, verified.text
    with chromium_page() as page:
        to_the_portal(page, portal)
        password_first(page, "tina")
        assert page.get_by_role("heading", name="Enter your authenticator code").is_visible()
        accessible(page)
        page.get_by_label("Code from your authenticator app").fill("000000" if next_totp(secret) != "000000" else "1")
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
        assert page.get_by_role("alert").is_visible()
        screenshot(page, "portal-totp-wrong-code")
        page.get_by_label("Code from your authenticator app").fill(next_totp(secret))
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
        on_the_app(page, portal, "tina")


def test_an_email_code_user(portal):
    portal.tokens("erin")
    with chromium_page() as page:
        to_the_portal(page, portal)
        page.get_by_label("Username or email").nth(1).fill("erin")
        with page.expect_navigation():
            page.get_by_role("button", name="Email me a code").click()
        assert page.get_by_role("heading", name="Enter the code we emailed you").is_visible()
        accessible(page)
        page.get_by_label("Code").fill(portal.emulator.last_code("erin"))
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
        on_the_app(page, portal, "erin")


def test_a_passkey_user(portal):
    access = portal.tokens("pia")["access_token"]
    with chromium_page() as page:
        cdp, authenticator = virtual_authenticator(page)
        hand_over_passkey(portal, access, cdp, authenticator)
        to_the_portal(page, portal)
        page.get_by_label("Username or email").nth(1).fill("pia")
        with page.expect_navigation(url=f"{portal.url}{APP}", timeout=30000):
            page.get_by_role("button", name="Sign in with a passkey").click()  # the step page asks at once
        on_the_app(page, portal, "pia")
        held = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
        assert held[0]["signCount"] > 1  # the browser's authenticator signed the assertion


def test_managed_login_through_the_emulator(portal, emulator, pool):
    ids = {"UserPoolId": pool["user_pool_id"], "Username": "mona"}
    attributes = [{"Name": "email", "Value": "mona@example.com"}, {"Name": "email_verified", "Value": "true"}]
    emulator.client.admin_create_user(**ids, MessageAction="SUPPRESS", UserAttributes=attributes)
    emulator.client.admin_set_user_password(**ids, Password=PASSWORD, Permanent=True)
    with chromium_page() as page:
        to_the_portal(page, portal)
        page.get_by_role("link", name="Sign in with managed login").click()
        page.get_by_label("Username").fill("mona")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation(url=f"{portal.url}{APP}"):
            page.get_by_role("button", name="Sign in").click()
        on_the_app(page, portal, "mona")


def test_forgot_password(portal):
    portal.tokens("fred")
    with chromium_page() as page:
        to_the_portal(page, portal)
        page.get_by_role("link", name="Forgot your password?").click()
        accessible(page)
        page.get_by_label("Username or email").fill("fred")
        with page.expect_navigation():
            page.get_by_role("button", name="Send me a reset code").click()
        accessible(page)
        page.get_by_label("Reset code").fill(portal.emulator.last_code("fred"))
        page.get_by_label("New password").fill("N3w-Passw0rd!")
        with page.expect_navigation():
            page.get_by_role("button", name="Set the new password").click()
        assert page.get_by_role("status").text_content() == "Your password is changed: sign in with it."
        password_first(page, "fred", "N3w-Passw0rd!")
        on_the_app(page, portal, "fred")


def test_sign_up(portal):
    with chromium_page() as page:
        to_the_portal(page, portal)
        page.get_by_role("link", name="Create an account").click()
        accessible(page)
        page.get_by_label("Email", exact=True).fill("sam@example.com")
        page.get_by_label("Username (optional").fill("sam")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Create the account").click()
        accessible(page)
        page.get_by_label("Confirmation code").fill(portal.emulator.last_code("sam"))
        with page.expect_navigation():
            page.get_by_role("button", name="Confirm").click()
        password_first(page, "sam")
        on_the_app(page, portal, "sam")


@pytest.mark.node
def test_an_identity_provider_button(emulator, pool, tmp_path, example_idp):
    stack = portal_stack(emulator, pool, tmp_path, idp=example_idp)
    try:
        with chromium_page() as page:
            to_the_portal(page, stack)
            page.get_by_role("link", name="Sign in with ExampleIdP").click()
            page.locator("input[name=login]").fill("carol")
            page.locator("input[name=password]").fill("any")
            with page.expect_navigation(url=f"{stack.url}{APP}", timeout=30000):
                page.locator("button[type=submit]").click()
            assert page.url == f"{stack.url}{APP}"
            assert page.locator("#user").text_content()
    finally:
        stop(stack)
