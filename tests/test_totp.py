"""TOTP: set-up and verification for a signed-in user, then a SOFTWARE_TOKEN_MFA sign-in with a real code."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.support.helpers import PASSWORD, bearer, next_totp, totp


def test_totp_setup_verify_then_sign_in_with_a_code(client, users):
    access = users.tokens("alice")["access_token"]
    setup = client.post("/auth/mfa/totp/setup", headers=bearer(access))
    assert setup.status_code == 200
    assert setup.headers["Cache-Control"] == "no-store"
    secret = setup.json["secret"]
    uri = urlsplit(setup.json["otpauth_uri"])
    # The app lists the account by the best human name the user has: here the email.
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/Cognito:alice@example.com")
    assert parse_qs(uri.query) == {"secret": [secret], "issuer": ["Cognito"]}

    wrong = client.post("/auth/mfa/totp/verify", json={"code": "000000"}, headers=bearer(access))
    assert wrong.status_code == 400 and wrong.json["error"] == "code_mismatch"
    verified = client.post("/auth/mfa/totp/verify", json={"code": totp(secret)}, headers=bearer(access))
    assert verified.status_code == 200, verified.json

    login = users.login("alice")
    assert login.status_code == 200
    assert login.json["challenge"] == "SOFTWARE_TOKEN_MFA"
    answer = {"username": "alice", "challenge": "SOFTWARE_TOKEN_MFA", "session": login.json["session"]}
    refused = client.post("/auth/challenge", json={**answer, "code": "000000"})
    assert refused.status_code == 400 and refused.json["error"] == "code_mismatch"
    response = client.post("/auth/challenge", json={**answer, "code": next_totp(secret)})  # not the one just used
    assert response.status_code == 200, response.json
    assert client.get("/hello", headers=bearer(response.json["access_token"])).status_code == 200


def test_totp_endpoints_need_an_access_token(client, users):
    id_token = users.tokens("alice")["id_token"]
    assert client.post("/auth/mfa/totp/setup").status_code == 401
    assert client.post("/auth/mfa/totp/setup", headers=bearer(id_token)).status_code == 401
    assert client.post("/auth/mfa/totp/verify", json={"code": "123456"}, headers=bearer(id_token)).status_code == 401


def test_totp_verify_checks_its_body(client, users):
    access = users.tokens("alice")["access_token"]
    response = client.post("/auth/mfa/totp/verify", json={}, headers=bearer(access))
    assert response.status_code == 400
    assert "'code' is required" in response.json["message"]
    assert PASSWORD not in response.get_data(as_text=True)


def test_mfa_setup_for_an_invited_user_when_the_pool_requires_mfa(emulator, pool, client):
    """First password, then MFA set-up, then tokens: the sign-in of an invited user where MFA is required."""
    emulator.client.set_user_pool_mfa_config(
        UserPoolId=pool["user_pool_id"], SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    emulator.client.admin_create_user(
        UserPoolId=pool["user_pool_id"], Username="alice", TemporaryPassword="Temp0rary!", MessageAction="SUPPRESS"
    )
    login = client.post("/auth/login", json={"username": "alice", "password": "Temp0rary!"})
    assert login.json["challenge"] == "NEW_PASSWORD_REQUIRED"
    first = {"username": "alice", "challenge": "NEW_PASSWORD_REQUIRED", "session": login.json["session"]}
    next_step = client.post("/auth/challenge", json={**first, "new_password": PASSWORD})
    assert next_step.json["challenge"] == "MFA_SETUP"
    step = {"username": "alice", "challenge": "MFA_SETUP", "session": next_step.json["session"]}
    setup = client.post("/auth/challenge", json=step)
    assert setup.status_code == 200, setup.json
    assert setup.json["challenge"] == "MFA_SETUP"
    secret = setup.json["parameters"]["secret"]
    assert setup.json["parameters"]["otpauth_uri"].startswith("otpauth://totp/Cognito:alice?")
    answer = {**step, "session": setup.json["session"]}
    assert client.post("/auth/challenge", json={**answer, "code": "000000"}).json["error"] == "code_mismatch"
    response = client.post("/auth/challenge", json={**answer, "code": next_totp(secret)})  # not the one just used
    assert response.status_code == 200, response.json
    assert client.get("/hello", headers=bearer(response.json["access_token"])).status_code == 200


def test_sms_mfa_answer_reaches_cognito_as_sms_mfa_code(app, client):
    """SMS needs a phone and an SNS role the emulator cannot provide: Stubber at the client's edge."""
    from botocore.stub import Stubber

    settings = app.extensions["cognito_auth"].settings
    session = "s" * 40
    expected = {
        "ClientId": settings.client_id,
        "ChallengeName": "SMS_MFA",
        "Session": session,
        "ChallengeResponses": {"USERNAME": "alice", "SMS_MFA_CODE": "123456"},
    }
    tokens = {"AuthenticationResult": {"AccessToken": "a", "IdToken": "i", "ExpiresIn": 3600, "TokenType": "Bearer"}}
    with Stubber(app.extensions["cognito_auth"].auth.client) as stubber:
        stubber.add_response("respond_to_auth_challenge", tokens, expected)
        body = {"username": "alice", "challenge": "SMS_MFA", "session": session, "code": "123456"}
        response = client.post("/auth/challenge", json=body)
        stubber.assert_no_pending_responses()
    assert response.status_code == 200
    expected_tokens = {"access_token": "a", "id_token": "i", "expires_in": 3600, "token_type": "Bearer"}
    assert response.json == {**expected_tokens, "username": None}  # not JWTs: no username to read
