"""SRP sign-in through the server (LOGIN_FLOW=USER_SRP_AUTH, and USER_AUTH's PASSWORD_SRP), against the emulator,
whose SRP is real (a wrong proof is refused): on an app client that allows only ALLOW_USER_SRP_AUTH and
ALLOW_REFRESH_TOKEN_AUTH, as the console's default client does. Also the flow refused by the client, named with its
fix, and LOGIN_FLOW=ADMIN_NO_SRP_AUTH read as ADMIN_USER_PASSWORD_AUTH."""

from __future__ import annotations

import json
import re

import pytest

from app import create_app
from cognito_emulator.pools import PASSWORD_POLICY, allow_flows
from config import ConfigError, Settings
from tests.support.helpers import PASSWORD, bearer, next_totp, totp
from tests.support.srp_steps import add_user, srp_app_client

CSRF = r'name="csrf_token" value="([^"]+)"'
WRONG = {"error": "not_authorized", "message": "Incorrect username or password."}

# The emulator serves in a thread of this process: an error it logs (an HTML 500) fails the test.
pytestmark = pytest.mark.usefixtures("no_emulator_errors")


def srp_server(emulator, pool, *, secret: bool = False, flow: str = "USER_SRP_AUTH", **client_options):
    """An app (test client) on a new app client of `pool` that allows only SRP and refresh, signing in by `flow`."""
    made = srp_app_client(emulator, pool["user_pool_id"], GenerateSecret=secret, **client_options)
    settings = {**pool, "client_id": made["ClientId"], "login_flow": flow}
    if secret:
        settings["client_secret"] = made["ClientSecret"]
    return create_app({**settings, "rate_limit_login_username": "50/minute"}).test_client()


def login(client, username: str = "alice", password: str | None = PASSWORD, **more):
    body = {"username": username, **({"password": password} if password is not None else {}), **more}
    return client.post("/auth/login", json=body)


def signed_in(client, response) -> dict:
    """The answer carries tokens that this server verifies (/hello), and the refresh token renews them."""
    assert response.status_code == 200, response.json
    tokens = response.json
    assert client.get("/hello", headers=bearer(tokens["access_token"])).status_code == 200
    refreshed = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"], "username": "alice"})
    assert refreshed.status_code == 200, refreshed.json
    return tokens


@pytest.fixture
def alice(emulator, pool):
    return add_user(emulator, pool["user_pool_id"], "alice")


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
def test_login_signs_in_through_srp(emulator, pool, alice, proxy, secret):
    client = srp_server(emulator, {**pool, "endpoint_url": proxy.url}, secret=secret)
    tokens = signed_in(client, login(client))
    assert tokens["username"] == "alice"
    (started,) = proxy.sent("InitiateAuth")[:1]
    assert started["AuthFlow"] == "USER_SRP_AUTH" and "PASSWORD" not in started["AuthParameters"]
    assert ("SECRET_HASH" in started["AuthParameters"]) is secret
    proof = proxy.sent("RespondToAuthChallenge")[0]
    assert proof["ChallengeName"] == "PASSWORD_VERIFIER" and proof["ChallengeResponses"]["USERNAME"] == "alice"
    assert PASSWORD not in str(proxy.received)  # the password never left the server


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
def test_session_and_the_sign_in_form_sign_in_through_srp(emulator, pool, alice, secret):
    client = srp_server(emulator, pool, secret=secret)
    session = client.post("/auth/session", json={"username": "alice", "password": PASSWORD})
    assert session.status_code == 200, session.json
    assert client.get("/auth/session").json["username"] == "alice"

    form_client = srp_server(emulator, pool, secret=secret)
    for password, status in (("Wr0ng!pass", 401), (PASSWORD, 303)):
        page = form_client.get("/auth/sign-in").get_data(as_text=True)
        form = {"username": "alice", "password": password, "csrf_token": re.search(CSRF, page)[1]}
        answered = form_client.post("/auth/session", data=form)
        assert answered.status_code == status, answered.get_data(as_text=True)
    assert "Incorrect username or password." not in answered.get_data(as_text=True)
    assert form_client.get("/auth/session").json["username"] == "alice"


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
@pytest.mark.parametrize("existence", ["LEGACY", "ENABLED"])
def test_a_wrong_password_is_401_as_an_unknown_user_is(emulator, pool, alice, secret, existence):
    client = srp_server(emulator, pool, secret=secret, PreventUserExistenceErrors=existence)
    wrong = login(client, password="Wr0ng!pass")
    assert (wrong.status_code, wrong.json) == (401, WRONG)
    unknown = login(client, "nobody")
    assert (unknown.status_code, unknown.json) == (401, WRONG)
    assert login(client).status_code == 200  # the right password still signs in after the refusals


