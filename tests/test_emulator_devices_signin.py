"""Signing in with a remembered device (device_srp.py), by boto3 and tests/support/device_client.py (written
from Amplify's and pycognito's client code), and by pycognito's own device flow: DEVICE_SRP_AUTH and
DEVICE_PASSWORD_VERIFIER, MFA skipped on a remembered device and not on a forgotten, unknown or not remembered one,
every wrong proof refused, and the devices kept across a save and restore of the state."""

from __future__ import annotations

import pytest

from cognito_emulator.emulator import _backend
from cognito_emulator.state import SavedState
from tests.support.devices import PASSWORD, Pool, refusal

PROMPT = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}
WRONG = ("NotAuthorizedException", "Incorrect username or password.")
NO_DEVICE = ("ResourceNotFoundException", "Device does not exist.")


def totp_pool(emulator, config=PROMPT) -> Pool:
    tracked = Pool(emulator.client, config, mfa_configuration="OPTIONAL")
    tracked.user()
    return tracked


@pytest.mark.parametrize("flow", ["password", "srp"])
def test_a_remembered_device_signs_in_without_totp(emulator, pool, flow):
    tracked = totp_pool(emulator)
    device, token = tracked.new_device()
    tracked.enable_totp(token)
    assert tracked.password()["ChallengeName"] == "SOFTWARE_TOKEN_MFA"  # no device: MFA as before
    started = getattr(tracked, flow)(device=device)
    assert started["ChallengeName"] == "DEVICE_SRP_AUTH" and started["ChallengeParameters"]["USERNAME"] == "alice"
    result = tracked.device_round(started, device)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result  # a known device
    assert emulator.client.get_user(AccessToken=result["AccessToken"])["Username"] == "alice"
    seen = emulator.client.get_device(AccessToken=result["AccessToken"], DeviceKey=device.key)["Device"]
    assert seen["DeviceLastAuthenticatedDate"] > seen["DeviceCreateDate"]


