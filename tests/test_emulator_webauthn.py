"""The emulator's passkeys over HTTP: registration and sign-in verified by py_webauthn, with a software
authenticator making real attestations and assertions; each check shown refusing what it must."""

from __future__ import annotations

import json

import pytest

from tests.support.authenticator import Authenticator
from tests.support.helpers import bearer
from tests.support.userauth import Steps, refusal

# The emulator serves in a thread of this process: an error it logs (an HTML 500) fails the test.
pytestmark = pytest.mark.usefixtures("no_emulator_errors")


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
    assert steps.start("alice")["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"]


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
    from cognito_emulator import factors  # the pool as made with no WebAuthnConfiguration and no domain
    from cognito_emulator.emulator import _backend

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
    started, options = steps.passkey_challenge()
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
    started, options = steps.passkey_challenge()
    if reason is None:
        assert "AuthenticationResult" in steps.respond(started, "alice", CREDENTIAL=key.get(options, **change))
        return
    code, message = refusal(steps.respond, previous=started, name="alice", CREDENTIAL=key.get(options, **change))
    assert code == "NotAuthorizedException" and reason in message


def test_a_replayed_assertion_is_refused(steps, key):
    started, options = steps.passkey_challenge()
    credential = key.get(options)
    steps.respond(started, "alice", CREDENTIAL=credential)
    again, options = steps.passkey_challenge()
    replay = key.get(options, sign_count=key.passkeys[0].sign_count)  # a fresh challenge, the counter not grown
    code, message = refusal(steps.respond, previous=again, name="alice", CREDENTIAL=replay)
    assert code == "NotAuthorizedException" and "sign count" in message
    assert refusal(steps.respond, previous=again, name="alice", CREDENTIAL=credential)[0] == "NotAuthorizedException"


def test_another_users_passkey_is_refused(steps, key):
    steps.sign_up("bob")
    bobs = Authenticator()
    steps.register_passkey(steps.password_tokens("bob")["AccessToken"], bobs)
    started, options = steps.passkey_challenge("alice")
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
    started, options = steps.passkey_challenge()
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


def test_three_refused_assertions_end_the_session(steps, key):
    started, options = steps.passkey_challenge()
    for _ in range(3):
        refusal(
            steps.respond, previous=started, name="alice", CREDENTIAL=key.get(options, origin="https://evil.example")
        )
    good = key.get(options)
    assert refusal(steps.respond, previous=started, name="alice", CREDENTIAL=good) == (
        "NotAuthorizedException",
        "Invalid session for the user.",
    )
