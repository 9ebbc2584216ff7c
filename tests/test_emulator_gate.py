"""Only the auth server reaches the embedded emulator: no CORS, no browser requests, no /moto-api, its own Host only.

moto's server echoes any Origin into CORS headers and `/moto-api/data.json` holds every user's plaintext
password, so without the gate a page on any other local origin could read them from a browser.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.support.browser import chromium_page
from tests.support.helpers import PASSWORD

TARGET = "AWSCognitoIdentityProviderService."
JSON_11 = "application/x-amz-json-1.1"


@pytest.fixture
def signed_up(emulator, pool):
    """A pool with one user in it, whose password a leak would show."""
    emulator.client.sign_up(ClientId=pool["client_id"], Username="alice", Password=PASSWORD)
    return pool


def cognito(emulator, operation: str, body: dict, **headers: str) -> requests.Response:
    headers = {"X-Amz-Target": TARGET + operation, "Content-Type": JSON_11, **headers}
    return requests.post(emulator.endpoint_url + "/", data=json.dumps(body), headers=headers, timeout=5)


def cors_headers(response: requests.Response) -> list[str]:
    return [name for name in response.headers if name.lower().startswith("access-control-")]


def test_the_auth_servers_own_calls_get_through_with_no_cors_headers(emulator, signed_up):
    response = cognito(emulator, "ListUsers", {"UserPoolId": signed_up["user_pool_id"]})
    assert response.status_code == 200 and response.json()["Users"][0]["Username"] == "alice"
    assert cors_headers(response) == []
    jwks = requests.get(signed_up["jwks_url"], timeout=5)
    assert jwks.status_code == 200 and jwks.json()["keys"] and cors_headers(jwks) == []


@pytest.mark.parametrize("method", ["GET", "POST", "OPTIONS", "PUT"])
def test_a_request_with_an_origin_is_refused(emulator, signed_up, method):
    headers = {"Origin": "http://127.0.0.1:8080", "X-Amz-Target": TARGET + "ListUsers", "Content-Type": JSON_11}
    if method == "OPTIONS":  # a CORS preflight
        headers = {"Origin": "http://127.0.0.1:8080", "Access-Control-Request-Method": "POST"}
    body = json.dumps({"UserPoolId": signed_up["user_pool_id"]})
    response = requests.request(method, emulator.endpoint_url + "/", data=body, headers=headers, timeout=5)
    assert response.status_code == 403 and response.headers["Content-Type"] == "application/json"
    assert response.json()["__type"] == "Forbidden" and cors_headers(response) == []
    assert "alice" not in response.text


@pytest.mark.parametrize("path", ["/moto-api/data.json", "/moto-api/", "/moto-api/reset", "/moto-api/seed"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_moto_api_is_unreachable(emulator, signed_up, path, method):
    response = requests.request(method, emulator.endpoint_url + path, timeout=5)
    assert response.status_code == 404 and response.json()["__type"] == "NotFound"
    assert PASSWORD not in response.text and cors_headers(response) == []
    users = emulator.client.list_users(UserPoolId=signed_up["user_pool_id"])["Users"]
    assert [user["Username"] for user in users] == ["alice"]  # /moto-api/reset reset nothing


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "localhost",
        "localhost:1{port}",
        "localhost.evil.example:{port}",
        "127.0.0.1",
        "0.0.0.0:{port}",
        "[::1]:{port}",
    ],
)
def test_any_host_but_its_own_is_refused(emulator, signed_up, host):
    """DNS rebinding: a name that resolves to 127.0.0.1 still carries its own Host header."""
    port = emulator.endpoint_url.rsplit(":", 1)[1]
    response = cognito(emulator, "ListUsers", {"UserPoolId": signed_up["user_pool_id"]}, Host=host.format(port=port))
    assert response.status_code == 403 and "alice" not in response.text
    data = requests.get(emulator.endpoint_url + "/moto-api/data.json", headers={"Host": host.format(port=port)})
    assert data.status_code == 403 and PASSWORD not in data.text


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_its_own_port_at_loopback_or_localhost_gets_through(emulator, signed_up, name):
    """`localhost:PORT` as well as `127.0.0.1:PORT`: the API, the keys and the OAuth endpoints answer either."""
    port = emulator.endpoint_url.rsplit(":", 1)[1]
    host = {"Host": f"{name}:{port}"}
    listed = cognito(emulator, "ListUsers", {"UserPoolId": signed_up["user_pool_id"]}, **host)
    assert listed.status_code == 200 and listed.json()["Users"][0]["Username"] == "alice"
    assert cors_headers(listed) == []
    keys = requests.get(signed_up["jwks_url"], headers=host, timeout=5)
    assert keys.status_code == 200 and keys.json()["keys"]
    discovery = f"{emulator.endpoint_url}/{signed_up['user_pool_id']}/.well-known/openid-configuration"
    assert requests.get(discovery, headers=host, timeout=5).status_code == 200
    hidden = requests.get(emulator.endpoint_url + "/moto-api/data.json", headers=host, timeout=5)
    assert hidden.status_code == 404 and PASSWORD not in hidden.text  # still closed, by either name
    browser = cognito(
        emulator, "ListUsers", {"UserPoolId": signed_up["user_pool_id"]}, Origin="http://localhost", **host
    )
    assert browser.status_code == 403 and "alice" not in browser.text


class _Page(BaseHTTPRequestHandler):
    html = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, *args):
        pass


ATTEMPTS = """
async function attempt(name, run) {
  try { return [name, "read", await run()]; } catch (err) { return [name, "failed", String(err)]; }
}
function xhr(method, url, body, headers) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    for (const [k, v] of Object.entries(headers || {})) request.setRequestHeader(k, v);
    request.onload = () => resolve(request.status + " " + request.responseText);
    request.onerror = () => reject(new Error("xhr error"));
    request.send(body);
  });
}
window.attempts = (emulator, poolId) => {
  const body = JSON.stringify({UserPoolId: poolId});
  const headers = {"X-Amz-Target": "AWSCognitoIdentityProviderService.ListUsers"};
  headers["Content-Type"] = "application/x-amz-json-1.1";
  return Promise.all([
    attempt("fetch data.json", async () => (await fetch(emulator + "/moto-api/data.json")).text()),
    attempt("xhr data.json", () => xhr("GET", emulator + "/moto-api/data.json")),
    attempt("fetch ListUsers", async () => (await fetch(emulator + "/", {method: "POST", body, headers})).text()),
    attempt("xhr ListUsers", () => xhr("POST", emulator + "/", body, headers)),
    attempt("simple POST", async () => (await fetch(emulator + "/", {method: "POST", body})).text()),
  ]);
};
"""


@pytest.mark.browser
def test_a_page_on_another_local_origin_reads_nothing_from_the_emulator(emulator, signed_up):
    _Page.html = f"<!doctype html><title>elsewhere</title><script>{ATTEMPTS}</script>".encode()
    site = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        with chromium_page() as page:
            page.goto(f"http://127.0.0.1:{site.server_address[1]}/")
            results = page.evaluate(
                "([e, p]) => window.attempts(e, p)", [emulator.endpoint_url, signed_up["user_pool_id"]]
            )
    finally:
        site.shutdown()
    assert len(results) == 5
    for name, outcome, detail in results:
        assert outcome == "failed", (name, detail)  # a CORS failure: the page sees no status and no body
        assert PASSWORD not in detail and "alice" not in detail
    users = emulator.client.list_users(UserPoolId=signed_up["user_pool_id"])["Users"]
    assert [user["Username"] for user in users] == ["alice"]
