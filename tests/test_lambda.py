"""The Lambda entry point, driven with the four event shapes, and the deployment: template and zip.

tests/events/ holds one request (GET /health) in each shape, written from AWS's documented formats: API
Gateway REST API proxy integration (payload 1.0, with `multiValueHeaders`), HTTP API payload 2.0 (`cookies`,
`requestContext.http`), a Lambda function URL, and an ALB target. Each test gives the function its
settings as Lambda does, in COGNITO_* environment variables (pointed at the emulator), and its app is
built afresh by the test's first invocation.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from cfnlint.decode import decode
from cryptography.hazmat.primitives.asymmetric import rsa

import lambda_function
from cognito_emulator.emulator import last_code
from config import Settings
from tests.support.helpers import PASSWORD, ROOT, Minter, bearer
from tests.support.lambda_events import ALICE, ENV, Answer, event, read

SHAPES = ("rest-api-v1", "http-api-v2", "function-url", "alb")
BIN = Path(sys.executable).parent
MAKE = shutil.which("make")


@pytest.fixture
def environment(monkeypatch, pool):
    """The function's environment, the pool's settings in COGNITO_* variables; the app built afresh."""
    for name, value in pool.items():
        monkeypatch.setenv(ENV[name], value)
    lambda_function.function.cache_clear()
    yield monkeypatch
    lambda_function.function.cache_clear()


@pytest.fixture
def invoke(environment):
    return lambda request: read(lambda_function.lambda_handler(request, None))


def sign_in(invoke, shape: str) -> str:
    """Register, confirm and log alice in through the handler; her access token."""
    assert invoke(event(shape, "POST", "/auth/register", body=ALICE)).status == 201
    assert (
        invoke(event(shape, "POST", "/auth/confirm", body={"username": "alice", "code": last_code("alice")})).status
        == 200
    )
    login = invoke(event(shape, "POST", "/auth/login", body={"username": "alice", "password": PASSWORD}))
    assert login.status == 200, login.json
    assert login.headers["cache-control"] == "no-store"
    return login.json["access_token"]


@pytest.mark.parametrize("shape", SHAPES)
def test_health_answers_in_the_shape_of_the_event(invoke, shape):
    raw = lambda_function.lambda_handler(event(shape), None)
    assert ("multiValueHeaders" in raw) == (shape == "rest-api-v1")  # 1.0 answers in the form it was asked
    assert ("cookies" in raw) == (shape in ("http-api-v2", "function-url"))
    answer = read(raw)
    assert (answer.status, answer.json) == (200, {"status": "ok"})
    assert answer.headers["x-content-type-options"] == "nosniff" and answer.headers["x-request-id"]


@pytest.mark.parametrize("shape", SHAPES)
def test_register_confirm_login_and_hello(invoke, shape):
    hello = invoke(event(shape, path="/hello", headers=bearer(sign_in(invoke, shape))))
    assert hello.status == 200, hello.json
    assert hello.json["message"] == "Hello, alice!"


@pytest.mark.parametrize("shape", SHAPES)
def test_a_bad_token_is_401_with_the_json_error_and_challenge(invoke, shape):
    answer = invoke(event(shape, path="/hello", headers=bearer("not.a.token")))
    assert answer.status == 401
    assert answer.json["error"] == "invalid_token" and answer.json["message"]
    assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'


@pytest.mark.parametrize("shape", SHAPES)
def test_a_base64_encoded_body_is_decoded(invoke, shape):
    answer = invoke(event(shape, "POST", "/auth/register", body=ALICE, encode=True))
    assert answer.status == 201, answer.json
    assert answer.json["username"] == "alice"


# What API Gateway's authorizers put in the event (COGNITO.md): a REST API Cognito authorizer's claims, groups
# as one string; an HTTP API JWT authorizer's, groups as "[a b]". Here they name an admin who never signed in.
ADMIN = {"sub": "00000000-0000-4000-8000-00000000a0a0", "token_use": "access", "username": "admin"}
AUTHORIZERS = {
    "rest-api-v1": {"claims": {**ADMIN, "cognito:groups": "admin,staff"}},
    "http-api-v2": {"jwt": {"claims": {**ADMIN, "cognito:groups": "[admin staff]"}, "scopes": None}},
}


@pytest.mark.parametrize("shape", AUTHORIZERS)
def test_authorizer_claims_never_stand_in_for_the_token(invoke, pool, shape):
    def hello(headers: dict[str, str]) -> Answer:
        request = event(shape, path="/hello", headers=headers)
        request["requestContext"]["authorizer"] = AUTHORIZERS[shape]
        return invoke(request)

    issuer = Settings.load({}, overrides=pool).issuer
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = Minter(issuer, pool["client_id"]).token(key=attacker, username="admin", sub=ADMIN["sub"])
    for headers in (bearer(forged), {}):  # a forged token, or none at all: the claims alone are not enough
        answer = hello(headers)
        assert answer.status == 401 and answer.json["error"] == "invalid_token"
        assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    greeting = hello(bearer(sign_in(invoke, shape)))  # a real token: its own user, whatever the claims say
    assert greeting.json["username"] == "alice"


@pytest.mark.parametrize("shape", SHAPES)
def test_rate_limits_count_the_address_aws_saw_not_one_the_caller_wrote(invoke, environment, shape):
    environment.setenv("RATE_LIMIT_VALIDATE", "2/minute")
    seen = {name.lower(): value for name, value in event(shape)["headers"].items()}["x-forwarded-for"]
    statuses = []
    for n in range(3):  # API Gateway and ALBs append the address they saw to what the caller sent
        spoofed = {"X-Forwarded-For": f"10.0.0.{n}, {seen}"}
        statuses.append(invoke(event(shape, "POST", "/auth/validate", body={"token": "x"}, headers=spoofed)).status)
    assert statuses == [401, 401, 429]


def test_warm_invocations_reuse_the_app_keys_and_verified_tokens(invoke, environment, pool, jwks_host):
    environment.setenv("COGNITO_JWKS_URL", jwks_host.url)
    minter = Minter(Settings.load({}, overrides=pool).issuer, pool["client_id"])
    first, second = minter.token(), minter.token()
    answers = [invoke(event("http-api-v2", path="/hello", headers=bearer(token))) for token in (first, second)]
    assert [answer.status for answer in answers] == [200, 200]
    assert jwks_host.fetches == 1  # two invocations, one fetch: the second used the keys the first fetched
    warm = lambda_function.function()
    assert warm.app.extensions["cognito_auth"].verifier.cache.get(first) is not None
    assert invoke(event("http-api-v2", path="/hello", headers=bearer(first))).status == 200
    assert lambda_function.function() is warm and jwks_host.fetches == 1


# A fresh process, as a cold start is: each event of stdin through the handler; its status, and whether boto3 is loaded.
FRESH = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, ".")
    import lambda_function
    for request in json.load(sys.stdin):
        print(lambda_function.lambda_handler(request, None)["statusCode"], "boto3" in sys.modules)
    """
)


