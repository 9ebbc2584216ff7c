"""The page's passkey walk in headless Chromium with a virtual authenticator (the DevTools Protocol's WebAuthn
domain: ctap2, internal transport, resident keys, user verification), against `python server.py` and its
embedded emulator, the page at http://localhost:<port> (WebAuthn's relying party is `localhost`): sign in with
the password, add a passkey, sign out, sign in with the passkey (no password typed), /hello takes the tokens;
another browser whose authenticator lacks the passkey fails cleanly; the passkey removed, it no longer signs in.
Screenshots of each step are kept in tests/artifacts/ (passkeys-*.png).
"""

from __future__ import annotations

import json
import os

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.support.browser import CHROMIUM, QUIET, screenshot, virtual_authenticator
from tests.support.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.subprocess, pytest.mark.slow]


@pytest.fixture
def served(tmp_path, serve):
    server = serve({"LOCAL_COGNITO_STATE": str(tmp_path / "state.json")})
    server.codes = tmp_path / "codes.json"  # the emulator's one-time codes, as it prints them
    server.base = f"http://localhost:{server.port}"  # a secure context whose origin WebAuthn takes for `localhost`
    yield server
    server.stop()


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=QUIET)
        yield chromium
        chromium.close()


def open_page(browser, base: str, problems: list[str]):
    """A page of its own browser context, with a virtual platform authenticator; returns (page, cdp, id)."""
    page = browser.new_context().new_page()
    page.on("pageerror", lambda err: problems.append(f"script error: {err}"))
    page.on("request", lambda r: None if r.url.startswith((base, "data:")) else problems.append(r.url))
    cdp, authenticator = virtual_authenticator(page)
    page.goto(f"{base}/")
    return page, cdp, authenticator


def held(cdp, authenticator: str) -> list[dict]:
    return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]


def sign_in_with_passkey(page, username: str) -> None:
    page.fill("#login-username", username)
    expect(page.locator("#login-password")).to_have_value("")  # no password typed
    page.click("#login-passkey")


def test_add_a_passkey_sign_in_with_it_and_remove_it(served, browser):
    api = served.url
    body = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
    assert requests.post(f"{api}/auth/register", json=body, timeout=10).status_code == 201
    assert requests.post(f"{api}/auth/confirm", json={"username": "alice", "code": served.code("alice")}, timeout=10).ok
    problems: list[str] = []
    page, cdp, authenticator = open_page(browser, served.base, problems)

    # Signed in with the password, a passkey added: the authenticator holds it, the page lists it.
    page.fill("#login-username", "alice")
    page.fill("#login-password", PASSWORD)
    page.click("#login button[type=submit]")
    expect(page.locator("#session-view")).to_be_visible()
    expect(page.locator("#passkey-list")).to_have_text("No passkey yet.")
    screenshot(page, "passkeys-1-signed-in-with-password")
    page.click("#passkey-add")
    expect(page.locator("#passkey-done")).to_have_text("Passkey added: sign out, then sign in with it.")
    expect(page.locator("#passkey-list li")).to_have_count(1)
    credentials = held(cdp, authenticator)
    assert len(credentials) == 1 and credentials[0]["isResidentCredential"] and credentials[0]["rpId"] == "localhost"
    screenshot(page, "passkeys-2-passkey-added")

    # Signed out, then in with the passkey alone; the tokens pass /hello.
    page.click("#logout")
    expect(page.locator("#signed-out-view")).to_be_visible()
    sign_in_with_passkey(page, "alice")
    expect(page.locator("#session-view")).to_be_visible()
    expect(page.locator("#session-user")).to_have_text("alice")
    assert held(cdp, authenticator)[0]["signCount"] >= 1  # the authenticator signed an assertion
    page.click("#call-hello")
    expect(page.locator("#call-answer")).to_contain_text("GET /hello: 200")
    expect(page.locator("#call-answer")).to_contain_text("Hello, alice!")
    screenshot(page, "passkeys-3-signed-in-with-passkey")

    # Another browser, whose authenticator lacks the passkey: refused cleanly, nobody signed in.
    other, other_cdp, other_authenticator = open_page(browser, served.base, problems)
    sign_in_with_passkey(other, "alice")
    expect(other.locator("#challenge-help")).to_contain_text("The browser did not use a passkey", timeout=30000)
    expect(other.locator("#session-view")).to_be_hidden()
    assert held(other_cdp, other_authenticator) == []
    screenshot(other, "passkeys-4-other-browser-refused")

    # The passkey removed: listed no more, and signing in with it is refused (Cognito offers no passkey).
    page.click("#passkey-list button")
    expect(page.locator("#passkey-done")).to_have_text("Passkey removed.")
    expect(page.locator("#passkey-list")).to_have_text("No passkey yet.")
    screenshot(page, "passkeys-5-passkey-removed")
    page.click("#logout")
    expect(page.locator("#signed-out-view")).to_be_visible()
    assert len(held(cdp, authenticator)) == 1  # the authenticator still holds it; the pool no longer does
    sign_in_with_passkey(page, "alice")
    expect(page.locator("#challenge-help")).to_contain_text("That way is not open to this account now")
    expect(page.locator("#challenge-help")).not_to_contain_text("WEB_AUTHN")
    expect(page.locator("#session-view")).to_be_hidden()
    screenshot(page, "passkeys-6-removed-passkey-refused")
    started = requests.post(f"{api}/auth/login", json={"username": "alice", "preferred": "WEB_AUTHN"}, timeout=10)
    assert started.json()["challenge"] == "SELECT_CHALLENGE"
    assert "WEB_AUTHN" not in started.json()["available_challenges"]
    assert not problems, problems


