"""The emulator's passkey checks given odd input (a clear 400, never a 500), and its rule for allowed origins."""

from __future__ import annotations

import json

import pytest

from cognito_emulator.passkeys import origin_allowed
from tests.support.userauth import refusal

# The emulator serves in a thread of this process: an error it logs (an HTML 500) fails the test.
pytestmark = pytest.mark.usefixtures("no_emulator_errors")


@pytest.mark.parametrize(
    ("origin", "rp_id", "allowed"),
    [
        ("http://localhost:5000", "localhost", True),
        ("https://localhost", "localhost", True),
        ("http://127.0.0.1:5000", "localhost", False),
        ("http://localhost.evil.example", "localhost", False),
        ("https://app.example.com", "example.com", True),
        ("https://example.com:8443", "example.com", True),
        ("http://example.com", "example.com", False),
        ("https://notexample.com", "example.com", False),
        ("https://example.com.evil", "example.com", False),
        ("https://example.com/path", "example.com", False),
        ("https://example.com:99999", "example.com", False),
    ],
)
def test_the_origin_rule(origin, rp_id, allowed):
    assert origin_allowed(origin, rp_id) is allowed


ODD_REGISTRATIONS = [
    {},
    {"response": "x"},
    {"response": {}},
    {"response": {"clientDataJSON": 5}},
    {"response": {"clientDataJSON": "!!!", "attestationObject": "AAAA"}},
    {"id": 7, "rawId": [], "response": {"clientDataJSON": "e30", "attestationObject": None}},
]


@pytest.mark.parametrize("credential", ODD_REGISTRATIONS)
def test_an_odd_registration_is_a_clear_400(steps, alice, credential):
    steps.cognito.start_web_authn_registration(AccessToken=alice)
    code, _ = refusal(steps.cognito.complete_web_authn_registration, AccessToken=alice, Credential=credential)
    assert code in ("InvalidParameterException", "WebAuthnChallengeNotFoundException")


@pytest.mark.parametrize(
    "credential",
    ["", "[]", "null", "{", json.dumps({"id": 1, "response": {}}), "KEY", "KEY-BAD-HANDLE"],
)
def test_an_odd_assertion_is_a_clear_400(steps, key, credential):
    started, options = steps.passkey_challenge()
    if credential.startswith("KEY"):
        document = json.loads(key.get(options))
        document["response"]["userHandle"] = {"KEY": "", "KEY-BAD-HANDLE": "%%%"}[credential]
        document["response"]["signature"] = 12 if credential == "KEY" else document["response"]["signature"]
        credential = json.dumps(document)
    code, _ = refusal(steps.respond, previous=started, name="alice", CREDENTIAL=credential)
    assert code in ("InvalidParameterException", "NotAuthorizedException")
