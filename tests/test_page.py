"""The sign-in page at `/`: served only when DEMO_PAGE is on, and walked end to end in headless Chromium
against `python server.py` and its embedded emulator (which checks TOTP codes here)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from playwright.sync_api import expect

from app import create_app
from controllers.files import PAGE_FILES
from middleware.openapi import document
from tests.support.browser import screenshot, watched_page
from tests.support.helpers import PASSWORD, ROOT, next_totp, steady_totp
from tests.support.qr import read, svg_modules

PAGE = Path(ROOT, "static", "page")
ASSETS = {"/": "text/html", "/page/app.js": "text/javascript", "/page/app.css": "text/css"}
ASSETS.update({"/page/qrcode.js": "text/javascript", "/page/show.js": "text/javascript"})
QR_LIBRARY_SHA256 = "79ec86f82856005b1c887905cfccfcfbec3821ca61c7fd5a952faa5f778f791c"  # as npm publishes it
NEW_PASSWORD = "Passw0rd!2"


def test_the_page_is_served_only_when_demo_page_is_on(pool, client):
    for path in ASSETS:
        assert client.get(path).status_code == 404, path  # the suite's app: a pool, no DEMO_PAGE
    app = create_app({**pool, "demo_page": True})
    demo = app.test_client()
    for path, kind in ASSETS.items():
        response = demo.get(path)
        assert response.status_code == 200 and response.mimetype == kind, path
        assert "script-src 'self';" in response.headers["Content-Security-Policy"]
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("page.")}
    adapter = app.url_map.bind("localhost")
    assert {adapter.match(path, method="GET")[0] for path in ASSETS} == endpoints  # no page route unused
    operations = {op["operationId"] for item in document(app)["paths"].values() for op in item.values()}
    assert {name.partition(".")[2] for name in endpoints} <= operations


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_the_page_is_labelled_runs_no_inline_code_and_keeps_tokens_in_memory():
    markup = _Markup()
    markup.feed((PAGE / "index.html").read_text())
    ids = {attrs.get("id") for _, attrs in markup.tags}
    labelled = {attrs["for"] for tag, attrs in markup.tags if tag == "label"}
    for tag, attrs in markup.tags:
        assert not [name for name in attrs if name.startswith("on") or name == "style"], (tag, attrs)
        assert tag != "script" or attrs.get("src"), "inline script"
        if tag == "input" and "hidden" not in attrs:  # hidden: a username for password managers
            assert attrs["id"] in labelled and attrs["aria-describedby"] in ids, attrs  # its error goes there
        if tag == "form":
            assert attrs.get("method") == "post" and "novalidate" in attrs, attrs  # the API's words, not the browser's
    script = (PAGE / "app.js").read_text() + (PAGE / "show.js").read_text()
    assert not re.search(r"localStorage|sessionStorage|document\.cookie|innerHTML|eval\(", script)
    assert hashlib.sha256((PAGE / "vendor" / PAGE_FILES["qrcode.js"][1]).read_bytes()).hexdigest() == QR_LIBRARY_SHA256


@pytest.fixture
def served(serve):
    """`python server.py` as `make run` starts it: the embedded emulator."""
    return serve()


@pytest.fixture
def page(served):
    """The server's `/` in Chromium; a script error, a refused resource or a request elsewhere fails the test."""
    with watched_page(served.url) as page:
        page.goto(f"{served.url}/")
        yield page


def drawn_modules(page, selector: str) -> list[list[bool]]:
    """The QR code as the page draws it, module by module."""
    svg = page.locator(f"{selector} svg")
    return svg_modules(svg.get_attribute("viewBox"), svg.locator("path").get_attribute("d"))


def send(page, form: str, **fields: str) -> None:
    """Fill in fields of a form by name, then submit it."""
    for name, value in fields.items():
        page.fill(f"#{form} [name={name}]", value)
    page.click(f"#{form} button[type=submit]")


def focused(page) -> str:
    return page.evaluate("document.activeElement.id")