def in_fresh_process(python: list[str], requests: list[dict], cwd: Path | str, environ: dict[str, str]) -> list[str]:
    command = [*python, "-c", FRESH]
    result = subprocess.run(command, input=json.dumps(requests), cwd=cwd, env=environ, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()


@pytest.mark.subprocess
def test_a_cold_start_loads_boto3_only_for_a_cognito_route(pool):
    token = Minter(Settings.load({}, overrides=pool).issuer, pool["client_id"]).token()
    login = event("http-api-v2", "POST", "/auth/login", body={"username": "nobody", "password": PASSWORD})
    requests = [event("http-api-v2"), event("http-api-v2", path="/hello", headers=bearer(token)), login]
    environ = {name: value for name, value in os.environ.items() if not name.startswith("COGNITO_")}
    environ.update({ENV[name]: value for name, value in pool.items()})
    answers = in_fresh_process([sys.executable], requests, ROOT, environ)
    assert answers == ["200 False", "200 False", "401 True"]


@pytest.mark.subprocess
def test_the_template_passes_cfn_lint():
    result = subprocess.run([BIN / "cfn-lint", "template.yaml"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_template_deploys_this_handler_with_settings_the_server_reads():
    document, _ = decode(str(Path(ROOT) / "template.yaml"))
    function = document["Resources"]["AuthFunction"]["Properties"]
    module, _, name = function["Handler"].partition(".")
    assert (module, name) == ("lambda_function", "lambda_handler")
    assert function["CodeUri"] == "build/lambda.zip"  # what make package builds
    assert set(function["Environment"]["Variables"]) <= set(ENV.values())


@pytest.mark.subprocess
@pytest.mark.slow
def test_the_package_installs_into_a_clean_directory_imports_and_answers(tmp_path, closed_port_url):
    archive = Path(ROOT) / "build" / "lambda.zip"
    archive.parent.mkdir(exist_ok=True)
    with open(archive.parent / ".package.lock", "w") as lock:  # one build at a time, should two runs overlap
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = subprocess.run([MAKE, "-s", "package"], cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert built.returncode == 0, built.stderr[-3000:]
        with zipfile.ZipFile(archive) as package:
            unzipped = sum(entry.file_size for entry in package.infolist())
            package.extractall(tmp_path)
    python = subprocess.run([MAKE, "-s", "lambda-python"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert archive.stat().st_size < 50 * 2**20 and unzipped < 250 * 2**20  # Lambda's limits for a zip
    absent_files = (
        "moto",
        "pytest",
        "schemathesis",
        "playwright",
        "atheris",
        "emulator",
        "cognito_emulator",
        "tests",
        "bench",
        "server.py",
    )
    for absent in (*absent_files, "deploy", "gunicorn.conf.py", "docs"):
        assert not (tmp_path / absent).exists(), absent
    # As Lambda runs it: the zip's directory on the path, nothing from this machine's site-packages.
    login = event("function-url", "POST", "/auth/login", body={"username": "a", "password": PASSWORD})
    environ = {
        "COGNITO_USER_POOL_ID": "us-east-1_Package1",
        "COGNITO_CLIENT_ID": "package1client",
        "COGNITO_ENDPOINT_URL": closed_port_url,  # a Cognito call gets as far as the network: boto3 loads
    }
    answers = in_fresh_process([python, "-I", "-S"], [event("function-url"), login], tmp_path, environ)
    assert answers == ["200 False", "503 True"]
