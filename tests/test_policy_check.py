"""/auth/check with POLICY_FILE, through the app: each kind of rule allowed and refused, the step-up answer,
anonymous access, the original request's headers (missing, twice, ambiguous), the query-string policy on top;
and the dry run (`flask policy check`, in the app's CLI and in a subprocess) answering as /auth/check does."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from app import create_app
from tests.support.helpers import DROP, Minter, bearer
from tests.support.policy_cases import write_policy
from tests.support.servers import ROOT, pool_env

IDENTITY = ("X-Auth-Request-User", "X-Auth-Request-Email", "X-Auth-Request-Groups", "X-Auth-Request-Sub")


@pytest.fixture
def policy_path(tmp_path) -> str:
    return write_policy(tmp_path)


@pytest.fixture
def policy_app(pool, policy_path):
    return create_app({**pool, "policy_file": policy_path})


@pytest.fixture
def policy_client(policy_app):
    return policy_app.test_client()


@pytest.fixture
def mint(policy_app) -> Minter:
    settings = policy_app.extensions["cognito_auth"].settings
    return Minter(settings.issuer, settings.client_id)


def nginx(method: str, uri: str, host: str = "app.example.com") -> dict[str, str]:
    return {"X-Original-Method": method, "X-Original-URI": uri, "Host": host}


def caddy(method: str, uri: str, host: str = "app.example.com") -> dict[str, str]:
    return {"X-Forwarded-Method": method, "X-Forwarded-Uri": uri, "X-Forwarded-Host": host}


# (method, URL, user) -> status. A user: None (no token), or the token's kind and what it holds.
Who = dict[str, Any] | None
ADMIN: Who = {"kind": "access", "groups": ["admin"]}
STAFF: Who = {"kind": "access", "groups": ["staff"]}
PLAIN: Who = {"kind": "access"}
CASES: list[tuple[str, str, Who, int]] = [
    ("GET", "/public/x", None, 200),
    ("POST", "/Public", PLAIN, 200),
    ("GET", "/closed", ADMIN, 403),
    ("GET", "/closed", None, 401),
    ("GET", "http://other.example/app", ADMIN, 403),
    ("GET", "/reports/7", STAFF, 200),
    ("HEAD", "/reports/7", {"kind": "access", "groups": ["audit"]}, 200),
    ("POST", "/reports/7", STAFF, 403),  # no rule for POST: the default, deny
    ("GET", "/reports/7", PLAIN, 403),
    ("GET", "/reports/7", None, 401),
    ("GET", "/admin/users", ADMIN, 200),
    ("GET", "/%61dmin/users", STAFF, 403),
    ("GET", "/ADMIN", STAFF, 403),
    ("GET", "/administrator", ADMIN, 403),  # not under /admin: the default
    ("GET", "/scoped", PLAIN, 200),
    ("GET", "/scoped", {"kind": "id"}, 403),  # an ID token has no scopes
    ("GET", "/orders/1", {"kind": "access", "scope": "orders/read"}, 200),
    ("GET", "/orders/1", PLAIN, 403),
    ("GET", "/tenant", {"kind": "id", "custom:tenant": "beta"}, 200),
    ("GET", "/tenant", {"kind": "id", "custom:tenant": "other"}, 403),
    ("GET", "/tenant", {"kind": "id"}, 403),
    ("GET", "/mail", {"kind": "id", "email": "bob@example.org", "email_verified": True}, 200),
    ("GET", "/mail", {"kind": "id", "email": "bob@example.org", "email_verified": False}, 403),
    ("GET", "/mail", {"kind": "id", "email": "bob@example.com", "email_verified": True}, 403),
    ("GET", "/recent", {"kind": "access", "age": 1}, 200),
    ("GET", "/recent", {"kind": "access", "age": 60}, 401),  # step-up
    ("GET", "/vault", {"kind": "access", "amr": ["pwd", "mfa"]}, 200),
    ("GET", "/vault", PLAIN, 403),
    ("GET", "/app/x?y=1", PLAIN, 200),
    ("GET", "/elsewhere", PLAIN, 403),
    ("GET", "/elsewhere", None, 401),
    ("GET", "/;/public/", None, 400),
    ("GET", "/public/%2e%2e/admin", None, 400),
]


def token_of(mint: Minter, user: dict[str, Any]) -> str:
    claims = {key: value for key, value in user.items() if key not in ("kind", "groups", "age")}
    if "groups" in user:
        claims["cognito:groups"] = user["groups"]
    if "age" in user:
        claims["auth_time"] = int(time.time()) - user["age"]
    if user["kind"] == "id" and "email" in claims and "email_verified" not in claims:
        claims["email_verified"] = True
    if user["kind"] == "id" and "email" not in user:
        claims["email"] = DROP
    return mint.token(user["kind"], **claims)


def cli_options(user: Who) -> list[str]:
    """The dry run's options for `user`, as /auth/check reads the token (services/policy/identity.py)."""
    if user is None:
        return []
    options = ["--user", "minted", "--auth-age", str(user.get("age", 0))]
    if "groups" in user:
        options += ["--groups", ",".join(user["groups"])]
    if user["kind"] == "access":
        options += ["--scopes", user.get("scope", "aws.cognito.signin.user.admin").replace(" ", ",")]
    for name, value in user.items():
        if name.startswith("custom:"):
            options += ["--claim", f"{name}={value}"]
    if user.get("email_verified"):
        options += ["--email", user["email"]]
    if "mfa" in user.get("amr", ()):
        options.append("--mfa")
    return options


