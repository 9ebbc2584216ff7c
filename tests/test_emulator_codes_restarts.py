"""`python server.py` with the embedded emulator, restarted: a pending sign-up code, a user's TOTP secret and the
codes already taken survive (they are kept with the pool, cognito_emulator/codes.py and cognito_emulator/mfa.py)."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from cognito_emulator import mfa
from tests.support.helpers import PASSWORD
from tests.support.restarts import Server, emulator_of, stop
from tests.support.servers import free_port

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]


def test_a_pending_code_and_a_totp_secret_survive_a_restart(tmp_path):
    state, port = str(tmp_path / "state.json"), free_port()
    server = Server(state, port)
    try:
        emulator, ids = emulator_of(state)
        attributes = [{"Name": "email", "Value": "alice@example.com"}]
        emulator.client.sign_up(
            ClientId=ids["client_id"], Username="alice", Password=PASSWORD, UserAttributes=attributes
        )
        code = emulator.last_code("alice")
    finally:
        stop(server)
    server = Server(state, port)
    try:
        emulator, ids = emulator_of(state)
        emulator.client.confirm_sign_up(ClientId=ids["client_id"], Username="alice", ConfirmationCode=code)
        flow = {"ClientId": ids["client_id"], "AuthFlow": "USER_PASSWORD_AUTH"}
        answer = emulator.client.initiate_auth(**flow, AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
        access = answer["AuthenticationResult"]["AccessToken"]
        secret = emulator.client.associate_software_token(AccessToken=access)["SecretCode"]
        taken = mfa.totp(secret, int(time.time() // 30))
        emulator.client.verify_software_token(AccessToken=access, UserCode=taken)
        totp_on = {"Enabled": True, "PreferredMfa": True}
        emulator.client.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings=totp_on)
    finally:
        stop(server)
    server = Server(state, port)
    try:
        emulator, ids = emulator_of(state)
        challenge = emulator.client.initiate_auth(**flow, AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
        assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
        respond = {"ClientId": ids["client_id"], "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": challenge["Session"]}
        with pytest.raises(ClientError) as replayed:  # the code taken before the restart is still taken
            emulator.client.respond_to_auth_challenge(
                **respond, ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": taken}
            )
        assert replayed.value.response["Error"]["Code"] == "CodeMismatchException"
        fresh = mfa.totp(secret, int(time.time() // 30) + 1)
        done = emulator.client.respond_to_auth_challenge(
            **respond, ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": fresh}
        )
        assert "AuthenticationResult" in done
    finally:
        stop(server)
