"""The policy file through both shipped proxies (deploy/nginx-forward-auth.conf, deploy/Caddyfile), the auth
server (gunicorn) reading tests/support/policy_cases.py's file of every kind of rule: each allowed case reaches
the app with the user's identity, each refused one does not (401 without a sign-in, 403 with one); a sign-in
older than a rule allows sends the browser to sign in again and back to the page; ambiguous paths stay a 400.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from tests.support.forward_auth import API, PROXIES, Stack
from tests.support.helpers import PASSWORD, bearer, next_totp, steady_totp
from tests.support.policy_cases import write_policy
from tests.support.servers import free_port, pool_env
from tests.support.upstream import Upstream

pytestmark = [pytest.mark.subprocess, pytest.mark.nginx, pytest.mark.slow]

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
UNLIMITED = {f"RATE_LIMIT_{name}": "1000/minute" for name in ("REGISTER", "CONFIRM", "LOGIN", "LOGIN_USERNAME")}


@pytest.fixture(scope="module")
def stacks(emulator, tmp_path_factory, serve_gunicorn_module) -> Iterator[dict[str, Stack]]:
    """nginx and Caddy, each on its own free port, in front of one upstream and one auth server with the file."""
    emulator.reset()
    pool = emulator.create_pool("forward-auth-policy")
    emulator.client.add_custom_attributes(
        UserPoolId=pool["user_pool_id"],
        CustomAttributes=[{"Name": "tenant", "AttributeDataType": "String", "Mutable": True}],
    )
    ports = {name: free_port() for name in PROXIES}
    upstream = Upstream()
    hosts = ",".join(f"127.0.0.1:{port}" for port in ports.values())
    folder = tmp_path_factory.mktemp("policy")
    settings = {
        "SESSION_REDIRECT_HOSTS": hosts,
        "TRUSTED_PROXIES": "1",
        "SHARED_STATE_DIR": str(folder),
        "POLICY_FILE": write_policy(folder),
        **UNLIMITED,
    }
    auth = serve_gunicorn_module(pool_env(pool, **settings), "-c", "deploy/gunicorn.conf.py", workers=1)
    started: dict[str, Stack] = {}
    try:
        for name, start in PROXIES.items():
            proxy = start(tmp_path_factory.mktemp(name), ports[name], auth.port, upstream.port)
            started[name] = Stack(f"http://127.0.0.1:{ports[name]}", upstream, auth, proxy, emulator, pool)
        yield started
    finally:
        outputs = [stack.proxy.stop() for stack in started.values()]
        output = auth.stop()
        upstream.stop()
    assert "Traceback" not in output, output[-3000:]
    assert not any("[emerg]" in text or "[crit]" in text for text in outputs), outputs


def users(stack: Stack, name: str) -> dict[str, dict[str, Any]]:
    """Each user the cases need, signed in through the proxy: their tokens."""
    found = {
        "plain": stack.tokens(f"plain-{name}"),
        "staff": stack.tokens(f"staff-{name}", groups=("staff",)),
        "admin": stack.tokens(f"admin-{name}", groups=("admin",)),
        "org": stack.tokens(f"org-{name}", email=f"org-{name}@example.org"),
    }
    tenant = f"tenant-{name}"
    stack.tokens(tenant)
    pool_id = stack.pool["user_pool_id"]
    attributes = [{"Name": "custom:tenant", "Value": "acme"}]
    stack.emulator.client.admin_update_user_attributes(UserPoolId=pool_id, Username=tenant, UserAttributes=attributes)
    login = requests.post(f"{stack.url}/auth/login", json={"username": tenant, "password": PASSWORD}, timeout=10)
    assert login.status_code == 200, login.text
    found["tenant"] = login.json()
    return found


# (method, path, user and its token kind or None, status)
CASES = [
    ("GET", "/public/page", None, 200),
    ("GET", "/closed", ("admin", "access_token"), 403),
    ("GET", "/closed", None, 401),
    ("GET", "/reports/7", ("staff", "access_token"), 200),
    ("GET", "/reports/7", ("plain", "access_token"), 403),
    ("POST", "/reports/7", ("staff", "access_token"), 403),
    ("GET", "/admin/users", ("admin", "id_token"), 200),
    ("GET", "/Admin/users", ("staff", "access_token"), 403),
    ("GET", "/%61dmin/", ("staff", "access_token"), 403),
    ("GET", "/admin/users", None, 401),
    ("GET", "/scoped/x", ("plain", "access_token"), 200),
    ("GET", "/scoped/x", ("plain", "id_token"), 403),
    ("GET", "/tenant", ("tenant", "id_token"), 200),
    ("GET", "/tenant", ("plain", "id_token"), 403),
    ("GET", "/mail", ("org", "id_token"), 200),
    ("GET", "/mail", ("plain", "id_token"), 403),
    ("GET", "/recent", ("plain", "access_token"), 200),  # signed in just now
    ("GET", "/vault", ("admin", "access_token"), 403),  # a password alone is not MFA
    ("GET", "/app/page?x=1", ("plain", "access_token"), 200),
    ("GET", "/nowhere", ("admin", "access_token"), 403),  # the default: deny
    ("GET", "/nowhere", None, 401),
]


def test_each_allowed_and_refused_case(stacks):
    for name, stack in stacks.items():
        tokens = users(stack, name)
        for method, path, user, status in CASES:
            stack.upstream.requests.clear()
            headers = {**API, **(bearer(tokens[user[0]][user[1]]) if user else {})}
            answer = requests.request(method, f"{stack.url}{path}", headers=headers, allow_redirects=False, timeout=10)
            assert answer.status_code == status, (name, method, path, user, answer.status_code, answer.text[:200])
            if status == 200:
                (seen,) = stack.upstream.requests
                assert seen["path"] == path, (name, path)
                identity = {
                    key.lower(): value for key, value in seen["headers"] if key.lower() == "x-auth-request-user"
                }
                assert identity == ({"x-auth-request-user": f"{user[0]}-{name}"} if user else {}), (name, path)
            else:
                assert stack.upstream.requests == [], (name, path)


def test_ambiguous_paths_stay_refused(stacks):
    for name, stack in stacks.items():
        for path in ("/public/..;/admin/", "/%2561dmin/", "/public//x", "/x/%2e%2e/admin"):
            answer = stack.get(path, API)
            assert answer.status_code == 400, (name, path, answer.status_code)
        assert stack.upstream.requests == []


def sign_in_form(browser: requests.Session, url: str, username: str) -> requests.Response:
    """Fill in the portal's form at `url` (it must show the form) and post it; the 303 back."""
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    rd = re.search(r'name="rd" value="([^"]*)"', page.text)
    assert csrf and rd and 'name="password"' in page.text, page.text[:2000]  # the form, not "signed in as"
    base = url.split("/auth/", 1)[0]
    form = {"csrf_token": csrf.group(1), "rd": rd.group(1).replace("&amp;", "&"), "username": username}
    posted = browser.post(
        f"{base}/auth/session", data={**form, "password": PASSWORD}, allow_redirects=False, timeout=10
    )
    assert posted.status_code == 303, posted.text[:300]
    return posted