def split(url: str) -> tuple[str, str]:
    """The host and the raw target of a case's URL (a bare path is for app.example.com)."""
    if url.startswith("/"):
        return "app.example.com", url
    rest = url.split("://", 1)[1]
    host, _, path = rest.partition("/")
    return host, f"/{path}"


@pytest.mark.parametrize(("method", "url", "user", "status"), CASES)
def test_each_kind_of_rule_through_both_header_conventions(policy_client, mint, method, url, user, status):
    host, target = split(url)
    auth = bearer(token_of(mint, user)) if user is not None else {}
    for headers in (nginx(method, target, host), caddy(method, target, host)):
        answer = policy_client.get("/auth/check", headers={**headers, **auth})
        assert answer.status_code == status, (headers, answer.status_code, answer.get_data()[:200])
        if status != 200:
            assert not any(name in answer.headers for name in IDENTITY)


def test_the_dry_run_answers_as_the_check_does(policy_app, policy_client, policy_path, mint):
    runner = policy_app.test_cli_runner()
    for method, url, user, status in CASES:
        host, target = split(url)
        auth = bearer(token_of(mint, user)) if user is not None else {}
        checked = policy_client.get("/auth/check", headers={**nginx(method, target, host), **auth}).status_code
        full = f"http://{host}{target}"
        result = runner.invoke(args=["policy", "check", "--file", policy_path, method, full, *cli_options(user)])
        assert result.exit_code == 0, result.output
        decision = result.output.splitlines()[1]
        assert decision.split("(")[1].split(")")[0].split(",")[0] == str(checked) == str(status), (
            url,
            user,
            result.output,
        )


def test_a_step_up_is_a_401_naming_a_fresh_sign_in(policy_client, mint):
    token = mint.token("access", auth_time=int(time.time()) - 60)
    answer = policy_client.get("/auth/check", headers={**nginx("GET", "/recent"), **bearer(token)})
    assert answer.status_code == 401
    assert answer.headers["X-Auth-Request-Sign-In"] == "/auth/sign-in?max_age=5&rd="
    challenge = answer.headers["WWW-Authenticate"]
    assert 'error="insufficient_user_authentication"' in challenge and 'max_age="5"' in challenge
    plain = policy_client.get("/auth/check", headers=nginx("GET", "/recent"))
    assert plain.status_code == 401 and "X-Auth-Request-Sign-In" not in plain.headers  # not signed in: the plain portal


