"""App clients with a secret: SECRET_HASH on every call that names a user, the secret itself on refresh, and
the pool set-up that makes such clients (`python -m cognito_emulator.pools create-pool --with-secret`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app import create_app
from cognito_emulator.pools import create_pool
from tests.support.helpers import ROOT, bearer


@pytest.fixture
def secret_client(emulator, pool):
    """An app client with a secret on the same pool; the server configured with that secret."""
    app_client = emulator.client.create_user_pool_client(
        UserPoolId=pool["user_pool_id"],
        ClientName="with-secret",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        ReadAttributes=["email"],
    )["UserPoolClient"]
    app = create_app({**pool, "client_id": app_client["ClientId"], "client_secret": app_client["ClientSecret"]})
    return app.test_client()


def test_a_client_with_a_secret_signs_every_call(secret_client, users_of):
    users = users_of(secret_client)
    tokens = users.tokens("alice")
    assert secret_client.get("/hello", headers=bearer(tokens["access_token"])).status_code == 200
    refreshed = secret_client.post(
        "/auth/refresh", json={"refresh_token": tokens["refresh_token"], "username": "alice"}
    )
    assert refreshed.status_code == 200, refreshed.json


def test_refresh_with_a_secret_sends_the_secret_and_needs_no_username(emulator, pool, secret_client, users_of):
    """GetTokensFromRefreshToken carries the client secret itself; a wrong secret is refused."""
    tokens = users_of(secret_client).tokens("alice")
    refreshed = secret_client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.json
    client_id = secret_client.application.extensions["cognito_auth"].settings.client_id
    wrong_secret = create_app(
        {**pool, "client_id": client_id, "client_secret": "not-the-secret-of-this-client"}
    ).test_client()
    response = wrong_secret.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 401


def test_the_secret_never_appears_in_settings_repr_or_public_config(emulator, pool):
    app = create_app({**pool, "client_secret": "s3cr3t-value"})
    assert "s3cr3t-value" not in repr(app.extensions["cognito_auth"].settings)
    assert "s3cr3t-value" not in app.test_client().get("/auth/config").get_data(as_text=True)


def test_create_pool_is_the_code_the_embedded_default_uses(emulator):
    ids = create_pool(emulator.client, "another")
    assert ids["user_pool_id"].startswith("us-east-1_") and ids["client_id"]


@pytest.mark.subprocess
def test_create_pool_command_prints_settings_the_server_runs_on(emulator, users_of):
    """`python -m cognito_emulator.pools create-pool` against the emulator, then a server from its output."""
    # The package is on the tests' path (pyproject's pythonpath), not installed: the child gets it the same way.
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "PYTHONPATH": os.path.join(ROOT, "emulator")}
    command = [sys.executable, "-m", "cognito_emulator.pools", "create-pool", "--endpoint-url", emulator.endpoint_url]
    output = subprocess.run([*command, "--with-secret"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    lines = dict(line.split("=", 1) for line in output.stdout.split())
    assert set(lines) == {"COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID", "COGNITO_ENDPOINT_URL", "COGNITO_CLIENT_SECRET"}
    pool_id = lines["COGNITO_USER_POOL_ID"]
    app = create_app(
        {
            "user_pool_id": pool_id,
            "client_id": lines["COGNITO_CLIENT_ID"],
            "client_secret": lines["COGNITO_CLIENT_SECRET"],
            "endpoint_url": lines["COGNITO_ENDPOINT_URL"],
            "jwks_url": f"{emulator.endpoint_url}/{pool_id}/.well-known/jwks.json",
        }
    )
    tokens = users_of(app.test_client()).tokens("alice")
    assert app.test_client().get("/hello", headers=bearer(tokens["access_token"])).status_code == 200
