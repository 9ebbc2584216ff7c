"""A pool that requires MFA (MfaConfiguration ON), through the API: a confirmed user with no MFA factor is not
signed in by the password alone; /auth/login answers Cognito's MFA_SETUP, whose two steps end in tokens."""

from __future__ import annotations

from tests.support.helpers import bearer, next_totp, totp


def test_a_confirmed_user_with_no_factor_sets_up_totp_at_sign_in(emulator, pool, client, users):
    assert users.register("alice").status_code == 201
    assert users.confirm("alice").status_code == 200
    emulator.client.set_user_pool_mfa_config(
        UserPoolId=pool["user_pool_id"], SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    login = users.login("alice")
    assert login.status_code == 200, login.json
    assert login.json["challenge"] == "MFA_SETUP" and "access_token" not in login.json
    step = {"username": "alice", "challenge": "MFA_SETUP", "session": login.json["session"]}
    setup = client.post("/auth/challenge", json=step)
    assert setup.status_code == 200, setup.json
    secret = setup.json["parameters"]["secret"]
    answer = {**step, "session": setup.json["session"]}
    response = client.post("/auth/challenge", json={**answer, "code": totp(secret)})
    assert response.status_code == 200, response.json
    assert client.get("/hello", headers=bearer(response.json["access_token"])).status_code == 200
    again = users.login("alice")
    assert again.json["challenge"] == "SOFTWARE_TOKEN_MFA"
    mfa = {"username": "alice", "challenge": "SOFTWARE_TOKEN_MFA", "session": again.json["session"]}
    signed_in = client.post("/auth/challenge", json={**mfa, "code": next_totp(secret)})  # not the one just used
    assert signed_in.status_code == 200, signed_in.json
