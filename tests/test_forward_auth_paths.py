"""The shipped forward-auth examples cannot be walked around: deploy/nginx-forward-auth.conf and deploy/Caddyfile,
both started as shipped in front of one echoing upstream and one gunicorn auth server on the emulator's pool.

Paths an app might read otherwise than the proxy are a 400 before any rule (never at the app), the /admin
rule (deploy/policy.yaml, the auth server's POLICY_FILE) still holds in any case, group names reach the app
percent-encoded, no forged identity header of the names apps read gets through, and both proxies hand the app
the same identity headers.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.support.forward_auth import API, POLICY, PROXIES, Stack
from tests.support.helpers import bearer
from tests.support.path_cases import AMBIGUOUS
from tests.support.servers import free_port, pool_env
from tests.support.upstream import Upstream, headers_of

pytestmark = [pytest.mark.subprocess, pytest.mark.nginx]

# The findings against the examples' old /admin regex, now deploy/policy.yaml's rule (servlet containers serve the
# `;` forms as /admin/; the others pass an app that reads a backslash as `/`, decodes twice, or stops at NUL), and
# their kin from tests/test_paths.py.
FINDINGS = [
    "/;/admin/",
    "/x/..;/admin/",
    "/.;/admin/",
    "/;x=1/admin/secret",
    "/%3b/admin/",
    "/admin\\x",
    "/\\admin/",
    "/%2561dmin/",
    "/admin%00/",
    "/admin;x/users",
    "/auth/..;/admin/",
]
# What a client can put on a request line: an origin-form target starting with `/`, no raw control or space.
REFUSED = FINDINGS + [path for path in AMBIGUOUS if path.startswith("/") and path.isprintable() and " " not in path]
ADMIN_ONLY = ["/admin", "/admin/users", "/Admin/users", "/ADMIN/", "/%61dmin/", "/%41DMIN/x"]
# Identity headers apps read, each forged by the client (nginx drops the underscore names by itself).
FORGED = {
    **{f"X-Auth-Request-{name}": f"forged-{name}" for name in ("User", "Email", "Groups", "Sub", "Client-Id")},
    **{f"X-Auth-Request-{name}": f"forged-{name}" for name in ("Preferred-Username", "Access-Token", "Roles")},
    "X-Auth-Request-Redirect": "forged-redirect",
    **{f"X-Forwarded-{name}": f"forged-fw-{name}" for name in ("User", "Email", "Groups", "Preferred-Username")},
    "X-Forwarded-Access-Token": "forged-fw-token",
    "X-Remote-User": "forged-x-remote",
    "X-Remote-Group": "forged-x-remote-group",
    **{f"Remote-{name}": f"forged-remote-{name}" for name in ("User", "Groups", "Email", "Name")},
    "X-User": "forged-x-user",
    "X-Email": "forged-x-email",
    "X_Auth_Request_User": "forged-underscore",
    "X_Forwarded_User": "forged-underscore-fw",
    "Remote_User": "forged-underscore-remote",
}
# The headers an app could take for who is signed in: all the app may receive of these is the auth server's.
IDENTITY_NAMES = {name.lower().replace("_", "-") for name in FORGED}


# One stack for the module: each test signs in users of its own names and clears what the upstream saw first.
# Many sign-ups from one address within a minute, then: the limits are not what these tests are about.
UNLIMITED = {f"RATE_LIMIT_{name}": "1000/minute" for name in ("REGISTER", "CONFIRM", "LOGIN", "LOGIN_USERNAME")}


@pytest.fixture(scope="module")
def started_stacks(emulator, tmp_path_factory, serve_gunicorn_module) -> Iterator[dict[str, Stack]]:
    """nginx and Caddy, each on its own free port, in front of one upstream and one auth server."""
    emulator.reset()
    pool = emulator.create_pool("forward-auth-paths")
    ports = {name: free_port() for name in PROXIES}
    upstream = Upstream()
    hosts = ",".join(f"127.0.0.1:{port}" for port in ports.values())
    shared = str(tmp_path_factory.mktemp("shared-state"))
    settings = {
        "SESSION_REDIRECT_HOSTS": hosts,
        "TRUSTED_PROXIES": "1",
        "SHARED_STATE_DIR": shared,
        **UNLIMITED,
        **POLICY,
    }
    auth = serve_gunicorn_module(pool_env(pool, **settings), "-c", "deploy/gunicorn.conf.py", workers=1)
    started: dict[str, Stack] = {}
    try:
        for name, start in PROXIES.items():
            folder = tmp_path_factory.mktemp(name)
            proxy = start(folder, ports[name], auth.port, upstream.port)
            started[name] = Stack(f"http://127.0.0.1:{ports[name]}", upstream, auth, proxy, emulator, pool)
        yield started
    finally:
        outputs = [stack.proxy.stop() for stack in started.values()]
        output = auth.stop()
        upstream.stop()
    assert "Traceback" not in output, output[-3000:]
    assert not any("[emerg]" in text or "[crit]" in text for text in outputs), outputs


@pytest.fixture
def stacks(started_stacks) -> dict[str, Stack]:
    """The module's stacks, the upstream's record of earlier tests' requests cleared."""
    next(iter(started_stacks.values())).upstream.requests.clear()
    return started_stacks