@pytest.mark.browser
@pytest.mark.subprocess
@pytest.mark.slow
def test_sign_up_to_sign_out_in_a_browser(served, page):
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    # Sign up: each problem in the API's words, next to the field it names.
    send(page, "register", username="alice", email="alice@")
    expect(page.locator("#register-email-error")).to_have_text("'email' must be an email address")
    expect(page.locator("#register-password-error")).to_be_empty()  # no password: a passwordless sign-up
    expect(page.locator("#register-email")).to_have_attribute("aria-invalid", "true")
    assert focused(page) == "register-email"
    screenshot(page, "page-register-errors")
    send(page, "register", email="alice@example.com", password=PASSWORD)
    expect(page.locator("#register-done")).to_have_text("Account alice created: confirm it with the code.")
    expect(page.locator("#register-email-error")).to_be_empty()

    expect(page.locator("#confirm-username")).to_have_value("alice")
    # The code the emulator sent, shown by the page next to the field (code_hint.py): the one it printed.
    expect(page.locator("#confirm-code-sent")).to_have_text(re.compile(r"^The local emulator sent the code \d{6}\.$"))
    assert served.code("alice") in page.locator("#confirm-code-sent").inner_text()
    send(page, "confirm", code="000000" if served.code("alice") != "000000" else "111111")
    expect(page.locator("#confirm-code-error")).not_to_be_empty()  # a wrong code is refused
    send(page, "confirm", code=served.code("alice"))
    expect(page.locator("#confirm-done")).to_have_text("alice is confirmed: sign in.")

    send(page, "login", password="Wr0ng-password")
    expect(page.locator("#login-error")).to_have_text("Incorrect username or password. (401 not_authorized)")
    with page.expect_response("**/auth/login") as login:
        send(page, "login", password=PASSWORD)
    tokens = login.value.json()
    expect(page.locator("#session-title")).to_have_text("Signed in as alice")
    expect(page.locator("#session-title")).to_be_focused()
    access = json.loads(page.locator("#access-claims").inner_text())
    assert (access["username"], access["token_use"]) == ("alice", "access")
    assert json.loads(page.locator("#id-claims").text_content())["email"] == "alice@example.com"
    expiry = page.locator("#access-expiry").get_attribute("datetime")
    assert datetime.fromisoformat(expiry.replace("Z", "+00:00")).timestamp() == access["exp"]
    expect(page.locator("#access-remaining")).to_have_text(re.compile(r"^in (59|60) min$"))
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0 and page.evaluate("document.cookie") == ""
    screenshot(page, "page-signed-in")

    page.click("#call-hello")
    expect(page.locator("#call-answer")).to_contain_text("GET /hello: 200")
    expect(page.locator("#call-answer")).to_contain_text('"message": "Hello, alice!"')
    screenshot(page, "page-hello")
    page.click("#refresh")
    expect(page.locator("#refresh-done")).to_contain_text("Tokens refreshed")
    assert json.loads(page.locator("#access-claims").inner_text())["jti"] != access["jti"]

    # TOTP: the QR code decodes to the URI the API answered, and a code from the key shown turns it on.
    page.click("#totp-start")
    expect(page.locator("#totp-qr svg")).to_be_visible()
    secret = page.locator("#totp-qr .secret").inner_text()
    uri = page.locator("#totp-qr .uri").inner_text()
    assert read(drawn_modules(page, "#totp-qr")) == uri
    assert parse_qs(urlsplit(uri).query)["secret"] == [secret] and uri.startswith("otpauth://totp/Cognito:alice")
    assert focused(page) == "totp-code"
    send(page, "totp-verify", code="12345")
    expect(page.locator("#totp-code-error")).to_have_text("'code' must be 6 digits")
    screenshot(page, "page-totp-setup")
    send(page, "totp-verify", code=steady_totp(secret))
    expect(page.locator("#totp-done")).to_have_text("TOTP is on: the next sign-in asks for a code from the app.")
    expect(page.locator("#totp-setup")).to_be_hidden()

    send(page, "change-password", old_password="Wr0ng-password", new_password=NEW_PASSWORD)
    expect(page.locator("#old-password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#old-password-error")).not_to_be_empty()
    send(page, "change-password", old_password=PASSWORD)
    expect(page.locator("#change-password-done")).to_have_text("Password changed.")

    # Sign out: Cognito refuses the old token; /hello, which verifies it locally, still takes it (said so).
    page.click("#logout")
    expect(page.locator("#signout-title")).to_be_focused()
    expect(page.locator("#old-token-me")).to_contain_text("GET /auth/me: 401")
    expect(page.locator("#old-token-me")).to_contain_text('"error": "invalid_token"')
    expect(page.locator("#session-view")).to_be_hidden()
    screenshot(page, "page-signed-out")
    page.click("#old-token-hello")
    expect(page.locator("#old-token-hello-answer")).to_contain_text("GET /hello: 401")
    assert tokens["access_token"] not in page.content()

    send(page, "login", password=NEW_PASSWORD)
    expect(page.locator("#challenge-title")).to_have_text("One more step: SOFTWARE_TOKEN_MFA")
    expect(page.locator("#challenge-code")).to_be_focused()
    screenshot(page, "page-totp-challenge")
    send(page, "challenge", code=next_totp(secret))  # not the code just taken at set-up (a replay)
    expect(page.locator("#session-title")).to_have_text("Signed in as alice")
    expect(page.locator("#signout-report")).to_be_hidden()

    output = served.output()
    for kept in (PASSWORD, NEW_PASSWORD, secret, tokens["access_token"], tokens["refresh_token"]):
        assert kept not in output
        assert not [url for url in urls if kept in url]


