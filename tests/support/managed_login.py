"""Managed login over plain HTTP, as a browser would go through it: the emulator's sign-in form, an IdP's
forms, and redirects followed by hand until they reach the app's redirect_uri (which need not listen)."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests

from tests.support.helpers import PASSWORD

CALLBACK = "http://localhost:{port}/auth/oauth/callback"
_FORM = re.compile(r"<form[^>]*\baction=\"([^\"]*)\"[^>]*>(.*?)</form>", re.DOTALL)
_INPUT = re.compile(r"<input\b([^>]*)>")
_ATTR = re.compile(r"(\w+)=\"([^\"]*)\"")


def pkce() -> tuple[str, str]:
    """A code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def form_of(page: str) -> tuple[str, dict[str, str]]:
    """The first form of an HTML page: its action and the values its inputs carry."""
    match = _FORM.search(page)
    assert match, f"no form in the page: {page[:500]}"
    fields = {}
    for attrs in _INPUT.findall(match.group(2)):
        found = {k: html.unescape(v) for k, v in _ATTR.findall(attrs)}
        if "name" in found:
            fields[found["name"]] = found.get("value", "")
    return html.unescape(match.group(1)), fields


def query_of(url: str) -> dict[str, str]:
    """A URL's query parameters (the first of each)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def follow(browser: requests.Session, url: str, stop_at: str, fill: dict[str, str], limit: int = 15) -> str:
    """GET `url`, follow redirects, and submit each form met with `fill`, until a redirect to `stop_at`: its URL."""
    method, data = "GET", None
    for _ in range(limit):
        response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url, method, data = urljoin(url, response.headers["Location"]), "GET", None
            if url.startswith(stop_at):
                return url
            continue
        assert response.status_code == 200, f"{response.status_code} at {url}: {response.text[:500]}"
        action, fields = form_of(response.text)
        url, method, data = urljoin(url, action), "POST", {**fields, **fill}
    raise AssertionError(f"no redirect to {stop_at} after {limit} steps; last at {url}")


def authorize_url(endpoint_url: str, client_id: str, redirect_uri: str, **params: str) -> str:
    """The emulator's /oauth2/authorize URL for a code request with these parameters."""
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, **params}
    return f"{endpoint_url}/oauth2/authorize?{urlencode(query)}"


def exchange(endpoint_url: str, **form: Any) -> requests.Response:
    """POST /oauth2/token with this form."""
    return requests.post(f"{endpoint_url}/oauth2/token", data=form, timeout=10)


PORT = 5999  # the server's port the callback URLs name; nothing needs to listen there
REDIRECT = CALLBACK.format(port=PORT)


def claims(token: str) -> dict[str, Any]:
    """A JWT's claims, unverified (the tests verify them with the server's verifier where it matters)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def managed_login_pool(emulator, pool) -> dict[str, Any]:
    """The test pool with managed login on, a confirmed user alice, and the machine client (a fixture's body)."""
    extra = emulator.enable_oauth(pool, PORT)
    ids = {"UserPoolId": pool["user_pool_id"], "Username": "alice"}
    attributes = [{"Name": "email", "Value": "alice@example.com"}, {"Name": "email_verified", "Value": "true"}]
    emulator.client.admin_create_user(**ids, MessageAction="SUPPRESS", UserAttributes=attributes)
    emulator.client.admin_set_user_password(**ids, Password=PASSWORD, Permanent=True)
    return {**pool, "extra": extra, **emulator.machine_clients[pool["user_pool_id"]]}


def sign_in(emulator, oauth, browser=None, **params: str) -> tuple[requests.Session, dict[str, str]]:
    """Through /oauth2/authorize and the sign-in form as alice: the browser and the callback's query."""
    browser = browser or requests.Session()
    url = authorize_url(emulator.endpoint_url, oauth["client_id"], REDIRECT, **params)
    done = follow(browser, url, REDIRECT, {"username": "alice", "password": PASSWORD})
    return browser, query_of(done)


def code_tokens(emulator, oauth, **params: str) -> dict[str, Any]:
    """Tokens for alice through the code flow with PKCE and the given authorize parameters."""
    verifier, challenge = pkce()
    _, answer = sign_in(emulator, oauth, code_challenge=challenge, code_challenge_method="S256", **params)
    response = exchange(
        emulator.endpoint_url,
        grant_type="authorization_code",
        client_id=oauth["client_id"],
        code=answer["code"],
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )
    assert response.status_code == 200, response.text
    return response.json()
