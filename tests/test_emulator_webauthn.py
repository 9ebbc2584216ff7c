"""The emulator's passkeys over HTTP: registration and sign-in verified by py_webauthn, with a software
authenticator making real attestations and assertions; each check shown refusing what it must."""

from __future__ import annotations

import json

import pytest

from local.passkeys import origin_allowed
from tests.support.authenticator import Authenticator
from tests.support.helpers import bearer
from tests.support.userauth import Steps, emulator_errors_fail, refusal


@pytest.fixture(autouse=True)
def _no_emulator_errors(caplog):
    with emulator_errors_fail(caplog):
        yield


@pytest.fixture
def steps(emulator, pool) -> Steps:
    return Steps(emulator, pool)


@pytest.fixture
def alice(steps) -> str:
    """Alice, signed up with a password: her access token."""
    steps.sign_up("alice")
    return steps.password_tokens("alice")["AccessToken"]


@pytest.fixture
def key(steps, alice) -> Authenticator:
    """Alice's authenticator, holding the one passkey she registered."""
    authenticator = Authenticator()
    steps.register_passkey(alice, authenticator)
    return authenticator


def passkey_challenge(steps: Steps, name: str = "alice") -> tuple[dict, dict]:
    """USER_AUTH straight to WEB_AUTHN: the answer, and its CREDENTIAL_REQUEST_OPTIONS decoded."""
    started = steps.start(name, "WEB_AUTHN")
    assert started["ChallengeName"] == "WEB_AUTHN"
    text = started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    assert isinstance(text, str)  # a JSON string, as Cognito sends it
    return started, json.loads(text)


def test_creation_options_as_cognito_sends_them(steps, alice, key):
    options = steps.cognito.start_web_authn_registration(AccessToken=alice)["CredentialCreationOptions"]
    assert options["rp"] == {"id": "localhost", "name": "localhost"}
    assert set(options["user"]) == {"id", "name", "displayName"} and options["user"]["name"] == "alice"
    assert {p["alg"] for p in options["pubKeyCredParams"]} == {-7, -257}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["excludeCredentials"] == [{"id": key.passkeys[0].id, "type": "public-key"}]
    assert len(options["challenge"]) >= 43 and "=" not in options["challenge"] and options["timeout"] == 180000


@pytest.mark.parametrize("fmt", ["packed", "none"])
def test_a_registered_passkey_is_listed(steps, alice, fmt):
    authenticator = Authenticator()
    steps.register_passkey(alice, authenticator, fmt=fmt)
    [listed] = steps.cognito.list_web_authn_credentials(AccessToken=alice)["Credentials"]
    assert listed["CredentialId"] == authenticator.passkeys[0].id
    assert listed["RelyingPartyId"] == "localhost"
    assert listed["AuthenticatorAttachment"] == "platform" and listed["AuthenticatorTransports"] == ["internal"]
    assert listed["FriendlyCredentialName"] and listed["CreatedAt"]
    assert steps.start("alice")["AvailableChallenges"] == ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]


@pytest.mark.parametrize(
    ("create", "error"),
    [
        ({"challenge": "b3RoZXItY2hhbGxlbmdlLW5vdC1pc3N1ZWQtYnktdGhlLXBvb2w"}, "WebAuthnChallengeNotFoundException"),
        ({"origin": "https://evil.example"}, "WebAuthnOriginNotAllowedException"),
        ({"origin": "http://127.0.0.1:5000"}, "WebAuthnOriginNotAllowedException"),
        ({"rp_id": "example.com"}, "WebAuthnRelyingPartyMismatchException"),
    ],
)
def test_a_registration_is_refused(steps, alice, create, error):
    options = steps.cognito.start_web_authn_registration(AccessToken=alice)["CredentialCreationOptions"]
    credential = Authenticator().create(options, **create)
    complete = steps.cognito.complete_web_authn_registration
    assert refusal(complete, AccessToken=alice, Credential=credential)[0] == error
    assert steps.cognito.list_web_authn_credentials(AccessToken=alice)["Credentials"] == []