@pytest.mark.browser
@pytest.mark.subprocess
@pytest.mark.slow
def test_keyboard_alone_signs_in(served, page):
    body = {"username": "bob", "email": "bob@example.com", "password": PASSWORD}
    assert requests.post(f"{served.url}/auth/register", json=body, timeout=5).status_code == 201
    assert requests.post(
        f"{served.url}/auth/confirm", json={"username": "bob", "code": served.code("bob")}, timeout=5
    ).ok
    presses = 0
    while focused(page) != "login-username" and presses < 12:  # past /docs, the sign-up and the confirm forms
        page.keyboard.press("Tab")
        presses += 1
    assert focused(page) == "login-username"
    page.keyboard.type("bob")
    page.keyboard.press("Tab")
    assert focused(page) == "login-password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#session-title")).to_have_text("Signed in as bob")
    expect(page.locator("#session-title")).to_be_focused()
    while focused(page) != "call-hello":
        page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # focus is visible
    page.keyboard.press("Enter")
    expect(page.locator("#call-answer")).to_contain_text('"message": "Hello, bob!"')
    screenshot(page, "page-keyboard-signed-in")


@pytest.mark.browser
@pytest.mark.subprocess
@pytest.mark.slow
def test_an_invited_user_sets_a_password_then_an_authenticator_app(served, page):
    """NEW_PASSWORD_REQUIRED, then MFA_SETUP (the pool requires MFA): the QR code is shown in the sign-in."""
    config = requests.get(f"{served.url}/auth/config", timeout=5).json()
    keys = {"aws_access_key_id": "emulator", "aws_secret_access_key": "emulator"}  # any will do
    cognito = boto3.client("cognito-idp", config["region"], endpoint_url=config["endpoint_url"], **keys)
    pool = config["user_pool_id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    cognito.admin_create_user(
        UserPoolId=pool, Username="carol", TemporaryPassword="Temp0rary!", MessageAction="SUPPRESS"
    )
    send(page, "login", username="carol", password="Temp0rary!")
    expect(page.locator("#challenge-title")).to_have_text("One more step: NEW_PASSWORD_REQUIRED")
    expect(page.locator("#challenge-new-password")).to_be_focused()
    expect(page.locator("#challenge-code")).to_be_hidden()
    send(page, "challenge")
    expect(page.locator("#challenge-new-password-error")).to_have_text("'new_password' is required")
    send(page, "challenge", new_password=PASSWORD)
    expect(page.locator("#challenge-title")).to_have_text("One more step: MFA_SETUP")
    expect(page.locator("#challenge-code")).to_be_focused()
    uri = page.locator("#challenge-qr .uri").inner_text()
    assert read(drawn_modules(page, "#challenge-qr")) == uri
    secret = page.locator("#challenge-qr .secret").inner_text()
    screenshot(page, "page-mfa-setup-challenge")
    send(page, "challenge", code=steady_totp(secret))
    expect(page.locator("#session-title")).to_have_text("Signed in as carol")
    expect(page.locator("#challenge-qr")).to_be_empty()