def test_an_email_username_signs_in_under_cognitos_own_name_for_the_user(emulator, proxy):
    """An email-as-username pool stores the user under a uuid: the proof, USERNAME and SECRET_HASH are over that
    USER_ID_FOR_SRP, not the email typed (and the client's secret makes the emulator check the hash)."""
    emulator.reset()
    pool_id = emulator.client.create_user_pool(
        PoolName="by-email", UsernameAttributes=["email"], Policies={"PasswordPolicy": PASSWORD_POLICY}
    )["UserPool"]["Id"]
    user = add_user(emulator, pool_id, "dora@example.com", email="dora@example.com")
    pool = {**emulator._settings({"user_pool_id": pool_id, "client_id": ""}), "endpoint_url": proxy.url}
    client = srp_server(emulator, pool, secret=True)

    def typed_name(request):  # pycognito would answer with the challenge's USERNAME: let it be the name typed
        status, headers, content = proxy.forward(request)
        answer = json.loads(content)
        answer.get("ChallengeParameters", {})["USERNAME"] = "dora@example.com"
        return status, headers, json.dumps(answer).encode()

    proxy.answers["InitiateAuth"] = typed_name
    response = login(client, "dora@example.com")
    assert response.status_code == 200, response.json
    assert response.json["username"] == user["sub"] != "dora@example.com"
    proof = proxy.sent("RespondToAuthChallenge")[0]["ChallengeResponses"]
    assert proof["USERNAME"] == user["sub"]
    assert (login(client, "dora@example.com", "Wr0ng!pass").json, login(client, "nobody@example.com").json) == (
        WRONG,
        WRONG,
    )


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
def test_totp_after_srp_is_answered_through_the_challenge_route(emulator, pool, alice, secret):
    client = srp_server(emulator, pool, secret=secret)
    access = signed_in(client, login(client))["access_token"]
    secret = client.post("/auth/mfa/totp/setup", headers=bearer(access)).json["secret"]
    assert client.post("/auth/mfa/totp/verify", json={"code": totp(secret)}, headers=bearer(access)).status_code == 200

    asked = login(client)
    assert asked.status_code == 200 and asked.json["challenge"] == "SOFTWARE_TOKEN_MFA", asked.json
    answer = {"username": "alice", "challenge": "SOFTWARE_TOKEN_MFA", "session": asked.json["session"]}
    refused = client.post("/auth/challenge", json={**answer, "code": "000000"})
    assert refused.status_code == 400 and refused.json["error"] == "code_mismatch"
    signed_in(client, client.post("/auth/challenge", json={**answer, "code": next_totp(secret)}))


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
def test_new_password_required_after_srp(emulator, pool, secret):
    add_user(emulator, pool["user_pool_id"], "alice", permanent=False)  # PASSWORD is her temporary password
    client = srp_server(emulator, pool, secret=secret)
    asked = login(client)
    assert asked.status_code == 200 and asked.json["challenge"] == "NEW_PASSWORD_REQUIRED", asked.json
    body = {"username": "alice", "challenge": "NEW_PASSWORD_REQUIRED", "session": asked.json["session"]}
    signed_in(client, client.post("/auth/challenge", json={**body, "new_password": "N3wPassword!"}))
    assert login(client, password="N3wPassword!").status_code == 200


