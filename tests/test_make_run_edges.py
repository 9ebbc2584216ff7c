"""`python server.py` (`make run`) as its own process: the environment's COGNITO_ACCEPTED_CLIENT_IDS kept beside
the emulator's machine client, managed login started at 127.0.0.1 sent to the callback's host first, and the
local client allowing the flow LOGIN_FLOW names."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import boto3
import pytest
import requests

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]
PASSWORD = "Passw0rd!"


def banner(server, name: str) -> str:
    """A value the start-up banner prints (`user pool`, `app client`, the emulator's URL)."""
    if name == "endpoint":
        return re.search(r"emulator at (http://127\.0\.0\.1:\d+)", server.output())[1]
    return re.search(rf"{name}\s+(\S+)", server.output())[1]


def emulator_client(server):
    """boto3 at the emulator the server process runs."""
    return boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=banner(server, "endpoint"),
        aws_access_key_id="emulator",
        aws_secret_access_key="emulator",
    )


def test_the_environment_s_accepted_clients_are_kept_beside_the_emulator_s(tmp_path, serve):
    env = {"LOCAL_COGNITO_STATE": os.path.join(tmp_path, "state.json")}
    first = serve(env)
    try:  # a second app client (a browser app's, say) made on the pool `make run` keeps
        pool_id = banner(first, "user pool")
        other = emulator_client(first).create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="browser-app",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
    finally:
        first.stop()
    second = serve({**env, "COGNITO_ACCEPTED_CLIENT_IDS": other})
    try:
        assert banner(second, "user pool") == pool_id  # the saved pool, its second client with it
        endpoint, cognito = banner(second, "endpoint"), emulator_client(second)
        cognito.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
        cognito.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
        signed_in = cognito.initiate_auth(
            ClientId=other, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD}
        )["AuthenticationResult"]
        hello = requests.get(
            f"{second.url}/hello", headers={"Authorization": f"Bearer {signed_in['AccessToken']}"}, timeout=5
        )
        assert hello.status_code == 200, hello.text  # was 401: "token was issued to another client"
        assert hello.json()["username"] == "alice"
        # ... and the emulator's machine client is still accepted too: its client-credentials token validates.
        machine = next(
            client
            for client in cognito.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]
            if client["ClientId"] not in (other, banner(second, "app client"))
        )
        secret = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=machine["ClientId"])
        described = secret["UserPoolClient"]
        assert "client_credentials" in described["AllowedOAuthFlows"]
        token = requests.post(
            f"{endpoint}/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(described["ClientId"], described["ClientSecret"]),
            timeout=5,
        )
        assert token.status_code == 200, token.text
        validated = requests.post(
            f"{second.url}/auth/validate", json={"token": token.json()["access_token"]}, timeout=5
        )
        assert validated.status_code == 200 and validated.json()["client_id"] == described["ClientId"]
    finally:
        output = second.stop()
    assert "Traceback" not in output and PASSWORD not in output


def test_managed_login_started_at_127_0_0_1_goes_to_localhost_first(serve):
    """The callback is at localhost (server.py's OAUTH_REDIRECT_URI): the binding cookie must be set there."""
    server = serve()
    try:
        query = "rd=%2Fafter&login_hint=alice"
        moved = requests.get(f"{server.url}/auth/oauth/authorize?{query}", allow_redirects=False, timeout=5)
        assert moved.status_code == 302
        assert moved.headers["Location"] == f"http://localhost:{server.port}/auth/oauth/authorize?{query}"
        assert "Set-Cookie" not in moved.headers and moved.headers["Cache-Control"] == "no-store"
        there = requests.get(
            f"{server.url}/auth/oauth/authorize?{query}",
            headers={"Host": f"localhost:{server.port}"},
            allow_redirects=False,
            timeout=5,
        )
        assert there.status_code == 302 and "auth_oauth=" in there.headers["Set-Cookie"]
        asked = urlsplit(there.headers["Location"])
        assert asked.path == "/oauth2/authorize" and "localhost" in there.headers["Location"]
    finally:
        server.stop()


def test_login_flow_admin_signs_in_against_the_local_pool(serve):
    """LOGIN_FLOW=ADMIN_USER_PASSWORD_AUTH: the emulator refuses a flow the app client does not allow (as Cognito
    does), so make run's pool allows the one the server is set to use."""
    server = serve({"LOGIN_FLOW": "ADMIN_USER_PASSWORD_AUTH"})
    user = {"username": "dora", "email": "dora@example.com", "password": PASSWORD}
    assert requests.post(f"{server.url}/auth/register", json=user, timeout=5).status_code == 201
    confirm = {"username": "dora", "code": server.code("dora")}
    assert requests.post(f"{server.url}/auth/confirm", json=confirm, timeout=5).status_code == 200
    login = requests.post(f"{server.url}/auth/login", json={"username": "dora", "password": PASSWORD}, timeout=5)
    assert login.status_code == 200, login.text
    wrong_password = {"username": "dora", "password": "Wr0ng-pass"}
    wrong = requests.post(f"{server.url}/auth/login", json=wrong_password, timeout=5)
    assert wrong.status_code == 401, wrong.text