def test_email_me_a_code_passwordless_sign_up_and_sign_in(served, browser):
    """Sign up with the email alone, confirm (signed in at once), sign out, "Email me a code", the code."""
    problems: list[str] = []
    page, _, _ = open_page(browser, served.base, problems)
    page.fill("#register-email", "nopass@example.com")
    page.click("#register button[type=submit]")
    expect(page.locator("#register-done")).to_contain_text("created")
    expect(page.locator("#confirm-code-sent")).to_contain_text(served.code("nopass@example.com"))  # the page's hint
    page.fill("#confirm-code", served.code("nopass@example.com"))
    page.click("#confirm button[type=submit]")
    expect(page.locator("#session-view")).to_be_visible()
    expect(page.locator("#session-user")).to_have_text("nopass@example.com")
    page.click("#logout")
    expect(page.locator("#signed-out-view")).to_be_visible()

    page.fill("#login-username", "nopass@example.com")
    page.click("#login-email-code")
    expect(page.locator("#challenge-help")).to_contain_text("(EMAIL)")
    expect(page.locator("#challenge-help")).not_to_contain_text("nopass@example.com")  # masked
    screenshot(page, "passkeys-7-email-code-asked")
    codes = json.loads(served.codes.read_text())
    assert os.stat(served.codes).st_mode & 0o077 == 0  # the codes file is the user's own
    page.fill("#challenge-code", "000000" if codes["nopass@example.com"]["EMAIL"] != "000000" else "111111")
    page.click("#challenge button[type=submit]")
    expect(page.locator("#challenge-code-error")).to_contain_text("not valid")
    page.fill("#challenge-code", codes["nopass@example.com"]["EMAIL"])
    page.click("#challenge button[type=submit]")
    expect(page.locator("#session-view")).to_be_visible()
    page.click("#call-hello")
    expect(page.locator("#call-answer")).to_contain_text("GET /hello: 200")
    code = codes["nopass@example.com"]["EMAIL"]
    assert f"email code for nopass@example.com: {code}" in served.output()  # on make run's console too
    assert not problems, problems