def raw_get(stack: Stack, target: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """GET `target` exactly as written on the request line (requests would re-quote a backslash)."""
    connection = http.client.HTTPConnection(stack.url.removeprefix("http://"), timeout=10)
    try:
        connection.request("GET", target, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def test_a_path_an_app_might_read_otherwise_is_a_400_and_never_reaches_the_app(stacks):
    for name, stack in stacks.items():
        outsider = stack.tokens(f"outsider-{name}", groups=("staff",))["access_token"]
        admin = stack.tokens(f"admin-{name}", groups=("admin",))["access_token"]
        for target in REFUSED:
            for headers in ({**API, **bearer(outsider)}, {**API, **bearer(admin)}, API):
                status, body = raw_get(stack, target, headers)
                assert status == 400, (name, target, status, body[:200])
                if body.startswith(b"{"):  # nginx's own 400 (a NUL it will not decode) is its HTML page
                    assert json.loads(body)["error"] == "invalid_request", (name, target)
        assert stack.upstream.requests == [], (name, stack.upstream.requests[:3])


def test_the_admin_rule_holds_in_any_case_and_encoding(stacks):
    for name, stack in stacks.items():
        outsider = stack.tokens(f"carol-{name}", groups=("staff",))["access_token"]
        admin = stack.tokens(f"dave-{name}", groups=("admin",))["access_token"]
        for target in ADMIN_ONLY:
            status, _ = raw_get(stack, target, {**API, **bearer(outsider)})
            assert status == 403, (name, target, status)
        assert stack.upstream.requests == [], name
        for target in ADMIN_ONLY:
            status, body = raw_get(stack, target, {**API, **bearer(admin)})
            assert status == 200, (name, target, status)
            assert json.loads(body)["path"] == target
        stack.upstream.requests.clear()


def test_a_clients_own_original_uri_headers_change_nothing(stacks):
    """The proxies set both names the check reads: a client's ambiguous value is neither obeyed nor a 5xx."""
    for name, stack in stacks.items():
        token = stack.tokens(f"erin-{name}")["access_token"]
        forged = {"X-Original-URI": "/;/admin/", "X-Forwarded-Uri": "/%2561dmin/"}
        answer = stack.get("/reports/7", {**API, **forged, **bearer(token)})
        assert answer.status_code == 200, (name, answer.status_code, answer.text[:300])


def test_a_group_name_with_a_comma_arrives_encoded_and_is_no_admin(stacks):
    for name, stack in stacks.items():
        token = stack.tokens(f"gina-{name}", groups=("staff,admin", "100%", "équipe"))["access_token"]
        seen = stack.seen(stack.get("/reports", {**API, **bearer(token)}))
        (value,) = seen["x-auth-request-groups"]
        assert sorted(value.split(",")) == ["%C3%A9quipe", "100%25", "staff%2Cadmin"], name
        assert sorted(unquote(group) for group in value.split(",")) == ["100%", "staff,admin", "équipe"]
        assert stack.get("/admin/", {**API, **bearer(token)}).status_code == 403, name


def test_forged_identity_headers_never_reach_the_app(stacks):
    for name, stack in stacks.items():
        assert stack.get("/reports", {**API, **FORGED}).status_code == 401
        assert stack.upstream.requests == [], name
        tokens = stack.tokens(f"hal-{name}", groups=("staff",))
        for token in (tokens["access_token"], tokens["id_token"]):
            seen = stack.seen(stack.get("/reports", {**API, **FORGED, **bearer(token)}))
            assert seen["x-auth-request-user"] == [f"hal-{name}"]
            assert seen["x-auth-request-groups"] == ["staff"]
        received = [(key, value) for seen in stack.upstream.requests for key, value in seen["headers"]]
        assert not [(key, value) for key, value in received if value in FORGED.values()], name  # under no name
        stack.upstream.requests.clear()


def _identity(seen: dict[str, list[str]], user: str) -> dict[str, list[str]]:
    """The identity headers the app got, the per-proxy user name made the same."""
    names = {name for name in seen if name.startswith("x-auth-request-") or name in IDENTITY_NAMES}
    return {name: [value.replace(user, "USER") for value in seen[name]] for name in sorted(names)}


def test_both_proxies_send_the_same_identity_headers(stacks):
    """The same rule in both: a header the auth server does not send (no group, no verified email, a
    user's token has no client id) is absent, never empty; the others are the auth server's values."""
    sent: dict[str, list[dict[str, list[str]]]] = {}
    for name, stack in stacks.items():
        plain = stack.tokens(f"ivy-{name}")
        grouped = stack.tokens(f"jon-{name}", groups=("staff,admin", "staff"))
        answers = []
        for user, token in ((f"ivy-{name}", plain), (f"jon-{name}", grouped)):
            for kind in ("access_token", "id_token"):
                seen = stack.seen(stack.get("/reports", {**API, **FORGED, **bearer(token[kind])}))
                answers.append(_identity({k: v for k, v in seen.items() if k != "x-auth-request-sub"}, user))
        sent[name] = answers
    assert sent["nginx"] == sent["caddy"]
    plain_access, plain_id, grouped_access, grouped_id = sent["nginx"]
    assert plain_access == {"x-auth-request-user": ["USER"]}  # no empty Groups, Email or Client-Id
    assert plain_id == {"x-auth-request-user": ["USER"], "x-auth-request-email": ["USER@example.com"]}
    assert set(grouped_access) == {"x-auth-request-user", "x-auth-request-groups"}
    assert sorted(grouped_access["x-auth-request-groups"][0].split(",")) == ["staff", "staff%2Cadmin"]
    assert set(grouped_id) == {"x-auth-request-user", "x-auth-request-email", "x-auth-request-groups"}


def test_the_fixture_would_notice_a_header_reaching_the_app(stacks):
    """The upstream's record can fail these tests: a header the proxies do not clear does arrive."""
    stack = stacks["caddy"]
    token = stack.tokens("kim")["access_token"]
    seen = stack.seen(stack.get("/reports", {**API, "X-Not-Identity": "passes", **bearer(token)}))
    assert seen["x-not-identity"] == ["passes"]
    assert headers_of(stack.upstream.requests[-1])["x-not-identity"] == ["passes"]
    assert Path(stack.proxy.process.args[3]).name == "Caddyfile"
