"""The trigger module's functions are plain Lambda handlers: called directly with Cognito's documented events
(tests/events/cognito/*.json, written from the Developer Guide's shapes and PROTOCOLS-2.md section 3) they answer
what they answer under the emulator; and every event the emulator sends has the documented shape (the same keys,
in request and response, as the sample of its trigger) and is plain JSON."""

from __future__ import annotations

import copy
import json
import types
from pathlib import Path
from typing import Any

import pytest

from cognito_emulator.triggers import TRIGGERS, LambdaContext
from tests.support import trigger_sample
from tests.support.helpers import PASSWORD
from tests.support.srp_client import SrpClient
from tests.support.triggers import refusal, user

EVENTS = Path(__file__).parent / "events" / "cognito"
SAMPLES = {
    "pre_sign_up": "pre-sign-up",
    "post_confirmation": "post-confirmation",
    "pre_authentication": "pre-authentication",
    "post_authentication": "post-authentication",
    "pre_token_generation": "pre-token-generation-v2",
    "user_migration": "user-migration",
    "custom_message": "custom-message",
    "define_auth_challenge": "define-auth-challenge",
    "create_auth_challenge": "create-auth-challenge",
    "verify_auth_challenge_response": "verify-auth-challenge-response",
}


def sample(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{SAMPLES[name]}.json").read_text())  # type: ignore[no-any-return]


def call(name: str, event: dict[str, Any]) -> dict[str, Any]:
    """Call trigger_sample's handler as Lambda would; its answer's `response`."""
    answered = getattr(trigger_sample, name)(copy.deepcopy(event), LambdaContext(name, 5.0))
    return json.loads(json.dumps(answered))["response"]  # type: ignore[no-any-return]


def test_every_trigger_has_a_sample_event_and_a_handler():
    assert set(SAMPLES) == set(TRIGGERS)
    for name in TRIGGERS:
        assert callable(getattr(trigger_sample, name))
        assert sample(name)["response"] is not None


def test_the_handlers_answer_the_documented_events():
    """Each handler on its trigger's sample event: what it would answer on AWS Lambda."""
    assert call("pre_sign_up", sample("pre_sign_up"))["autoConfirmUser"] is True
    blocked = sample("pre_sign_up")
    blocked["request"]["userAttributes"]["email"] = "eve@blocked.example"
    with pytest.raises(Exception, match=r"Sign-ups from blocked\.example are closed"):
        call("pre_sign_up", blocked)
    details = call("pre_token_generation", sample("pre_token_generation"))["claimsAndScopeOverrideDetails"]
    assert details["accessTokenGeneration"]["scopesToAdd"] == ["orders/read"]
    assert details["groupOverrideDetails"]["groupsToOverride"] == ["admins", "beta-testers"]
    migrated = call("user_migration", sample("user_migration"))
    assert migrated["finalUserStatus"] == "CONFIRMED" and migrated["userAttributes"]["email"].endswith("legacy.example")
    assert "{####}" in call("custom_message", sample("custom_message"))["emailMessage"]
    assert call("define_auth_challenge", sample("define_auth_challenge"))["issueTokens"] is True
    created = call("create_auth_challenge", sample("create_auth_challenge"))
    assert created["publicChallengeParameters"]["question"] == "What is 2 + 2?"
    assert call("verify_auth_challenge_response", sample("verify_auth_challenge_response"))["answerCorrect"] is True
    with pytest.raises(Exception, match="This account is suspended"):
        call("pre_authentication", sample("pre_authentication"))


def keys(value: Any) -> Any:
    """The shape of an event: its keys, nested (lists and values left out)."""
    return {key: keys(inner) for key, inner in value.items()} if isinstance(value, dict) else None


def recording(seen: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]]) -> types.SimpleNamespace:
    """trigger_sample's handlers, each event and answer kept."""

    def wrap(name: str) -> Any:
        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            received = copy.deepcopy(event)
            answered = getattr(trigger_sample, name)(event, context)
            seen.setdefault(name, []).append((received, copy.deepcopy(answered["response"])))
            return answered  # type: ignore[no-any-return]

        return handler

    return types.SimpleNamespace(**{name: wrap(name) for name in TRIGGERS})


