"""Amplify JS v6 in Debian's headless Chromium, in a page at another local origin that `--cors-origin` allows:
`signIn` (its default SRP flow) completes with tokens; the same page at an origin not allowed is refused; the
emulator's state and codes are never readable from either. `signInWithRedirect` (managed login) goes through
Caddy: Amplify builds `https://{domain}/oauth2/...`, so Caddy, with its own local certificate, fronts the
plain-HTTP emulator, and the test's own Chromium ignores certificate errors.

The bundle is the project's tests/amplify-browser (`make test` builds it: npm ci, then esbuild)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.node, pytest.mark.subprocess, pytest.mark.slow]

# The project's npm folder (the emulator's package itself has no npm part).
BUNDLE = Path(__file__).resolve().parents[2] / "tests" / "amplify-browser" / "dist" / "amplify.js"
CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, quiet (this closed network refuses Google's hosts); certificate errors ignored in this
# browser only, for Caddy's local certificate.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--ignore-certificate-errors"]
PASSWORD = "Correct-Horse-9"
PAGE = '<!doctype html><title>app</title><script src="/amplify.js"></script><script>configure(%s)</script>'


class AppPage(ThreadingHTTPServer):
    """The app: one page that loads the bundle and configures Amplify with `config` (set by the test)."""

    config: dict = {}


class Handler(BaseHTTPRequestHandler):
    server: AppPage

    def do_GET(self) -> None:  # every path but the bundle: the page (its OAuth callback too)
        if self.path == "/amplify.js":
            body, kind = BUNDLE.read_bytes(), "text/javascript"
        else:
            config = json.dumps(self.server.config)
            body = (PAGE % config).encode()
            kind = "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def app_page() -> Iterator[AppPage]:
    assert BUNDLE.is_file(), "no Amplify bundle: `make test` builds tests/amplify-browser/dist/amplify.js"
    server = AppPage(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser() -> Iterator:
    """Debian's Chromium; certificate errors ignored in this browser only (Caddy's local certificate)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield launched.new_page()
        finally:
            launched.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def caddy_front(cognito_emulator, tmp_path) -> Iterator[str]:
    """Caddy on https://localhost:PORT (`tls internal`) in front of the emulator; yields the OAuth domain.

    The emulator only answers its own loopback Host, and its sign-in form takes only posts from its own origin:
    Caddy sends the upstream's host and turns its own origin into the emulator's, as a TLS front does. Any other
    Origin (the app's) passes unchanged, so the emulator's CORS rules still decide."""
    port, upstream = _free_port(), cognito_emulator.endpoint_url.removeprefix("http://")
    (tmp_path / "Caddyfile").write_text(
        "{\n  admin off\n  auto_https disable_redirects\n  skip_install_trust\n"
        f"  http_port {_free_port()}\n  storage file_system {tmp_path / 'data'}\n}}\n"
        f"https://localhost:{port} {{\n  bind 127.0.0.1\n  tls internal\n  reverse_proxy {upstream} {{\n"
        "    header_up Host {upstream_hostport}\n"
        f"    header_up Origin ^https://localhost:{port}$ http://{upstream}\n  }}\n}}\n"
    )
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    caddy = shutil.which("caddy")
    assert caddy, "the redirect test needs Debian's caddy: `make test` installs it as root"
    log = open(tmp_path / "caddy.log", "w")  # closed below, after the process
    process = subprocess.Popen(
        [caddy, "run", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 20
        while not _listening(port):
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "caddy.log").read_text()
            time.sleep(0.1)
        yield f"localhost:{port}"
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def _config(cognito_emulator, oauth: dict | None = None) -> dict:
    cognito = {
        "userPoolId": cognito_emulator.user_pool_id,
        "userPoolClientId": cognito_emulator.client_id,
        "userPoolEndpoint": cognito_emulator.endpoint_url,
    }
    if oauth:
        cognito["loginWith"] = {"oauth": oauth}
    return {"Auth": {"Cognito": cognito}}


SIGN_IN = """async ([username, password]) => {
  try {
    const result = await signIn({username, password});
    const session = await fetchAuthSession();
    return {step: result.nextStep.signInStep, access: session.tokens?.accessToken?.toString() ?? null};
  } catch (err) { return {error: `${err.name}: ${err.message}`}; }
}"""
# Every path that holds state or codes, read by the page: each fetch must fail (no CORS header, or refused).
READ_STATE = """async (urls) => {
  const read = [];
  for (const url of urls) {
    try { const answer = await fetch(url); read.push(`${url}: ${answer.status} ${await answer.text()}`); }
    catch (err) { /* unreadable: what we want */ }
  }
  return read;
}"""
STATE_PATHS = ["/moto-api/data.json", "/local/sent-code", "/", "/login"]
TOKENS = "async () => (await fetchAuthSession()).tokens?.idToken?.payload?.['cognito:username'] ?? null"


def _unreadable(page, bases: list[str]) -> None:
    read = page.evaluate(READ_STATE, [base + path for base in bases for path in STATE_PATHS])
    assert read == [], read


def test_signin_from_an_allowed_origin_completes_and_state_stays_unreadable(cognito_emulator, app_page, browser, alice):
    origin = f"http://localhost:{app_page.server_address[1]}"
    cognito_emulator.server.allow_origins([origin])
    alice()
    app_page.config = _config(cognito_emulator)
    browser.goto(origin + "/")
    wrong = browser.evaluate(SIGN_IN, ["alice", "Wrong-Horse-9"])  # the emulator checks the SRP proof
    assert wrong.get("error", "").startswith("NotAuthorizedException"), wrong
    answer = browser.evaluate(SIGN_IN, ["alice", PASSWORD])
    assert answer.get("step") == "DONE", answer
    assert answer["access"].count(".") == 2
    assert browser.evaluate(TOKENS) == "alice"
    _unreadable(browser, [cognito_emulator.endpoint_url])


def test_signin_from_an_origin_not_allowed_is_refused(cognito_emulator, app_page, browser, alice):
    port = app_page.server_address[1]
    cognito_emulator.server.allow_origins([f"http://localhost:{port}"])
    alice()
    app_page.config = _config(cognito_emulator)
    failed: list[str] = []
    browser.on(
        "requestfailed", lambda r: failed.append(r.url) if r.url.startswith(cognito_emulator.endpoint_url) else None
    )
    browser.goto(f"http://127.0.0.1:{port}/")  # the same page at another origin
    answer = browser.evaluate(SIGN_IN, ["alice", PASSWORD])
    assert "error" in answer and answer.get("access") is None, answer
    assert "NetworkError" in answer["error"] or "fetch" in answer["error"].lower(), answer
    assert failed, "no request to the emulator failed: the refusal came from somewhere else"
    assert browser.evaluate(TOKENS) is None
    _unreadable(browser, [cognito_emulator.endpoint_url])


def test_sign_in_with_redirect_through_managed_login(cognito_emulator, app_page, browser, caddy_front, alice):
    origin = f"http://localhost:{app_page.server_address[1]}"
    callback = origin + "/"
    cognito_emulator.server.allow_origins([origin])
    alice(callback, domain="amplify-app")
    oauth = {
        "domain": caddy_front,
        "scopes": ["openid", "email"],
        "redirectSignIn": [callback],
        "redirectSignOut": [callback],
        "responseType": "code",
    }
    app_page.config = _config(cognito_emulator, oauth)
    browser.goto(callback)
    with browser.expect_navigation(url=f"https://{caddy_front}/**"):
        browser.evaluate("() => { signInWithRedirect(); }")
    browser.fill("#username", "alice")
    browser.fill("#password", PASSWORD)
    with browser.expect_navigation(url=f"{callback}?**"):
        browser.click("button[type=submit]")
    deadline = time.monotonic() + 15  # the page's Amplify exchanges the code at https://{domain}/oauth2/token
    while (user := browser.evaluate(TOKENS)) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert user == "alice"
    _unreadable(browser, [cognito_emulator.endpoint_url, f"https://{caddy_front}"])