def where(stack: Stack, answer: requests.Response) -> str:
    """A redirect's target as an absolute URL (nginx sends one, Caddy a path)."""
    return urljoin(f"{stack.url}/", answer.headers["Location"])


def test_an_old_sign_in_is_sent_to_sign_in_again_and_back_to_the_page(stacks):
    for name, stack in stacks.items():
        username = f"old-{name}"
        stack.tokens(username)
        browser = requests.Session()
        browser.headers.update(BROWSER)
        page = f"{stack.url}/recent/report?tab=2"
        first = browser.get(page, allow_redirects=False, timeout=10)
        assert first.status_code == 302 and where(stack, first) == f"{stack.url}/auth/sign-in?rd={page}", name
        assert sign_in_form(browser, where(stack, first), username).headers["Location"] == page
        assert browser.get(page, allow_redirects=False, timeout=10).status_code == 200, name
        time.sleep(6)  # older than the rule's max_auth_age: 5
        api = browser.get(page, headers=API, allow_redirects=False, timeout=10)
        assert api.status_code == 401, name
        assert 'error="insufficient_user_authentication"' in api.headers["WWW-Authenticate"], name
        stale = browser.get(page, allow_redirects=False, timeout=10)
        assert stale.status_code == 302, (name, stale.status_code)
        assert where(stack, stale) == f"{stack.url}/auth/sign-in?max_age=5&rd={page}", name
        # The portal asks again though the session is live, then sends the browser back to the page.
        again = sign_in_form(browser, where(stack, stale), username)
        assert again.headers["Location"] == page, name
        back = browser.get(page, allow_redirects=False, timeout=10)
        assert back.status_code == 200 and f'<h1 id="user">{username}</h1>' in back.text, (name, back.status_code)
        # Without max_age (or with a recent sign-in) the portal says who is signed in instead of the form.
        assert 'name="password"' not in browser.get(f"{stack.url}/auth/sign-in?max_age=5&rd={page}", timeout=10).text


def test_mfa_at_sign_in_meets_the_mfa_rule(stacks):
    for name, stack in stacks.items():
        username = f"mfa-{name}"
        token = stack.tokens(username)["access_token"]
        cognito = stack.emulator.client
        secret = cognito.associate_software_token(AccessToken=token)["SecretCode"]
        cognito.verify_software_token(AccessToken=token, UserCode=steady_totp(secret))
        cognito.set_user_mfa_preference(
            AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
        )
        browser = requests.Session()
        first = browser.post(f"{stack.url}/auth/session", json={"username": username, "password": PASSWORD}, timeout=10)
        assert first.status_code == 200 and first.json()["challenge"] == "SOFTWARE_TOKEN_MFA", first.text
        answer = {"username": username, "challenge": "SOFTWARE_TOKEN_MFA", "session": first.json()["session"]}
        done = browser.post(
            f"{stack.url}/auth/session/challenge", json={**answer, "code": next_totp(secret)}, timeout=10
        )
        assert done.status_code == 200, done.text
        assert browser.get(f"{stack.url}/vault", headers=API, allow_redirects=False, timeout=10).status_code == 200
        # The same user signed in with a password alone (no MFA asked of a bearer token's sign-in here) is not.
        plain = stack.tokens(f"nomfa-{name}")["access_token"]
        assert stack.get("/vault", {**API, **bearer(plain)}).status_code == 403