@pytest.mark.parametrize(
    ("flow", "allow", "otherwise"),
    [
        ("USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "LOGIN_FLOW=USER_SRP_AUTH"),
        ("ADMIN_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "LOGIN_FLOW=USER_SRP_AUTH"),
    ],
)
def test_a_flow_the_client_does_not_allow_is_named_with_its_fix(emulator, pool, alice, flow, allow, otherwise):
    client = srp_server(emulator, pool, flow=flow)
    for response in (login(client), client.post("/auth/session", json={"username": "alice", "password": PASSWORD})):
        assert response.status_code == 400, response.json
        assert response.json["error"] == "flow_not_allowed"
        message = response.json["message"]
        assert f"does not allow {flow}:" in message and allow in message and otherwise in message


def test_srp_on_a_client_without_it_is_named_with_its_fix(emulator, pool, alice):
    made = emulator.client.create_user_pool_client(
        UserPoolId=pool["user_pool_id"], ClientName="p", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]
    client = create_app({**pool, "client_id": made["ClientId"], "login_flow": "USER_SRP_AUTH"}).test_client()
    response = login(client)
    assert (response.status_code, response.json["error"]) == (400, "flow_not_allowed")
    assert "USER_SRP_AUTH" in response.json["message"] and "ALLOW_USER_SRP_AUTH" in response.json["message"]
    assert "LOGIN_FLOW=USER_PASSWORD_AUTH" in response.json["message"]


def test_admin_no_srp_auth_is_the_legacy_name_of_the_admin_flow(emulator, pool, alice, proxy, monkeypatch):
    assert Settings.load({"LOGIN_FLOW": "ADMIN_NO_SRP_AUTH"}, pool).login_flow == "ADMIN_USER_PASSWORD_AUTH"
    with pytest.raises(ConfigError, match="LOGIN_FLOW must be one of"):
        Settings.load({"LOGIN_FLOW": "ADMIN_NO_SRP"}, pool)
    allow_flows(emulator.client, pool, "ALLOW_ADMIN_USER_PASSWORD_AUTH")
    monkeypatch.setenv("LOGIN_FLOW", "ADMIN_NO_SRP_AUTH")
    client = create_app({**pool, "endpoint_url": proxy.url}).test_client()
    assert client.application.extensions["cognito_auth"].settings.login_flow == "ADMIN_USER_PASSWORD_AUTH"
    signed_in(client, login(client))
    assert proxy.sent("AdminInitiateAuth")[0]["AuthFlow"] == "ADMIN_USER_PASSWORD_AUTH"
    assert (login(client, password="Wr0ng!pass").status_code, login(client, "nobody").status_code) == (401, 401)


@pytest.fixture(params=[False, True], ids=["public", "secret"])
def user_auth(request, emulator, pool, alice, proxy):
    """A client of the test pool that allows USER_AUTH (with a secret or without), through the proxy."""
    made = emulator.client.create_user_pool_client(
        UserPoolId=pool["user_pool_id"],
        ClientName="choice",
        GenerateSecret=request.param,
        ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    settings = {**pool, "client_id": made["ClientId"], "client_secret": made.get("ClientSecret")}
    return create_app({**settings, "endpoint_url": proxy.url, "rate_limit_login_username": "50/minute"}).test_client()


def test_user_auth_password_srp_chosen_first(user_auth, proxy):
    signed_in(user_auth, login(user_auth, preferred="PASSWORD_SRP"))
    started = proxy.sent("InitiateAuth")[0]
    assert started["AuthFlow"] == "USER_AUTH" and started["AuthParameters"]["PREFERRED_CHALLENGE"] == "PASSWORD_SRP"
    assert proxy.sent("RespondToAuthChallenge")[0]["ChallengeName"] == "PASSWORD_VERIFIER"
    assert PASSWORD not in str(proxy.received)
    assert (login(user_auth, password="Wr0ng!pass", preferred="PASSWORD_SRP").json) == WRONG
    missing = login(user_auth, password=None, preferred="PASSWORD_SRP")
    assert (missing.status_code, missing.json["error"]) == (400, "invalid_request")
    assert "password" in missing.json["message"]


def test_user_auth_select_challenge_answered_password_srp(user_auth, proxy):
    for password, status in (("Wr0ng!pass", 401), (PASSWORD, 200)):
        chosen = login(user_auth, password=None).json
        assert chosen["challenge"] == "SELECT_CHALLENGE"
        body = {"username": "alice", "challenge": "SELECT_CHALLENGE", "session": chosen["session"]}
        answered = user_auth.post("/auth/challenge", json={**body, "answer": "PASSWORD_SRP", "password": password})
        assert answered.status_code == status, answered.json
    signed_in(user_auth, answered)
    select = [sent for sent in proxy.sent("RespondToAuthChallenge") if sent["ChallengeName"] == "SELECT_CHALLENGE"]
    assert select[-1]["ChallengeResponses"]["ANSWER"] == "PASSWORD_SRP" and "SRP_A" in select[-1]["ChallengeResponses"]
    assert PASSWORD not in str(proxy.received)


def test_a_password_verifier_without_a_session_is_answered_without_one(emulator, pool, alice, proxy):
    """Whether Cognito sends a Session with USER_SRP_AUTH's PASSWORD_VERIFIER is not documented; pycognito sends none
    back. Without one in the challenge, the answer carries none (botocore would refuse a Session of None)."""

    def no_session(request):
        status, headers, content = proxy.forward(request)
        answer = json.loads(content)
        answer.pop("Session", None)
        return status, headers, json.dumps(answer).encode()

    proxy.answers["InitiateAuth"] = no_session
    client = srp_server(emulator, {**pool, "endpoint_url": proxy.url})
    signed_in(client, login(client))
    assert "Session" not in proxy.sent("RespondToAuthChallenge")[0]
