"""Forward auth as shipped: deploy/nginx-forward-auth.conf and deploy/Caddyfile, each started as it is (ports
replaced) in front of tests/support/upstream.py's app, asking a real gunicorn auth server on the emulator's pool.

What a proxy must get right: no token is a 401 to an API call and a redirect to the sign-in page for a
browser; a valid token (bearer or session cookie) reaches the app with the auth server's identity headers,
and never with the client's own; the policy (deploy/policy.yaml, the auth server's POLICY_FILE) is the
server's, not the client's query string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from tests.support.forward_auth import API, POLICY, Stack, proxied
from tests.support.helpers import PASSWORD, bearer
from tests.support.servers import free_port, pool_env

pytestmark = [pytest.mark.subprocess]

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
IDENTITY = ("X-Auth-Request-User", "X-Auth-Request-Email", "X-Auth-Request-Groups", "X-Auth-Request-Sub")
FORGED = {
    "X-Auth-Request-User": "admin",
    "X-Auth-Request-Email": "admin@example.com",
    "X-Auth-Request-Groups": "admin",
    "X-Auth-Request-Sub": "forged-sub",
    "X-Auth-Request-Client-Id": "forged-client",
    "X-Auth-Request-Access-Token": "forged-token",
    "X-Auth-Request-Assertion": "forged.assertion.jwt",  # no ASSERTION_KEY_FILE here: the app gets none at all
    # Names apps read as identity too: an underscore twin (CGI/FastCGI read it as the dashed name), and the
    # headers other proxies and servers use.
    "X_Auth_Request_User": "admin-underscore",
    "X-Forwarded-User": "admin-forwarded",
    "Remote-User": "admin-remote",
}


# One stack per proxy for the module: each test signs in users of its own names and clears what the upstream saw
# first. Many sign-ups from one address within a minute, then: the limits are not what these tests are about.
UNLIMITED = {f"RATE_LIMIT_{name}": "1000/minute" for name in ("REGISTER", "CONFIRM", "LOGIN", "LOGIN_USERNAME")}


@pytest.fixture(scope="module", params=[pytest.param("nginx", marks=pytest.mark.nginx), "caddy"])
def started_stack(request, emulator, tmp_path_factory, serve_gunicorn_module) -> Iterator[Stack]:
    """The upstream, the auth server (gunicorn, one worker) and the proxy, each on a free loopback port."""
    emulator.reset()  # the other proxy's stack is done: its users (of the same names) go with it
    pool = emulator.create_pool(f"forward-auth-{request.param}")
    port = free_port()
    shared = str(tmp_path_factory.mktemp("shared-state"))
    settings = {
        "SESSION_REDIRECT_HOSTS": f"127.0.0.1:{port}",
        "TRUSTED_PROXIES": "1",
        "SHARED_STATE_DIR": shared,
        **POLICY,
    }
    env = pool_env(pool, **settings, **UNLIMITED)
    yield from proxied(request.param, port, env, emulator, pool, tmp_path_factory, serve_gunicorn_module)


@pytest.fixture
def stack(started_stack) -> Stack:
    """The module's stack for this proxy, the upstream's record of earlier tests' requests cleared."""
    started_stack.upstream.requests.clear()
    return started_stack


def test_no_token_is_a_401_for_an_api_call_and_the_sign_in_page_for_a_browser(stack):
    api = stack.get("/reports/7?format=csv", API)
    assert api.status_code == 401
    assert api.headers["WWW-Authenticate"].startswith("Bearer")
    assert api.headers.get("Location") is None

    for headers in (BROWSER, {"Sec-Fetch-Mode": "navigate", "Accept": "*/*"}):
        page = stack.get("/reports/7", headers)
        assert page.status_code == 302, page.headers
        assert page.headers["Location"].endswith(f"/auth/sign-in?rd={stack.url}/reports/7")
    form = requests.get(f"{stack.url}/auth/sign-in?rd={stack.url}/reports/7", headers=BROWSER, timeout=10)
    assert form.status_code == 200
    assert 'action="/auth/session"' in form.text and 'name="csrf_token"' in form.text
    assert stack.upstream.requests == []  # nothing reached the app


def test_a_bearer_token_reaches_the_app_with_the_auth_servers_identity(stack):
    tokens = stack.tokens("alice", groups=("staff",))
    for kind in ("access_token", "id_token"):
        seen = stack.seen(stack.get("/reports/7", {**API, **bearer(tokens[kind])}))
        assert seen["x-auth-request-user"] == ["alice"], kind
        assert seen["x-auth-request-groups"] == ["staff"], kind
        assert len(seen["x-auth-request-sub"]) == 1 and seen["x-auth-request-sub"][0], kind
        assert "x-auth-request-client-id" not in seen, kind  # a user's token, not a machine's
    seen = stack.seen(stack.get("/reports/7", {**API, **bearer(tokens["id_token"])}))
    assert seen["x-auth-request-email"] == ["alice@example.com"]
    assert stack.upstream.requests[-1]["path"] == "/reports/7"


