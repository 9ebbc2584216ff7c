"""The page's code hint (code_hint.py): the code the embedded emulator just sent, for this machine's page only,
and only where server.py runs the emulator."""

from __future__ import annotations

import re

import pytest
import requests

from app import create_app
from cognito_emulator.code_hint import PATH, register_code_hint
from tests.support.helpers import PASSWORD

ASK = {"X-Code-Hint": "1", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def hinted(emulator, pool):
    app = create_app({**pool, "demo_page": True})
    register_code_hint(app, emulator.last_code)
    client = app.test_client()
    body = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
    assert client.post("/auth/register", json=body).status_code == 201
    return client


def test_the_page_reads_the_code_just_sent(hinted, emulator):
    answer = hinted.get(PATH, query_string={"username": "alice"}, headers=ASK)
    assert answer.status_code == 200 and answer.json == {"code": emulator.last_code("alice")}
    assert answer.headers["Cache-Control"] == "no-store"
    assert hinted.post("/auth/confirm", json={"username": "alice", "code": answer.json["code"]}).status_code == 200
    assert hinted.get(PATH, query_string={"username": "bob"}, headers=ASK).status_code == 404
    assert hinted.get(PATH, query_string={"username": "alice", "medium": "SMS"}, headers=ASK).status_code == 404


@pytest.mark.parametrize(
    ("headers", "environ", "base_url"),
    [
        ({"Sec-Fetch-Site": "same-origin"}, {}, "http://localhost"),  # no custom header: a plain cross-site GET
        ({**ASK, "Sec-Fetch-Site": "cross-site"}, {}, "http://localhost"),
        ({**ASK, "Sec-Fetch-Site": "same-site"}, {}, "http://localhost"),
        (ASK, {"REMOTE_ADDR": "192.0.2.7"}, "http://localhost"),  # another machine
        (ASK, {}, "http://rebound.example:5000"),  # a DNS-rebinding page's own host
    ],
    ids=["no-header", "cross-site", "same-site", "remote-peer", "foreign-host"],
)
def test_anyone_but_the_page_on_this_machine_is_refused(hinted, headers, environ, base_url):
    answer = hinted.get(
        PATH, query_string={"username": "alice"}, headers=headers, environ_base=environ, base_url=base_url
    )
    assert answer.status_code == 403 and answer.json["error"] == "forbidden"
    assert "code" not in answer.json


def test_no_cors_ever(hinted):
    answer = hinted.get(PATH, query_string={"username": "alice"}, headers={**ASK, "Origin": "http://evil.example"})
    assert not [name for name in answer.headers.keys() if name.lower().startswith("access-control-")]
    preflight = hinted.options(PATH, headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_the_production_app_has_no_code_hint(pool):
    client = create_app({**pool, "demo_page": True}).test_client()
    assert client.get(PATH, query_string={"username": "alice"}, headers=ASK).status_code == 404


@pytest.mark.subprocess
def test_make_run_serves_the_hint_with_the_code_it_printed(serve):
    server = serve()
    try:
        body = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
        assert requests.post(f"{server.url}/auth/register", json=body, timeout=10).status_code == 201
        hint = requests.get(f"{server.url}{PATH}", params={"username": "alice"}, headers=ASK, timeout=10)
        assert hint.status_code == 200 and hint.json()["code"] == server.code("alice")
        assert f"emulator: email code for alice: {server.code('alice')}" in server.output()
        confirm = {"username": "alice", "code": hint.json()["code"]}
        assert requests.post(f"{server.url}/auth/confirm", json=confirm, timeout=10).status_code == 200
    finally:
        server.stop()


@pytest.mark.browser
@pytest.mark.subprocess
@pytest.mark.slow
def test_the_page_resets_a_password_with_the_code_it_shows(serve):
    """ "Forgot your password?" by labels: the code the emulator sent shown under the field, a wrong code and a weak
    password refused next to their fields, the right ones reset it, and the new password signs in."""
    from playwright.sync_api import expect

    from tests.support.browser import watched_page

    server = serve()
    try:
        body = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
        assert requests.post(f"{server.url}/auth/register", json=body, timeout=10).status_code == 201
        confirm = {"username": "alice", "code": server.code("alice")}
        assert requests.post(f"{server.url}/auth/confirm", json=confirm, timeout=10).ok
        with watched_page(server.url) as page:
            page.goto(f"{server.url}/")
            reset = page.get_by_role("region", name="Forgot your password?")
            reset.get_by_label("Username").fill("alice")
            reset.get_by_role("button", name="Send me a reset code").click()
            hint = page.locator("#reset-code-sent")
            expect(hint).to_have_text(re.compile(r"^The local emulator sent the code \d{6}\.$"))
            code = server.code("alice")
            assert code in hint.inner_text()
            reset.get_by_label("Reset code").fill("000000" if code != "000000" else "111111")
            reset.get_by_label("New password").fill("N3wPassw0rd!")
            reset.get_by_role("button", name="Set the new password").click()
            expect(page.locator("#reset-code-error")).to_have_text("The confirmation code is not valid.")
            reset.get_by_label("Reset code").fill(code)
            reset.get_by_label("New password").fill("weak")
            reset.get_by_role("button", name="Set the new password").click()
            expect(page.locator("#reset-new-password-error")).not_to_be_empty()
            reset.get_by_label("New password").fill("N3wPassw0rd!")
            reset.get_by_role("button", name="Set the new password").click()
            expect(page.locator("#forgot-done")).to_have_text("The password of alice is reset: sign in with it.")
            page.fill("#login-password", "N3wPassw0rd!")
            page.click("#login button[type=submit]")
            expect(page.locator("#session-title")).to_have_text("Signed in as alice")
    finally:
        server.stop()