def test_anonymous_access_passes_no_identity_and_a_bad_token_is_ignored(policy_client, mint):
    for auth in ({}, bearer("not-a-token"), bearer(mint.token(exp=1))):
        answer = policy_client.get("/auth/check", headers={**nginx("GET", "/public/"), **auth})
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
        assert not any(name in answer.headers for name in IDENTITY)
    signed_in = policy_client.get("/auth/check", headers={**nginx("GET", "/public/"), **bearer(mint.token())})
    assert signed_in.headers["X-Auth-Request-User"] == "minted"
    # A machine's token, which the query string's default policy refuses (403 elsewhere), is only not passed on.
    machine = bearer(mint.token(username=DROP, sub=mint.client_id))
    assert policy_client.get("/auth/check", headers={**nginx("GET", "/app"), **machine}).status_code == 403
    opened = policy_client.get("/auth/check", headers={**nginx("GET", "/public/"), **machine})
    assert opened.status_code == 200 and not any(name in opened.headers for name in IDENTITY)


@pytest.mark.parametrize(
    "headers",
    [
        {},  # a direct call: nothing to match a rule against
        {"X-Original-URI": "/app"},  # no method
        {"X-Original-Method": "GET"},  # no URI
        {"X-Original-Method": "GET", "X-Original-URI": "/app", "X-Forwarded-Uri": "/admin"},
        {"X-Original-Method": "GET", "X-Forwarded-Method": "POST", "X-Original-URI": "/app"},
        {"X-Original-Method": "GET", "X-Original-URI": "/app%ff"},  # not UTF-8 once decoded
    ],
)
def test_with_a_policy_file_the_original_request_is_never_guessed(policy_client, mint, headers):
    answer = policy_client.get("/auth/check", headers={**headers, **bearer(mint.token())})
    assert answer.status_code == 400, answer.get_data()
    assert answer.get_json()["error"] == "invalid_request"


def test_the_query_string_policy_still_applies_on_top(policy_client, mint):
    staff = bearer(mint.token(**{"cognito:groups": ["staff"]}))
    admin = bearer(mint.token(**{"cognito:groups": ["admin"]}))
    assert policy_client.get("/auth/check?groups=admin", headers={**nginx("GET", "/app"), **staff}).status_code == 403
    assert policy_client.get("/auth/check?groups=admin", headers={**nginx("GET", "/app"), **admin}).status_code == 200
    assert policy_client.get("/auth/check?groups=admin", headers=nginx("GET", "/public")).status_code == 401
    assert policy_client.get("/auth/check?group=admin", headers={**nginx("GET", "/app"), **admin}).status_code == 400


@pytest.mark.subprocess
def test_the_commands_run_as_documented(pool, policy_path, tmp_path):
    env = {**pool_env(pool), "PATH": "/usr/bin:/bin"}
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "server", "policy"]  # the venv's own

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*flask, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    checked = run("check", "--file", policy_path, "GET", "https://app.example.com/admin/x", "--groups", "staff")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines() == [
        "rule: rule 4 (line 13): prefix /admin; allow signed_in",
        "decision: deny (403): all of [group admin] not met (missing: group admin)",
    ]
    stepped = run("check", "--file", policy_path, "GET", "https://app.example.com/recent", "--auth-age", "60")
    assert stepped.stdout.splitlines()[1].startswith("decision: step_up (401, /auth/sign-in?max_age=5&rd=...)")
    assert run("lint", policy_path).returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - prefix: /a\n    regex: '(x'\n")
    linted = run("lint", str(bad))
    assert linted.returncode == 1
    assert f"{bad}:3: regex '(x' is not a valid regular expression" in linted.stderr


@pytest.mark.subprocess
def test_the_commands_need_no_pool(policy_path):
    """As deploy/policy.yaml says to run them, where no pool is configured (a newcomer's first try, a CI lint)."""
    env = {"PATH": "/usr/bin:/bin"}
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "server", "policy"]
    linted = subprocess.run(
        [*flask, "lint", policy_path], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert linted.returncode == 0, linted.stderr
    shipped = [
        *flask,
        "check",
        "--file",
        "deploy/policy.yaml",
        "GET",
        "https://app.example.com/admin/",
        "--groups",
        "admin",
    ]
    checked = subprocess.run(shipped, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines()[1].startswith("decision: allow (200)"), checked.stdout
    served = subprocess.run([*flask[:-1], "routes"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert served.returncode != 0 and "COGNITO_USER_POOL_ID is required" in served.stderr  # only the policy commands
