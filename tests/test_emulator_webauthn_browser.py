"""Chromium's own WebAuthn (a CDP virtual authenticator: ctap2, internal, resident keys, user verification) on a
page at http://localhost: the emulator's creation and request options work in a real browser, and it verifies
what the browser answers (registration, then two sign-ins: the sign count grows)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.browser import chromium_page, virtual_authenticator

pytestmark = [pytest.mark.usefixtures("no_emulator_errors"), pytest.mark.browser]

CREATE = """async (options) => {
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
  return (await navigator.credentials.create({publicKey})).toJSON();
}"""
GET = """async (options) => {
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(JSON.parse(options));
  return JSON.stringify((await navigator.credentials.get({publicKey})).toJSON());
}"""


class _Blank(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>passkeys</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def localhost_page() -> Iterator:
    """A blank page at http://localhost:<port> (a secure context) with a virtual authenticator."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Blank)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with chromium_page() as page:
            page.goto(f"http://localhost:{server.server_address[1]}/")
            virtual_authenticator(page)
            yield page
    finally:
        server.shutdown()


def test_a_browser_passkey_registers_and_signs_in(steps, localhost_page):
    steps.sign_up("alice")
    access = steps.password_tokens("alice")["AccessToken"]
    options = steps.cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    credential = localhost_page.evaluate(CREATE, options)
    steps.cognito.complete_web_authn_registration(AccessToken=access, Credential=credential)
    [listed] = steps.cognito.list_web_authn_credentials(AccessToken=access)["Credentials"]
    assert listed["CredentialId"] == credential["id"]
    for _ in range(2):
        started = steps.start("alice", "WEB_AUTHN")
        answer = localhost_page.evaluate(GET, started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
        assert json.loads(answer)["id"] == credential["id"]
        assert "AuthenticationResult" in steps.respond(started, "alice", CREDENTIAL=answer)
