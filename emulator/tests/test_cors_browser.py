"""A page in Debian's headless Chromium (through Playwright) at an origin `--cors-origin` allows: it signs in
through the API with fetch(), and through managed login (the authorization code flow, its token exchange a
fetch() from the page, as Amplify's signInWithRedirect makes it); the same page at an origin not allowed cannot
read either. The same with Amplify JS v6 itself (and its redirect sign-in behind a TLS front, since Amplify builds
`https://{domain}/oauth2/authorize`) is test_amplify_browser.py."""

from __future__ import annotations

import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Correct-Horse-9"
PAGE = b"<!doctype html><title>app</title><p>a page of another origin"


class Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # every path: the app's page (its callback too)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def app_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), "the browser tests need Debian's chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield browser.new_page()
        finally:
            browser.close()


SIGN_IN = """async ([endpoint, clientId, password]) => {
  try {
    const answer = await fetch(endpoint + "/", {method: "POST", body: JSON.stringify({ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: {USERNAME: "alice", PASSWORD: password}}),
      headers: {"Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"}});
    return {status: answer.status, body: await answer.json()};
  } catch (err) { return {error: String(err)}; }
}"""
EXCHANGE = """async ([endpoint, clientId, redirect]) => {
  const code = new URL(location.href).searchParams.get("code");
  try {
    const answer = await fetch(endpoint + "/oauth2/token", {method: "POST", body: new URLSearchParams({
      grant_type: "authorization_code", client_id: clientId, code, redirect_uri: redirect})});
    return {status: answer.status, body: await answer.json()};
  } catch (err) { return {error: String(err)}; }
}"""


@pytest.mark.browser
def test_a_page_at_an_allowed_origin_signs_in_by_api_and_managed_login(
    cognito_emulator, app_server, browser_page, alice
):
    origin = f"http://localhost:{app_server}"
    callback = f"{origin}/callback"
    cognito_emulator.server.allow_origins([origin])
    alice(callback)
    endpoint, client = cognito_emulator.endpoint_url, cognito_emulator.client_id
    browser_page.goto(origin + "/")
    answer = browser_page.evaluate(SIGN_IN, [endpoint, client, PASSWORD])
    assert answer.get("status") == 200, answer
    assert answer["body"]["AuthenticationResult"]["AccessToken"].count(".") == 2

    browser_page.goto(
        f"{endpoint}/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={callback}&scope=openid+email"
    )
    browser_page.fill("#username", "alice")
    browser_page.fill("#password", PASSWORD)
    with browser_page.expect_navigation(url=f"{callback}?**"):
        browser_page.click("button[type=submit]")
    tokens = browser_page.evaluate(EXCHANGE, [endpoint, client, callback])
    assert tokens.get("status") == 200, tokens
    assert {"id_token", "access_token", "refresh_token"} <= tokens["body"].keys()


@pytest.mark.browser
def test_the_same_page_at_an_origin_not_allowed_reads_nothing(cognito_emulator, app_server, browser_page, alice):
    cognito_emulator.server.allow_origins([f"http://localhost:{app_server}"])
    alice(f"http://localhost:{app_server}/callback")
    browser_page.goto(f"http://127.0.0.1:{app_server}/")  # the same server, another origin
    answer = browser_page.evaluate(SIGN_IN, [cognito_emulator.endpoint_url, cognito_emulator.client_id, PASSWORD])
    assert "Failed to fetch" in answer.get("error", ""), answer
    exchange = browser_page.evaluate(
        EXCHANGE, [cognito_emulator.endpoint_url, cognito_emulator.client_id, f"http://localhost:{app_server}/"]
    )
    assert "Failed to fetch" in exchange.get("error", ""), exchange
