"""`python server.py` with the embedded emulator, restarted: passkeys, their sign counts and a sign-in session with
its email code survive; codes reach the console and the codes file (0600); a pool saved before the emulator knew
passwordless sign-in gets it."""

from __future__ import annotations

import json
import os
import stat

import pytest

from cognito_emulator.additions import _secret_hash
from cognito_emulator.emulator import CODES_FILE
from cognito_emulator.state import SavedState
from tests.support.authenticator import Authenticator
from tests.support.restarts import Server, emulator_of, populated_backend, stop
from tests.support.servers import free_port
from tests.support.userauth import Steps, refusal

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]


def test_passkeys_and_a_pending_code_survive_a_restart(tmp_path):
    state, port = str(tmp_path / "state.json"), free_port()
    server = Server(state, port)
    try:
        emulator, ids = emulator_of(state)
        steps = Steps(emulator, ids)
        steps.sign_up("alice")
        key = Authenticator()
        steps.register_passkey(steps.password_tokens("alice")["AccessToken"], key)
        started = steps.start("alice", "WEB_AUTHN")
        options = started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
        assert "AuthenticationResult" in steps.respond(started, "alice", CREDENTIAL=key.get(options))  # count 1
        pending = steps.start("alice", "EMAIL_OTP")
        code = steps.email_code("alice")
        codes = os.path.join(tmp_path, CODES_FILE)
        assert stat.S_IMODE(os.stat(codes).st_mode) == 0o600
    finally:
        stop(server)
    assert f"emulator: email code for alice: {code}" in server.output()
    again = Server(state, port)
    try:
        emulator, _ = emulator_of(state)
        steps = Steps(emulator, ids)
        assert "AuthenticationResult" in steps.respond(pending, "alice", EMAIL_OTP_CODE=code)  # the session was kept
        access = steps.password_tokens("alice")["AccessToken"]
        [listed] = steps.cognito.list_web_authn_credentials(AccessToken=access)["Credentials"]
        assert listed["CredentialId"] == key.passkeys[0].id
        started = steps.start("alice", "WEB_AUTHN")
        options = started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
        replay = key.get(options, sign_count=1)  # the count saved before the restart: not grown
        code, message = refusal(steps.respond, previous=started, name="alice", CREDENTIAL=replay)
        assert code == "NotAuthorizedException" and "sign count" in message
        assert "AuthenticationResult" in steps.respond(started, "alice", CREDENTIAL=key.get(options))
    finally:
        stop(again)


def test_a_pool_saved_before_passwordless_sign_in_gets_it(tmp_path):
    backend, ids = populated_backend()
    state = str(tmp_path / "state.json")
    SavedState(state).keep(backend, ids)
    with open(state) as file:
        document = json.load(file)
    for pool in document["pools"]:
        del pool["passwordless"]  # as the emulator wrote it before it knew passkeys
    with open(state, "w") as file:
        json.dump(document, file)
    server = Server(state, free_port())
    try:
        emulator, ids = emulator_of(state)
        secret = backend.user_pools[ids["user_pool_id"]].clients[ids["client_id"]].secret
        parameters = {"USERNAME": "alice", "SECRET_HASH": _secret_hash(secret, "alice", ids["client_id"])}
        answer = emulator.client.initiate_auth(
            ClientId=ids["client_id"], AuthFlow="USER_AUTH", AuthParameters=parameters
        )
        assert answer["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
        config = emulator.client.get_user_pool_mfa_config(UserPoolId=ids["user_pool_id"])
        assert config["WebAuthnConfiguration"]["RelyingPartyId"] == "localhost"
    finally:
        stop(server)