def test_a_clients_own_identity_headers_never_reach_the_app(stack):
    assert stack.get("/reports/7", {**API, **FORGED}).status_code == 401
    assert stack.upstream.requests == []

    tokens = stack.tokens("bob")
    seen = stack.seen(stack.get("/reports/7", {**API, **FORGED, **bearer(tokens["access_token"])}))
    assert seen["x-auth-request-user"] == ["bob"]
    assert "x-auth-request-groups" not in seen  # in no group: no header (never an empty one, in either proxy)
    assert seen["x-auth-request-sub"] != ["forged-sub"]
    for name in ("x-auth-request-client-id", "x-auth-request-access-token", "x-auth-request-assertion"):
        assert name not in seen, name  # not sent by the auth server: dropped, never the client's
    for name, value in FORGED.items():
        assert value not in stack.upstream.headers_seen(name), name


def test_a_locations_policy_is_the_proxys_not_the_clients(stack):
    outsider = stack.tokens("carol", groups=("staff",))["access_token"]
    admin = stack.tokens("dave", groups=("admin",))["access_token"]

    assert stack.get("/admin/users", {**API, **bearer(outsider)}).status_code == 403
    assert stack.get("/admin/users?groups=staff", {**API, **bearer(outsider)}).status_code == 403
    assert stack.get("/admin/users", API).status_code == 401
    for path in ("/admin", "/Admin/users", "/ADMIN/", "/%61dmin/"):  # the app may read these as /admin
        assert stack.get(path, {**API, **bearer(outsider)}).status_code == 403, path
    # and these too, or as something else: refused before any rule (tests/test_forward_auth_paths.py has them all)
    for path in ("/admin;x/users", "/;/admin/", "/%2561dmin/"):
        assert stack.get(path, {**API, **bearer(outsider)}).status_code == 400, path
    seen = stack.seen(stack.get("/admin/users", {**API, **bearer(admin)}))
    assert seen["x-auth-request-user"] == ["dave"] and seen["x-auth-request-groups"] == ["admin"]
    # A client's query string on an open location is the app's, never a policy (nor a 400 for an unknown one).
    seen = stack.seen(stack.get("/reports?groups=nobody&machine=true&page=2", {**API, **bearer(outsider)}))
    assert seen["x-auth-request-user"] == ["carol"]
    assert stack.upstream.requests[-1]["path"] == "/reports?groups=nobody&machine=true&page=2"


def test_a_signed_out_token_is_a_401(stack):
    tokens = stack.tokens("erin")
    access = tokens["access_token"]
    assert stack.get("/reports", {**API, **bearer(access)}).status_code == 200
    logout = requests.post(f"{stack.url}/auth/logout", headers=bearer(access), json={}, timeout=10)
    assert logout.status_code == 204, logout.text
    for token in (access, tokens["id_token"]):
        answer = stack.get("/reports", {**API, **bearer(token)})
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_session_cookie_signs_a_browser_in_and_out_through_the_proxy(stack):
    stack.tokens("frank")  # registered and confirmed; this test signs in with the form, not the API
    browser = requests.Session()
    browser.headers.update(BROWSER)
    back = f"{stack.url}/reports/7?tab=2"
    sign_in = browser.get(f"{stack.url}/auth/sign-in", params={"rd": back}, timeout=10)
    assert sign_in.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', sign_in.text)
    assert csrf, sign_in.text
    form = {"csrf_token": csrf.group(1), "rd": back, "username": "frank", "password": PASSWORD}
    signed_in = browser.post(f"{stack.url}/auth/session", data=form, allow_redirects=False, timeout=10)
    assert signed_in.status_code == 303, signed_in.text
    assert signed_in.headers["Location"] == back
    cookie = signed_in.cookies.get("auth_session")
    assert cookie and "httponly" in signed_in.headers["Set-Cookie"].lower()

    page = browser.get(back, allow_redirects=False, timeout=10)
    assert page.status_code == 200, (page.status_code, page.headers)
    assert '<h1 id="user">frank</h1>' in page.text
    assert "frank@example.com" in page.text  # known for a session even from its access token
    seen = stack.seen(browser.get(back, headers=API, allow_redirects=False, timeout=10))
    assert seen["x-auth-request-user"] == ["frank"]

    session = browser.get(f"{stack.url}/auth/session", headers=API, timeout=10)
    assert session.status_code == 200, session.text
    assert session.json()["username"] == "frank"
    out = browser.post(
        f"{stack.url}/auth/sign-out",
        data={"csrf_token": session.json()["csrf_token"], "rd": "/"},
        allow_redirects=False,
        timeout=10,
    )
    assert out.status_code == 303, out.text
    assert out.headers["Location"] in ("/", f"{stack.url}/")
    assert browser.cookies.get("auth_session") is None  # cleared
    # The old cookie is dead on the server too, not just forgotten by this browser.
    again = requests.get(
        back, headers={**BROWSER, "Cookie": f"auth_session={cookie}"}, allow_redirects=False, timeout=10
    )
    assert again.status_code == 302
    assert "/auth/sign-in?rd=" in again.headers["Location"]
    assert requests.get(back, headers={**API, "Cookie": f"auth_session={cookie}"}, timeout=10).status_code == 401