def test_a_forgotten_device_asks_for_totp_again(emulator, pool):
    tracked = totp_pool(emulator)
    device, token = tracked.new_device()
    tracked.enable_totp(token)
    emulator.client.forget_device(AccessToken=token, DeviceKey=device.key)
    # The client still sends the key: Cognito's answer on which Amplify forgets it and signs in without it.
    assert refusal(tracked.password, device=device) == NO_DEVICE
    challenged = tracked.password()
    assert challenged["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    answer = {"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": tracked.totp_code()}
    result = tracked.respond(challenged, "SOFTWARE_TOKEN_MFA", answer)["AuthenticationResult"]
    assert "NewDeviceMetadata" in result  # a new device, as for any unknown one


def test_a_device_not_remembered_answers_totp_then_proves_itself(emulator, pool):
    tracked = totp_pool(emulator)
    device, token = tracked.new_device(remember=False)  # the pool prompts; the user said no
    tracked.enable_totp(token)
    challenged = tracked.srp(device=device)
    assert challenged["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    # Amplify names the device in the MFA answer too; without it the sign-in's session remembers it.
    after_mfa = tracked.respond(
        challenged, "SOFTWARE_TOKEN_MFA", {"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": tracked.totp_code()}
    )
    assert after_mfa["ChallengeName"] == "DEVICE_SRP_AUTH"
    assert "AuthenticationResult" in tracked.device_round(after_mfa, device)


def test_remembered_skips_mfa_only_when_the_pool_says_so(emulator, pool):
    tracked = totp_pool(emulator, {"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False})
    device, token = tracked.new_device()
    tracked.enable_totp(token)
    assert tracked.password(device=device)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_without_mfa_a_known_device_still_proves_itself(emulator, pool):
    tracked = Pool(emulator.client, PROMPT)
    tracked.user()
    device, _ = tracked.new_device()
    started = tracked.password(device=device)
    assert started["ChallengeName"] == "DEVICE_SRP_AUTH" and "AuthenticationResult" not in started
    assert "AuthenticationResult" in tracked.device_round(started, device)


def test_wrong_device_proofs_are_refused_and_end_the_step(emulator, pool):
    tracked = Pool(emulator.client, PROMPT)
    tracked.user()
    device, _ = tracked.new_device()
    # The wrong device password: the signature does not verify.
    started = tracked.password(device=device)
    srp, responses = device.start("alice")
    challenge = tracked.respond(started, "DEVICE_SRP_AUTH", responses)
    wrong = device.proof(srp, challenge["ChallengeParameters"], password="not-the-device-password")
    assert refusal(tracked.respond, previous=challenge, name="DEVICE_PASSWORD_VERIFIER", responses=wrong) == WRONG
    right = device.proof(srp, challenge["ChallengeParameters"])
    code, _ = refusal(tracked.respond, previous=challenge, name="DEVICE_PASSWORD_VERIFIER", responses=right)
    assert code == "NotAuthorizedException"  # the step was answered once already
    # Another device's key in the answer; a padded day in the TIMESTAMP; a session of another step.
    other, _ = tracked.new_device()
    started = tracked.password(device=device)
    srp, responses = device.start("alice")
    assert (
        refusal(
            tracked.respond, previous=started, name="DEVICE_SRP_AUTH", responses={**responses, "DEVICE_KEY": other.key}
        )
        == NO_DEVICE
    )
    started = tracked.password(device=device)
    challenge = tracked.respond(started, "DEVICE_SRP_AUTH", responses)
    padded = device.proof(srp, challenge["ChallengeParameters"], when="Mon Jan 05 10:00:00 UTC 2026")
    assert refusal(tracked.respond, previous=challenge, name="DEVICE_PASSWORD_VERIFIER", responses=padded) == WRONG
    started = tracked.password(device=device)
    code, _ = refusal(tracked.respond, previous=started, name="DEVICE_PASSWORD_VERIFIER", responses=right)
    assert code == "NotAuthorizedException"


def test_the_device_answer_names_the_signed_in_user(emulator, pool):
    tracked = Pool(emulator.client, PROMPT)
    tracked.user()
    tracked.user("bob")
    device, _ = tracked.new_device()
    started = tracked.password(device=device)
    _, responses = device.start("bob")
    assert refusal(tracked.respond, previous=started, name="DEVICE_SRP_AUTH", responses=responses) == WRONG


def test_pycognito_signs_in_with_its_device_flow(emulator, pool):
    from pycognito.aws_srp import AWSSRP

    tracked = totp_pool(emulator)
    device, token = tracked.new_device()
    tracked.enable_totp(token)
    srp = AWSSRP(
        username="alice",
        password=PASSWORD,
        pool_id=tracked.id,
        client_id=tracked.client_id,
        client=emulator.client,
        device_key=device.key,
        device_group_key=device.group_key,
        device_password=device.password,
    )
    tokens = srp.authenticate_user()  # DEVICE_SRP_AUTH answered without a Session, as pycognito does
    assert emulator.client.get_user(AccessToken=tokens["AuthenticationResult"]["AccessToken"])["Username"] == "alice"


def test_devices_survive_a_save_and_restore(emulator, pool, tmp_path):
    tracked = totp_pool(emulator)
    device, token = tracked.new_device()
    tracked.enable_totp(token)
    state = SavedState(str(tmp_path / "state.json"))
    state.keep(_backend(), {"user_pool_id": tracked.id, "client_id": tracked.client_id})
    emulator.reset()
    assert SavedState(str(tmp_path / "state.json")).load(_backend())["user_pool_id"] == tracked.id
    started = tracked.password(device=device)
    assert started["ChallengeName"] == "DEVICE_SRP_AUTH"  # still known, remembered, with its verifier
    result = tracked.device_round(started, device)["AuthenticationResult"]
    listed = emulator.client.list_devices(AccessToken=result["AccessToken"])["Devices"]
    assert [d["DeviceKey"] for d in listed] == [device.key]