def test_a_registration_needs_a_pending_challenge_from_the_same_client(steps, emulator, pool, alice):
    options = steps.cognito.start_web_authn_registration(AccessToken=alice)["CredentialCreationOptions"]
    credential = Authenticator().create(options)
    other = emulator.client.create_user_pool_client(
        UserPoolId=pool["user_pool_id"], ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    elsewhere = Steps(emulator, {"client_id": other}).password_tokens("alice")["AccessToken"]
    complete = steps.cognito.complete_web_authn_registration
    assert refusal(complete, AccessToken=elsewhere, Credential=credential)[0] == "WebAuthnClientMismatchException"
    complete(AccessToken=alice, Credential=credential)
    again = refusal(complete, AccessToken=alice, Credential=credential)  # the challenge is used up
    assert again[0] == "WebAuthnChallengeNotFoundException"


def test_user_verification_required_by_the_pool(steps, emulator, pool, alice):
    emulator.client.set_user_pool_mfa_config(
        UserPoolId=pool["user_pool_id"],
        WebAuthnConfiguration={"RelyingPartyId": "localhost", "UserVerification": "required"},
    )
    config = emulator.client.get_user_pool_mfa_config(UserPoolId=pool["user_pool_id"])
    assert config["WebAuthnConfiguration"] == {"RelyingPartyId": "localhost", "UserVerification": "required"}
    assert config["SoftwareTokenMfaConfiguration"] == {"Enabled": True}  # the rest as it was
    options = steps.cognito.start_web_authn_registration(AccessToken=alice)["CredentialCreationOptions"]
    assert options["authenticatorSelection"]["userVerification"] == "required"
    credential = Authenticator().create(options, verified=False)
    code, message = refusal(steps.cognito.complete_web_authn_registration, AccessToken=alice, Credential=credential)
    assert code == "WebAuthnCredentialNotSupportedException" and "verif" in message


def test_passkeys_need_the_pool_to_allow_them(steps, emulator, pool, alice):
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
    emulator.client.update_user_pool(UserPoolId=pool["user_pool_id"], Policies=policies)
    start = steps.cognito.start_web_authn_registration
    assert refusal(start, AccessToken=alice)[0] == "WebAuthnNotEnabledException"


def test_passkeys_need_a_relying_party(steps, emulator):
    ids = emulator.create_pool("bare")
    emulator.client.set_user_pool_mfa_config(UserPoolId=ids["user_pool_id"], MfaConfiguration="OFF")
    from local import factors  # the pool as made with no WebAuthnConfiguration and no domain
    from local.emulator import _backend

    factors.extras(_backend().user_pools[ids["user_pool_id"]])["webauthn"] = None
    bare = Steps(emulator, ids)
    bare.sign_up("zoe")
    start = emulator.client.start_web_authn_registration
    token = bare.password_tokens("zoe")["AccessToken"]
    assert refusal(start, AccessToken=token)[0] == "WebAuthnConfigurationMissingException"
    emulator.client.create_user_pool_domain(UserPoolId=ids["user_pool_id"], Domain="zoes")
    options = start(AccessToken=token)["CredentialCreationOptions"]
    assert options["rp"]["id"] == "zoes.auth.us-east-1.amazoncognito.com"


def test_a_bad_access_token_is_refused(steps):
    assert refusal(steps.cognito.start_web_authn_registration, AccessToken="nope")[0] == "NotAuthorizedException"
    assert refusal(steps.cognito.list_web_authn_credentials, AccessToken="nope")[0] == "NotAuthorizedException"


def test_signing_in_with_the_passkey(steps, client, key):
    started, options = passkey_challenge(steps)
    assert options["rpId"] == "localhost" and options["userVerification"] == "preferred"
    assert options["allowCredentials"] == [{"id": key.passkeys[0].id, "type": "public-key"}]
    answer = steps.respond(started, "alice", CREDENTIAL=key.get(options))
    assert client.get("/hello", headers=bearer(answer["AuthenticationResult"]["IdToken"])).status_code == 200
    chosen = steps.respond(steps.start("alice"), "alice", ANSWER="WEB_AUTHN")  # through the choice, too
    assert chosen["ChallengeName"] == "WEB_AUTHN"
    options = json.loads(chosen["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    assert "AuthenticationResult" in steps.respond(chosen, "alice", CREDENTIAL=key.get(options))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"challenge": "c29tZS1vdGhlci1jaGFsbGVuZ2UtdGhhbi10aGUtc2Vzc2lvbnM"}, "another challenge"),
        ({"origin": "https://evil.example"}, "not allowed"),
        ({"rp_id": "example.com"}, "another relying party"),
        ({"tamper": True}, "signature"),
        ({"verified": False}, None),  # user verification is only preferred: a present user suffices
    ],
)
def test_an_assertion_is_refused(steps, client, key, change, reason):
    started, options = passkey_challenge(steps)
    if reason is None:
        assert "AuthenticationResult" in steps.respond(started, "alice", CREDENTIAL=key.get(options, **change))
        return
    code, message = refusal(steps.respond, previous=started, name="alice", CREDENTIAL=key.get(options, **change))
    assert code == "NotAuthorizedException" and reason in message


def test_a_replayed_assertion_is_refused(steps, key):
    started, options = passkey_challenge(steps)
    credential = key.get(options)
    steps.respond(started, "alice", CREDENTIAL=credential)
    again, options = passkey_challenge(steps)
    replay = key.get(options, sign_count=key.passkeys[0].sign_count)  # a fresh challenge, the counter not grown
    code, message = refusal(steps.respond, previous=again, name="alice", CREDENTIAL=replay)
    assert code == "NotAuthorizedException" and "sign count" in message
    assert refusal(steps.respond, previous=again, name="alice", CREDENTIAL=credential)[0] == "NotAuthorizedException"


def test_another_users_passkey_is_refused(steps, key):
    steps.sign_up("bob")
    bobs = Authenticator()
    steps.register_passkey(steps.password_tokens("bob")["AccessToken"], bobs)
    started, options = passkey_challenge(steps, "alice")
    code, message = refusal(steps.respond, previous=started, name="alice", CREDENTIAL=bobs.get(options))
    assert code == "NotAuthorizedException" and "not one of this user's" in message


def test_a_deleted_passkey_is_refused_and_listing_pages(steps, alice, key):
    second = Authenticator()
    steps.register_passkey(alice, second)
    page = steps.cognito.list_web_authn_credentials(AccessToken=alice, MaxResults=1)
    rest = steps.cognito.list_web_authn_credentials(AccessToken=alice, MaxResults=1, NextToken=page["NextToken"])
    assert [c["CredentialId"] for c in page["Credentials"] + rest["Credentials"]] == [
        key.passkeys[0].id,
        second.passkeys[0].id,
    ]
    assert "NextToken" not in rest
    steps.cognito.delete_web_authn_credential(AccessToken=alice, CredentialId=key.passkeys[0].id)
    started, options = passkey_challenge(steps)
    assert (
        refusal(steps.respond, previous=started, name="alice", CREDENTIAL=key.get(options))[0]
        == "NotAuthorizedException"
    )
    delete = steps.cognito.delete_web_authn_credential
    assert refusal(delete, AccessToken=alice, CredentialId=key.passkeys[0].id)[0] == "ResourceNotFoundException"


def test_another_users_passkey_cannot_be_deleted(steps, key):
    steps.sign_up("bob")
    bob = steps.password_tokens("bob")["AccessToken"]
    delete = steps.cognito.delete_web_authn_credential
    assert refusal(delete, AccessToken=bob, CredentialId=key.passkeys[0].id)[0] == "ResourceNotFoundException"


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
    started, options = passkey_challenge(steps)
    if credential.startswith("KEY"):
        document = json.loads(key.get(options))
        document["response"]["userHandle"] = {"KEY": "", "KEY-BAD-HANDLE": "%%%"}[credential]
        document["response"]["signature"] = 12 if credential == "KEY" else document["response"]["signature"]
        credential = json.dumps(document)
    code, _ = refusal(steps.respond, previous=started, name="alice", CREDENTIAL=credential)
    assert code in ("InvalidParameterException", "NotAuthorizedException")


def test_three_refused_assertions_end_the_session(steps, key):
    started, options = passkey_challenge(steps)
    for _ in range(3):
        refusal(
            steps.respond, previous=started, name="alice", CREDENTIAL=key.get(options, origin="https://evil.example")
        )
    good = key.get(options)
    assert refusal(steps.respond, previous=started, name="alice", CREDENTIAL=good) == (
        "NotAuthorizedException",
        "Invalid session for the user.",
    )
