"""The sign-in page's "keep me signed in with a cookie" path (static/page/session.js): signed in at
/auth/session, the page holds no token, only the session's CSRF token; a reload finds the session again
(GET /auth/session), and signing out is DELETE /auth/session with X-CSRF-Token. Walked in headless Chromium
against `python server.py` and its embedded emulator, as tests/test_page.py does."""

from __future__ import annotations

import re
from pathlib import Path

import boto3
import pytest
import requests
from playwright.sync_api import expect

from app import create_app
from controllers.files import PAGE_FILES
from tests.support.browser import screenshot, watched_page
from tests.support.helpers import PASSWORD, ROOT

PAGE = Path(ROOT, "static", "page")
JWT = re.compile(r"eyJ[\w-]+\.eyJ[\w-]+")  # a JWT's header and claims, base64url-encoded JSON
COOKIE = "auth_session"
NEW_PASSWORD = "Passw0rd!2"


def test_session_js_is_served_before_app_js_and_keeps_nothing_in_storage(pool):
    assert PAGE_FILES["session.js"] == ("page", "session.js")
    demo = create_app({**pool, "demo_page": True}).test_client()
    response = demo.get("/page/session.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]
    markup = (PAGE / "index.html").read_text()
    scripts = re.findall(r'<script src="page/([\w.-]+)" defer></script>', markup)
    assert scripts.index("session.js") < scripts.index("app.js")
    script = (PAGE / "session.js").read_text()
    assert not re.search(r"localStorage|sessionStorage|document\.cookie|innerHTML|eval\(", script)
    assert len((PAGE / "app.js").read_text().splitlines()) < 250


@pytest.fixture
def served(serve):
    """`python server.py` as `make run` starts it: the embedded emulator."""
    return serve()


@pytest.fixture
def page(served):
    """The server's `/` in Chromium; a script error, a refused resource or a request elsewhere fails the test."""
    with watched_page(served.url) as page:
        with page.expect_response("**/auth/session") as first:
            page.goto(f"{served.url}/")
        assert first.value.status == 401  # asked on load: nobody signed in yet
        yield page


def send(page, form: str, **fields: str) -> None:
    for name, value in fields.items():
        page.fill(f"#{form} [name={name}]", value)
    page.click(f"#{form} button[type=submit]")


def tick_the_box(page) -> None:
    """By keyboard: Tab from the password field to the labelled checkbox, Space ticks it."""
    page.focus("#login-password")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "login-cookie"
    assert page.get_by_label("Keep me signed in with a cookie (the tokens stay on the server)").is_visible()
    page.keyboard.press("Space")
    expect(page.locator("#login-cookie")).to_be_checked()


def holds_no_token(page) -> None:
    assert not JWT.search(page.content())
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert COOKIE not in page.evaluate("document.cookie")  # HttpOnly: no script reads it


@pytest.mark.browser
@pytest.mark.subprocess
@pytest.mark.slow
def test_signed_in_with_a_cookie_a_reload_keeps_the_session(served, page):
    sent: list = []
    page.on("request", lambda r: sent.append(r) if "/auth/" in r.url or r.url.endswith("/hello") else None)
    send(page, "register", username="dave", email="dave@example.com", password=PASSWORD)
    expect(page.locator("#register-done")).to_have_text("Account dave created: confirm it with the code.")
    expect(page.locator("#confirm-code-sent")).to_contain_text(served.code("dave"))  # the page's code hint
    send(page, "confirm", code=served.code("dave"))
    expect(page.locator("#confirm-done")).to_have_text("dave is confirmed: sign in.")

    page.fill("#login-password", PASSWORD)
    tick_the_box(page)
    with page.expect_response("**/auth/session") as signing_in:
        page.keyboard.press("Enter")
    started = signing_in.value
    assert started.request.method == "POST" and started.status == 200
    answer = started.json()
    assert set(answer) == {"username", "expires_at", "csrf_token"}  # no token comes to the page
    expect(page.locator("#session-title")).to_have_text("Signed in as dave")
    expect(page.locator("#session-title")).to_be_focused()
    expect(page.locator("#cookie-section")).to_be_visible()
    expect(page.locator("#tokens-section")).to_be_hidden()
    assert not [r for r in sent if r.url.endswith("/auth/login")]
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies[COOKIE]["httpOnly"] and cookies[COOKIE]["sameSite"] == "Lax"
    holds_no_token(page)
    assert answer["csrf_token"] not in page.content()
    screenshot(page, "page-session-signed-in")

    page.click("#call-hello")
    expect(page.locator("#call-answer")).to_contain_text("GET /hello: 200")
    expect(page.locator("#call-answer")).to_contain_text('"message": "Hello, dave!"')
    hello = [r for r in sent if r.url.endswith("/hello")][-1]
    assert "authorization" not in hello.headers and COOKIE in hello.header_value("cookie")
    page.click("#call-me")
    expect(page.locator("#call-answer")).to_contain_text("GET /auth/session: 200")
    expect(page.locator("#call-answer")).to_contain_text('"email": "dave@example.com"')
    assert "csrf_token" not in page.locator("#call-answer").inner_text()
    screenshot(page, "page-session-hello")

    # A reload: the page asks GET /auth/session and shows the signed-in view again.
    with page.expect_response("**/auth/session") as reloaded:
        page.reload()
    assert reloaded.value.request.method == "GET" and reloaded.value.status == 200
    expect(page.locator("#session-title")).to_have_text("Signed in as dave")
    expect(page.locator("#signed-out-view")).to_be_hidden()
    holds_no_token(page)
    page.click("#call-hello")
    expect(page.locator("#call-answer")).to_contain_text('"message": "Hello, dave!"')
    screenshot(page, "page-session-reloaded")

    # A change by cookie carries the CSRF token: the authenticator app's set-up, the password's change.
    page.click("#totp-start")
    expect(page.locator("#totp-qr svg")).to_be_visible()
    with page.expect_response("**/auth/change-password") as changing:
        send(page, "change-password", old_password=PASSWORD, new_password=NEW_PASSWORD)
    expect(page.locator("#change-password-done")).to_have_text("Password changed.")
    assert changing.value.request.header_value("x-csrf-token") == answer["csrf_token"]
    assert "authorization" not in changing.value.request.headers
    # The session went on under a new id and CSRF token (a copy of the old cookie is worth nothing now): the page
    # keeps the new token, never shows it, and sends it from now on.
    renewed_csrf = changing.value.json()["csrf_token"]
    assert renewed_csrf != answer["csrf_token"] and renewed_csrf not in page.content()

    session_id = {c["name"]: c["value"] for c in page.context.cookies()}[COOKIE]
    with page.expect_response("**/auth/session") as ending:
        page.click("#logout")
    assert ending.value.request.method == "DELETE" and ending.value.status == 204
    assert ending.value.request.header_value("x-csrf-token") == renewed_csrf
    expect(page.locator("#cookie-signout-title")).to_be_focused()
    expect(page.locator("#session-view")).to_be_hidden()
    expect(page.locator("#cookie-signout-me")).to_contain_text("GET /auth/session: 401")
    assert page.evaluate("fetch('auth/session', {credentials: 'same-origin'}).then((r) => r.status)") == 401
    assert COOKIE not in {c["name"] for c in page.context.cookies()}
    forgotten = requests.get(f"{served.url}/auth/session", cookies={COOKIE: session_id}, timeout=5)
    assert forgotten.status_code == 401  # the server forgot it: the old cookie is worth nothing
    screenshot(page, "page-session-signed-out")
    page.reload()
    expect(page.locator("#signed-out-view")).to_be_visible()
    expect(page.locator("#session-view")).to_be_hidden()
    assert PASSWORD not in served.output() and NEW_PASSWORD not in served.output()


@pytest.mark.browser
@pytest.mark.subprocess
@pytest.mark.slow
def test_a_challenge_on_the_cookie_path_is_answered_at_session_challenge(served, page):
    config = requests.get(f"{served.url}/auth/config", timeout=5).json()
    keys = {"aws_access_key_id": "emulator", "aws_secret_access_key": "emulator"}  # any will do
    cognito = boto3.client("cognito-idp", config["region"], endpoint_url=config["endpoint_url"], **keys)
    cognito.admin_create_user(
        UserPoolId=config["user_pool_id"], Username="erin", TemporaryPassword="Temp0rary!", MessageAction="SUPPRESS"
    )
    page.fill("#login-username", "erin")
    page.fill("#login-password", "Temp0rary!")
    tick_the_box(page)
    page.click("#login button[type=submit]")
    expect(page.locator("#challenge-title")).to_have_text("One more step: NEW_PASSWORD_REQUIRED")
    with page.expect_response("**/auth/session/challenge") as answered:
        send(page, "challenge", new_password=PASSWORD)
    assert answered.value.status == 200 and "access_token" not in answered.value.json()
    expect(page.locator("#session-title")).to_have_text("Signed in as erin")
    expect(page.locator("#cookie-section")).to_be_visible()
    holds_no_token(page)
    page.reload()
    expect(page.locator("#session-title")).to_have_text("Signed in as erin")
    screenshot(page, "page-session-challenge")