def test_the_emulators_events_have_the_documented_shapes(emulator, trigger_pool):
    """Every trigger fires once or more through boto3; each event it got has its sample's shape and source, is
    plain JSON, and the handler called directly with it answers what it answered under the emulator."""
    seen: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    emulator.set_triggers(trigger_pool["user_pool_id"], recording(seen))
    client, ids = emulator.client, trigger_pool
    client.sign_up(
        ClientId=ids["client_id"],
        Username="cat",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "cat@example.com"}],
    )
    client.confirm_sign_up(ClientId=ids["client_id"], Username="cat", ConfirmationCode=emulator.last_code("cat"))
    client.initiate_auth(
        ClientId=ids["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "old-timer", "PASSWORD": "0ldSystem!pass"},
    )
    user(emulator, ids, "suspended")
    refusal(
        client.initiate_auth,
        ClientId=ids["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "suspended", "PASSWORD": PASSWORD},
    )
    user(emulator, ids, "amy", groups=("admins",))
    challenge = client.initiate_auth(
        ClientId=ids["client_id"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "amy"}
    )
    while challenge.get("ChallengeName") == "CUSTOM_CHALLENGE":
        n = int(challenge["ChallengeParameters"]["round"])
        challenge = client.respond_to_auth_challenge(
            ClientId=ids["client_id"],
            ChallengeName="CUSTOM_CHALLENGE",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "amy", "ANSWER": str(n + n)},
        )
    assert "AuthenticationResult" in challenge
    assert set(seen) == set(TRIGGERS)
    for name, calls in seen.items():
        documented = sample(name)
        for event, answered in calls:
            assert json.loads(json.dumps(event)) == event
            shape, expected = keys(event), keys(documented)
            assert shape["request"].keys() == expected["request"].keys(), (name, event["request"])
            assert shape.keys() == expected.keys() and shape["response"] == expected["response"], name
            assert event["triggerSource"].split("_")[0] == documented["triggerSource"].split("_")[0]
            # AdminCreateUser has no app client: Cognito names none.
            client_id = (
                "CLIENT_ID_NOT_APPLICABLE" if event["triggerSource"].endswith("AdminCreateUser") else ids["client_id"]
            )
            assert event["userPoolId"] == ids["user_pool_id"] and event["callerContext"]["clientId"] == client_id
            if name not in ("pre_authentication",):  # it raised for the suspended user: nothing was answered
                assert call(name, event) == answered, name
    sources = {event["triggerSource"] for calls in seen.values() for event, _ in calls}
    assert {"PreSignUp_SignUp", "CustomMessage_SignUp", "PostConfirmation_ConfirmSignUp"} <= sources
    assert {
        "UserMigration_Authentication",
        "PreAuthentication_Authentication",
        "TokenGeneration_Authentication",
    } <= sources


def test_srp_then_custom_challenge_sessions_as_documented(emulator, trigger_pool):
    """CUSTOM_WITH_SRP: DefineAuthChallenge first sees [SRP_A/true], then [SRP_A/true, PASSWORD_VERIFIER/true]."""
    seen: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    emulator.set_triggers(trigger_pool["user_pool_id"], recording(seen))
    user(emulator, trigger_pool, "amy")
    srp = SrpClient(trigger_pool["user_pool_id"])
    verifier = emulator.client.initiate_auth(
        ClientId=trigger_pool["client_id"],
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": "amy", "SRP_A": srp.srp_a, "CHALLENGE_NAME": "SRP_A"},
    )
    emulator.client.respond_to_auth_challenge(
        ClientId=trigger_pool["client_id"],
        ChallengeName="PASSWORD_VERIFIER",
        Session=verifier["Session"],
        ChallengeResponses=srp.responses(PASSWORD, verifier["ChallengeParameters"]),
    )
    sessions = [
        [entry["challengeName"] for entry in event["request"]["session"]] for event, _ in seen["define_auth_challenge"]
    ]
    assert sessions == [["SRP_A"], ["SRP_A", "PASSWORD_VERIFIER"]]
    assert seen["create_auth_challenge"][0][0]["request"]["challengeName"] == "CUSTOM_CHALLENGE"
